"""What of the methods catalogue may reach a published fiche.

A passage of a method's evidence or sources that still says « à vérifier » (a figure or a
reference not yet checked against its publication) is left out of fiches: a fiche states
only what was checked. The catalogue keeps it, for HQ to check in the admin.
"""

import re

UNCHECKED = re.compile(r"[àa] v[ée]rifier", re.IGNORECASE)
# Sentences (after . ! ?) and the items of a list of sources (separated by « — »).
_BOUNDARY = re.compile(r"((?<=[.!?])\s+|\s+—\s+)")


def without_unchecked(text: str) -> str:
    """`text` without the sentences or source items marked « à vérifier »; paragraphs kept."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text or ""):
        tokens = _BOUNDARY.split(paragraph)
        kept: list[str] = []
        for i in range(0, len(tokens), 2):
            piece = tokens[i]
            if not piece.strip() or UNCHECKED.search(piece):
                continue
            kept.append((tokens[i - 1] if kept and i else "") + piece)
        if kept:
            paragraphs.append("".join(kept).strip())
    return "\n\n".join(paragraphs)
