"""Reading the tables offices export."""

import datetime as dt

import openpyxl
import pytest

from shishi.combing.io import TableError, parse_time, read_table, require_cells, table_texts


def test_csv_in_gb18030_and_utf8_with_bom_read_the_same(tmp_path):
    rows = "留言编号,留言主题\n1,小区停车难\n"
    (tmp_path / "gb.csv").write_bytes(rows.encode("gb18030"))
    (tmp_path / "bom.csv").write_bytes(rows.encode("utf-8-sig"))
    for name in ("gb.csv", "bom.csv"):
        table = read_table(tmp_path / name)
        assert table.header == ["留言编号", "留言主题"]
        assert table.column("留言主题") == ["小区停车难"]


def test_xlsx_with_mixed_times(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["留言编号", "留言主题", "留言详情", "留言时间"])
    sheet.append([24, "停车难", "\n\t\t\t小区没有车位", "2020/1/6 12:09:38"])
    sheet.append([37, "噪音", "搅拌站", dt.datetime(2019, 2, 28, 11, 25)])  # noqa: DTZ001
    book.save(tmp_path / "a.xlsx")
    table = read_table(tmp_path / "a.xlsx")
    assert table.column("留言编号") == ["24", "37"]
    assert [parse_time(t) for t in table.column("留言时间")] == [
        dt.datetime(2020, 1, 6, 12, 9, 38),  # noqa: DTZ001
        dt.datetime(2019, 2, 28, 11, 25),  # noqa: DTZ001
    ]
    assert table_texts(table, ["留言主题", "留言详情"])[0] == "停车难。小区没有车位"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        ("留言编号,留言主题\n".encode(), "no data rows"),
    ],
)
def test_empty_files_are_refused(tmp_path, content, message):
    (tmp_path / "e.csv").write_bytes(content)
    with pytest.raises(TableError, match=message):
        read_table(tmp_path / "e.csv")


def test_a_broken_workbook_and_a_missing_file_name_the_file(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(TableError, match="bad.xlsx: not a readable .xlsx"):
        read_table(tmp_path / "bad.xlsx")
    with pytest.raises(TableError, match="nope.csv: no such file"):
        read_table(tmp_path / "nope.csv")


def test_missing_column_and_empty_cell_name_column_and_row(tmp_path):
    (tmp_path / "t.csv").write_text("留言编号,一级分类\n1,城乡建设\n2,\n", encoding="utf-8")
    table = read_table(tmp_path / "t.csv")
    with pytest.raises(TableError, match="no column “留言主题”"):
        table.column("留言主题")
    with pytest.raises(TableError, match="row 3, column “一级分类”"):
        require_cells(table, "一级分类")
