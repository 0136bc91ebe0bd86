"""Cell values as offices type them: mixed date layouts, Excel serial dates,
padded text, numbers."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import translation

from shishi.sheets.cells import clean_line, clean_text, parse_datetime, parse_decimal

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2020/1/6 12:09:38", local(2020, 1, 6, 12, 9, 38)),
        ("2020-01-06 12:09", local(2020, 1, 6, 12, 9)),
        ("2020-01-06", local(2020, 1, 6)),
        ("2020.1.6", local(2020, 1, 6)),
        ("2020年1月6日", local(2020, 1, 6)),
        ("2020年1月6日 8时5分", local(2020, 1, 6, 8, 5)),
        ("2020年01月06日 08:05:03", local(2020, 1, 6, 8, 5, 3)),
        ("2020-01-06T12:09:38+00:00", dt.datetime(2020, 1, 6, 12, 9, 38, tzinfo=dt.UTC)),
        ("2020-01-06T12:09:38Z", dt.datetime(2020, 1, 6, 12, 9, 38, tzinfo=dt.UTC)),
        ("2020-01-06 12:09:38.250", local(2020, 1, 6, 12, 9, 38, 250000)),
        # 311 exports: month first, 12-hour clock.
        ("01/01/2018 12:00:00 AM", local(2018, 1, 1, 0, 0)),
        ("06/26/2018 12:30:00 PM", local(2018, 6, 26, 12, 30)),
        ("06/26/2018 10:58:54 PM", local(2018, 6, 26, 22, 58, 54)),
        # Excel serial dates, as numbers or as text.
        (43831, local(2020, 1, 1)),
        (43831.5, local(2020, 1, 1, 12)),
        ("43831.5", local(2020, 1, 1, 12)),
        # Real datetimes from openpyxl.
        (dt.datetime(2019, 4, 8, 8, 37, 20), local(2019, 4, 8, 8, 37, 20)),  # noqa: DTZ001
        (dt.date(2019, 4, 8), local(2019, 4, 8)),
        ("  2020/1/6 12:09:38 ", local(2020, 1, 6, 12, 9, 38)),
    ],
)
def test_dates_in_every_layout_become_aware_times(value, expected):
    parsed = parse_datetime(value)
    assert parsed == expected
    assert parsed.utcoffset() is not None


def test_naive_times_are_in_the_installations_zone(settings):
    assert parse_datetime("2020/1/6 12:00").utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_cells_are_no_date(value):
    assert parse_datetime(value) is None


@pytest.mark.parametrize(
    "value,message",
    [
        ("2020-02-30", "No such date"),
        ("2020/13/1", "No such date"),
        ("2020/1/6 25:00", "No such date"),
        ("13/01/2018 01:00 PM", "No such date"),
        ("下周一", "Not a date"),
        ("12345", "A number, not a date"),
        (12, "A number, not a date"),
        (99999.5, "A number, not a date"),
        (True, "Not a date"),
    ],
)
def test_what_is_not_a_date_says_why(value, message):
    with translation.override("en"), pytest.raises(ValueError, match=message):
        parse_datetime(value)


def test_message_board_text_loses_its_padding_but_keeps_paragraphs():
    raw = "\n\t\t\t\t\t\n\t\t\t\t\t第一段  内容，\t有空格。\r\n\r\n\r\n\t\u3000\u3000第二段\n\t\t\t\t\t\n\t\t\t\t"
    assert clean_text(raw) == "第一段 内容， 有空格。\n\n第二段"
    assert clean_text("  已经干净  ") == "已经干净"
    assert clean_text(None) == ""
    assert clean_text(24) == "24"


def test_one_line_text_has_single_spaces():
    assert clean_line(" A市  西湖\n建筑集团\t占道 ") == "A市 西湖 建筑集团 占道"
    assert clean_line(13800138000.0) == "13800138000"
    assert clean_line(None) == ""


@pytest.mark.parametrize(
    "value,expected",
    [
        ("39.25", Decimal("39.25")),
        (" -76.6692365628603 ", Decimal("-76.6692365628603")),
        (39, Decimal(39)),
        (39.5, Decimal("39.5")),
        ("", None),
        (None, None),
    ],
)
def test_numbers(value, expected):
    assert parse_decimal(value) == expected


@pytest.mark.parametrize("value", ["北纬39度", "1e5", "nan", True])
def test_what_is_not_a_number(value):
    with pytest.raises(ValueError):
        parse_decimal(value)
