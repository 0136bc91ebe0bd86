"""Cell values as spreadsheets hold them, made into what Shishi stores.

One date column may mix text in several layouts (`2020/1/6 12:09:38`,
`2020年1月6日`, `01/01/2018 12:00:00 AM` as 311 exports write it, ISO 8601
with a zone), real Excel datetimes and Excel serial numbers (as numbers or as
text such as `43831.5`). A time without a zone is the installation's local
time (settings.TIME_ZONE). Errors are ValueErrors with a short message for
the row's error."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _

# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 (a count of days, not a moment)
# Serial numbers taken for dates: 1990-01-01 to 2099-12-31. Any other number
# in a date column is a mistake (an id, an amount), not a date.
EXCEL_SERIAL_MIN = 32874
EXCEL_SERIAL_MAX = 73050

_TIME = r"(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})(?:[.,](\d{1,6})\d*)?秒?)?)?"
_ZONE = r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
# 2020-01-06 12:09, 2020/1/6 12:09:38, 2020.1.6, 2020-01-06T12:09:38+08:00
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + _ZONE)
# 2020年1月6日 12:09, 2020年1月6日12时9分 (时/点/分 read as colons first)
_CHINESE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?" + _TIME.replace("[ T]+", "[ T]*"))
_CHINESE_TIME = str.maketrans({"时": ":", "点": ":", "分": ":", "秒": None, "：": ":", " ": None})
# 01/01/2018 12:00:00 AM (311 exports: month first, 12-hour clock)
_MDY = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([AaPp][Mm])?)?"
)
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def parse_datetime(value) -> dt.datetime | None:
    """An aware datetime from a cell, or None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _aware(value)
    if isinstance(value, dt.date):
        return _aware(dt.datetime.combine(value, dt.time()))
    if isinstance(value, bool):
        raise ValueError(_("Not a date."))
    if isinstance(value, int | float):
        return _from_serial(value)
    text = str(value).strip()
    if not text:
        return None
    return _parse_text(text)


def _parse_text(text: str) -> dt.datetime:
    try:
        if match := _YMD.fullmatch(text):
            year, month, day, hour, minute, second, fraction, zone = match.groups()
            moment = _datetime(year, month, day, hour, minute, second, fraction)
            return moment if zone is None else _with_zone(moment, zone)
        if match := _MDY.fullmatch(text):
            month, day, year, hour, minute, second, half = match.groups()
            hour = _twelve_hour(hour, half)
            return _datetime(year, month, day, hour, minute, second, None)
        if "年" in text and (match := _CHINESE.fullmatch(_chinese_time(text))):
            return _datetime(*match.groups())
        if _SERIAL.fullmatch(text):
            return _from_serial(float(text))
        moment = dt.datetime.fromisoformat(text)
    except ValueError as err:
        if isinstance(err, _DateError):
            raise
        raise ValueError(_("Not a date we can read: use 2020-01-06 12:09 or 2020/1/6.")) from None
    return _aware(moment)


def _chinese_time(text: str) -> str:
    date, _sep, time = text.partition("日")
    return date.replace(" ", "") + "日" + time.translate(_CHINESE_TIME).rstrip(":")


class _DateError(ValueError):
    pass


def _datetime(year, month, day, hour=None, minute=None, second=None, fraction=None):
    """A time in the installation's zone."""
    try:
        return dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=timezone.get_default_timezone(),
        )
    except ValueError:
        raise _DateError(_("No such date or time.")) from None


def _twelve_hour(hour, half) -> str | None:
    if hour is None or half is None:
        return hour
    number = int(hour)
    if not 1 <= number <= 12:
        raise _DateError(_("No such date or time."))
    if half.lower() == "am":
        return str(number % 12)
    return str(number % 12 + 12)


def _with_zone(moment: dt.datetime, zone: str) -> dt.datetime:
    """The same wall-clock time in the zone the text names."""
    return moment.replace(tzinfo=dt.UTC if zone == "Z" else _offset(zone))


@lru_cache(maxsize=64)
def _offset(zone: str) -> dt.tzinfo:
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise _DateError(_("No such time zone offset."))
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _from_serial(number: float) -> dt.datetime:
    if not EXCEL_SERIAL_MIN <= number <= EXCEL_SERIAL_MAX:
        raise _DateError(_("A number, not a date (Excel date numbers run from 1990 to 2099)."))
    seconds = round(number * 86400)
    return _aware(EXCEL_EPOCH + dt.timedelta(seconds=seconds))


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment
    # The installation's zone (cached by Django; the "current" zone is per request).
    return moment.replace(tzinfo=timezone.get_default_timezone())


def parse_decimal(value) -> Decimal | None:
    """A number from a cell (coordinates), or None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("Not a number."))
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise ValueError(_("Not a number."))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Not a number.")) from None


def cell_text(value) -> str:
    """A cell as plain text: numbers without a spurious `.0`, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


# Runs of spaces to make one (a lone space is left alone).
_SPACES = re.compile(r"[ \t\u3000\xa0\f\v]{2,}|[\t\u3000\xa0\f\v]")
# Whitespace around one or more line breaks.
_BREAKS = re.compile(r"[^\S\n]*\n\s*")
# Text without these is clean once stripped (most cells: the fast path).
_TEXT_WORK = re.compile(r"[\r\n\t\f\v\u3000\xa0\u2028\u2029\x85]| {2}")
_LINE_WORK = re.compile(r"[^\S ]| {2}")
_LINE_ENDS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_ANY_SPACE = re.compile(r"\s+")


# What a spreadsheet program would run as a formula; an export writes such a
# text after an apostrophe (shishi.sheets.writers), which reading takes off.
_NEUTRALISED = re.compile(r"'(?=[=+\-@\t\r])")


def clean_text(value) -> str:
    """Multi-line text (an appeal's body): each line stripped, runs of spaces
    and tabs made one space, at most one blank line between paragraphs. The
    message board's `\\n\\t\\t\\t\\t\\t\\n…` padding disappears."""
    text = (value if type(value) is str else cell_text(value)).strip()
    if text.startswith("'"):
        text = _NEUTRALISED.sub("", text, count=1)
    if not _TEXT_WORK.search(text):
        return text
    text = _BREAKS.sub(_break, _LINE_ENDS.sub("\n", text))
    return _SPACES.sub(" ", text)


def _break(match: re.Match) -> str:
    return "\n\n" if match.group().count("\n") > 1 else "\n"


def clean_line(value) -> str:
    """One-line text (a title, a name, an address): all whitespace made single spaces."""
    text = value if type(value) is str else cell_text(value)
    if text.startswith("'"):
        text = _NEUTRALISED.sub("", text, count=1)
    if not _LINE_WORK.search(text):
        return text.strip()
    return _ANY_SPACE.sub(" ", text).strip()
