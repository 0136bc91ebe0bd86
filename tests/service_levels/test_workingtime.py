"""Working-time arithmetic across weekends, holidays, make-up days and year ends."""

import datetime as dt
import zoneinfo

import pytest

from shishi.service_levels.holidays_cn import schedule_days
from shishi.service_levels.workingtime import WorkCalendar, parse_hours

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def china(*years: int) -> WorkCalendar:
    days = [day for year in years for day in schedule_days(year)]
    return WorkCalendar.build(
        days_off=[d for d, working, _ in days if not working],
        working_days=[d for d, working, _ in days if working],
    )


PLAIN = WorkCalendar.build()


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ("2025-03-03 09:00", 2, "2025-03-03 11:00"),  # Monday morning
        ("2025-03-03 11:00", 2, "2025-03-03 14:30"),  # across the lunch break
        ("2025-03-03 12:30", 1, "2025-03-03 14:30"),  # received at lunch
        ("2025-03-03 07:00", 3, "2025-03-03 12:00"),  # ends exactly at a period's end
        ("2025-03-07 16:30", 2, "2025-03-10 10:00"),  # Friday afternoon → Monday
        ("2025-03-08 10:00", 1, "2025-03-10 10:00"),  # Saturday → Monday
        ("2025-03-03 20:00", 7, "2025-03-04 17:30"),  # evening: a whole next day
    ],
)
def test_working_hours_plain_weeks(start, hours, due):
    assert PLAIN.add(at(start), hours, "working_hours") == at(due)


def test_working_hours_skip_the_spring_festival_and_count_its_make_up_saturday():
    cal = china(2025)
    # 2025: 28 Jan–4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked.
    assert cal.add(at("2025-01-27 17:00"), 1, "working_hours") == at("2025-02-05 09:30")
    assert cal.add(at("2025-01-25 10:00"), 1, "working_hours") == at("2025-01-26 10:00")
    assert cal.add(at("2025-02-07 17:00"), 1, "working_hours") == at("2025-02-08 09:30")
    # Without the calendar, the same Sunday is no working day.
    assert PLAIN.add(at("2025-01-25 10:00"), 1, "working_hours") == at("2025-01-27 10:00")


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2025-03-03 10:00", 1, "2025-03-04 17:30"),  # the receipt day does not count
        ("2025-03-03 10:00", 7, "2025-03-12 17:30"),
        ("2025-03-08 10:00", 1, "2025-03-10 17:30"),  # from a Saturday
        ("2025-03-03 10:00", 0, "2025-03-03 17:30"),  # today's close
        ("2025-03-03 18:00", 0, "2025-03-04 17:30"),  # today is over
    ],
)
def test_working_days_plain_weeks(start, days, due):
    assert PLAIN.add(at(start), days, "working_days") == at(due)


def test_seven_working_days_across_national_day_2025():
    cal = china(2025)
    # Received Friday 26 Sep 2025: Sun 28 Sep worked (调休), 1–8 Oct off, Sat 11 Oct worked.
    # Working days after: 28 Sep, 29, 30, 9 Oct, 10, 11, 13 → due 13 Oct.
    assert cal.add(at("2025-09-26 15:00"), 7, "working_days") == at("2025-10-13 17:30")
    assert PLAIN.add(at("2025-09-26 15:00"), 7, "working_days") == at("2025-10-07 17:30")


def test_across_the_year_end_into_a_year_without_calendar():
    cal = china(2025)  # 2026 has no calendar here: plain Monday to Friday
    assert cal.add(at("2025-12-31 16:00"), 2, "working_days") == at("2026-01-02 17:30")
    assert cal.add(at("2025-12-31 17:00"), 1, "working_hours") == at("2026-01-01 09:30")
    # New Year 2025 is a holiday: 31 Dec 2024 16:00 + 2 working hours → 2 Jan.
    cal = china(2024, 2025)
    assert cal.add(at("2024-12-31 16:00"), 2, "working_hours") == at("2025-01-02 09:30")


def test_calendar_time_is_plain_and_ignores_holidays():
    cal = china(2025)
    start = at("2025-01-28 10:00")
    assert cal.add(start, 2, "hours") == at("2025-01-28 12:00")
    assert cal.add(start, 30, "minutes") == at("2025-01-28 10:30")
    assert cal.add(start, 7, "days") == at("2025-02-04 10:00")


def test_the_result_is_aware_whatever_zone_the_start_is_in():
    start = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    due = PLAIN.add(start, 1, "working_hours")
    assert due == at("2025-03-03 10:00") and due.utcoffset() == dt.timedelta(hours=8)


def test_naive_and_negative_input_is_refused():
    with pytest.raises(ValueError, match="aware"):
        PLAIN.add(dt.datetime(2025, 3, 3, 9), 1, "working_hours")  # noqa: DTZ001
    with pytest.raises(ValueError):
        PLAIN.add(at("2025-03-03 09:00"), -1, "days")
    with pytest.raises(ValueError):
        PLAIN.add(at("2025-03-03 09:00"), 1, "fortnights")


def test_a_calendar_without_working_time_fails_instead_of_spinning():
    everything_off = WorkCalendar.build(
        days_off=[dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(4000)]
    )
    with pytest.raises(ValueError):
        everything_off.add(at("2025-01-01 09:00"), 1, "working_days")


def test_working_hours_must_be_ordered():
    assert parse_hours("08:30-12:00, 14:00-18:00")[1] == (dt.time(14), dt.time(18))
    for bad in ("9-12", "13:00-12:00", "09:00-12:00,11:00-15:00", "0900"):
        with pytest.raises(ValueError):
            parse_hours(bad)


def test_official_schedules_name_only_weekend_make_up_days():
    for year in range(2020, 2026):
        for day, working, name in schedule_days(year):
            assert day.year == year, name
            if working:
                assert day.weekday() >= 5, (day, name)
