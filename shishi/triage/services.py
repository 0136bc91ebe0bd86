"""Composite writes of the intake desk, made of the intake and ledger services."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shishi.intake.models import Appeal
from shishi.intake.services import appeal_accept
from shishi.ledger.models import KindPolicy, LedgerItem
from shishi.ledger.services import item_create


@transaction.atomic
def item_draft_from_appeals(
    *, actor, appeals: Sequence[Appeal], targets: Iterable = (), **item_fields
) -> LedgerItem:
    """Draft a ledger item (`item_create`'s fields) and accept every appeal into
    it, all or nothing: if one appeal cannot be accepted (a colleague answered
    it meanwhile), no item is left behind without the appeals it was made for."""
    if not appeals:
        raise ValidationError(_("Choose at least one appeal for the new item."))
    targets = list(targets)
    policy = KindPolicy.objects.filter(kind=item_fields.get("kind")).first()
    if policy is not None and policy.requires_targets and not targets:
        # item_create leaves this to item_open; a draft made here should be openable.
        raise ValidationError(
            {
                "targets": _("A %(kind)s needs at least one measurable target.")
                % {"kind": policy.get_kind_display()}
            }
        )
    item = item_create(actor=actor, targets=targets, **item_fields)
    for appeal in appeals:
        try:
            appeal_accept(appeal=appeal, actor=actor, item=item)
        except ValidationError as error:
            raise ValidationError(
                _("Appeal %(number)s cannot be taken into the item: %(reason)s")
                % {"number": appeal.tracking_number, "reason": " ".join(error.messages)}
            ) from error
    return item
