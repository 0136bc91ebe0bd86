from django.db.models import Q

from shishi.org.services import user_unit_ids

from .models import SupervisionOrder


def _listed(queryset):
    return queryset.select_related("item", "appeal", "unit", "supervisor")


def orders_of_supervisor(user, *, status: str = "open"):
    """The orders assigned to a supervisor: open ones first, the earliest answer due first."""
    orders = SupervisionOrder.objects.filter(supervisor=user)
    if status == "open":
        orders = orders.open()
    elif status:
        orders = orders.filter(status=status)
    return _listed(orders).order_by("status", "answer_due", "pk")


def orders_to_answer(user, *, include_closed: bool = False):
    """The orders addressed to the user's units or about items the user owns."""
    orders = SupervisionOrder.objects.filter(
        Q(unit_id__in=user_unit_ids(user)) | Q(item__owner=user)
    )
    if not include_closed:
        orders = orders.open()
    return _listed(orders).order_by("status", "answer_due", "pk")


def order_history(order: SupervisionOrder):
    return order.history.select_related("history_user").order_by("-history_date", "-history_id")
