"""How polling stations (bureaux de vote) are named and ordered, everywhere in QG.

A bureau is named by its commune, its number and its polling place, so that an activist
recognises it: « Gouesnou — bureau 3 (École Jules Ferry) ». Bureaux come in numeric order
(1, 2, … 10, 100), not in text order (1, 10, 100, 2): codes are mostly numbers written
without leading zeros, and a shorter code of digits is a smaller number.
"""

import re

from django.db.models.functions import Length


def station_label(*, commune: str, code: str, name: str = "", place: str = "") -> str:
    """« Gouesnou — bureau 3 (École Jules Ferry) »: its name, else its polling place, in brackets
    (nothing when it has neither)."""
    where = name or place
    return f"{commune} — bureau {code}" + (f" ({where})" if where else "")


def by_code(prefix: str = "") -> list:
    """order_by() terms putting the station codes in numeric order; `prefix` is the lookup to the
    station ("polling_station__"). Codes of equal length compare as text, which for digits is
    as numbers; a shorter one comes first."""
    return [Length(f"{prefix}code"), f"{prefix}code"]


def natural_key(code: str) -> tuple:
    """A sort key for a code in Python lists: « 2 » before « 10 », « 2A » after « 2 »."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", code))
