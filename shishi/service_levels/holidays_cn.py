"""China's official holiday schedules (国务院办公厅关于XXXX年部分节假日安排的
通知): the days off (法定节假日 and the weekend days joined to them) and the
make-up working days (调休上班日), from the `chinesecalendar` package, which
follows each year's notice (a new release comes out when one is published:
upgrade it each December). Local changes (a local holiday, a year the package
does not know yet) are entered in the admin (节假日安排) and take precedence."""

import datetime as dt
from functools import cache

import chinese_calendar

_CHINESE = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


def _name(value) -> str:
    return _CHINESE.get(value, str(value or ""))


@cache
def known_years() -> frozenset[int]:
    """The years the package has a schedule for."""
    return frozenset(day.year for day in chinese_calendar.holidays) | frozenset(
        day.year for day in chinese_calendar.workdays
    )


@cache
def official_days() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off, make-up working days) of every year the package knows."""
    return frozenset(chinese_calendar.holidays), frozenset(chinese_calendar.workdays)


def schedule_days(year: int) -> list[tuple[dt.date, bool, str]]:
    """(date, is_working_day, name) for every day the year's notice names."""
    days = [
        (day, False, _name(name))
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    days += [
        (day, True, f"{_name(name)}调休上班")
        for day, name in chinese_calendar.workdays.items()
        if day.year == year
    ]
    return sorted(days)
