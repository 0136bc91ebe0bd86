"""The weekly bulletin as an .xlsx workbook: a summary sheet, then one sheet
per table of the bulletin, each with its title rows, a frozen header row,
column widths and every row (the page and the PDF list only the worst ones).

The look and the neutralising of text cells are those of the ledger export
(shishi.sheets.writers): a title or a unit name that begins with = + - @ is
written as text, never as a formula."""

import io

from django.utils import timezone
from openpyxl import Workbook

from shishi.sheets.writers import Column, Percent, XlsxWriter

from .weekly import NO_REPORT_DUE, TITLE, Bulletin, ItemRow, rate_text


def _sheet(workbook: Workbook, name: str, columns: list[Column], titles: list[str]):
    return XlsxWriter(columns, sheet_title=name, title_rows=titles, workbook=workbook)


def _percent(value: int | None) -> Percent | str:
    return "未报送" if value is None else Percent(value)


def _item_sheet(
    workbook: Workbook,
    name: str,
    titles: list[str],
    extra: list[Column],
    rows: list[ItemRow],
    values,
    empty: str,
) -> None:
    columns = [
        Column("序号", 6),
        Column("编号", 16),
        Column("事项名称", 36, wrap=True),
        Column("牵头单位", 18, wrap=True),
        Column("领办领导", 10),
        *extra,
    ]
    sheet = _sheet(workbook, name, columns, titles)
    for number, row in enumerate(rows, start=1):
        sheet.append(
            [number, row.number, row.title, row.unit or "（未领账）", row.owner, *values(row)]
        )
    if not rows:
        sheet.note(empty)
    sheet.finish()


def bulletin_workbook(bulletin: Bulletin) -> bytes:
    b = bulletin
    span = f"{b.monday:%Y年%m月%d日}至{b.sunday:%Y年%m月%d日}（{b.week}）"
    if not b.complete:
        span += f"，统计截至{timezone.localtime(b.as_of):%Y-%m-%d %H:%M}，本周尚未结束"
    title = f"{TITLE}（{b.week}）"
    workbook = Workbook(write_only=True)

    summary = _sheet(
        workbook, "概况", [Column("指标", 22), Column("数值", 70, wrap=True)], [title, span]
    )
    for label, value in [
        ("统计周", b.week),
        ("起止日期", f"{b.monday:%Y-%m-%d} 至 {b.sunday:%Y-%m-%d}"),
        ("统计截至", b.as_of),
        ("事项总数（不含草稿）", b.items),
        ("应报送进展事项", b.reporting.due),
        ("已报送", b.reporting.reported),
        ("未报送", b.reporting.missing),
        ("报送率", NO_REPORT_DUE if b.reporting.percent is None else Percent(b.reporting.percent)),
        ("进度滞后事项", len(b.behind)),
        ("逾期事项", len(b.overdue)),
        ("本周清账事项", len(b.settled)),
        *[(f"{label}（截至本周末）", n) for label, n in b.by_status],
        *[(f"口径：{term}", meaning) for term, meaning in b.definitions],
        ("口径：排名", b.ranking_rule),
        ("生成时间", b.made_at),
    ]:
        summary.append([label, value])

    units = _sheet(
        workbook,
        "单位报送与排名",
        [
            Column("排名", 6),
            Column("牵头单位", 24, wrap=True),
            Column("应报", 8),
            Column("已报", 8),
            Column("未报", 8),
            Column("报送率", 12),
            Column("逾期", 8),
            Column("进度滞后", 10),
            Column("本周清账", 10),
            Column("牵头事项", 10),
        ],
        [f"{title} 各单位报送情况及排名", span],
    )
    for u in b.units:
        units.append(
            [
                u.rank if u.rank is not None else "—",
                u.name,
                u.rate.due,
                u.rate.reported,
                u.rate.missing,
                NO_REPORT_DUE if u.rate.percent is None else Percent(u.rate.percent),
                u.overdue,
                u.behind,
                u.settled,
                u.items,
            ],
            highlight=bool(u.rate.due and u.rate.missing),
        )
    if b.units:
        units.append(
            [
                None,
                "合计",
                b.reporting.due,
                b.reporting.reported,
                b.reporting.missing,
                rate_text(b.reporting)
                if b.reporting.percent is None
                else Percent(b.reporting.percent),
                len(b.overdue),
                len(b.behind),
                len(b.settled),
                b.items,
            ]
        )
        units.note(f"排名规则：{b.ranking_rule}")
    else:
        units.note("截至本周末，还没有单位牵头办理事项。")

    _item_sheet(
        workbook,
        "进度滞后事项",
        [
            f"{title} 进度滞后事项",
            f"最新进度比时间进度低{b.behind_margin}个百分点以上，按差距从大到小",
        ],
        [
            Column("领账时间", 17),
            Column("完成时限", 17),
            Column("时间进度", 10),
            Column("最新进度", 10),
            Column("差距（百分点）", 14),
        ],
        b.behind,
        lambda r: [
            r.claimed_at,
            r.deadline,
            Percent(r.expected_percent),
            _percent(r.latest_percent),
            r.gap,
        ],
        "本周没有进度滞后的事项。",
    )
    _item_sheet(
        workbook,
        "逾期事项",
        [f"{title} 逾期事项", "截至本周末已过完成时限、尚未清账或撤销，按逾期天数从多到少"],
        [
            Column("状态", 12),
            Column("完成时限", 17),
            Column("逾期天数", 10),
            Column("最新进度", 10),
        ],
        b.overdue,
        lambda r: [r.status, r.deadline, r.days_overdue, _percent(r.latest_percent)],
        "截至本周末没有逾期事项。",
    )
    _item_sheet(
        workbook,
        "本周清账事项",
        [f"{title} 本周清账事项", span],
        [Column("清账时间", 17), Column("完成时限", 17), Column("是否按期", 10)],
        b.settled,
        lambda r: [r.settled_at, r.deadline, "按期" if r.settled_on_time else "逾期"],
        "本周没有清账的事项。",
    )
    statuses = _sheet(
        workbook,
        "事项状态",
        [Column("状态", 16), Column("事项数", 10)],
        [f"{title} 事项状态分布", "截至本周末，不含草稿"],
    )
    for label, n in b.by_status:
        statuses.append([label, n])
    statuses.append(["合计", b.items])
    for sheet in (summary, units, statuses):
        sheet.finish()

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
