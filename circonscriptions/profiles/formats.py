"""One rule for writing numbers, shared by pages, charts, SVG maps, fiches and scripts.

French style: decimal comma, a narrow no-break space (U+202F) between groups of three
digits and before « % » — what `Intl.NumberFormat('fr-FR')` writes in the browser, so
that a legend drawn by a script reads like the table next to it (21 310 ; 28,0 %).
English pages get a point and commas. The scripts format with Intl.NumberFormat in the
page's language; nothing else formats numbers by hand.
"""

from __future__ import annotations

import math

NNBSP = "\u202f"
FRENCH = (",", NNBSP)
ENGLISH = (".", ",")


def _missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def number(value, digits: int = 0, *, separators: tuple[str, str] = FRENCH) -> str:
    """1234.5 → '1 234,5' (digits=1); None or NaN → '—'."""
    if _missing(value):
        return "—"
    decimal, thousands = separators
    text = f"{float(value):,.{int(digits)}f}"
    if text in ("-0", "-0." + "0" * int(digits)):  # no « -0,0 » for a tiny negative value
        text = text[1:]
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


def counted(n: int, one: str, many: str) -> str:
    """« 1 bureau », « 3 bureaux », « 0 bureau »: French counts 0 and 1 in the singular."""
    return f"{number(n)} {one if abs(n) <= 1 else many}"


def percent(value, digits: int = 1, *, separators: tuple[str, str] = FRENCH) -> str:
    """A fraction as a percentage: 0.28 → '28,0 %'; None or NaN → '—'."""
    if _missing(value):
        return "—"
    return f"{number(100 * float(value), digits, separators=separators)}{NNBSP}%"


def points(value, digits: int = 1, *, separators: tuple[str, str] = FRENCH) -> str:
    """A difference of shares in points: 0.0123 → '+1,2 pt'."""
    if _missing(value):
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{number(100 * float(value), digits, separators=separators)}{NNBSP}pt"
