"""Work-order figures, computed from the rows: `shishi stats --json` key
`work_orders`, and per unit for the three rates, the weekly bulletin and the
dashboard.

- one count per state of the transition table (dispatched, signed, replied,
  closed, returned, reassigned, cancelled): the orders in that state now;
- returned: orders a unit ever returned to the centre (退单), re-dispatched
  or not;
- extended: orders whose deadline an approved extension moved;
- rehandled: orders sent back to their unit after a dissatisfied follow-up
  (重办);
- rated: follow-ups recorded on work orders (by the resident or by phone).
"""

import datetime as dt

from django.db.models import Count, F, Q

from shishi.ledger.models import Satisfaction

from .models import OrderFollowUp, OrderStatus, WorkOrder

# How `shishi stats` (text) names each count.
COUNT_LABELS = {
    "dispatched": "待签收",
    "signed": "办理中",
    "replied": "待审核",
    "closed": "已办结",
    "returned": "退单",
    "reassigned": "已转派",
    "cancelled": "已撤销",
    "extended": "延期",
    "rehandled": "重办",
    "rated": "回访",
}


def work_order_counts_text() -> str:
    counts = work_order_counts()
    state = "，".join(f"{COUNT_LABELS[s]} {counts[s]}" for s in OrderStatus.values)
    return (
        f"工单: {state}；累计退单 {counts['returned']}，延期 {counts['extended']}，"
        f"重办 {counts['rehandled']}，回访 {counts['rated']} 件"
    )


def work_order_counts() -> dict[str, int]:
    """Two queries: the orders (one aggregate) and the follow-ups."""
    totals = WorkOrder.objects.aggregate(
        **{f"state_{s}": Count("pk", filter=Q(status=s)) for s in OrderStatus.values},
        returned=Count("pk", filter=Q(returned_at__isnull=False)),
        extended=Count("pk", filter=Q(extension_count__gt=0)),
        rehandled=Count("pk", filter=Q(rehandle_count__gt=0)),
    )
    return {
        **{s: totals[f"state_{s}"] for s in OrderStatus.values},
        "returned": totals["returned"],
        "extended": totals["extended"],
        "rehandled": totals["rehandled"],
        "rated": OrderFollowUp.objects.count(),
    }


# Per unit, over a period of dispatches ---------------------------------------

UNIT_MEASURES = (
    "dispatched",
    "signed_in_time",
    "closed",
    "closed_in_time",
    "returned",
    "extended",
    "rehandled",
    "rated",
    "satisfied",
)


def unit_figures(start: dt.datetime, end: dt.datetime) -> dict[int, dict[str, int]]:
    """unit id → counts (and the unit's name, `unit__name`) for the orders
    dispatched in [start, end): how many,
    signed by their sign deadline, closed, closed by their (extended)
    deadline, returned, extended, re-handled; and the follow-ups recorded in
    the period with how many were satisfied or basically satisfied. Two
    grouped queries."""

    orders = (
        WorkOrder.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)
        .order_by()
        .values("unit_id", "unit__name")
        .annotate(
            dispatched=Count("pk"),
            signed_in_time=Count(
                "pk", filter=Q(signed_at__isnull=False, signed_at__lte=F("sign_due"))
            ),
            closed=Count("pk", filter=Q(closed_at__isnull=False)),
            closed_in_time=Count(
                "pk", filter=Q(closed_at__isnull=False, replied_at__lte=F("due_at"))
            ),
            returned=Count("pk", filter=Q(returned_at__isnull=False)),
            extended=Count("pk", filter=Q(extension_count__gt=0)),
            rehandled=Count("pk", filter=Q(rehandle_count__gt=0)),
        )
    )
    out: dict[int, dict[str, int]] = {}
    for row in orders:
        unit_id = row.pop("unit_id")
        out[unit_id] = {m: 0 for m in UNIT_MEASURES} | row
    ratings = (
        OrderFollowUp.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
        .order_by()
        .values("order__unit_id", "order__unit__name")
        .annotate(
            rated=Count("pk"),
            satisfied=Count(
                "pk",
                filter=Q(result__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]),
            ),
        )
    )
    for row in ratings:
        figures = out.setdefault(
            row["order__unit_id"],
            {m: 0 for m in UNIT_MEASURES} | {"unit__name": row["order__unit__name"]},
        )
        figures["rated"], figures["satisfied"] = row["rated"], row["satisfied"]
    return out


def unit_rows(start: dt.datetime, end: dt.datetime) -> list[dict]:
    """`unit_figures` as rows with the unit's name, the most orders first
    (the weekly bulletin's and the dashboard's table)."""
    rows = [
        {"unit": counts.pop("unit__name"), **counts} for counts in unit_figures(start, end).values()
    ]
    rows.sort(key=lambda r: (-r["dispatched"], r["unit"]))
    return rows


def dashboard_figures(now: dt.datetime, days: int = 30) -> dict:
    """The dashboard's work orders: the count in each state, with labels in the
    reader's language, and the units' figures over the last `days` days."""
    counts = work_order_counts()
    return {
        "by_status": [(str(label), counts[value]) for value, label in OrderStatus.choices],
        "total": sum(counts[value] for value in OrderStatus.values),
        "days": days,
        "units": unit_rows(now - dt.timedelta(days=days), now),
    }
