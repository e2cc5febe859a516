"""What in a field report's free text may identify someone: warnings for HQ, never a decision.

A free text reaches a fiche only as a quote HQ approved (observations.models.Quote). To
help HQ read it, this module flags, in words an analyst can check:
- a civility followed by a capitalised word: « M. Kerjean », « Mme Le Goff »,
  « Madame Martin », « Monsieur … », « Mlle … », « Dr … »;
- two capitalised words in a row, the first not a French grammar word that merely starts a
  sentence (« Les Verts » is not flagged, « Jean Dupont » and « Jules Ferry » are):
  a likely first name and surname;
- a number followed by a kind of street: « 12 rue de Siam », « 4 bis, avenue Foch »,
  « 3 allée des Tilleuls » (rue, avenue, boulevard, bd, place, allée, chemin, impasse,
  route, quai, cours, square, passage, résidence, cité, lotissement, villa, sentier);
- a French phone number (« 06 12 34 56 78 », « +33 6 12 34 56 78 ») and an e-mail address.

These are warnings: a street name without a number, a name written in lower case or a
school named after someone are legitimate or missed, and HQ reads every quote anyway.
Every pattern is matched in time proportional to the text's length (no nested repetition),
since the texts come from the street and are read on HQ's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Anchored on the "@" (one character before it, a domain after it): linear in the text's length.
EMAIL = re.compile(r"[\w.+-]@[\w-]+\.\w")
PHONE = re.compile(r"(?:\+33\s?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b")

_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
# No apostrophe or hyphen inside: « Jean-Pierre Dupont » is flagged as « Pierre Dupont », and a
# word ends where the next one's boundary starts, which keeps the search linear.
_WORD = rf"[{_UPPER}]\w*"
_CIVILITY = re.compile(
    rf"\b(?:M\.|MM\.|Mme|Mmes|Mlle|Madame|Monsieur|Mademoiselle|Dr\.?|Docteur)\s+{_WORD}(?:\s+{_WORD})?"
)
_TWO_CAPITALISED = re.compile(rf"\b({_WORD})\s+({_WORD})")
_STREET = re.compile(
    r"\b\d{1,4}(?:\s*(?:bis|ter))?,?\s+"
    r"(?:rue|avenue|av\.|boulevard|bd|place|pl\.|all[ée]e|chemin|impasse|route|quai|cours|square|passage"
    r"|r[ée]sidence|cit[ée]|lotissement|villa|sentier)\b(?:[ \t]+[\w'’-]+){0,3}",
    re.IGNORECASE,
)
# Words written with a capital only because they start a sentence (or are a civility,
# matched on its own above): two of them in a row are not a name.
_NOT_A_FIRST_NAME = {
    word.casefold()
    for word in (
        "le la les l un une des du de d au aux et ou mais donc car ni en dans sur sous par pour avec sans chez "
        "ce cet cette ces il elle ils elles on nous vous je tu y a à très plus moins pas peu beaucoup bien "
        "tout tous toute toutes quand si comme après avant puis alors aussi ici là monsieur madame mademoiselle "
        "docteur rue avenue boulevard place allée chemin impasse route quai cours square bonne bon accueil "
        "porte portes gens habitants quartier"
    ).split()
}


_CIVILITIES = {"m", "mm", "mme", "mmes", "mlle", "madame", "monsieur", "mademoiselle", "dr", "docteur"}


@dataclass(frozen=True)
class Flag:
    kind: str  # "name", "address", "phone", "email"
    excerpt: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


KIND_LABELS = {
    "name": "Nom probable",
    "address": "Adresse probable",
    "phone": "Numéro de téléphone",
    "email": "Adresse e-mail",
}


def _names(text: str) -> list[str]:
    found = [m.group(0) for m in _CIVILITY.finditer(text)]
    for m in _TWO_CAPITALISED.finditer(text):
        first, second = m.group(1).casefold(), m.group(2).casefold()
        if first in _NOT_A_FIRST_NAME or len(first) < 2 or second in _CIVILITIES:
            continue
        if any(m.group(0) in name or name in m.group(0) for name in found):
            continue
        found.append(m.group(0))
    return found


def flags(text: str) -> list[Flag]:
    """The likely names, street addresses, phone numbers and e-mail addresses in `text`, in that order."""
    if not text:
        return []
    found = [Flag("name", excerpt) for excerpt in _names(text)]
    found += [Flag("address", m.group(0).strip()) for m in _STREET.finditer(text)]
    found += [Flag("phone", m.group(0)) for m in PHONE.finditer(text)]
    found += [Flag("email", _around(text, m.start() + 1)) for m in EMAIL.finditer(text)]
    return found


def _around(text: str, at: int, reach: int = 30) -> str:
    """The word holding position `at` (an e-mail address around its "@"), at most `reach` characters each side."""
    before = text[max(0, at - reach) : at].split()
    after = text[at : at + reach].split()
    return (before[-1] if before and not text[at - 1].isspace() else "") + (after[0] if after else "")
