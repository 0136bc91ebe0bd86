"""Presentation filters of the account pages."""

import datetime as dt
import math

from django import template

register = template.Library()


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes, rounded up (90 s is "2 minutes", not 1)."""
    if not isinstance(value, dt.timedelta):
        return 0
    return math.ceil(value.total_seconds() / 60)
