"""Opening many items of a kind without targets at once: the matters found at
a meeting or on an inspection visit (立行立改, 即知即改), by the hundred.

The rules are those of `item_create` followed by `item_open` (who may open the
kind, a title, a category in use, a deadline in the future or the kind's
default, an active lead unit), checked for every item before anything is
stored; the items go in with one bulk insert each batch and each gets its
history record ("created and opened") by the same actor. A kind whose policy
requires targets is refused: its items are opened one by one."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from shishi.categories.models import Category
from shishi.core.lifecycle import optional_text, require_text
from shishi.core.models import Sequence as NumberSequence
from shishi.core.services import sequence_next
from shishi.org.models import Unit
from shishi.service_levels.deadlines import item_settle_due

from . import permissions
from .models import TEXT_MAX, TITLE_MAX, ItemStatus, KindPolicy, LedgerItem


@dataclass(frozen=True)
class BulkItem:
    title: str
    category: Category
    lead_unit: Unit | None = None
    deadline: dt.datetime | None = None
    description: str = ""


def _row_error(row: int, error: ValidationError) -> ValidationError:
    messages = (
        [f"{field}: {m}" for field, ms in error.message_dict.items() for m in ms]
        if hasattr(error, "error_dict")
        else error.messages
    )
    return ValidationError(_("Item %(row)d: %(error)s") % {"row": row, "error": " ".join(messages)})


def _sequence_take(name: str, count: int) -> int:
    """Take `count` numbers of a sequence at once (what `sequence_next` does for
    one): the first of them."""
    if count == 0:
        return 0
    first = sequence_next(name)
    if count > 1:
        NumberSequence.objects.filter(name=name).update(last=F("last") + count - 1)
    return first


@transaction.atomic
def items_open_bulk(*, kind: str, specs: Sequence[BulkItem], actor) -> list[LedgerItem]:
    """Create and open (建账) every item of `specs`, all or none."""
    policy = KindPolicy.objects.filter(kind=kind).first()
    if policy is None:
        raise ValidationError({"kind": _("Unknown ledger item kind: %(kind)s.") % {"kind": kind}})
    permissions.require_open(actor, kind)
    if policy.requires_targets:
        raise ValidationError(
            {
                "kind": _("A %(kind)s needs measurable targets: open these one by one.")
                % {"kind": policy.get_kind_display()}
            }
        )
    now = timezone.now()
    default_due: dict[int, dt.datetime] = {}
    items = []
    for row, spec in enumerate(specs, start=1):
        try:
            title = require_text(spec.title, field="title", max_length=TITLE_MAX, label=_("Title"))
            description = optional_text(
                spec.description, field="description", max_length=TEXT_MAX, label=_("Description")
            )
            if spec.category is None or not spec.category.is_active:
                raise ValidationError({"category": _("Choose a category that is in use.")})
            deadline = spec.deadline
            if deadline is None:
                if spec.category.pk not in default_due:
                    default_due[spec.category.pk] = (
                        item_settle_due(start=now, kind=kind, category_id=spec.category.pk)
                        or now + policy.default_deadline
                    )
                deadline = default_due[spec.category.pk]
            if timezone.is_naive(deadline) or deadline <= now:
                raise ValidationError(
                    {
                        "deadline": _(
                            "The deadline must be a time in the future, with its time zone."
                        )
                    }
                )
            if spec.lead_unit is not None and not spec.lead_unit.is_active:
                raise ValidationError(
                    {
                        "lead_unit": _("The unit “%(unit)s” is no longer active.")
                        % {"unit": spec.lead_unit}
                    }
                )
        except ValidationError as error:
            raise _row_error(row, error) from None
        items.append(
            LedgerItem(
                kind=kind,
                title=title,
                description=description,
                category=spec.category,
                deadline=deadline,
                lead_unit=spec.lead_unit,
                status=ItemStatus.OPEN,
                created_by=actor,
                created_at=now,
                opened_at=now,
            )
        )
    year = f"{timezone.localdate(now):%Y}"
    first = _sequence_take(f"item-{kind}-{year}", len(items))
    for n, item in enumerate(items, start=first):
        item.number = f"{policy.number_prefix}-{year}-{n:04d}"
    return bulk_create_with_history(
        items,
        LedgerItem,
        batch_size=500,
        default_user=actor,
        default_change_reason="created and opened",
        default_date=now,
    )
