"""Reads for the work-order pages: a unit's queue by tab, the centre's lists,
one order's history. Each list costs a fixed number of queries whatever its
length (rows come with their appeal, category and unit)."""

import datetime as dt

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from shishi.ledger.models import Satisfaction

from .models import ExtensionRequest, ExtensionStatus, OrderStatus, WorkOrder

# Tabs of a unit's queue, in the order shown.
TABS = ("to_sign", "in_hand", "due_soon", "overdue", "sent_back", "returned")
# What the unit still has to act on (a reply waiting for review is the centre's).
WITH_UNIT = (OrderStatus.DISPATCHED, OrderStatus.SIGNED)


def due_soon_horizon(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(hours=getattr(settings, "SHISHI_WORK_ORDER_DUE_SOON_HOURS", 48))


# What a list row shows: the appeal's wide row (its text, place, contact
# data) is left in the database.
ROW_FIELDS = (
    "number",
    "status",
    "dispatched_at",
    "sign_due",
    "due_at",
    "review_note",
    "return_reason",
    "rehandle_count",
    "unit__name",
    "appeal__title",
    "appeal__category__name",
)


def _rows(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return orders.select_related("appeal", "appeal__category", "unit").only(*ROW_FIELDS)


def _filtered(orders, *, q=None, category=None, dispatched_from=None, dispatched_to=None):
    if q:
        orders = orders.filter(Q(number__icontains=q) | Q(appeal__title__icontains=q))
    if category is not None:
        orders = orders.filter(appeal__category=category)
    if dispatched_from:
        start = timezone.make_aware(dt.datetime.combine(dispatched_from, dt.time.min))
        orders = orders.filter(dispatched_at__gte=start)
    if dispatched_to:
        end = timezone.make_aware(
            dt.datetime.combine(dispatched_to + dt.timedelta(days=1), dt.time.min)
        )
        orders = orders.filter(dispatched_at__lt=end)
    return orders


def tab_queryset(tab: str, unit_ids, now: dt.datetime) -> QuerySet[WorkOrder]:
    orders = WorkOrder.objects.filter(unit_id__in=unit_ids)
    if tab == "to_sign":
        return orders.filter(status=OrderStatus.DISPATCHED).order_by("sign_due", "pk")
    if tab == "in_hand":
        return orders.filter(status__in=[OrderStatus.SIGNED, OrderStatus.REPLIED]).order_by(
            "due_at", "pk"
        )
    if tab == "due_soon":
        return orders.filter(
            status__in=WITH_UNIT, due_at__gte=now, due_at__lt=due_soon_horizon(now)
        ).order_by("due_at", "pk")
    if tab == "overdue":
        return orders.filter(status__in=WITH_UNIT, due_at__lt=now).order_by("due_at", "pk")
    if tab == "sent_back":
        # Replies the centre sent back, and orders back for re-handling.
        return (
            orders.filter(status=OrderStatus.SIGNED)
            .exclude(review_note="")
            .order_by("due_at", "pk")
        )
    if tab == "returned":
        # What the unit returned to the centre (退单), newest first: counted per unit.
        return orders.filter(returned_at__isnull=False).order_by("-returned_at", "-pk")
    raise ValueError(tab)


def unit_queue(tab: str, unit_ids, *, now: dt.datetime | None = None, **filters):
    return _rows(_filtered(tab_queryset(tab, unit_ids, now or timezone.now()), **filters))


def tab_counts(unit_ids, now: dt.datetime) -> dict[str, int]:
    """The number on each tab (one query per tab, each on the unit's index)."""
    return {tab: tab_queryset(tab, unit_ids, now).count() for tab in TABS}


# ------------------------------------------------------------------ the centre

CENTRE_LISTS = ("review", "returned", "extensions", "dissatisfied", "overdue")


def undecided_dissatisfied():
    """Closed orders whose latest follow-up is dissatisfied and undecided."""
    return WorkOrder.objects.filter(
        status=OrderStatus.CLOSED,
        followups__result=Satisfaction.DISSATISFIED,
        followups__decided_at__isnull=True,
        followups__round=F("rehandle_count"),
    )


def centre_list(name: str, *, now: dt.datetime | None = None, **filters):
    now = now or timezone.now()
    if name == "review":
        orders = WorkOrder.objects.filter(status=OrderStatus.REPLIED).order_by("replied_at", "pk")
    elif name == "returned":
        orders = WorkOrder.objects.filter(status=OrderStatus.RETURNED).order_by("returned_at", "pk")
    elif name == "dissatisfied":
        orders = undecided_dissatisfied().order_by("closed_at", "pk")
    elif name == "overdue":
        orders = WorkOrder.objects.filter(status__in=WITH_UNIT, due_at__lt=now).order_by(
            "due_at", "pk"
        )
    elif name == "extensions":
        return (
            ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING)
            .select_related("order", "order__unit", "order__appeal", "requested_by")
            .order_by("requested_at", "pk")
        )
    else:
        raise ValueError(name)
    return _rows(_filtered(orders, **filters))


def centre_counts(now: dt.datetime) -> dict[str, int]:
    return {name: centre_list(name, now=now).count() for name in CENTRE_LISTS}


def order_history(order: WorkOrder):
    return order.history.select_related("history_user").order_by("-history_date", "-history_id")


def appellant_rating_state(appeal, *, may_rate: bool) -> str:
    """The public tracking page's rating (回访) of an appeal answered by a work
    order: "open" once its order is closed and this round is not rated yet
    (and the visitor speaks for the appellant), "locked" when only that is
    missing, "rated" once rated, "" otherwise."""
    order = (
        WorkOrder.objects.filter(appeal=appeal, status=OrderStatus.CLOSED)
        .only("pk", "rehandle_count")
        .first()
    )
    if order is None:
        return ""
    if order.followups.filter(round=order.rehandle_count).exists():
        return "rated"
    return "open" if may_rate else "locked"
