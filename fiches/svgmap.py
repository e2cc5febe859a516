"""The fiche's map as SVG markup, drawn on the server from the composed geometries.

No tiles and no network: the PDF must print anywhere. Projection: equirectangular
around the map's mean latitude, x = longitude × cos(mean latitude), y = −latitude.
At the scale of a circonscription (tens of kilometres) its distortion against
Lambert-93 is well under 1 %, invisible on an A4 sheet; it needs no projection
library per call, and it works unchanged overseas, where Lambert-93 does not apply.

Pure function: composed map dict in, markup out.
"""

from __future__ import annotations

import math
from html import escape

from django.utils import translation

from circonscriptions.models import Leaning
from circonscriptions.profiles.leanings import NO_LEANING_COLOUR, leaning_colour, leaning_label

LEGEND_TITLE = "Ancrage des bureaux de vote"
NO_PROFILE = "sans profil"
NUMBERED_NOTE = "Numérotés : bureaux prioritaires, dans l'ordre."


def leaning_legend() -> list[dict]:
    """[{value, label, colour}] of the five classes and « sans profil », in French (a fiche is French).

    The one table of profiles/leanings.py; the fiche page hands the same list to its script.
    """
    with translation.override("fr"):
        items = [{"value": v, "label": leaning_label(v), "colour": leaning_colour(v)} for v in Leaning.values]
    return [*items, {"value": None, "label": NO_PROFILE, "colour": NO_LEANING_COLOUR}]


def _polygons(geometry: dict | None) -> list[list[list[list[float]]]]:
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["coordinates"]
    return []


def _bounds(geometries: list[dict | None]) -> tuple[float, float, float, float] | None:
    xs: list[float] = []
    ys: list[float] = []
    for geometry in geometries:
        for polygon in _polygons(geometry):
            for ring in polygon[:1]:  # the outer ring bounds the polygon
                xs.extend(p[0] for p in ring)
                ys.extend(p[1] for p in ring)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


BADGE_RADIUS = 7.0


def place_badges(
    anchors: list[tuple[int, float, float]], *, radius: float = BADGE_RADIUS, width: float, height: float
) -> list[tuple[int, float, float, float, float]]:
    """Where to draw each priority number so that no two overlap: [(rank, x, y, anchor x, anchor y)].

    Small bureaux of a town centre are a few pixels apart on an A4 sheet: their numbers, drawn
    at each bureau's centre, covered one another (on the 2903 fiche, 1 to 3 were hidden). Best
    ranks are placed first, at their bureau's centre when the room is free, else at the nearest
    free spot on rings around it (a line then joins the number to its bureau). Pure function.
    """
    gap = 2 * radius + 1  # centre to centre: the discs do not touch
    placed: list[tuple[int, float, float, float, float]] = []

    def free(x: float, y: float) -> bool:
        inside = radius <= x <= width - radius and radius <= y <= height - radius
        return inside and all((x - px) ** 2 + (y - py) ** 2 >= gap**2 for _r, px, py, _ax, _ay in placed)

    for rank, ax, ay in sorted(anchors):
        spot = (ax, ay) if free(ax, ay) else None
        ring = 1
        while spot is None and ring <= 40:
            steps = 8 * ring
            for i in range(steps):
                angle = 2 * math.pi * i / steps - math.pi / 2  # from above the bureau, clockwise
                x, y = ax + ring * gap * math.cos(angle), ay + ring * gap * math.sin(angle)
                if free(x, y):
                    spot = (x, y)
                    break
            ring += 1
        x, y = spot if spot is not None else (ax, ay)  # no room anywhere: at its bureau
        placed.append((rank, x, y, ax, ay))
    return placed


def map_svg(data: dict, *, width: int = 680, height: int = 560, title: str = "") -> str:
    """SVG of the communes, the circonscription outline and the polling stations (priority ones numbered)."""
    communes = data.get("communes") or []
    stations = data.get("stations") or []
    outline = data.get("outline")
    everything = [c["geometry"] for c in communes] + [s["geometry"] for s in stations] + [outline]
    label = escape(title or f"Carte du territoire : {len(stations)} bureaux de vote dessinés")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'class="fiche-map-svg" role="img" aria-label="{label}" font-family="DejaVu Sans, sans-serif" font-size="11">'
        f"<title>{label}</title>"
    )
    bounds = _bounds(everything)
    if bounds is None:
        return (
            head + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#555555">'
            "Aucun contour chargé pour ce territoire</text></svg>"
        )
    min_lon, min_lat, max_lon, max_lat = bounds
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    legend_h = 64
    pad = 8
    span_x = max((max_lon - min_lon) * k, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    scale = min((width - 2 * pad) / span_x, (height - legend_h - 2 * pad) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = pad + (height - legend_h - 2 * pad - span_y * scale) / 2

    def point(lon: float, lat: float) -> tuple[float, float]:
        return off_x + (lon - min_lon) * k * scale, off_y + (max_lat - lat) * scale

    def path(geometry: dict | None) -> str:
        parts = []
        for polygon in _polygons(geometry):
            for ring in polygon:
                coords = [point(x, y) for x, y, *_rest in ring]
                # Drop points closer than half a pixel to the previous one: invisible on paper, far fewer bytes.
                kept = [coords[0]]
                for c in coords[1:]:
                    if abs(c[0] - kept[-1][0]) + abs(c[1] - kept[-1][1]) >= 0.5:
                        kept.append(c)
                if len(kept) >= 3:
                    parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z")
        return "".join(parts)

    # The communes are background: one path for all of them is drawn several times faster by WeasyPrint.
    commune_d = "".join(path(commune["geometry"]) for commune in communes)
    out = [head]
    if commune_d:
        out.append(f'<path class="communes" d="{commune_d}" fill="#f1efe9" stroke="#b5b0a5" stroke-width="0.6"/>')
    out.append('<g class="stations" stroke="#ffffff" stroke-width="0.5">')
    anchors: list[tuple[int, float, float]] = []
    for station in stations:
        d = path(station["geometry"])
        if not d:
            continue
        colour = leaning_colour(station.get("leaning"))
        rank = station.get("priority_rank")
        extra = ' stroke="#111111" stroke-width="1.6" fill-opacity="0.85"' if rank else ' fill-opacity="0.45"'
        out.append(
            f'<path d="{d}" fill="{colour}"{extra} data-station="{station["id"]}">'
            f"<title>{escape(station['label'])}</title></path>"
        )
        if rank:
            bounds_s = _bounds([station["geometry"]])
            if bounds_s:
                anchors.append((int(rank), *point((bounds_s[0] + bounds_s[2]) / 2, (bounds_s[1] + bounds_s[3]) / 2)))
    out.append("</g>")
    if outline:
        out.append(f'<path d="{path(outline)}" fill="none" stroke="#111111" stroke-width="2"/>')
    # Place names (a point inside each commune, from the composition; older fiches have none).
    for commune in communes:
        if commune.get("label"):
            x, y = point(*commune["label"][:2])
            half = 3 * len(commune["name"])  # about half the name's width at 10 px: kept on the sheet
            x = min(max(x, half + 2), width - half - 2)
            out.append(
                f'<text class="place" x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="10" fill="#3d3a33" '
                f'stroke="#ffffff" stroke-width="2.5" paint-order="stroke">{escape(commune["name"])}</text>'
            )
    # The numbers last, above every shape and name; the best ranks drawn last, on top.
    badges = place_badges(anchors, width=width, height=height - legend_h)
    out.append('<g class="priority-numbers">')
    for rank, x, y, ax, ay in sorted(badges, reverse=True):
        if (x, y) != (ax, ay):
            out.append(
                f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#111111" stroke-width="0.8"/>'
            )
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{BADGE_RADIUS:g}" fill="#ffffff" stroke="#111111"/>'
            f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" font-size="9" '
            f'font-weight="bold" fill="#111111">{rank}</text>'
        )
    out.append("</g>")
    # Legend: a title, the colours of the leanings, and what a numbered station means.
    y = height - legend_h + 12
    if not stations:
        out.append(
            f'<text x="8" y="{y}" fill="#222222">Communes du territoire ; '
            "les contours des bureaux de vote ne sont pas encore chargés.</text>"
        )
    else:
        out.append(f'<text x="8" y="{y}" fill="#222222" font-weight="bold">{escape(LEGEND_TITLE)}</text>')
        x, y = 8, y + 17
        for item in leaning_legend():
            step = 24 + 6.5 * len(item["label"])
            if x + step > width:  # next line rather than off the sheet
                x, y = 8, y + 15
            out.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{item["colour"]}"/>')
            out.append(f'<text x="{x + 16}" y="{y}" fill="#222222">{escape(item["label"])}</text>')
            x += step
        out.append(
            f'<text x="8" y="{y + 17}" fill="#222222">{escape(NUMBERED_NOTE)} {len(stations)} bureaux dessinés.</text>'
        )
    out.append("</svg>")
    return "".join(out)
