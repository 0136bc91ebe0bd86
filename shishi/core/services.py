from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Sequence


def sequence_next(name: str) -> int:
    with transaction.atomic():
        if Sequence.objects.filter(name=name).update(last=F("last") + 1) == 0:
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, last=1)
                    return 1
            except IntegrityError:
                # Another writer created it between our UPDATE and INSERT.
                Sequence.objects.filter(name=name).update(last=F("last") + 1)
        return Sequence.objects.get(name=name).last
