"""Writes of the service-levels app: default policies for a loaded category
tree, and the deadlines of appeals stored before there were any."""

from django.db import transaction

from shishi.categories.models import Category
from shishi.intake.models import Appeal

from . import defaults
from .deadlines import PolicyBook
from .models import ServiceLevelPolicy

BACKFILL_BATCH = 2000


@transaction.atomic
def policies_attach_defaults() -> int:
    """Give emergency and utility categories (by name) their default policy."""
    defaults.base_policies_create(ServiceLevelPolicy)
    return defaults.category_policies_attach(ServiceLevelPolicy, Category)


def appeal_deadlines_backfill(*, batch_size: int = BACKFILL_BATCH, book=None) -> int:
    """Compute the deadlines of appeals that have none, one id range at a time
    (each batch its own transaction, so an interrupted run keeps what it did
    and a second run continues). Returns how many appeals it filled."""
    book = book or PolicyBook.load()
    filled, last_id = 0, 0
    while True:
        rows = list(
            Appeal.objects.filter(
                id__gt=last_id, acknowledge_due__isnull=True, respond_due__isnull=True
            )
            .order_by("id")
            .values_list("id", "received_at", "category_id", "item__kind")[:batch_size]
        )
        if not rows:
            return filled
        changed = []
        for pk, received_at, category_id, kind in rows:
            due = book.appeal_deadlines(
                received_at=received_at, category_id=category_id, kind=kind or ""
            )
            if due.acknowledge_due or due.respond_due:
                changed.append(
                    Appeal(pk=pk, acknowledge_due=due.acknowledge_due, respond_due=due.respond_due)
                )
        with transaction.atomic():
            # Only the two deadline columns; no history record for a computed value.
            Appeal.objects.bulk_update(changed, ["acknowledge_due", "respond_due"])
        filled += len(changed)
        last_id = rows[-1][0]
