"""The national /carte/ map in chromium: framed on metropolitan France, overseas reached by buttons.

Transactional (the live server reads committed rows): Django empties the tables after
each test, and the root conftest puts the migrations' seeds back.
"""

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.test import Client
from django.utils import timezone

from circonscriptions.models import Circonscription, CirconscriptionShape, Departement, ProfileRun
from hq.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Metropolitan France's latitudes, with a margin for the map's padding. The map is wider
# than France: its view spans more longitudes, never the Atlantic to the Antilles.
METROPOLE = {"south": 40.5, "north": 52.0, "west": -20.0, "east": 25.0}

# Small squares standing for circonscriptions: Brest, Strasbourg, Ajaccio, Pointe-à-Pitre, Saint-Denis (Réunion).
SQUARES = [
    ("29", "Finistère", 1, -4.49, 48.39),
    ("67", "Bas-Rhin", 1, 7.75, 48.58),
    ("2A", "Corse-du-Sud", 1, 8.74, 41.93),
    ("971", "Guadeloupe", 1, -61.53, 16.24),
    ("974", "La Réunion", 1, 55.45, -20.88),
]


def _square(lon: float, lat: float, half: float = 0.15) -> MultiPolygon:
    ring = ((lon - half, lat - half), (lon + half, lat - half), (lon + half, lat + half), (lon - half, lat + half))
    return MultiPolygon(Polygon((*ring, ring[0])), srid=4326)


def _territory() -> None:
    for code, name, number, lon, lat in SQUARES:
        departement, _ = Departement.objects.get_or_create(code=code, defaults={"name": name})
        circo, _ = Circonscription.objects.get_or_create(
            code=f"{code}{number:02d}", defaults={"departement": departement, "number": number}
        )
        CirconscriptionShape.objects.update_or_create(circonscription=circo, defaults={"geom": _square(lon, lat)})
    ProfileRun.objects.create(status=ProfileRun.Status.SUCCEEDED, is_current=True, finished_at=timezone.now())


def _login(page, live_server) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("national@example.org", "pw-test-2026"))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _bounds(page) -> dict:
    return page.evaluate(
        """() => { const b = window.__qgMaps[0].getBounds();
                   return {south: b.getSouth(), north: b.getNorth(), west: b.getWest(), east: b.getEast()}; }"""
    )


def test_the_national_map_is_framed_on_metropolitan_france_and_zooms_overseas_on_demand(page, live_server):
    _territory()
    _login(page, live_server)
    # django-leaflet announces each map it creates: keep them to read their view.
    page.add_init_script(
        "window.__qgMaps = []; window.addEventListener('map:init', e => window.__qgMaps.push(e.detail.map));"
    )
    page.goto("/carte/")
    page.locator("#profile-map[data-ready='1']").wait_for()
    assert page.locator("#profile-map path.leaflet-interactive").count() == len(SQUARES)

    home = _bounds(page)
    assert home["south"] >= METROPOLE["south"] and home["north"] <= METROPOLE["north"]
    assert home["west"] >= METROPOLE["west"] and home["east"] <= METROPOLE["east"]
    # Brest, Strasbourg and Ajaccio are all in view: the frame is France, not one corner of it.
    assert home["west"] < -4.49 and home["east"] > 8.74 and home["south"] < 41.93 and home["north"] > 48.58

    # The legend has a title and French numbers (none are loaded here: « sans valeur »).
    assert page.locator("#profile-map-legend-title").inner_text().startswith("Opportunité (voix gagnées pour 20")

    page.get_by_role("button", name="Guadeloupe").click()
    page.wait_for_function("() => window.__qgMaps[0].getCenter().lat < 20")
    overseas = _bounds(page)
    assert overseas["south"] < 16.24 < overseas["north"] and overseas["west"] < -61.53 < overseas["east"]

    page.get_by_role("button", name="France métropolitaine").click()
    page.wait_for_function("() => window.__qgMaps[0].getCenter().lat > 40")
    assert _bounds(page)["west"] >= METROPOLE["west"]
