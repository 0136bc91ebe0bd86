"""The dashboard's figures, each computed from the ledger with a few aggregate
queries (GROUP BY in the database, never rows counted in Python), so the page
makes the same handful of queries for ten appeals or ten million."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from shishi.categories.models import Category
from shishi.intake.models import Appeal, AppealStatus, Channel
from shishi.ledger.models import (
    ACTIVE_STATUSES,
    ItemStatus,
    LedgerItem,
    ProgressReport,
    iso_week_label,
    week_start,
)

Rows = list[tuple[str, int]]


# ------------------------------------------------------------------ appeals


@dataclass
class AppealFigures:
    total: int
    by_channel: Rows  # channels that received appeals, most first
    by_category: Rows  # top-level categories, most first; the uncategorised last
    by_status: Rows  # every status, in the order of the lifecycle


def _received_between(received_from: dt.date | None, received_to: dt.date | None):
    """Appeals received on or after the first day and on or before the last
    (both whole local days)."""
    appeals = Appeal.objects.all()
    zone = timezone.get_current_timezone()
    if received_from:
        start = dt.datetime.combine(received_from, dt.time.min, tzinfo=zone)
        appeals = appeals.filter(received_at__gte=start)
    if received_to:
        end = dt.datetime.combine(received_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        appeals = appeals.filter(received_at__lt=end)
    return appeals


def _counts(queryset, field: str) -> dict:
    """{value: count} of a field or annotation, in one GROUP BY query."""
    rows = queryset.values(field).annotate(n=Count("pk")).order_by()
    return {row[field]: row["n"] for row in rows}


def _roots() -> tuple[dict[int, int], dict[int, Category]]:
    """Each category's top-level ancestor, and the top-level categories. One
    query: a category tree has hundreds of nodes, not millions."""
    nodes = {c.pk: c for c in Category.objects.only("pk", "parent_id", "name", "sort_order")}
    root_of: dict[int, int] = {}
    for pk in nodes:
        path, node = [], pk
        while node not in root_of and nodes[node].parent_id is not None and node not in path:
            path.append(node)
            node = nodes[node].parent_id
        root = root_of.get(node, node)
        for visited in [*path, node]:
            root_of[visited] = root
    return root_of, {pk: c for pk, c in nodes.items() if c.parent_id is None}


def appeal_figures(
    *, received_from: dt.date | None = None, received_to: dt.date | None = None
) -> AppealFigures:
    """Appeals received in the period (all of them without one), by channel, by
    top-level category and by status."""
    appeals = _received_between(received_from, received_to)
    # Each count runs on an index that also holds received_at: the period
    # never makes the database read the table.
    by_status = _counts(appeals, "status")
    by_channel = _counts(appeals, "channel")
    # The (category, received_at) index answers this one without the table.
    by_category_id = _counts(appeals, "category")

    root_of, roots = _roots()
    by_root: dict[int, int] = {}
    for category_id, n in by_category_id.items():
        if category_id is not None:
            root = root_of[category_id]
            by_root[root] = by_root.get(root, 0) + n
    categories = sorted(
        by_root.items(), key=lambda kv: (-kv[1], roots[kv[0]].sort_order, roots[kv[0]].name)
    )
    category_rows = [(roots[pk].name, n) for pk, n in categories]
    if by_category_id.get(None):
        category_rows.append((_("Not categorised yet"), by_category_id[None]))

    channel_labels = dict(Channel.choices)
    channels = sorted(by_channel.items(), key=lambda kv: (-kv[1], kv[0]))
    return AppealFigures(
        total=sum(by_status.values()),
        by_channel=[(str(channel_labels.get(c, c)), n) for c, n in channels],
        by_category=category_rows,
        by_status=[(str(s.label), by_status.get(s.value, 0)) for s in AppealStatus],
    )


# -------------------------------------------------------------------- items

# Buckets of the latest reported percent of an active item: (label, lowest, highest).
PROGRESS_BUCKETS = [
    ("0–24%", 0, 24),
    ("25–49%", 25, 49),
    ("50–74%", 50, 74),
    ("75–99%", 75, 99),
    ("100%", 100, 100),
]


@dataclass
class ReportingRate:
    """This week's reporting: active items with a current report for the week,
    of the active items (all of which owe one)."""

    week: str  # 2025-W48
    reported: int
    due: int

    @property
    def missing(self) -> int:
        return self.due - self.reported

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded down so that 999 of 1000 is not shown as 100;
        None when no report was due (no rate at all, not 0% nor 100%)."""
        if not self.due:
            return None
        return 100 * self.reported // self.due


@dataclass
class ItemFigures:
    total: int
    active: int
    overdue: int
    by_status: Rows  # every status, in the order of the lifecycle
    progress: Rows  # active items by latest percent, and those without a report
    reporting: ReportingRate


def progress_buckets(percents: dict[int | None, int]) -> Rows:
    rows = [
        (label, sum(n for p, n in percents.items() if p is not None and low <= p <= high))
        for label, low, high in PROGRESS_BUCKETS
    ]
    rows.append((_("No report yet"), percents.get(None, 0)))
    return rows


def item_figures(*, now: dt.datetime | None = None) -> ItemFigures:
    """Items by status, the overdue count, the progress of the active items
    and this ISO week's reporting rate: four queries."""
    now = now or timezone.now()
    monday = week_start(timezone.localdate(now))
    by_status = _counts(LedgerItem.objects.all(), "status")
    due = sum(by_status.get(status, 0) for status in ACTIVE_STATUSES)
    # Counted from the week's reports (a partial index holds exactly those),
    # not by probing every active item for one.
    reported = ProgressReport.objects.filter(
        week_start=monday, is_current=True, item__status__in=ACTIVE_STATUSES
    ).count()
    # Grouped by the latest percent itself (at most 102 groups), so that the
    # latest report of each item is looked up once; bucketed here.
    percents = _counts(LedgerItem.objects.active().with_latest_percent(), "latest_percent")
    return ItemFigures(
        total=sum(by_status.values()),
        active=due,
        overdue=LedgerItem.objects.overdue(now).count(),
        by_status=[(str(s.label), by_status.get(s.value, 0)) for s in ItemStatus],
        progress=progress_buckets(percents),
        reporting=ReportingRate(week=iso_week_label(monday), reported=reported, due=due),
    )
