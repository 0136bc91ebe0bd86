"""Who may do what to a work order. The centre (intake clerks, who hold
`intake.triage_appeal`) dispatches, re-dispatches, decides extensions and
reviews replies; a handler of the order's lead unit signs, handles, replies,
returns and asks for extensions."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shishi.org.services import user_unit_ids

from .models import WorkOrder

CENTRE_PERM = "intake.triage_appeal"
HANDLER_PERM = "workorders.handle_workorder"


def is_centre(user) -> bool:
    return user.is_active and user.has_perm(CENTRE_PERM)


def is_handler(user) -> bool:
    return user.is_active and user.has_perm(HANDLER_PERM)


def handles(user, order: WorkOrder) -> bool:
    return is_handler(user) and order.unit_id in user_unit_ids(user)


def can_view(user, order: WorkOrder) -> bool:
    return is_centre(user) or handles(user, order) or user.has_perm("workorders.view_workorder")


def require_centre(user) -> None:
    if not is_centre(user):
        raise PermissionDenied(_("Only the intake centre may dispatch and review work orders."))


def require_handler(user, order: WorkOrder) -> None:
    if not handles(user, order):
        raise PermissionDenied(
            _("Only a handler of %(unit)s may act on work order %(number)s.")
            % {"unit": order.unit, "number": order.number}
        )
