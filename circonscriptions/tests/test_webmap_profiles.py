"""The circonscription map in chromium: polygons drawn without any tile server, colours switchable.

Transactional (the live server reads committed rows): Django empties the tables after
each test, and the root conftest puts the migrations' seeds back.
"""

import json

import pytest
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.test import Client

from circonscriptions.models import PollingStation, PollingStationShape
from circonscriptions.profiles.leanings import LEANING_COLOURS
from circonscriptions.profiles.services import profiles_recompute
from circonscriptions.tests.profile_data import lg2024_rows, store_results
from hq.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTOURS = settings.DATA_DIR / "boundaries" / "bureaux" / "bureaux-de-vote-brest-29019.geojson"


def _brest_contours(codes: set[str]) -> int:
    """The real contours of the Brest bureaux numbered `codes`; returns how many were attached."""
    stations = {s.code: s for s in PollingStation.objects.filter(commune__code="29019", code__in=codes)}
    # A bureau that already has its contour keeps it.
    present = set(
        PollingStationShape.objects.filter(polling_station__in=stations.values()).values_list(
            "polling_station__code", flat=True
        )
    )
    stations = {code: s for code, s in stations.items() if code not in present}
    shapes = []
    for feature in json.loads(CONTOURS.read_text(encoding="utf-8"))["features"]:
        code = str(int(feature["properties"]["codeBureauVote"].split("_")[1]))
        station = stations.pop(code, None)
        if station is None:
            continue
        geom = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        geom = MultiPolygon(geom, srid=4326) if geom.geom_type == "Polygon" else geom
        shapes.append(PollingStationShape(polling_station=station, geom=geom, geom_simple=geom))
    PollingStationShape.objects.bulk_create(shapes)
    return len(shapes) + len(present)


def test_the_map_draws_the_polling_stations_without_tiles_and_switches_colours(page, live_server):
    assert settings.LEAFLET_CONFIG["TILES"] == [], "this test is about the offline default"
    codes = {str(n) for n in range(27, 47)}  # Brest bureaux of the 2nd circonscription
    store_results(lg2024_rows({("29019", c) for c in codes}))
    drawn = _brest_contours(codes)
    assert drawn == 20
    profiles_recompute()

    client = Client()
    client.force_login(User.objects.create_superuser("carte@example.org", "pw-test-2026"))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto("/carte/circonscription/2902/")
    polygons = page.locator("#profile-map path.leaflet-interactive")
    polygons.first.wait_for()
    assert polygons.count() == drawn
    assert page.locator("#profile-map img.leaflet-tile").count() == 0

    def fills() -> list[str]:
        return [polygons.nth(i).get_attribute("fill") for i in range(drawn)]

    by_leaning = fills()
    assert set(by_leaning) <= set(LEANING_COLOURS.values())
    assert page.locator("#profile-map-legend-title").inner_text() == "Ancrage du bureau de vote"
    assert page.locator("#profile-map-legend li").count() == len(LEANING_COLOURS)
    page.get_by_label("priorité").check()
    by_priority = fills()
    assert by_priority != by_leaning and all(f.startswith("rgb(") for f in by_priority)
    assert page.locator("#profile-map-legend-title").inner_text() == "Priorité (voix gagnées pour 20 h)"
    steps = page.locator("#profile-map-legend li").all_inner_texts()
    assert len(steps) == 5 and all("," in step and "." not in step for step in steps)  # French decimals
    page.get_by_label("abstention").check()
    assert page.locator("#profile-map-legend-title").inner_text() == "Abstention (%)"
    assert all(step.endswith("\u202f%") for step in page.locator("#profile-map-legend li").all_inner_texts())
    page.get_by_label("vote intermittent").check()
    assert page.locator("#profile-map-legend-title").inner_text().startswith("Vote intermittent")
    # Tooltips are built from text nodes: a station's name never becomes markup.
    polygons.first.hover()
    assert page.locator(".leaflet-tooltip strong").first.inner_text().startswith("Brest")

    # The table sorts on click: by priority, descending on the second click.
    header = page.locator("th", has_text="Priorité").locator("button")
    header.click()
    header.click()
    values = [
        float(v) for v in page.locator("tbody tr td:nth-child(5)").evaluate_all("c => c.map(x => x.dataset.value)")
    ]
    assert values == sorted(values, reverse=True)
