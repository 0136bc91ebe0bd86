"""Who may do what to a supervision order. The answer comes from the unit it is
addressed to (or the item's owner); the supervisor it is assigned to sends it
back or closes it."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shishi.org.services import user_unit_ids

from .models import SupervisionOrder


def can_issue(user) -> bool:
    return user.is_active and user.has_perm("supervision.manage_supervisionorder")


def acts_for_order(user, order: SupervisionOrder) -> bool:
    """A member of the unit addressed, or the owner of the item."""
    if order.unit_id in user_unit_ids(user):
        return True
    return order.item_id is not None and order.item.owner_id == user.pk


def can_answer(user, order: SupervisionOrder) -> bool:
    return (
        user.is_active
        and user.has_perm("supervision.answer_supervisionorder")
        and acts_for_order(user, order)
    )


def can_decide(user, order: SupervisionOrder) -> bool:
    """Send back or close: the assigned supervisor (or a superuser)."""
    if not user.is_active or not user.has_perm("supervision.manage_supervisionorder"):
        return False
    return order.supervisor_id == user.pk or user.is_superuser


def can_view(user, order: SupervisionOrder) -> bool:
    return user.is_active and (
        user.has_perm("supervision.manage_supervisionorder")
        or (user.has_perm("supervision.view_supervisionorder") and acts_for_order(user, order))
    )


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_issue(user) -> None:
    require(can_issue(user), _("Only a supervisor may issue supervision orders."))


def require_answer(user, order: SupervisionOrder) -> None:
    require(
        can_answer(user, order),
        _("Only a handler of %(unit)s or the item's owner may answer %(order)s.")
        % {"unit": order.unit, "order": order.number},
    )


def require_decide(user, order: SupervisionOrder) -> None:
    require(
        can_decide(user, order),
        _("Only the supervisor of %(order)s (%(supervisor)s) may send it back or close it.")
        % {"order": order.number, "supervisor": order.supervisor},
    )
