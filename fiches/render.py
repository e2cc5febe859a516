"""One composition, two renderings: the HTML fragment (page and PDF share it) and the PDF's document."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from circonscriptions.profiles.charts import vote_history_svg
from fiches.svgmap import map_svg


def render_body(content: dict, *, draft: bool = False) -> SafeString:
    """The fiche's sections as an HTML fragment, with its map and chart drawn as SVG."""
    with translation.override(settings.LANGUAGE_CODE):
        history = content.get("history") or []
        context = {
            "c": content,
            "draft": draft,
            # Both drawn from numbers and escaped labels by pure functions: safe as is.
            "map_svg": mark_safe(map_svg(content["map"])),  # noqa: S308
            "chart_svg": mark_safe(  # noqa: S308
                vote_history_svg(history, width=640, height=260, title="Votes du territoire par bloc et abstention")
            )
            if history
            else "",
        }
        return mark_safe(render_to_string("fiches/_fiche_body.html", context))  # noqa: S308


def render_pdf_html(*, body: str, title: str, draft: bool, subtitle: str = "") -> str:
    """The standalone document WeasyPrint prints: A4, French typography, « brouillon » on each page of a draft."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "fiches/fiche_pdf.html",
            {"body": mark_safe(body), "title": title, "draft": draft, "subtitle": subtitle},  # noqa: S308
        )
