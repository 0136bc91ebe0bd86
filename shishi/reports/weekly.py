"""周调度通报: the weekly bulletin of one ISO week, computed from the ledger.

What the bulletin counts (the page and the workbook print the same rules):

- **The week** runs from Monday 00:00 to the next Monday 00:00, local time.
  Every figure is taken *as of* the week's end, or as of now while the week
  is still running.
- **Owed a report (应报)**: an item claimed or in progress as of then
  (ACTIVE_STATUSES), the same rule as the dashboard's reporting rate, so the
  bulletin of the running week shows the dashboard's figures.
- **Reported (已报)**: an item owed a report that has a current progress
  report for the week. A unit's **reporting rate** is reported ÷ owed, in
  whole percent rounded down (999 of 1,000 is 99%, never 100%); a unit that
  owed none shows "无应报事项", never 0% or 100%.
- **Behind schedule (进度滞后)**: an item owed a report, not yet overdue,
  whose latest reported percent (the latest report for that week or an
  earlier one; no report counts as 0) is more than BEHIND_MARGIN points below
  the share of its time used, i.e. the time from its claim to the week's end
  over the time from its claim to its deadline, in whole percent rounded down.
- **Overdue (逾期)**: as of the week's end, the deadline has passed and the
  item is neither settled nor cancelled. Days overdue count from the deadline
  to the week's end, a part day as a whole one.
- **Settled that week (本周清账)**: settled during the week and still settled
  at its end.
- **Ranking**: units that owed reports, by reporting rate (exactly, not the
  rounded percent), then fewer overdue items, then fewer items behind
  schedule, then more items settled that week; units equal on all four share
  a rank. Units that owed no report are listed after them, unranked.

How a past week is reconstructed. Every change to an item is recorded in its
history (django-simple-history): the bulletin reads, for each item, the
history record written last before the week's end, so an item's status,
lead unit, owner, deadline, claim and settlement times are those it had then.
("Last" is the highest history id: records are numbered in the order they
were written, which for one item is the order of its changes.)
Progress reports are kept by week (week_start) and never deleted.

What cannot be reconstructed:

- A correction of a report replaces its figure: the version current now
  counts, and a report filed after the week for that week counts as
  reported (the bulletin says whether the week *has been* reported).
- Names are today's: a renamed unit or leader shows the new name.
- An item with no history record at all (loaded in bulk without one) is
  taken as it stands now, if it had been created by the week's end.

Every count is a GROUP BY or a filtered list in the database: six queries
whatever the size of the ledger (one more per query when items without
history exist). Only the behind-schedule test runs in Python, on the rows of
the active items that could be behind.
"""

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from shishi.dashboard.charts import bar_chart
from shishi.dashboard.selectors import ReportingRate, Rows
from shishi.ledger.models import (
    ACTIVE_STATUSES,
    FINISHED_STATUSES,
    ItemStatus,
    LedgerItem,
    ProgressReport,
    iso_week_label,
)
from shishi.organisation.selectors import week_activity_rows
from shishi.reports.pdf import CHART_FONT_FAMILY
from shishi.sheets.ledger_export import chinese_labels
from shishi.workorders.figures import unit_rows as work_order_unit_rows

# An item is behind schedule when its reported percent trails the share of its
# time used by more than this many points.
BEHIND_MARGIN = 20
# The HTML page and the PDF list this many items per table (the worst first);
# the workbook lists them all. It keeps the PDF a few pages long (WeasyPrint
# lays out a table row in some 5 ms) and the bulletin readable.
DOCUMENT_LIST_LIMIT = 15
# The reporting-rate chart shows at most this many units (the lowest rates), so
# that it fits half a printed page beside the status chart.
CHART_UNITS = 12

TITLE = "周调度通报"
DEFINITIONS = [
    ("应报事项", "截至本周末处于“已领账”或“推进中”状态的事项，每周应报送一次进展。"),
    (
        "报送率",
        "本周已报送进展的应报事项数 ÷ 应报事项数，按整数百分比向下取整；"
        "无应报事项的单位显示“无应报事项”。",
    ),
    (
        "进度滞后",
        f"未逾期的应报事项中，最新报送的完成百分比（无报送按0计）低于时间进度"
        f"（自领账至本周末所用时间占领账至完成时限的比例）{BEHIND_MARGIN}个百分点以上的事项。",
    ),
    ("逾期事项", "截至本周末已过完成时限、尚未清账或撤销的事项；逾期天数不足一天按一天计。"),
    ("本周清账", "本周内清账、且本周末仍为已清账状态的事项。"),
]
RANKING_RULE = (
    "按报送率从高到低排名；报送率相同的，逾期事项少者在前；再相同的，进度滞后事项少者在前；"
    "再相同的，本周清账事项多者在前；仍相同的并列。本周无应报事项的单位不参与排名。"
)
NO_REPORT_DUE = "无应报事项"


# ------------------------------------------------------------------ figures


@dataclass
class UnitRow:
    """One lead unit's week."""

    unit_id: int
    name: str
    items: int  # items it led as of the week's end (drafts aside)
    rate: ReportingRate
    overdue: int = 0
    behind: int = 0
    settled: int = 0
    rank: int | None = None  # None: it owed no report this week

    def sort_key(self) -> tuple:
        return (
            -Fraction(self.rate.reported, self.rate.due),
            self.overdue,
            self.behind,
            -self.settled,
        )


@dataclass
class ItemRow:
    """An item in one of the bulletin's lists, as it stood at the week's end."""

    item_id: int
    number: str
    title: str
    unit: str  # the lead unit's name; "" before the item was claimed
    owner: str
    status: str  # the status's label
    deadline: dt.datetime
    latest_percent: int | None = None  # the latest reported percent, that week or before
    claimed_at: dt.datetime | None = None
    expected_percent: int | None = None  # behind schedule: the share of time used
    days_overdue: int | None = None
    settled_at: dt.datetime | None = None

    @property
    def gap(self) -> int | None:
        if self.expected_percent is None:
            return None
        return self.expected_percent - (self.latest_percent or 0)

    @property
    def settled_on_time(self) -> bool | None:
        if self.settled_at is None:
            return None
        return self.settled_at <= self.deadline


@dataclass
class Bulletin:
    monday: dt.date
    start: dt.datetime  # Monday 00:00
    end: dt.datetime  # the next Monday 00:00
    as_of: dt.datetime  # the end, or now while the week runs
    made_at: dt.datetime
    reporting: ReportingRate  # all units together
    units: list[UnitRow]  # ranked first, then those that owed nothing
    behind: list[ItemRow]  # the largest gap first
    overdue: list[ItemRow]  # the most days overdue first
    settled: list[ItemRow]  # in the order they were settled
    by_status: Rows  # every status but draft, in the order of the lifecycle
    untracked: bool = False  # some items had no history and were taken as they are now
    behind_margin: int = BEHIND_MARGIN
    definitions: list[tuple[str, str]] = field(default_factory=lambda: list(DEFINITIONS))
    ranking_rule: str = RANKING_RULE
    # Work orders (shishi.workorders) dispatched in the week, per unit.
    work_orders: list[dict] = field(default_factory=list)

    @property
    def week(self) -> str:
        return iso_week_label(self.monday)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def complete(self) -> bool:
        """Whether the week is over (its figures will not change but by corrections)."""
        return self.as_of >= self.end

    @property
    def items(self) -> int:
        return sum(n for _label, n in self.by_status)

    @property
    def ranked(self) -> list[UnitRow]:
        return [u for u in self.units if u.rank is not None]

    @property
    def unranked(self) -> list[UnitRow]:
        return [u for u in self.units if u.rank is None]


def week_bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 and the next Monday 00:00 in the current time zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min, tzinfo=zone)
    return start, end


class WeekNotStarted(ValueError):
    """A bulletin of a week that has not begun would count nothing real."""


# The earliest week a bulletin is made for: before it no ledger was kept, and a
# week such as 1900-W01 is a typing error, not a question (issue 18).
EARLIEST_MONDAY = dt.date.fromisocalendar(2000, 1, 1)


class WeekTooEarly(WeekNotStarted):
    """A week before EARLIEST_MONDAY."""


# The ledger as it stood at a moment: for each item, its latest history record
# written before it. Historical rows have the item's fields under the same
# names (id, status, lead_unit, owner, deadline, …), so the same queries run on
# them and on LedgerItem (the fallback for items without history).
History = LedgerItem.history.model


def ledger_as_of(moment: dt.datetime) -> QuerySet:
    """The history record of each item current at `moment`: the one written
    last (the highest history id) of those dated before it, drafts and
    deletions left out. One GROUP BY, not a probe per item, which the
    database runs once and joins by primary key."""
    latest = (
        History.objects.filter(history_date__lt=moment)
        .values("id")
        .annotate(last=Max("history_id"))
        .values("last")
    )
    return (
        History.objects.filter(history_id__in=latest)
        .exclude(history_type="-")
        .exclude(status=ItemStatus.DRAFT)
    )


def untracked_as_of(moment: dt.datetime) -> QuerySet:
    """Items with no history at all, as they stand now, if created by `moment`."""
    return (
        LedgerItem.objects.filter(created_at__lt=moment)
        .exclude(status=ItemStatus.DRAFT)
        .filter(~Exists(History.objects.filter(id=OuterRef("pk"))))
    )


def _latest_percent(monday: dt.date) -> Subquery:
    """The percent of the item's latest current report for `monday`'s week or before."""
    reports = ProgressReport.objects.filter(
        item_id=OuterRef("id"), is_current=True, week_start__lte=monday
    ).order_by("-week_start")
    return Subquery(reports.values("percent")[:1])


def _reported(monday: dt.date) -> Exists:
    return Exists(
        ProgressReport.objects.filter(item_id=OuterRef("id"), week_start=monday, is_current=True)
    )


ROW_FIELDS = (
    "id",
    "number",
    "title",
    "status",
    "deadline",
    "claimed_at",
    "settled_at",
    "lead_unit__name",
    "owner__full_name",
    "owner__username",
)


def _item_row(values: dict, labels: dict) -> ItemRow:
    return ItemRow(
        item_id=values["id"],
        number=values["number"],
        title=values["title"],
        unit=values["lead_unit__name"] or "",
        owner=values["owner__full_name"] or values["owner__username"] or "",
        status=labels[values["status"]],
        deadline=values["deadline"],
        latest_percent=values.get("latest_percent"),
        claimed_at=values["claimed_at"],
        settled_at=values["settled_at"],
    )


def share_of_time_used(claimed_at: dt.datetime, deadline: dt.datetime, moment: dt.datetime) -> int:
    """Whole percent of the time from claim to deadline used by `moment`,
    rounded down, from 0 to 100."""
    total = (deadline - claimed_at).total_seconds()
    if total <= 0:
        return 100
    used = (moment - claimed_at).total_seconds()
    return max(0, min(100, math.floor(100 * used / total)))


def days_overdue(deadline: dt.datetime, moment: dt.datetime) -> int:
    """Days from the deadline to `moment`, a part day counting as a whole one."""
    return max(1, math.ceil((moment - deadline).total_seconds() / 86_400))


def rank_units(units: Iterable[UnitRow]) -> list[UnitRow]:
    """The units that owed reports, in ranking order, each given its rank
    (units equal on every rule share one: 1, 2, 2, 4)."""
    ranked = sorted((u for u in units if u.rate.due), key=lambda u: (u.sort_key(), u.name))
    for position, unit in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        same = previous is not None and previous.sort_key() == unit.sort_key()
        unit.rank = previous.rank if same else position
    return ranked


def bulletin_figures(monday: dt.date, *, now: dt.datetime | None = None) -> Bulletin:
    """The bulletin of the ISO week that starts on `monday`, as of its end (or
    now, while it runs). Refuses a week that has not started."""
    now = now or timezone.now()
    start, end = week_bounds(monday)
    if start > now:
        raise WeekNotStarted(f"The week {iso_week_label(monday)} has not started yet.")
    if monday < EARLIEST_MONDAY:
        raise WeekTooEarly(
            f"The week {iso_week_label(monday)} is too early: bulletins start at "
            f"{iso_week_label(EARLIEST_MONDAY)}."
        )
    as_of = min(end, now)
    labels = chinese_labels(ItemStatus)

    sources = [ledger_as_of(as_of)]
    untracked = untracked_as_of(as_of)
    has_untracked = untracked.exists()
    if has_untracked:
        sources.append(untracked)

    def each(query: Callable[[QuerySet], list]) -> list:
        return [row for source in sources for row in query(source)]

    active = Q(status__in=ACTIVE_STATUSES)
    overdue = Q(deadline__lt=as_of) & ~Q(status__in=FINISHED_STATUSES)
    settled = Q(status=ItemStatus.SETTLED, settled_at__gte=start, settled_at__lt=as_of)

    # Items by status.
    by_status: dict[str, int] = {}
    for row in each(lambda qs: qs.values("status").annotate(n=Count("id")).order_by()):
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]

    # Each lead unit's counts, in one GROUP BY.
    units: dict[int, UnitRow] = {}
    week = iso_week_label(monday)
    per_unit = each(
        lambda qs: (
            qs.filter(lead_unit__isnull=False)
            .annotate(reported=_reported(monday))
            .values("lead_unit", "lead_unit__name")
            .annotate(
                items=Count("id"),
                due=Count("id", filter=active),
                done=Count("id", filter=active & Q(reported=True)),
                overdue_n=Count("id", filter=overdue),
                settled_n=Count("id", filter=settled),
            )
            .order_by()
        )
    )
    for row in per_unit:
        unit = units.setdefault(
            row["lead_unit"],
            UnitRow(
                unit_id=row["lead_unit"],
                name=row["lead_unit__name"],
                items=0,
                rate=ReportingRate(week=week, reported=0, due=0),
            ),
        )
        unit.items += row["items"]
        unit.rate.due += row["due"]
        unit.rate.reported += row["done"]
        unit.overdue += row["overdue_n"]
        unit.settled += row["settled_n"]

    # Behind schedule: only items whose percent could trail by the margin are fetched.
    could_be_behind = each(
        lambda qs: (
            qs.filter(active, deadline__gte=as_of, claimed_at__lt=as_of)
            .annotate(latest_percent=_latest_percent(monday))
            .filter(Q(latest_percent__isnull=True) | Q(latest_percent__lt=100 - BEHIND_MARGIN))
            .values(*ROW_FIELDS, "lead_unit", "latest_percent")
            .order_by()  # sorted below, by what the table shows
        )
    )
    behind = []
    for values in could_be_behind:
        expected = share_of_time_used(values["claimed_at"], values["deadline"], as_of)
        if expected - (values["latest_percent"] or 0) > BEHIND_MARGIN:
            row = _item_row(values, labels)
            row.expected_percent = expected
            behind.append(row)
            if values["lead_unit"] in units:
                units[values["lead_unit"]].behind += 1
    behind.sort(key=lambda r: (-r.gap, r.deadline, r.number))

    overdue_rows = []
    for values in each(
        lambda qs: (
            qs.filter(overdue)
            .annotate(latest_percent=_latest_percent(monday))
            .values(*ROW_FIELDS, "latest_percent")
            .order_by()
        )
    ):
        row = _item_row(values, labels)
        row.days_overdue = days_overdue(row.deadline, as_of)
        overdue_rows.append(row)
    overdue_rows.sort(key=lambda r: (-r.days_overdue, r.number))

    settled_rows = [
        _item_row(values, labels)
        for values in each(lambda qs: qs.filter(settled).values(*ROW_FIELDS).order_by())
    ]
    settled_rows.sort(key=lambda r: (r.settled_at, r.number))

    ranked = rank_units(units.values())
    unranked = sorted((u for u in units.values() if not u.rate.due), key=lambda u: u.name)

    return Bulletin(
        monday=monday,
        start=start,
        end=end,
        as_of=as_of,
        made_at=now,
        reporting=ReportingRate(
            week=week,
            reported=sum(u.rate.reported for u in units.values()),
            due=sum(u.rate.due for u in units.values()),
        ),
        units=ranked + unranked,
        behind=behind,
        overdue=overdue_rows,
        settled=settled_rows,
        by_status=[
            (labels[s.value], by_status.get(s.value, 0))
            for s in ItemStatus
            if s != ItemStatus.DRAFT
        ],
        untracked=has_untracked,
        work_orders=work_order_unit_rows(start, as_of),
    )


# ---------------------------------------------------------------- rendering


def _chart(rows: Rows, **kwargs) -> SafeString:
    return bar_chart(rows, font_family=CHART_FONT_FAMILY, **kwargs)


def rate_text(rate: ReportingRate) -> str:
    return NO_REPORT_DUE if rate.percent is None else f"{rate.percent}%"


def bulletin_charts(bulletin: Bulletin) -> list[dict]:
    """The bulletin's charts (server-side SVG), each with its title and note."""
    with_due = [u for u in bulletin.units if u.rate.due]
    lowest = sorted(with_due, key=lambda u: (Fraction(u.rate.reported, u.rate.due), u.name))
    shown = sorted(lowest[:CHART_UNITS], key=lambda u: (u.rank, u.name))
    if len(with_due) > CHART_UNITS:
        rate_title = f"报送率最低的{CHART_UNITS}个单位"
    else:
        rate_title = "各单位报送率"
    charts = [
        {
            "key": "rate",
            "title": rate_title,
            "note": "按排名顺序；无应报事项的单位不列入。",
            "svg": _chart(
                [(u.name, u.rate.percent) for u in shown],
                title=rate_title,
                empty_text="本周没有单位有应报事项。",
                value_text=lambda v: f"{v}%",
            ),
        },
        {
            "key": "status",
            "title": "事项状态分布",
            "note": "截至本周末各状态的事项数（不含草稿）。",
            "svg": _chart(
                bulletin.by_status if bulletin.items else [],
                title="事项状态分布",
                empty_text="台账上还没有事项。",
            ),
        },
    ]
    return charts


def bulletin_context(bulletin: Bulletin, *, limit: int | None = DOCUMENT_LIST_LIMIT) -> dict:
    """What the body partial needs: the figures, the charts and the lists cut
    to `limit` rows (with how many were left out)."""

    def cut(rows: list) -> dict:
        shown = rows if limit is None else rows[:limit]
        return {"rows": shown, "total": len(rows), "left_out": len(rows) - len(shown)}

    with translation.override("zh-hans"):
        charts = bulletin_charts(bulletin)
    return {
        "bulletin": bulletin,
        "title": f"{TITLE}（{bulletin.week}）",
        "overall_rate": rate_text(bulletin.reporting),
        "charts": charts,
        "behind": cut(bulletin.behind),
        "overdue": cut(bulletin.overdue),
        "settled": cut(bulletin.settled),
        "no_report_due": NO_REPORT_DUE,
        # The campaign's activities dated in the week (shishi.organisation).
        "activities": week_activity_rows(bulletin.monday),
    }


def bulletin_filename(monday: dt.date, fmt: str) -> str:
    return f"周调度通报-{iso_week_label(monday)}.{fmt}"


def bulletin_render(monday: dt.date, fmt: str) -> bytes:
    """The bulletin of `monday`'s week as a standalone HTML document, a PDF or
    an .xlsx workbook."""
    return bulletin_bytes(bulletin_figures(monday), fmt)


def bulletin_bytes(bulletin: Bulletin, fmt: str) -> bytes:
    """A bulletin already computed, as the file of `fmt`."""
    if fmt == "xlsx":
        from .weekly_xlsx import bulletin_workbook

        return bulletin_workbook(bulletin)
    with translation.override("zh-hans"):
        html = render_to_string("reports/weekly_document.html", bulletin_context(bulletin))
    if fmt == "html":
        return html.encode()
    if fmt == "pdf":
        from .pdf import html_to_pdf

        return html_to_pdf(html)
    raise ValueError(f"Unknown format {fmt!r}: html, xlsx or pdf.")
