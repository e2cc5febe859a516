"""Template filters of the profile pages: numbers and percentages in the page's language.

The rule is circonscriptions.profiles.formats (French: 21 310 ; 28,0 %), the same one the
scripts apply with Intl.NumberFormat. Formatting is done there rather than with Django's
number_format: a circonscription page formats a few thousand numbers, and number_format
was most of its rendering time.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from circonscriptions.profiles import formats

register = template.Library()


def _separators() -> tuple[str, str]:
    return formats.ENGLISH if (get_language() or "fr").startswith("en") else formats.FRENCH


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.2656 → '26,6 %' (in French); None or NaN → '—'."""
    return formats.percent(value, digits, separators=_separators())


@register.filter
def num(value, digits: int = 2) -> str:
    """21310 → '21 310' (digits=0, in French); None or NaN → '—'."""
    return formats.number(value, digits, separators=_separators())


@register.filter
def points(value, digits: int = 1) -> str:
    """A share difference in points: 0.0123 → '+1,2 pt'."""
    return formats.points(value, digits, separators=_separators())


@register.simple_tag
def swatch(colour: str) -> str:
    """A colour square as inline SVG: its `fill` is an attribute, which the strict CSP allows
    (a `style` attribute would be refused), and the colour still comes from leanings.py."""
    return format_html(
        '<svg class="swatch" viewBox="0 0 1 1" aria-hidden="true" focusable="false">'
        '<rect width="1" height="1" fill="{}"/></svg>',
        colour,
    )
