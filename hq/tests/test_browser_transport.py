"""On a 390×844 phone: a participant asks for a ride on the transport sheet, then opens the
report of the mission from it, already filled in, and sends it. Counted in PostgreSQL."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from circonscriptions.models import PollingStation
from hq.models import Ride, RideKind, Role
from hq.tests.ride_helpers import brest_commune, confirm, mission
from observations.models import Observation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def _log_in(page, user, live_server) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_a_rider_asks_for_a_ride_then_sends_the_prefilled_report_on_a_phone(
    page, live_server, federations, make_member, departements
):
    brest = brest_commune(departements["29"])
    station = PollingStation.objects.create(commune=brest, code="12", name="École de Bellevue")
    m = mission(federations["29"], title="Porte-à-porte à Bellevue", hours=-3)
    m.polling_stations.set([station])
    rider = make_member(Role.ACTIVIST, "29", name="Rémi Passager")
    colleague = make_member(Role.ACTIVIST, "29", name="Claude Collègue")
    confirm(m, rider, colleague)
    _log_in(page, rider, live_server)

    page.goto(f"/missions/{m.pk}/transport/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.get_by_label("cherche une place").check()
    page.fill("input[name=place]", "Place de la Liberté")
    # A point in the Atlantic first: refused next to the field, nothing saved.
    page.fill("input[name=point]", "47.0, -12.0")
    leaves = timezone.localtime(m.starts_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("input[name=leaves_at]", leaves)
    page.click("text=Enregistrer mon trajet")
    assert "pas en France" in page.inner_text("#id_point_error")
    assert not Ride.objects.exists()
    page.fill("input[name=point]", "48.390, -4.486")
    page.click("text=Enregistrer mon trajet")
    page.locator("text=Trajet enregistré.").wait_for()
    ride = Ride.objects.get()
    assert (ride.user, ride.kind, ride.place) == (rider, RideKind.REQUEST, "Place de la Liberté")
    assert "Rémi Passager — Place de la Liberté" in page.inner_text("main")

    page.click("text=Après la mission : la fiche d'observation, déjà remplie")
    page.locator("#observation-form").wait_for()
    assert "Porte-à-porte à Bellevue" in page.inner_text(".obs-mission")
    assert page.input_value("input[name=action]") == "Porte-à-porte à Bellevue"
    assert page.locator(f"select[name=polling_stations] option[value='{station.pk}']").evaluate("o => o.selected")
    assert page.locator(f"input[name=activists][value='{colleague.pk}']").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.fill("input[name=doors_knocked]", "30")
    page.fill("input[name=doors_opened]", "12")
    page.fill("input[name=conversations]", "7")
    page.locator("input[name=reaction][value='4']").check()
    page.click("#obs-submit")
    page.locator("#obs-status[data-state=sent]").wait_for()
    observation = Observation.objects.get()
    assert observation.mission == m
    assert list(observation.polling_stations.all()) == [station]
    assert list(observation.activists.all()) == [colleague]
