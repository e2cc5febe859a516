"""On a 390×844 phone in Debian's chromium: an activist fills their profile, sees a mission
recommended outside their section, and signs up in one tap (checked in PostgreSQL)."""

import pytest
from django.conf import settings
from django.test import Client

from hq.models import ActivistProfile, MissionSignup, Role
from hq.tests.mission_helpers import catalogue, finistere_place, mission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def _log_in(page, user, live_server) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_an_activist_goes_from_their_profile_to_a_mission_outside_their_section_and_signs_up(
    page, live_server, make_member, federations, sections, departements
):
    place = finistere_place(departements)
    c = catalogue()
    sections["29"].communes.add(place["brest"])
    nurse = make_member(Role.ACTIVIST, "29", section=sections["29"], name="Maëlle Infirmière")
    hospital = mission(
        federations["29"],
        c["door"],
        title="Campagne pour l'hôpital de Carhaix",
        stations=[place["stations"]["Carhaix-Plouguer-1"]],
        skills=[c["nurse"]],
        cause=c["health"],
    )
    _log_in(page, nurse, live_server)

    page.goto("/militant/")
    page.get_by_role("link", name="Mon profil militant").click()
    page.locator(f"input[name=skills][value='{c['nurse'].pk}']").check()
    page.locator(f"input[name=causes][value='{c['health'].pk}']").check()
    page.fill("input[name=home_coordinates]", "48.39, -4.486")
    for kind in ("weekday_evening", "weekday_day", "saturday", "sunday"):
        page.locator(f"input[name=availability][value={kind}]").check()
    page.locator("input[name=transport][value=car]").check()
    page.fill("input[name=car_seats]", "3")
    page.fill("input[name=max_distance_km]", "90")
    page.locator("input[name=consent]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer mon profil").click()
    assert page.url.endswith("/missions/pour-moi/")
    assert ActivistProfile.objects.get(user=nurse).max_distance_km == 90

    card = page.locator(f"[data-mission='{hospital.pk}']")
    assert "hors de votre section" in card.inner_text()
    assert "vous êtes infirmière : Campagne pour l'hôpital de Carhaix" in card.inner_text()
    # Phone-first: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    with page.expect_navigation():
        card.get_by_role("button", name="S'inscrire").click()
    assert page.url.endswith(f"/missions/{hospital.pk}/")
    assert "Vous êtes inscrit·e." in page.locator("#signup-status").inner_text()
    assert MissionSignup.objects.get(mission=hospital, user=nurse).status == "confirmed"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
