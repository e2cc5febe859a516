"""Template helpers of the fiches: French typography, the analysts' free text, the feed include."""

import re

from django import template
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from circonscriptions.profiles import formats

register = template.Library()

NNBSP = "\u202f"  # espace fine insécable, before ; : ! ? » and after «
_AFTER = re.compile(r"«[ \u00a0]*")
# ![légende](adresse): the only markup analysts may type, to put an image in a fiche.
_IMAGE = re.compile(r"!\[([^\]\n]{0,200})\]\(([^)\s]{1,500})\)")


def french_typography(text: str) -> str:
    """Narrow no-break spaces where French typography wants them (« mot », mot : mot ; mot ?).

    A colon inside a URL or a time (http://, 10:30) is left alone: it has no space before it.
    """
    text = _AFTER.sub("«" + NNBSP, text)
    return re.sub(r"(?<=\S)[ \u00a0]+([;:!?»])", NNBSP + r"\1", text)


@register.filter
def fr(value) -> str:
    if value is None:
        return ""
    return french_typography(str(value))


@register.filter
def fiche_text(value: str) -> SafeString:
    """An analyst's text as HTML: escaped, paragraphs on blank lines, ![alt](url) images.

    The image address is kept as typed: the PDF renderer's URL fetcher decides what may be
    fetched (only the project's own static and media files), the page's browser shows it.
    """
    text = french_typography(value or "")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = []
    for paragraph in paragraphs:
        pieces = []
        last = 0
        for match in _IMAGE.finditer(paragraph):
            pieces.append(escape(paragraph[last : match.start()]).replace("\n", "<br>"))
            alt, url = match.groups()
            pieces.append(f'<img class="fiche-image" src="{escape(url)}" alt="{escape(alt)}">')
            last = match.end()
        pieces.append(escape(paragraph[last:]).replace("\n", "<br>"))
        html.append("<p>" + "".join(pieces) + "</p>")
    return mark_safe("".join(html))  # noqa: S308 (every piece above is escaped)


@register.filter
def french_date(value) -> str:
    """An ISO date kept in a fiche's content ("2026-11-28") as a French reader writes it:
    « 28 novembre 2026 » (the active language's month names). Anything else is shown as is."""
    day = parse_date(str(value)) if value else None
    return date_format(day, "j F Y") if day else str(value or "")


@register.filter
def off_map_priorities(content: dict) -> list[dict]:
    """The priority bureaux the map cannot show, having no contour loaded (a neighbouring
    commune's bureau, say): the sheet names them under the map rather than leave a number
    missing from it. Empty when the map shows no bureau at all (the map's own note says so)."""
    on_map = {s["id"] for s in content.get("map", {}).get("stations") or []}
    if not on_map:
        return []
    return [p for p in (content.get("targeting") or {}).get("priorities") or [] if p.get("station_id") not in on_map]


@register.filter
def pct(value, digits: int = 0) -> str:
    """0.28 → '28 %': the one French rule of circonscriptions/profiles/formats.py (a fiche is French)."""
    return formats.percent(value, digits)


@register.filter
def fact(item: dict, key: str = "value") -> str:
    """An INSEE value (or its "national" figure) with its unit, French style (12,3 % ; 21 310 €; 123 570)."""
    value = item.get(key)
    if value is None:
        return "—"
    unit = item.get("unit") or ""
    text = formats.number(value, 1 if unit in ("%", "ans") else 0)
    return f"{text}{formats.NNBSP}{unit}" if unit else text


@register.inclusion_tag("fiches/_feed.html", takes_context=True)
def fiches_feed(context, limit: int = 10) -> dict:
    """The published fiches the logged-in user may read, newest first: {% load fiches_tags %}{% fiches_feed %}."""
    from fiches.queries import fiches_feed_for

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"feed": fiches_feed_for(user, limit=limit) if user is not None else []}
