"""Who may do what to a ledger item. Every check lives here; services call these
before changing anything, and views use them to decide what to show."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shishi.org.services import user_unit_ids

from .models import KindPolicy, LedgerItem


def can_open(user, kind: str) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.has_perm("ledger.add_ledgeritem"):
        return False
    policy = KindPolicy.objects.filter(kind=kind).first()
    if policy is None:
        return False
    return policy.openers.filter(pk__in=user.groups.values("pk")).exists()


def can_claim(user) -> bool:
    return user.is_active and user.has_perm("ledger.claim_ledgeritem")


def claim_unit_ids(user) -> set[int]:
    """The units a leader may claim items for, each with the units under it:
    the units they belong to and their contact units (联系单位安排表, kept by
    shishi.organisation and reached through its reverse accessor, so that this
    lower app imports nothing of it)."""
    contact = user.contact_units.filter(unit__is_active=True).values_list("unit_id", flat=True)
    return set(user_unit_ids(user)) | set(contact)


def can_claim_for(user, unit) -> bool:
    """Whether `user` may own an item led by `unit`: the unit is one of their
    claim units, or lies under one (a district's leader leads for its bureaus)."""
    if user.is_superuser:
        return True
    allowed = claim_unit_ids(user)
    if not allowed:
        return False
    seen: set[int] = set()
    while unit is not None and unit.pk not in seen:
        if unit.pk in allowed:
            return True
        seen.add(unit.pk)
        unit = unit.parent
    return False


def acts_for_item(user, item: LedgerItem) -> bool:
    """The owner, or a member of the item's lead unit."""
    return item.owner_id == user.pk or (
        item.lead_unit_id is not None and item.lead_unit_id in user_unit_ids(user)
    )


def can_report(user, item: LedgerItem) -> bool:
    return user.is_active and user.has_perm("ledger.report_progress") and acts_for_item(user, item)


def can_verify(user, item: LedgerItem) -> bool:
    # Nobody verifies their own item, superusers included.
    return user.is_active and user.has_perm("ledger.verify_ledgeritem") and item.owner_id != user.pk


def can_manage(user) -> bool:
    return user.is_active and user.has_perm("ledger.manage_ledgeritem")


def can_record_followup(user) -> bool:
    return user.is_active and user.has_perm("ledger.record_followup")


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_open(user, kind: str) -> None:
    require(can_open(user, kind), _("You may not open ledger items of this kind."))


def require_claim(user) -> None:
    require(can_claim(user), _("Only a responsible leader may claim a ledger item."))


def require_claim_for(user, unit) -> None:
    require(
        can_claim_for(user, unit),
        _("%(user)s may claim items only for their own units, not for %(unit)s.")
        % {"user": user, "unit": unit},
    )


def require_report(user, item: LedgerItem) -> None:
    require(
        can_report(user, item),
        _("Only the owner or a handler of the lead unit (%(unit)s) may report on “%(item)s”.")
        % {"unit": item.lead_unit or "—", "item": item},
    )


def require_verify(user, item: LedgerItem) -> None:
    if item.owner_id == user.pk:
        raise PermissionDenied(_("The owner of “%(item)s” cannot verify it.") % {"item": item})
    require(can_verify(user, item), _("Only a supervisor may verify and settle ledger items."))


def require_manage(user) -> None:
    require(can_manage(user), _("Only a supervisor may suspend, cancel or reopen ledger items."))
