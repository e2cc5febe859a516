"""The fiche's map and text as read in the street: priority numbers all visible on the PDF,
place names on the map, dates in French."""

import math
import re

from django.utils import translation

from fiches.render import render_body
from fiches.svgmap import BADGE_RADIUS, map_svg, place_badges
from fiches.templatetags.fiches_tags import french_date


def _square(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_priority_numbers_never_overlap_and_the_best_keeps_its_place():
    # Ten bureaux of a town centre whose centres are a pixel or two apart on the sheet.
    anchors = [(rank, 300 + rank * 0.7, 200 - rank * 0.4) for rank in range(10, 0, -1)]
    placed = place_badges(anchors, width=680, height=496)
    assert sorted(rank for rank, *_ in placed) == list(range(1, 11))
    for i, (_r, x, y, _ax, _ay) in enumerate(placed):
        for _r2, x2, y2, _ax2, _ay2 in placed[i + 1 :]:
            assert math.hypot(x - x2, y - y2) >= 2 * BADGE_RADIUS
        assert BADGE_RADIUS <= x <= 680 - BADGE_RADIUS and BADGE_RADIUS <= y <= 496 - BADGE_RADIUS
    first = next(p for p in placed if p[0] == 1)
    assert (first[1], first[2]) == (first[3], first[4])  # number 1 sits on its bureau


def test_the_pdf_map_shows_every_priority_number_above_the_shapes_and_the_commune_names():
    stations = [
        {"id": i, "label": f"Brest — bureau {i}", "leaning": "left", "priority_rank": i,
         "geometry": _square(-4.49 + i * 0.0004, 48.39, 0.0004)}
        for i in range(1, 11)
    ]  # fmt: skip
    communes = [
        {"code": "29019", "name": "Brest", "geometry": _square(-4.55, 48.36, 0.1), "label": [-4.5, 48.41]},
        {"code": "29075", "name": "Guipavas", "geometry": _square(-4.45, 48.36, 0.1), "label": [-4.4, 48.41]},
    ]
    svg = map_svg({"communes": communes, "stations": stations, "outline": _square(-4.55, 48.36, 0.2)})
    numbers = svg[svg.index('<g class="priority-numbers">') :]
    assert sorted(int(n) for n in re.findall(r'font-weight="bold" fill="#111111">(\d+)</text>', numbers)) == list(
        range(1, 11)
    )
    # Drawn after the bureaux, the outline and the names: nothing covers them.
    assert svg.index('<g class="priority-numbers">') > max(svg.rindex("data-station="), svg.rindex('class="place"'))
    assert ">Brest</text>" in svg and ">Guipavas</text>" in svg


def test_dates_of_recent_observations_read_in_french():
    with translation.override("fr"):
        assert french_date("2026-11-28") == "28 novembre 2026"
        assert french_date("") == ""
        assert french_date("not a date") == "not a date"


def test_a_priority_bureau_without_contour_is_named_under_the_map_rather_than_missing_from_it():
    # The demo's 2903: priority n° 5 is a Plouzané bureau, and only Brest's contours are loaded.
    stations = [
        {"id": i, "label": f"Brest — bureau {i}", "leaning": "left", "priority_rank": rank,
         "geometry": _square(-4.49 + i * 0.001, 48.39, 0.001)}
        for i, rank in ((13, 1), (6, 2), (40, None))
    ]  # fmt: skip
    priorities = [
        {"rank": 1, "label": "Brest — bureau 13", "station_id": 13, "reason": "…"},
        {"rank": 2, "label": "Brest — bureau 6", "station_id": 6, "reason": "…"},
        {"rank": 3, "label": "Plouzané — bureau 3", "station_id": 190, "reason": "…"},
    ]
    content = {
        "title": "Brest nord",
        "circonscription": {"code": "2903", "name": "Finistère, 3e circonscription", "departement_name": "Finistère"},
        "map": {"outline": None, "communes": [], "stations": stations, "stations_total": 4},
        "targeting": {"available": True, "priorities": priorities},
    }
    body = str(render_body(content))
    note = body[body.index('class="fiche-note fiche-off-map"') :]
    note = note[: note.index("</p>")]
    assert "Priorités absentes de la carte, faute de contour : n°&nbsp;3 Plouzané — bureau 3." in note
    assert "bureau 13" not in note and "bureau 6" not in note
    # A map that shows no bureau at all says so once, in its own note: no list of every priority.
    content["map"]["stations"] = []
    assert "fiche-off-map" not in str(render_body(content))
