"""Opening spreadsheet files: kinds told by their bytes, encodings, headers,
row numbers as the spreadsheet program shows them, and refusals that say why."""

import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shishi.sheets.results import ImportRefused
from shishi.sheets.tables import column_letter, open_table

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="shared/data is not beside the checkout")


def xlsx_bytes(rows, *, title_rows=()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_all(source, name="file.csv", **kwargs):
    with open_table(source, name=name, **kwargs) as table:
        return table.headers, table.header_row, list(table.rows())


def refusal(source, name="file.csv", **kwargs) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        read_all(source, name=name, **kwargs)
    return caught.value


# CSV ------------------------------------------------------------------------


def test_csv_rows_are_numbered_as_the_spreadsheet_shows_them(tmp_path):
    path = tmp_path / "诉求.csv"
    path.write_text(
        '编号, 标题 ,内容\n1,路灯不亮,"第一行\n第二行"\n\n2,井盖破损\n,,\n3,噪音,夜间施工,多余\n',
        encoding="utf-8",
    )
    headers, header_row, rows = read_all(path, name="诉求.csv")
    assert headers == ["编号", "标题", "内容"]
    assert header_row == 1
    # The quoted line break stays in its cell; empty rows are skipped but counted.
    assert rows == [
        (2, ["1", "路灯不亮", "第一行\n第二行"]),
        (4, ["2", "井盖破损", None]),
        (6, ["3", "噪音", "夜间施工"]),
    ]


@pytest.mark.parametrize(
    "encoding,prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b"")],
)
def test_csv_in_utf8_with_or_without_bom_gbk_and_gb18030(encoding, prefix):
    text = (
        "留言编号,留言主题\n1,路灯不亮\n2,𠮷祥小区停车难\n"
        if encoding == "gb18030"
        else ("留言编号,留言主题\n1,路灯不亮\n2,小区停车难\n")
    )
    headers, _row, rows = read_all(io.BytesIO(prefix + text.encode(encoding)))
    assert headers == ["留言编号", "留言主题"]
    assert rows[-1][1][1] in ("小区停车难", "𠮷祥小区停车难")


def test_a_decoding_error_deep_in_the_file_names_its_row():
    lines = ["编号,标题"] + [f"{i},第{i}条诉求" for i in range(1, 5001)]
    data = "\n".join(lines).encode("utf-8")
    # Row 4,000 (the header is row 1) holds GBK bytes inside a UTF-8 file.
    bad = "3999,第3999条诉求".encode()
    data = data.replace(bad, b"3999," + "坏掉的".encode("gbk"))
    error = refusal(io.BytesIO(data))
    assert error.row == 4000
    assert "UTF-8" in error.message


def test_text_that_is_neither_utf8_nor_gb18030_is_refused():
    latin1 = "name,city\nRené,Zürich\nJosé,Málaga\n".encode("latin-1")
    error = refusal(io.BytesIO(latin1))
    assert error.row is None
    assert "UTF-8" in error.message and "GB18030" in error.message


def test_utf16_is_refused_with_advice():
    error = refusal(io.BytesIO("编号,标题\n1,路灯\n".encode("utf-16")))
    assert "UTF-16" in error.message


# Not a table at all ---------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf\n"])
def test_an_empty_file_is_refused(content):
    error = refusal(io.BytesIO(content), name="空.csv")
    assert error.file_name == "空.csv"
    assert str(error).startswith("空.csv")


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8,
        os.urandom(4096),
    ],
    ids=["png", "pdf", "random"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(content):
    error = refusal(io.BytesIO(content), name="照片.csv")
    assert error.file_name == "照片.csv"


def test_an_old_xls_workbook_is_refused_with_advice():
    error = refusal(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), name="a.xls")
    assert ".xlsx" in error.message


def test_text_named_xlsx_is_refused():
    error = refusal(io.BytesIO("编号,标题\n1,路灯\n".encode()), name="a.xlsx")
    assert ".xlsx" in error.message


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    error = refusal(io.BytesIO(out.getvalue()), name="a.xlsx")
    assert "zip" in error.message


def zip_bomb(member_bytes: int) -> bytes:
    """A workbook-shaped zip whose sheet unpacks to `member_bytes` of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _i in range(member_bytes // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_unpacked():
    bomb = zip_bomb(64 * 1024 * 1024)
    assert len(bomb) < 200 * 1024  # 64 MiB of zeros packed a few hundred times over
    error = refusal(io.BytesIO(bomb), name="台账.xlsx")
    assert "xl/worksheets/sheet1.xml" in error.message
    assert "64.0 MiB" in error.message


def test_a_workbook_larger_than_allowed_unpacked_is_refused(settings):
    settings.SHISHI_IMPORT_MAX_UNCOMPRESSED_BYTES = 4096
    error = refusal(io.BytesIO(xlsx_bytes([["编号", "标题"], [1, "路灯不亮"]])), name="a.xlsx")
    assert "4.0 KiB" in error.message


# Headers --------------------------------------------------------------------


def test_the_header_is_found_below_title_rows_when_its_names_are_expected():
    data = xlsx_bytes(
        [["序号", "项目名称", "牵头单位"], [1, "老旧小区改造", "区城建局"]],
        title_rows=[["中原区2021年民生实事台账"], [None], ["填报日期：2021年10月8日"]],
    )
    headers, header_row, rows = read_all(io.BytesIO(data), name="台账.xlsx", expect=["项目名称"])
    assert headers == ["序号", "项目名称", "牵头单位"]
    assert header_row == 4
    assert rows == [(5, [1, "老旧小区改造", "区城建局"])]


def test_an_expected_header_not_in_the_first_20_rows_is_refused():
    data = xlsx_bytes([["项目名称"], ["老旧小区改造"]], title_rows=[["说明"]] * 20)
    error = refusal(io.BytesIO(data), name="台账.xlsx", expect=["项目名称"])
    assert "项目名称" in error.message


def test_without_expected_names_the_first_non_empty_row_is_the_header():
    data = xlsx_bytes([[None], ["编号", "标题", None, None], [1, "路灯不亮"], [None, None], [2]])
    headers, header_row, rows = read_all(io.BytesIO(data), name="a.xlsx")
    assert (headers, header_row) == (["编号", "标题"], 2)
    assert rows == [(3, [1, "路灯不亮"]), (5, [2, None])]


def test_duplicate_and_empty_headers_are_refused():
    error = refusal(io.BytesIO("编号,标题,标题\n1,a,b\n".encode()))
    assert "标题" in error.message and error.row == 1
    error = refusal(io.BytesIO("编号,,标题\n1,a,b\n".encode()))
    assert "B" in error.message and error.row == 1


# Sources --------------------------------------------------------------------


def test_uploaded_files_are_read_and_left_open():
    upload = SimpleUploadedFile("a.xlsx", xlsx_bytes([["编号", "标题"], [1, "路灯不亮"]]))
    headers, _row, rows = read_all(upload, name=upload.name)
    assert headers == ["编号", "标题"] and rows == [(2, [1, "路灯不亮"])]
    assert not upload.closed


def test_fraction_read_grows_to_one(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("编号,标题\n")
        for i in range(40_000):
            out.write(f"{i},第{i}条诉求：小区路灯不亮，夜间出行不便\n")
    fractions = []
    with open_table(path, name="big.csv") as table:
        for number, _values in table.rows():
            if number % 5000 == 0:
                fractions.append(table.fraction_read())
        fractions.append(table.fraction_read())
    assert fractions == sorted(fractions)
    assert 0 < fractions[0] < 0.5 and fractions[-1] == 1.0


@needs_data
def test_the_taxonomy_workbook_reads_as_a_table():
    headers, header_row, rows = read_all(DATA / "teddy2020" / "taxonomy.xlsx", name="x.xlsx")
    assert headers == ["一级分类", "二级分类", "三级分类"] and header_row == 1
    assert len(rows) == 517
    assert rows[0] == (2, ["城乡建设", "安全生产", "事故处理"])


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_title_rows_above_the_header_are_passed_over():
    data = "中原区诉求清单\n导出日期：2021年10月8日\n受理编号,诉求标题\nA1,路灯不亮\n".encode()
    with open_table(io.BytesIO(data), name="清单.csv") as table:
        assert (table.headers, table.header_row) == (["受理编号", "诉求标题"], 3)
        assert list(table.rows()) == [(4, ["A1", "路灯不亮"])]


def test_a_file_of_one_column_keeps_its_first_row_as_the_header():
    with open_table(io.BytesIO("诉求标题\n路灯不亮\n井盖缺失\n".encode()), name="a.csv") as table:
        assert (table.headers, table.header_row) == (["诉求标题"], 1)
        assert [values for _n, values in table.rows()] == [["路灯不亮"], ["井盖缺失"]]
