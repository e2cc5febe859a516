"""Template filters of the profile pages: fractions shown as percentages in the page's language.

Formatting is done here rather than with Django's number_format: a circonscription page
formats a few thousand numbers, and number_format was most of its rendering time.
"""

import math

from django import template
from django.utils.formats import get_format

register = template.Library()


def _missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _fmt(value: float, digits: int) -> str:
    return f"{value:.{int(digits)}f}".replace(".", get_format("DECIMAL_SEPARATOR"))


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.2656 → '26,6 %' (in French); None or NaN → '—'."""
    if _missing(value):
        return "—"
    return f"{_fmt(100 * value, digits)}\u00a0%"


@register.filter
def num(value, digits: int = 2) -> str:
    if _missing(value):
        return "—"
    return _fmt(value, digits)


@register.filter
def points(value, digits: int = 1) -> str:
    """A share difference in points: 0.0123 → '+1,2 pt'."""
    if _missing(value):
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{_fmt(100 * value, digits)}\u00a0pt"
