"""The three rates (三率) per unit and period: response (响应率), resolution
(解决率) and satisfaction (满意率), with rankings, a weekly trend and the units
below the thresholds flagged. Each figure is one SQL aggregate grouped by unit
(or by week); no appeal is loaded into Python.

Definitions (also printed under the table):

- The unit an appeal counts for is the lead unit (牵头单位) of the ledger item
  it was accepted into. Appeals without an item, or whose item has no lead
  unit yet, count for the intake centre (受理中心), which answered, rejected
  or still holds them. A follow-up counts for its item's lead unit.
- 响应率 response rate = appeals acknowledged in time ÷ appeals received.
  Received: received (received_at) within the period. Acknowledged in time:
  the first staff action (acknowledged_at: recording it, for appeals that
  staff take down; else triage, answer, acceptance into an item, rejection)
  at or before its deadline (acknowledge_due), or at any time
  when it has no deadline. Appeals not yet acknowledged whose deadline is
  still ahead (or that have none) are left out of both: their outcome is not
  known yet.
- 解决率 resolution rate = resolved ÷ closed. Closed: appeals whose handling
  ended within the period (responded_at: answered directly, rejected with a
  reason, or their item settled; `outcome` says which). Resolved: the closed
  ones that were not rejected and that are not back at work (an item
  reopened after settling).
- 满意率 satisfaction rate = (satisfied + basically satisfied) ÷ follow-ups
  (回访) recorded within the period, by the appellant or by staff.
- Work orders (shishi.workorders): an appeal dispatched to a unit counts for
  that unit when it is answered (resolution; one sent back for re-handling is
  back at work, not resolved) and when its order is followed up
  (satisfaction, the order's follow-ups). A unit's response counts its work
  orders dispatched within the period, signed for by their sign deadline
  (sign_due); those not signed and still within it are left out. The
  appeal's own acknowledgement (the dispatch) counts for the intake centre.
- A rate with nothing to count (no appeals, no follow-ups) is "no data"
  (None): never 0% nor 100%. Numerator and denominator go with every rate.
- A period is a range of local dates, both ends included; a week is an ISO
  week (Monday to Sunday).
"""

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from shishi.intake.models import Appeal, AppealOutcome, AppealStatus
from shishi.ledger.models import FollowUp, Satisfaction, iso_week_label
from shishi.org.models import Unit

RATES = ("response", "resolution", "satisfaction")
RATE_LABELS = {"response": "响应率", "resolution": "解决率", "satisfaction": "满意率"}
INTAKE_CENTRE = "受理中心"
NO_DATA = "无数据"
DEFAULT_THRESHOLDS = {
    "response": Decimal("0.92"),
    "resolution": None,
    "satisfaction": Decimal("0.85"),
}


@dataclasses.dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        """The share, or None with nothing to count (no data, not 0% nor 100%)."""
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    @property
    def percent(self) -> Decimal | None:
        """Percent with one decimal, rounded half up (91.65 → 91.7)."""
        value = self.value
        if value is None:
            return None
        return (value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def display(self) -> str:
        return NO_DATA if self.percent is None else f"{self.percent}%"

    def __add__(self, other: "Rate") -> "Rate":
        return Rate(self.numerator + other.numerator, self.denominator + other.denominator)


EMPTY = Rate(0, 0)


@dataclasses.dataclass
class UnitRates:
    unit_id: int | None  # None: the intake centre
    name: str
    rates: dict[str, Rate]
    ranks: dict[str, int | None] = dataclasses.field(default_factory=dict)
    flags: list[str] = dataclasses.field(default_factory=list)

    @property
    def columns(self) -> list[tuple[Rate, int | None, bool]]:
        """(rate, rank, below its threshold) in the order of RATES, for templates."""
        return [(self.rates[r], self.ranks.get(r), r in self.flags) for r in RATES]


@dataclasses.dataclass
class WeekRates:
    week: str  # 2025-W09
    monday: dt.date
    rates: dict[str, Rate]

    @property
    def columns(self) -> list[Rate]:
        return [self.rates[r] for r in RATES]


@dataclasses.dataclass
class RatesReport:
    first: dt.date
    last: dt.date
    units: list[UnitRates]
    total: dict[str, Rate]
    weeks: list[WeekRates]
    thresholds: dict[str, Decimal | None]
    made_at: dt.datetime

    @property
    def flagged(self) -> list[UnitRates]:
        return [row for row in self.units if row.flags]

    @property
    def total_columns(self) -> list[Rate]:
        return [self.total[r] for r in RATES]


def thresholds() -> dict[str, Decimal | None]:
    """The rates below which a unit is flagged, from SHISHI_RATE_THRESHOLDS
    (shares between 0 and 1; None: not flagged on that rate)."""
    configured = getattr(settings, "SHISHI_RATE_THRESHOLDS", None) or {}
    result = dict(DEFAULT_THRESHOLDS)
    for rate, value in configured.items():
        if rate not in RATES:
            raise ValueError(f"SHISHI_RATE_THRESHOLDS: unknown rate {rate!r}")
        result[rate] = None if value is None else Decimal(str(value))
    return result


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


class WeekIndex(Func):
    """Whole weeks from `origin` (a local Monday 00:00) to the datetime column:
    the ISO week of the period a row falls in, as one cheap expression per row
    (SQLite's date functions in Django are Python callbacks, per row). Exact
    for zones without daylight saving, such as China's."""

    output_field = IntegerField()

    def __init__(self, expression, origin: dt.datetime):
        super().__init__(expression, Value(origin, output_field=DateTimeField()))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST((julianday(%(expressions)s) - julianday(%(origin)s)) / 7 AS INTEGER)",
            **extra,
        )

    def as_sql(self, compiler, connection, template=None, **extra):
        column, origin = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        origin_sql, origin_params = compiler.compile(origin)
        if template is None:
            if connection.vendor != "postgresql":
                raise NotImplementedError("the rates need SQLite or PostgreSQL")
            template = "FLOOR(EXTRACT(EPOCH FROM (%(expressions)s - %(origin)s)) / 604800)::integer"
        sql = template % {"expressions": column_sql, "origin": origin_sql}
        return sql, (*column_params, *origin_params)


def _grouped(queryset, *, date_field: str, origin: dt.datetime, unit=None):
    """Rows keyed by the unit counted for and the week (0: the period's first)."""
    unit = F("item__lead_unit") if unit is None else unit
    return queryset.annotate(unit=unit, week=WeekIndex(date_field, origin)).values("unit", "week")


# Work orders (shishi.workorders) --------------------------------------------
# An appeal dispatched as a work order counts for the order's unit once it is
# answered (resolution) and rated (satisfaction); the unit's response is its
# signing for the order within the sign limit (the centre's own response is
# the appeal's acknowledgement, counted for the intake centre as before).


def _handling_unit():
    """The lead unit of the appeal's item, else the unit of its work order."""
    from shishi.workorders.models import LIVE_STATUSES, WorkOrder

    order_unit = WorkOrder.objects.filter(appeal=OuterRef("pk"), status__in=LIVE_STATUSES).values(
        "unit"
    )[:1]
    return Coalesce(F("item__lead_unit"), Subquery(order_unit), output_field=BigIntegerField())


def _order_sign_counts(start, end, now, origin):
    from shishi.workorders.models import WorkOrder

    # Not signed yet and still within the limit: its outcome is not known yet.
    pending = Q(signed_at__isnull=True) & (Q(sign_due__isnull=True) | Q(sign_due__gte=now))
    on_time = Q(signed_at__isnull=False) & (
        Q(sign_due__isnull=True) | Q(signed_at__lte=F("sign_due"))
    )
    orders = (
        WorkOrder.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)
        .exclude(pending)
        .exclude(status="cancelled")
    )
    rows = (
        orders.annotate(unit_pk=F("unit_id"), week=WeekIndex("dispatched_at", origin))
        .values("unit_pk", "week")
        .annotate(num=Count("id", filter=on_time), den=Count("id"))
        .order_by()
    )
    # (The order's own `unit` field forbids that name for the annotation.)
    return (
        {"unit": r["unit_pk"], "week": r["week"], "num": r["num"], "den": r["den"]} for r in rows
    )


def _order_satisfaction_counts(start, end, now, origin):
    from shishi.workorders.models import OrderFollowUp

    good = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
    followups = OrderFollowUp.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    return (
        _grouped(followups, date_field="recorded_at", origin=origin, unit=F("order__unit_id"))
        .annotate(num=Count("id", filter=Q(result__in=good)), den=Count("id"))
        .order_by()
    )


def _response_counts(start, end, now, origin):
    pending = Q(acknowledged_at__isnull=True) & (
        Q(acknowledge_due__isnull=True) | Q(acknowledge_due__gte=now)
    )
    on_time = Q(acknowledged_at__isnull=False) & (
        Q(acknowledge_due__isnull=True) | Q(acknowledged_at__lte=F("acknowledge_due"))
    )
    received = Appeal.objects.filter(received_at__gte=start, received_at__lt=end).exclude(pending)
    return (
        _grouped(received, date_field="received_at", origin=origin)
        .annotate(num=Count("id", filter=on_time), den=Count("id"))
        .order_by()
    )


def _resolution_counts(start, end, now, origin):
    closed = Appeal.objects.filter(responded_at__gte=start, responded_at__lt=end)
    # Back at work: an item reopened, or a work order sent back for re-handling.
    unresolved = (
        Q(outcome=AppealOutcome.REJECTED)
        | Q(status=AppealStatus.ACCEPTED)
        | Q(status=AppealStatus.DISPATCHED)
    )
    return (
        _grouped(closed, date_field="responded_at", origin=origin, unit=_handling_unit())
        .annotate(num=Count("id", filter=~unresolved), den=Count("id"))
        .order_by()
    )


def _satisfaction_counts(start, end, now, origin):
    good = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
    followups = FollowUp.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    return (
        _grouped(followups, date_field="recorded_at", origin=origin)
        .annotate(num=Count("id", filter=Q(result__in=good)), den=Count("id"))
        .order_by()
    )


COUNTS = {
    "response": (_response_counts, _order_sign_counts),
    "resolution": (_resolution_counts,),
    "satisfaction": (_satisfaction_counts, _order_satisfaction_counts),
}


def _rank(rows: list[UnitRates], rate: str) -> None:
    """Competition ranking (1, 2, 2, 4) by the rate, highest first; units
    without data get no rank."""
    ranked = sorted(
        (row for row in rows if row.rates[rate].value is not None),
        key=lambda row: row.rates[rate].value,
        reverse=True,
    )
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        value = row.rates[rate].value
        if value != previous:
            rank, previous = position, value
        row.ranks[rate] = rank
    for row in rows:
        row.ranks.setdefault(rate, None)


def rates_report(first: dt.date, last: dt.date, *, now: dt.datetime | None = None) -> RatesReport:
    """The three rates of every unit for the local dates first..last."""
    if last < first:
        raise ValueError("the period ends before it begins")
    now = now or timezone.now()
    start, end = _bounds(first, last)
    limits = thresholds()
    origin = dt.datetime.combine(
        first - dt.timedelta(days=first.weekday()), dt.time.min, tzinfo=start.tzinfo
    )
    mondays = [origin.date()]
    while mondays[-1] + dt.timedelta(days=7) <= last:
        mondays.append(mondays[-1] + dt.timedelta(days=7))
    by_unit: dict[int | None, dict[str, Rate]] = {}
    by_week = [{rate: EMPTY for rate in RATES} for _monday in mondays]
    # One query per rate, grouped by unit and week; the per-unit and per-week
    # sums are taken here from those few hundred rows.
    for rate, count_functions in COUNTS.items():
        for row in (r for counts in count_functions for r in counts(start, end, now, origin)):
            found = Rate(row["num"], row["den"])
            unit_rates = by_unit.setdefault(row["unit"], {})
            unit_rates[rate] = unit_rates.get(rate, EMPTY) + found
            by_week[row["week"]][rate] += found
    names = dict(
        Unit.objects.filter(pk__in=[pk for pk in by_unit if pk is not None]).values_list(
            "pk", "name"
        )
    )
    rows = [
        UnitRates(
            unit_id=pk,
            name=names.get(pk, INTAKE_CENTRE) if pk is not None else INTAKE_CENTRE,
            rates={rate: found.get(rate, EMPTY) for rate in RATES},
        )
        for pk, found in by_unit.items()
    ]
    for rate in RATES:
        _rank(rows, rate)
    for row in rows:
        for rate in RATES:
            value, limit = row.rates[rate].value, limits[rate]
            if value is not None and limit is not None and value < limit:
                row.flags.append(rate)
    # The intake centre first, then the units by name: a stable order; the ranks say the rest.
    rows.sort(key=lambda row: (row.unit_id is not None, row.name))
    total = {rate: sum((row.rates[rate] for row in rows), EMPTY) for rate in RATES}
    return RatesReport(
        first=first,
        last=last,
        units=rows,
        total=total,
        weeks=[
            WeekRates(week=iso_week_label(monday), monday=monday, rates=found)
            for monday, found in zip(mondays, by_week, strict=True)
        ],
        thresholds=limits,
        made_at=now,
    )


# ------------------------------------------------------------------ output

HEADER = [
    "单位",
    "受理诉求数",
    "按时响应数",
    "响应率(%)",
    "响应率排名",
    "办结数",
    "解决数",
    "解决率(%)",
    "解决率排名",
    "回访数",
    "满意数",
    "满意率(%)",
    "满意率排名",
    "低于阈值",
]
WEEK_HEADER = [
    "周",
    "起始日",
    "响应率(%)",
    "按时响应/受理",
    "解决率(%)",
    "解决/办结",
    "满意率(%)",
    "满意/回访",
]


def table_rows(report: RatesReport) -> list[list]:
    """The unit table as written to CSV and .xlsx: a row per unit, then the total."""
    rows = []
    for row in report.units:
        cells = [row.name]
        for rate in RATES:
            r = row.rates[rate]
            cells += [r.denominator, r.numerator, _percent(r), row.ranks[rate] or "—"]
        cells.append("、".join(RATE_LABELS[rate] for rate in row.flags))
        rows.append(cells)
    total = ["合计"]
    for rate in RATES:
        r = report.total[rate]
        total += [r.denominator, r.numerator, _percent(r), ""]
    rows.append([*total, ""])
    return rows


def _percent(rate: Rate):
    return rate.percent if rate.percent is not None else NO_DATA


def week_rows(report: RatesReport) -> list[list]:
    rows = []
    for week in report.weeks:
        cells = [week.week, week.monday]
        for rate in RATES:
            r = week.rates[rate]
            cells += [_percent(r), f"{r.numerator}/{r.denominator}"]
        rows.append(cells)
    return rows


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def title(report: RatesReport) -> str:
    return f"三率通报（{_day(report.first)}至{_day(report.last)}）"


def rates_csv(report: RatesReport) -> str:
    """The unit table as CSV text (UTF-8 BOM first, text cells neutralised)."""
    from shishi.sheets.writers import csv_lines

    return "".join(csv_lines(HEADER, table_rows(report)))


def rates_xlsx(report: RatesReport) -> bytes:
    """Two sheets: the units (those below a threshold highlighted), the weekly trend."""
    from openpyxl import Workbook

    from shishi.sheets.writers import Column, XlsxWriter, xlsx_bytes

    workbook = Workbook(write_only=True)
    subtitle = f"生成于{timezone.localtime(report.made_at):%Y-%m-%d %H:%M}；阈值：" + "，".join(
        f"{RATE_LABELS[rate]}{limit * 100:.0f}%"
        for rate, limit in report.thresholds.items()
        if limit is not None
    )
    units = XlsxWriter(
        [Column(HEADER[0], 24), *(Column(h, 11) for h in HEADER[1:-1]), Column(HEADER[-1], 18)],
        sheet_title="三率",
        title_rows=[title(report), subtitle],
        freeze_columns=1,
        workbook=workbook,
    )
    rows = table_rows(report)
    for row, unit in zip(rows, [*report.units, None], strict=True):
        units.append(row, highlight=bool(unit and unit.flags))
    for line in DEFINITIONS:
        units.note(line)
    weeks = XlsxWriter(
        [Column(h, 14) for h in WEEK_HEADER],
        sheet_title="周趋势",
        title_rows=[title(report) + " 周趋势"],
        workbook=workbook,
    )
    for row in week_rows(report):
        weeks.append(row)

    def write(file) -> None:
        units.finish()
        weeks.finish()
        workbook.save(file)

    return xlsx_bytes(write)


DEFINITIONS = [
    "单位：诉求计入其并入台账事项的牵头单位；未并入事项或事项尚无牵头单位的诉求计入受理中心。回访计入事项的牵头单位。",
    "响应率 = 按时响应的诉求 ÷ 期间受理的诉求。按时响应：首次处理（工作人员登记即受理；居民自行提交的，以分拨、答复、并入事项或不予受理为准）不晚于签收时限；尚未处理且未到时限的诉求不计入。",
    "解决率 = 解决的诉求 ÷ 期间办结的诉求。办结：直接答复、说明理由不予受理或所属事项清账；解决：办结中非不予受理、且事项未被重新打开的诉求。",
    "满意率 = （满意 + 基本满意）÷ 期间回访数。",
    "工单（接诉即办）：派给单位办理的诉求，其答复计入承办单位的解决率（重办中的不计为解决），工单回访计入承办单位的满意率；承办单位的响应率计其按签收时限签收的工单（期间派单、未撤销、未签收且未到签收时限的不计入），诉求本身的响应计入受理中心。",
    "无可统计的诉求或回访时显示“无数据”，不按0%或100%计。",
]


def rates_html(report: RatesReport) -> str:
    """A standalone HTML document (the download and the command's html format)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        return render_to_string("reports/rates_document.html", rates_context(report))


def rates_context(report: RatesReport) -> dict:
    return {
        "report": report,
        "title": title(report),
        "definitions": DEFINITIONS,
        "rate_labels": RATE_LABELS,
        "thresholds": [
            (RATE_LABELS[rate], limit * 100)
            for rate, limit in report.thresholds.items()
            if limit is not None
        ],
    }


def rates_render(first: dt.date, last: dt.date, fmt: str) -> bytes:
    report = rates_report(first, last)
    if fmt == "csv":
        return rates_csv(report).encode("utf-8")
    if fmt == "xlsx":
        return rates_xlsx(report)
    if fmt == "html":
        return rates_html(report).encode("utf-8")
    raise ValueError(f"Unknown format {fmt!r}: csv, xlsx or html.")


def rates_filename(first: dt.date, last: dt.date, fmt: str) -> str:
    return f"三率-{first:%Y%m%d}-{last:%Y%m%d}.{fmt}"
