"""Template filters of the profile pages: fractions shown as French percentages."""

import math

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.2656 → '26,6 %' (in French); None or NaN → '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{number_format(100 * value, int(digits))}\u00a0%"


@register.filter
def num(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return number_format(value, int(digits))


@register.filter
def points(value, digits: int = 1) -> str:
    """A share difference in points: 0.0123 → '+1,2 pt'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{number_format(100 * value, int(digits))}\u00a0pt"
