"""Presentation filters of the intake pages."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age_days(received_at: dt.datetime | None) -> int | None:
    """Whole calendar days since `received_at`, by the local date (0 today)."""
    if received_at is None:
        return None
    return max(0, (timezone.localdate() - timezone.localdate(received_at)).days)
