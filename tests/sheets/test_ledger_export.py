"""The ledger (台账) as offices keep it: title rows, the office's columns, one
row per item with targets, actuals and the latest progress, overdue rows
highlighted, frozen header, print setup; and the same as CSV."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shishi.ledger.services import TargetSpec, item_create, item_open
from shishi.org.services import unit_create, user_create
from shishi.sheets.ledger_export import (
    LEDGER_HEADERS,
    ledger_csv_lines,
    ledger_items,
    ledger_title,
    ledger_xlsx,
)
from shishi.sheets.writers import HIGHLIGHT_FILL, xlsx_bytes

from .ledger_helpers import build_ledger, read_xlsx, rows_by_number

pytestmark = pytest.mark.django_db

HEADER_ROW = 3


@pytest.fixture
def ledger(bob, dave, carol, district, category):
    return build_ledger(bob=bob, dave=dave, carol=carol, district=district, category=category)


def _export(items=None, *, title="中原区2021年民生实事台账"):
    items = items if items is not None else ledger_items()
    return read_xlsx(xlsx_bytes(lambda f: ledger_xlsx(items, f, title=title)))


def test_the_office_layout(ledger):
    ws = _export()
    assert ws["A1"].value == "中原区2021年民生实事台账"
    assert ws["A2"].value.startswith("导出日期：")
    assert "共 4 项" in ws["A2"].value and "逾期 1 项" in ws["A2"].value
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers == LEDGER_HEADERS
    assert headers[:9] == [
        "序号",
        "编号",
        "项目名称",
        "类别",
        "牵头单位",
        "责任领导",
        "完成时限",
        "目标任务",
        "进展情况",
    ]
    # The header stays in view, with 序号, 编号 and 项目名称; it repeats on every printed page.
    assert ws.freeze_panes == "D4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.column_dimensions["C"].width >= 20
    assert ws["I4"].alignment.wrap_text  # 进展情况 wraps
    assert ws.max_row == HEADER_ROW + 4


def test_one_row_per_item_with_targets_actuals_and_latest_progress(ledger):
    rows = rows_by_number(_export(), HEADER_ROW)
    schools = rows[ledger["schools"].number]
    assert schools["项目名称"] == "新增中小学学位"
    assert schools["类别"] == "教育优先"
    assert schools["牵头单位"] == "区教育局"
    assert schools["责任领导"] == "戴夫"
    deadline = timezone.localtime(ledger["schools"].deadline).date()
    assert schools["完成时限"] == dt.datetime.combine(deadline, dt.time())
    assert schools["目标任务"] == "新增学位 6360 个；新建学校 2 所"
    assert schools["完成情况"] == "新增学位 4000/6360 个"
    assert schools["进展情况"] == "主体完工。"
    assert schools["完成进度（%）"] == 60
    assert schools["状态"] == "推进中"
    assert schools["类型"] == "民生实事"
    assert schools["逾期天数"] is None
    assert schools["项目内容"] == "扩建两所学校。"

    parking = rows[ledger["parking"].number]
    assert parking["责任领导"] is None
    assert parking["配合单位"] == "区教育局、林山寨街道"
    assert parking["进展情况"] is None and parking["完成进度（%）"] is None

    assert rows[ledger["toilets"].number]["目标任务"] == "新建公厕 10 座；改造背街小巷 3.5 公里"
    assert rows[ledger["noise"].number]["类型"] == "立行立改"


def test_overdue_rows_are_highlighted_and_say_by_how_many_days(ledger):
    rows = rows_by_number(_export(), HEADER_ROW)
    overdue = rows[ledger["toilets"].number]
    assert overdue["逾期天数"] == 3
    assert all(c.fill.fgColor.rgb == HIGHLIGHT_FILL.fgColor.rgb for c in overdue["_cells"])
    on_time = rows[ledger["schools"].number]
    assert all(c.fill.fill_type is None for c in on_time["_cells"])


def test_a_title_that_looks_like_a_formula_is_text(ledger):
    row = rows_by_number(_export(), HEADER_ROW)[ledger["noise"].number]
    title = row["_cells"][2]
    assert title.value == "=整治夜间施工噪声"
    assert title.data_type == "s" and title.quotePrefix


def test_drafts_are_not_on_the_ledger(ledger, bob, category):
    item_create(
        kind="project",
        title="草稿事项",
        category=category,
        actor=bob,
        targets=[TargetSpec("a", "个", 1)],
    )
    assert "草稿事项" not in {r["项目名称"] for r in rows_by_number(_export(), HEADER_ROW).values()}


def test_the_title_names_the_district_and_the_year(district):
    today = dt.date(2021, 10, 8)
    assert ledger_title(today=today) == "中原区2021年实事台账"
    assert ledger_title(kind="project", today=today) == "中原区2021年民生实事台账"
    assert ledger_title("逾期事项") == "中原区逾期事项"


def test_units_and_people_who_share_a_name_are_written_so_the_import_finds_them(
    ledger, district, bob, category
):
    other_street = unit_create(name="秦岭路街道", kind="street", parent=district["district"])
    twin = unit_create(name="建设路社区", kind="community", parent=other_street)
    user_create(username="dave2", full_name="戴夫", roles=["leader"])
    item = item_create(
        kind="project",
        title="社区公园",
        category=category,
        actor=bob,
        targets=[TargetSpec("公园", "个", 1)],
        lead_unit=twin,
    )
    item_open(item=item, actor=bob)
    rows = rows_by_number(_export(), HEADER_ROW)
    assert rows[item.number]["牵头单位"] == "秦岭路街道 › 建设路社区"
    assert rows[ledger["schools"].number]["责任领导"] == "戴夫（dave）"


# ---------------------------------------------------------------------- CSV


def test_the_csv_has_the_same_columns_and_opens_as_utf8_with_bom(ledger):
    data = "".join(ledger_csv_lines(ledger_items())).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    import csv

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == LEDGER_HEADERS
    by_number = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    schools = by_number[ledger["schools"].number]
    assert schools["目标任务"] == "新增学位 6360 个；新建学校 2 所"
    assert schools["完成时限"] == timezone.localtime(ledger["schools"].deadline).date().isoformat()
    assert by_number[ledger["noise"].number]["项目名称"] == "'=整治夜间施工噪声"


# --------------------------------------------------------------- queries


def _queries(items_qs) -> int:
    with CaptureQueriesContext(connection) as queries:
        xlsx_bytes(lambda f: ledger_xlsx(items_qs, f, title="t"))
    return len(queries)


def test_the_query_count_does_not_grow_with_the_items(ledger, bob, category, district):
    few = _queries(ledger_items())
    for n in range(6):
        item = item_create(
            kind="project",
            title=f"更多事项{n}",
            category=category,
            actor=bob,
            targets=[TargetSpec("目标", "个", n + 1), TargetSpec("另一目标", "米", 2)],
            lead_unit=district["transport"],
            cooperating_units=[district["street"]],
        )
        item_open(item=item, actor=bob)
    assert _queries(ledger_items()) == few
