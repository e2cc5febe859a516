"""The leaning classes as every page, map, chart and PDF shows them: one table, read everywhere.

Labels come from `Leaning` (translated); colours are the conventional French press colours
of the blocs ahead, with a purple for the disputed bureaux. Pages hand `LEANING_STYLE` to
their scripts with `json_script` rather than repeating it in JavaScript.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from circonscriptions.models import Leaning

LEANING_COLOURS: dict[str, str] = {
    Leaning.LEFT: "#c8102e",
    Leaning.SWING: "#8e5cc4",
    Leaning.CENTRE: "#e8a317",
    Leaning.RIGHT: "#1f4e9c",
    Leaning.FAR_RIGHT: "#3d2b56",
}
NO_LEANING_COLOUR = "#c9c9c9"

# The opposing blocs a leaning can name, in the order pages list them.
OPPONENT_LEANINGS = (Leaning.CENTRE, Leaning.RIGHT, Leaning.FAR_RIGHT)


def leaning_label(value: str | None) -> str:
    """'far_right' → « dominé par l'extrême droite » (in the active language); '' for no value."""
    if not value:
        return ""
    try:
        return str(Leaning(value).label)
    except ValueError:
        return str(value)


def leaning_style() -> list[dict]:
    """[{value, label, colour}] in display order, for legends and scripts."""
    return [{"value": v, "label": leaning_label(v), "colour": LEANING_COLOURS[v]} for v in Leaning.values]


def leaning_colour(value: str | None) -> str:
    return LEANING_COLOURS.get(value, NO_LEANING_COLOUR) if value else NO_LEANING_COLOUR


# Whom the left faces, as pages and fiches say it: « face à Ensemble ».
OPPONENT_NAMES: dict[str, Promise] = {
    Leaning.CENTRE: gettext_lazy("Ensemble"),
    Leaning.RIGHT: gettext_lazy("the right"),
    Leaning.FAR_RIGHT: gettext_lazy("the far right"),
}


def opponent_name(value: str | None) -> str:
    """'centre' → « Ensemble »; '' when the run did not name an opponent."""
    name = OPPONENT_NAMES.get(value) if value else None
    return str(name) if name else ""
