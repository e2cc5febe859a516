"""Charts drawn on the server as SVG markup: the same string goes into HTML pages and PDF fiches.

Pure functions: data in, markup out; no database, no JavaScript, no external font or file.
"""

from html import escape

from circonscriptions.models import Leaning
from circonscriptions.profiles.formats import percent
from circonscriptions.profiles.leanings import LEANING_COLOURS

# The blocs in the colours of the leanings they lead (one table: profiles/leanings.py);
# "other" grey, abstention dashed black.
BLOC_STYLE = {
    "left": (LEANING_COLOURS[Leaning.LEFT], "Gauche"),
    "centre": (LEANING_COLOURS[Leaning.CENTRE], "Centre (Ensemble)"),
    "right": (LEANING_COLOURS[Leaning.RIGHT], "Droite"),
    "far_right": (LEANING_COLOURS[Leaning.FAR_RIGHT], "Extrême droite"),
    "other": ("#8a8a8a", "Autres"),
}
ABSTENTION_STYLE = ("#222222", "Abstention")
LEGEND_TITLE = "Part des exprimés (%)"
ABSTENTION_NOTE = "abstention : % des inscrits"


def vote_history_svg(points: list[dict], *, width: int = 640, height: int = 280, title: str = "") -> str:
    """A line chart of bloc shares of expressed votes, and abstention, election after election.

    `points` are in time order, each {"label": "Législatives 2024 T1", "shares": {bloc: 0.31, …},
    "abstention": 0.27}; a missing or None value leaves a gap. Elections are spaced evenly
    (they are labelled, not placed on a time scale).
    """
    left, right, top, bottom = 44, 150, 16, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)

    # Inner padding: the first and last labels are centred on their point and must fit.
    pad = 56

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else pad + i * (plot_w - 2 * pad) / (n - 1))

    def y(value: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, value)))

    label = escape(title or "Votes par bloc et abstention, élection par élection")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{label}" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{label}</title>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        ty = y(tick)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#dddddd"/>')
        out.append(
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#555555">{escape(percent(tick, 0))}</text>'
        )
    for i, point in enumerate(points):
        out.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#333333">'
            f"{escape(str(point.get('label', '')))}</text>"
        )
    if not points:
        out.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="#555555">'
            "Aucun résultat chargé pour ce bureau</text>"
        )
    series = [
        (bloc, colour, name, [p.get("shares", {}).get(bloc) for p in points], "")
        for bloc, (colour, name) in BLOC_STYLE.items()
    ]
    series.append(("abstention", *ABSTENTION_STYLE, [p.get("abstention") for p in points], ' stroke-dasharray="5 4"'))
    lx = left + plot_w + 14
    out.append(f'<text x="{lx}" y="{top + 4}" fill="#222222" font-weight="bold">{escape(LEGEND_TITLE)}</text>')
    legend_y = top + 22
    for key, colour, name, values, dash in series:
        if all(v is None for v in values):
            continue
        # Break the line where a value is missing rather than drawing across the gap.
        segment: list[str] = []
        for i, value in enumerate([*values, None]):
            if value is None:
                if len(segment) > 1:
                    out.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{" ".join(segment)}"/>'
                    )
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(value):.1f}")
        for i, value in enumerate(values):
            if value is not None:
                out.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}" data-series="{key}">'
                    f"<title>{escape(name)} : {escape(percent(value, 1))}</title></circle>"
                )
        out.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{lx + 24}" y="{legend_y + 4}" fill="#222222">{escape(name)}</text>')
        legend_y += 18
    if any(p.get("abstention") is not None for p in points):
        out.append(f'<text x="{lx}" y="{legend_y + 4}" fill="#555555" font-size="10">{escape(ABSTENTION_NOTE)}</text>')
    out.append("</svg>")
    return "".join(out)
