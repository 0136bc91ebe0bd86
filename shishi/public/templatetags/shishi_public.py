"""Presentation filters of the public pages: how a figure is written, never
how it is computed."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def quantity(value) -> str:
    """6360.00 → 6360, 12.50 → 12.5; None stays empty (the template says "—")."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


@register.filter
def as_percent(ratio) -> str:
    """A ratio (0.487) as a whole percent ("49"); empty when there is none."""
    if ratio is None:
        return ""
    return str(round(float(ratio) * 100))


@register.filter
def capped_percent(ratio) -> int:
    """A ratio as a percent from 0 to 100, for a <progress> bar."""
    if ratio is None:
        return 0
    return max(0, min(100, round(float(ratio) * 100)))
