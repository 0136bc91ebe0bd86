"""The ledger (台账) as offices keep it: .xlsx with title rows, one row per
item with its targets, actuals and latest progress, overdue rows highlighted;
and the same columns as CSV.

Any list of items exports this way (the whole ledger, a person's items, the
overdue list), in the list's own order. The rows are read in chunks with
their targets and cooperating units prefetched and the latest report joined
in, so the query count does not grow with the number of items."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import IO

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone, translation

from shishi.categories.models import Category
from shishi.ledger.models import (
    FINISHED_STATUSES,
    ItemKind,
    ItemStatus,
    LedgerItem,
    ProgressReport,
    Target,
    iso_week_label,
)
from shishi.org.models import Unit, User

from .writers import (
    WEB_XLSX_MAX_ROWS,
    Column,
    XlsxWriter,
    csv_lines,
    csv_response,
    export_filename,
    export_format,
    too_many_rows,
    xlsx_response,
)

CHUNK = 1000

# The column headers: the office sheet's own (the import reads the same names).
SERIAL = "序号"
NUMBER = "编号"
TITLE = "项目名称"
CATEGORY = "类别"
LEAD_UNIT = "牵头单位"
OWNER = "责任领导"
DEADLINE = "完成时限"
TARGETS = "目标任务"
PROGRESS = "进展情况"
ACTUALS = "完成情况"
PERCENT = "完成进度（%）"
LATEST_WEEK = "最新调度"
STATUS = "状态"
DAYS_OVERDUE = "逾期天数"
KIND = "类型"
COOPERATING = "配合单位"
DESCRIPTION = "项目内容"

LEDGER_COLUMNS = [
    Column(SERIAL, 6),
    Column(NUMBER, 15),
    Column(TITLE, 28, wrap=True),
    Column(CATEGORY, 12, wrap=True),
    Column(LEAD_UNIT, 16, wrap=True),
    Column(OWNER, 10, wrap=True),
    Column(DEADLINE, 12),
    Column(TARGETS, 30, wrap=True),
    Column(PROGRESS, 40, wrap=True),
    Column(ACTUALS, 30, wrap=True),
    Column(PERCENT, 9),
    Column(LATEST_WEEK, 10),
    Column(STATUS, 9),
    Column(DAYS_OVERDUE, 8),
    Column(KIND, 10),
    Column(COOPERATING, 20, wrap=True),
    Column(DESCRIPTION, 40, wrap=True),
]
LEDGER_HEADERS = [c.header for c in LEDGER_COLUMNS]
# Frozen with the header: 序号, 编号, 项目名称 stay in view when scrolling right.
FROZEN_COLUMNS = 3

# Between targets in one cell; between cooperating units.
TARGET_SEPARATOR = "；"
UNIT_SEPARATOR = "、"
# Between the parts of a path (a unit under its parent, a category under its parent).
PATH_SEPARATOR = " › "


def quantity_text(value) -> str:
    """6360.00 → 6360, 3.50 → 3.5."""
    return f"{value.normalize():f}" if value is not None else ""


def target_text(name: str, quantity, unit_of_measure: str) -> str:
    """新增学位 6360 个: the form the import reads back exactly."""
    return f"{name} {quantity_text(quantity)} {unit_of_measure}"


def chinese_labels(choices) -> dict[str, str]:
    """A TextChoices' labels in Chinese (the sheet is Chinese whatever the page's language)."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


def ledger_title(list_name: str = "", *, kind: str | None = None, today=None) -> str:
    """中原区2021年民生实事台账, or the district's name before a list's name."""
    district = Unit.objects.district_name()
    if list_name:
        return f"{district}{list_name}"
    today = today or timezone.localdate()
    what = chinese_labels(ItemKind)[kind] if kind else "实事"
    return f"{district}{today:%Y}年{what}台账"


def ledger_items(*, kind: str | None = None) -> QuerySet[LedgerItem]:
    """The ledger: every item but drafts (not yet commitments), by number."""
    items = LedgerItem.objects.public()
    if kind:
        items = items.filter(kind=kind)
    return items.order_by("number")


# ------------------------------------------------------------------- names


class Names:
    """How the sheet names categories, units and people: by name, or by path
    (or name and username) where the name alone is shared, so the import finds
    the same one again."""

    def __init__(self):
        categories = {c.pk: c for c in Category.objects.all()}
        counts: dict[str, int] = {}
        for c in categories.values():
            counts[c.name] = counts.get(c.name, 0) + 1
        self._categories: dict[int, str] = {}
        for pk, c in categories.items():
            if counts[c.name] == 1:
                self._categories[pk] = c.name
            else:
                names, node = [], c
                while node is not None:
                    names.append(node.name)
                    node = categories.get(node.parent_id)
                self._categories[pk] = PATH_SEPARATOR.join(reversed(names))
        self._shared_units = set(
            Unit.objects.values("name")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list("name", flat=True)
        )
        self._shared_people = set(
            User.objects.exclude(full_name="")
            .values("full_name")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list("full_name", flat=True)
        )

    def category(self, category_id: int) -> str:
        return self._categories.get(category_id, "")

    def unit(self, name: str | None, parent: str | None) -> str:
        """The unit's name; "parent › name" when another unit has the same name."""
        if not name:
            return ""
        if name in self._shared_units and parent:
            return f"{parent}{PATH_SEPARATOR}{name}"
        return name

    def person(self, username: str | None, full_name: str | None) -> str:
        if not username:
            return ""
        if not full_name:
            return username
        if full_name in self._shared_people:
            return f"{full_name}（{username}）"
        return full_name


# -------------------------------------------------------------------- rows

# Read as plain values: model objects would cost three times as much.
_FIELDS = (
    "pk",
    "number",
    "title",
    "category_id",
    "lead_unit__name",
    "lead_unit__parent__name",
    "owner__username",
    "owner__full_name",
    "deadline",
    "status",
    "kind",
    "description",
    "export_percent",
    "export_narrative",
    "export_week",
    "export_overdue",
)


def _values(items: QuerySet[LedgerItem], now: dt.datetime):
    latest = ProgressReport.objects.filter(item=OuterRef("pk"), is_current=True).order_by(
        "-week_start", "-version"
    )
    # The annotations have their own names (export_*): the list's stay as they
    # are, and so does its order.
    return (
        items.annotate(
            export_percent=Subquery(latest.values("percent")[:1]),
            export_narrative=Subquery(latest.values("narrative")[:1]),
            export_week=Subquery(latest.values("week_start")[:1]),
            export_overdue=ExpressionWrapper(_overdue_q(now), output_field=BooleanField()),
        )
        .values_list(*_FIELDS)
        .iterator(chunk_size=CHUNK)
    )


def _chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _targets_of(ids: list[int]) -> dict[int, list[tuple]]:
    found = defaultdict(list)
    targets = (
        Target.objects.filter(item_id__in=ids)
        .order_by("item_id", "sort_order", "pk")
        .values_list("item_id", "name", "unit_of_measure", "target_quantity", "actual_quantity")
    )
    for item_id, *target in targets:
        found[item_id].append(target)
    return found


def _cooperating_of(ids: list[int]) -> dict[int, list[tuple[str, str | None]]]:
    found = defaultdict(list)
    links = (
        LedgerItem.cooperating_units.through.objects.filter(ledgeritem_id__in=ids)
        .order_by("unit__name", "unit_id")
        .values_list("ledgeritem_id", "unit__name", "unit__parent__name")
    )
    for item_id, name, parent in links:
        found[item_id].append((name, parent))
    return found


def _overdue_q(now: dt.datetime) -> Q:
    return Q(deadline__lt=now) & ~Q(status__in=[*FINISHED_STATUSES, ItemStatus.DRAFT])


def ledger_counts(items: QuerySet[LedgerItem], now: dt.datetime) -> tuple[int, int]:
    """(items, of which overdue) in one query."""
    counts = items.order_by().aggregate(
        total=Count("pk"), overdue=Count("pk", filter=_overdue_q(now))
    )
    return counts["total"], counts["overdue"]


def ledger_rows(
    items: QuerySet[LedgerItem], *, now: dt.datetime | None = None
) -> Iterator[tuple[list, bool]]:
    """(the row's values in LEDGER_COLUMNS order, whether it is overdue), in
    the list's order, a chunk of items at a time with their targets and
    cooperating units."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    names = Names()
    statuses = chinese_labels(ItemStatus)
    kinds = chinese_labels(ItemKind)
    serial = 0
    for chunk in _chunks(_values(items, now), CHUNK):
        ids = [values[0] for values in chunk]
        targets_of, cooperating_of = _targets_of(ids), _cooperating_of(ids)
        for values in chunk:
            (pk, number, title, category_id, unit, unit_parent, username, full_name) = values[:8]
            (deadline, status, kind, description, percent, narrative, week, overdue) = values[8:]
            serial += 1
            targets = targets_of.get(pk, [])
            day = timezone.localtime(deadline).date()
            row = [
                serial,
                number,
                title,
                names.category(category_id),
                names.unit(unit, unit_parent),
                names.person(username, full_name),
                day,
                TARGET_SEPARATOR.join(
                    target_text(name, quantity, uom) for name, uom, quantity, _actual in targets
                ),
                narrative or "",
                TARGET_SEPARATOR.join(
                    f"{name} {quantity_text(actual)}/{quantity_text(quantity)} {uom}"
                    for name, uom, quantity, actual in targets
                    if actual is not None
                ),
                percent,
                iso_week_label(week) if week else "",
                statuses.get(status, status),
                (today - day).days if overdue else None,
                kinds.get(kind, kind),
                UNIT_SEPARATOR.join(names.unit(*u) for u in cooperating_of.get(pk, [])),
                description,
            ]
            yield row, bool(overdue)


# ----------------------------------------------------------------- formats


def ledger_xlsx(
    items: QuerySet[LedgerItem], file: IO[bytes], *, title: str, now: dt.datetime | None = None
) -> int:
    """Write the items as the office ledger; returns the number of items."""
    now = now or timezone.now()
    total, overdue = ledger_counts(items, now)
    stamp = f"导出日期：{timezone.localdate(now):%Y年%m月%d日}　共 {total} 项"
    if overdue:
        stamp += f"，其中逾期 {overdue} 项（红色标出）"
    writer = XlsxWriter(
        LEDGER_COLUMNS,
        sheet_title="台账",
        title_rows=[title, stamp],
        freeze_columns=FROZEN_COLUMNS,
    )
    for row, is_overdue in ledger_rows(items, now=now):
        writer.append(row, highlight=is_overdue)
    writer.save(file)
    return writer.rows_written


def ledger_csv_lines(items: QuerySet[LedgerItem], *, now: dt.datetime | None = None):
    """The same columns as CSV, a line at a time (the header first, no title rows)."""
    return csv_lines(LEDGER_HEADERS, (row for row, _overdue in ledger_rows(items, now=now)))


def ledger_response(request, items: QuerySet[LedgerItem], *, list_name: str, list_view: str):
    """A list page's items as a download in the format the link asks for: the
    ledger's layout, titled with the list's name."""
    fmt = export_format(request)
    filename = export_filename(list_name, fmt)
    if fmt == "csv":
        return csv_response(ledger_csv_lines(items), filename)
    now = timezone.now()
    total, _overdue = ledger_counts(items, now)
    if total > WEB_XLSX_MAX_ROWS:
        return too_many_rows(request, list_view, total)
    title = ledger_title(list_name)
    return xlsx_response(lambda file: ledger_xlsx(items, file, title=title, now=now), filename)
