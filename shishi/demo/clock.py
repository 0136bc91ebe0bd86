"""A simulated clock for building the demo campaign.

The services refuse deadlines in the past and reports for weeks that have not
started, and every history record takes its time from the clock. To build a
campaign that began half a year ago through those same services, the demo
moves `django.utils.timezone.now` step by step through the campaign and ends
at the real present, so that "this week" and "overdue" mean what they say for
whoever opens the app afterwards.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.apps import apps
from django.utils import timezone

_ONE_TICK = dt.timedelta(microseconds=1)


class SimClock:
    """A clock that only moves forward and never passes `end` (the real now).

    A step planned after `end` happens at `end` (plus a tick per step, so the
    order of steps is kept): the last week of the campaign is squeezed into
    the part of it that has already happened.
    """

    def __init__(self, start: dt.datetime, end: dt.datetime):
        if timezone.is_naive(start) or timezone.is_naive(end):
            raise ValueError("The simulated clock needs aware datetimes.")
        self.current = min(start, end)
        self.end = end

    def now(self) -> dt.datetime:
        return self.current

    def at(self, when: dt.datetime) -> dt.datetime:
        """Move to `when` (clamped to the end, never backwards) and return the time."""
        when = min(when, self.end)
        self.current = when if when > self.current else self.current + _ONE_TICK
        return self.current


def _fields_defaulting_to(func) -> list:
    """Model fields whose default is `func` (e.g. `default=timezone.now`): the
    default was bound when the model was defined, so patching the module does
    not reach it."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.default is func:
                found.append(field)
    return found


@contextmanager
def simulated_time(clock: SimClock) -> Iterator[SimClock]:
    """Make `django.utils.timezone.now()` (and model defaults bound to it) read
    the simulated clock while the block runs."""
    original = timezone.now
    fields = _fields_defaulting_to(original)
    saved = [(f, f.__dict__.get("_get_default")) for f in fields]
    with mock.patch("django.utils.timezone.now", clock.now):
        for field in fields:
            # Field._get_default is a cached property returning the callable.
            field.__dict__["_get_default"] = clock.now
        try:
            yield clock
        finally:
            for field, cached in saved:
                if cached is None:
                    field.__dict__.pop("_get_default", None)
                else:
                    field.__dict__["_get_default"] = cached
