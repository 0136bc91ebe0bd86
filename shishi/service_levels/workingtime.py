"""Working-time arithmetic, without the database: add calendar or working time
to an aware datetime, given a `WorkCalendar` (which days are worked, and the
working hours of a worked day).

A day is worked if the calendar says so (法定节假日 off, 调休上班日 worked);
a day the calendar does not name, or any day of a year without a calendar, is
worked from Monday to Friday.

- Calendar time is a plain timedelta.
- N working hours: the clock runs only inside the working hours of worked days.
  From 16:30 on a Friday, 2 working hours end at 10:00 on Monday (with the
  default hours 09:00–12:00 and 13:30–17:30). A count that ends exactly at
  the end of a period ends there, not at the next morning.
- N working days (N ≥ 1): the end of the working hours of the Nth worked day
  after the day of the start; the day of the start does not count, whatever
  the hour ("7个工作日内办结": received on Monday, due at the close of the
  next Wednesday but one). 0 working days: the close of the start's day if
  it is worked and not yet over, else of the next worked day.
"""

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Iterable

# Far more worked days than any policy counts: a loop past this is a calendar
# with no worked days at all, which is a mistake to report, not to spin on.
_MAX_DAYS = 3660
_ONE_DAY = dt.timedelta(days=1)


class Unit:
    """How a policy's amount is counted."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    ALL = (MINUTES, HOURS, DAYS, WORKING_HOURS, WORKING_DAYS)


def parse_hours(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """ "09:00-12:00,13:30-17:30" → the periods, checked to be ordered and apart."""
    periods = []
    for part in text.split(","):
        start, sep, end = part.strip().partition("-")
        if not sep:
            raise ValueError(f"working hours {part!r}: write them as HH:MM-HH:MM")
        periods.append((dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())))
    previous_end = dt.time.min
    for start, end in periods:
        if not (previous_end <= start < end):
            raise ValueError(f"working hours {text!r}: periods must be in order and not overlap")
        previous_end = end
    if not periods:
        raise ValueError("working hours: give at least one period")
    return tuple(periods)


@dataclasses.dataclass(frozen=True)
class WorkCalendar:
    tz: dt.tzinfo
    hours: tuple[tuple[dt.time, dt.time], ...]
    days_off: frozenset[dt.date] = frozenset()
    working_days: frozenset[dt.date] = frozenset()  # 调休上班日: worked though a weekend
    # What a day's working periods are, and where N working days from a day
    # end, worked out once per calendar: a bulk import asks for the deadlines
    # of a million appeals that fall on a thousand days.
    _periods: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)
    _day_ends: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        *,
        tz: str | dt.tzinfo = "Asia/Shanghai",
        hours: str | Iterable[tuple[dt.time, dt.time]] = "09:00-12:00,13:30-17:30",
        days_off: Iterable[dt.date] = (),
        working_days: Iterable[dt.date] = (),
    ) -> "WorkCalendar":
        if isinstance(tz, str):
            tz = zoneinfo.ZoneInfo(tz)
        hours = parse_hours(hours) if isinstance(hours, str) else tuple(hours)
        days_off, working_days = frozenset(days_off), frozenset(working_days)
        both = days_off & working_days
        if both:
            raise ValueError(f"days both off and worked: {sorted(both)}")
        return cls(tz=tz, hours=hours, days_off=days_off, working_days=working_days)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def _local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("working-time arithmetic needs an aware datetime")
        return moment.astimezone(self.tz)

    def add(self, start: dt.datetime, amount: int, unit: str) -> dt.datetime:
        """`start` plus `amount` of `unit` (a `Unit` value); aware in, aware out."""
        if amount < 0:
            raise ValueError("amount must be 0 or more")
        if unit == Unit.MINUTES:
            return start + dt.timedelta(minutes=amount)
        if unit == Unit.HOURS:
            return start + dt.timedelta(hours=amount)
        if unit == Unit.DAYS:
            return start + dt.timedelta(days=amount)
        if unit == Unit.WORKING_HOURS:
            return self.add_working_minutes(start, amount * 60)
        if unit == Unit.WORKING_DAYS:
            return self.add_working_days(start, amount)
        raise ValueError(f"unknown unit {unit!r}")

    def _working_periods(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The day's working periods as local datetimes; none on a day off."""
        periods = self._periods.get(day)
        if periods is None:
            periods = self._periods[day] = (
                tuple((self._at(day, begin), self._at(day, end)) for begin, end in self.hours)
                if self.is_working_day(day)
                else ()
            )
        return periods

    def add_working_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        # `local` and the periods share one tzinfo: comparing and subtracting
        # them is plain wall-clock arithmetic.
        local = self._local(start)
        left = dt.timedelta(minutes=minutes)
        day = local.date()
        for _ in range(_MAX_DAYS):
            for period_start, period_end in self._working_periods(day):
                if period_end <= local:
                    continue
                period_start = max(period_start, local)
                available = period_end - period_start
                if left <= available:
                    return period_start + left
                left -= available
            day += _ONE_DAY
        raise ValueError("the calendar has no working time within ten years")

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        local = self._local(start)
        day = local.date()
        if days == 0:
            periods = self._working_periods(day)
            if periods and local < periods[-1][1]:
                return periods[-1][1]
            days = 1
        key = (day, days)
        end = self._day_ends.get(key)
        if end is None:
            end = self._day_ends[key] = self._nth_working_day_close(day, days)
        return end

    def _nth_working_day_close(self, day: dt.date, days: int) -> dt.datetime:
        for _ in range(_MAX_DAYS):
            day += _ONE_DAY
            if self.is_working_day(day):
                days -= 1
                if days == 0:
                    return self._at(day, self.hours[-1][1])
        raise ValueError("the calendar has no working days within ten years")
