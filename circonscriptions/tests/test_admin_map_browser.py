"""The admin map draws a commune's polygon in chromium, with no tile server and no request outside QG."""

import pytest
from django.test import Client
from django.urls import reverse

from circonscriptions.importers.territory import territory_import
from circonscriptions.models import Commune
from hq.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_commune_map_draws_its_polygon_offline(page, live_server):
    territory_import(departements=["29"])
    user = User.objects.create_superuser("analyste@example.org", "pw-test-2026")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    brest = Commune.objects.get(code="29019")
    page.goto(reverse("admin:circonscriptions_commune_change", args=[brest.pk]))
    polygon = page.locator(".qg-shape-map path.leaflet-interactive")
    polygon.first.wait_for()
    box = polygon.first.bounding_box()
    assert box["width"] > 100 and box["height"] > 50  # fitted to the map, not a speck
    assert all(url.startswith(live_server.url) for url in requested)
