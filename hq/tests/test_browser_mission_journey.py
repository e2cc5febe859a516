"""One activist's whole mission, on a 390×844 phone in Debian's chromium (issue 11's « done when »):

their profile (a skill a hospital campaign wants, a cause, home, transport) → « Missions pour
moi », where the mission in Carhaix, outside their Brest section, comes first with its reason in
words → sign-up in one tap → a ride asked on the transport sheet, matched by federal HQ to a
driver going there → after the mission, its report opened from the mission, already filled in
(place, method, participants), with a sympathiser met there → sent, confirmed.

The mission is moved into the past between two browser steps (an UPDATE, as time would):
sign-up needs a mission to come, the report one that happened. Every step asserts what the
person sees on the screen, then what PostgreSQL holds.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from hq.models import ActivistProfile, Mission, MissionSignup, Ride, RideKind, Role, Supporter
from hq.tests.mission_helpers import catalogue, finistere_place, mission
from hq.tests.ride_helpers import brest_commune, confirm
from observations.models import Observation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def _log_in(context, user, live_server) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_an_activist_goes_from_their_profile_to_a_mission_elsewhere_a_ride_and_its_prefilled_report(
    page, chromium, live_server, make_member, federations, sections, departements
):
    place = finistere_place(departements)
    brest_commune(departements["29"])  # its contour: a pick-up point in Brest is in France
    c = catalogue()
    sections["29"].communes.add(place["brest"])
    carhaix_1 = place["stations"]["Carhaix-Plouguer-1"]
    nurse = make_member(Role.ACTIVIST, "29", section=sections["29"], name="Maëlle Infirmière")
    driver = make_member(Role.ACTIVIST, "29", name="Yann Conducteur")
    federal = make_member(Role.FEDERAL_HQ, "29", name="Soazig QG")
    hospital = mission(
        federations["29"],
        c["door"],
        title="Campagne pour l'hôpital de Carhaix",
        stations=[carhaix_1],
        skills=[c["nurse"]],
        cause=c["health"],
        meeting_point="Parvis de l'hôpital",
        capacity_max=6,
    )
    # A mission in her own section, less useful (Brest's bureau is far down the priorities):
    # the one elsewhere comes first.
    mission(federations["29"], c["door"], title="Tractage à Brest", stations=[place["stations"]["Brest-1"]],
            location=place["stations"]["Brest-1"].location)  # fmt: skip
    # A driver from Brest already goes there with two free seats.
    confirm(hospital, driver)
    car = Ride.objects.create(
        mission=hospital,
        user=driver,
        kind=RideKind.OFFER,
        place="Gare de Brest",
        location=Point(-4.479, 48.388, srid=4326),
        leaves_at=hospital.starts_at - timedelta(hours=1, minutes=15),
        seats=2,
        detour_km=5,
    )
    _log_in(page.context, nurse, live_server)

    # 1. Her profile: a skill the mission wants, a cause, her home, how she travels.
    page.goto("/militant/")
    page.get_by_role("link", name="Mon profil militant").click()
    page.locator(f"input[name=skills][value='{c['nurse'].pk}']").check()
    page.fill("input[name=free_skills]", "secouriste")
    page.locator(f"input[name=causes][value='{c['health'].pk}']").check()
    assert page.locator("select[name=home_section]").input_value() == str(sections["29"].pk)
    page.select_option("select[name=home_commune]", str(place["brest"].pk))
    page.fill("input[name=home_coordinates]", "48.3905, -4.4860")
    for kind in ("weekday_evening", "saturday", "sunday", "weekday_day"):
        page.locator(f"input[name=availability][value={kind}]").check()
    page.locator("input[name=transport][value=public]").check()
    page.fill("input[name=max_distance_km]", "90")
    page.locator("input[name=consent]").check()
    _fits_the_phone(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer mon profil").click()

    # 2. « Missions pour moi »: the hospital campaign first, outside her section, with why.
    assert page.url.endswith("/missions/pour-moi/")
    assert page.get_by_role("heading", name="Missions pour moi", level=1).is_visible()
    assert "Votre profil est enregistré" in page.inner_text(".messages")
    cards = page.locator("li.mission-card")
    assert cards.first.get_attribute("data-mission") == str(hospital.pk)
    card = cards.first
    text = card.inner_text()
    assert "hors de votre section" in text
    assert "vous êtes infirmière : Campagne pour l'hôpital de Carhaix" in text
    assert "vous suivez la cause « Santé »" in text
    assert "bureau prioritaire n° 1 de la circonscription" in text
    assert "km de chez vous" in text
    _fits_the_phone(page)
    profile = ActivistProfile.objects.get(user=nurse)
    assert (profile.transport, profile.max_distance_km, profile.home_commune) == ("public", 90, place["brest"])
    assert profile.free_skills == ["secouriste"]

    # 3. Sign-up in one tap.
    with page.expect_navigation():
        card.get_by_role("button", name="S'inscrire").click()
    assert page.url.endswith(f"/missions/{hospital.pk}/")
    assert "Vous êtes inscrit·e." in page.inner_text("#signup-status")
    assert "2 confirmé·es, 1 à 6 souhaité·es" in page.inner_text("dl.facts")
    assert MissionSignup.objects.get(mission=hospital, user=nurse).status == "confirmed"
    _fits_the_phone(page)

    # 4. She has no car: she asks for a seat on the transport sheet.
    page.get_by_role("link", name="Feuille de transport").click()
    assert page.get_by_role("heading", name="Feuille de transport", level=1).is_visible()
    assert "Yann Conducteur — Gare de Brest" in page.inner_text(".transport-car")
    page.get_by_label("cherche une place").check()
    page.fill("input[name=place]", "Place de la Liberté")
    page.fill("input[name=point]", "48.3903, -4.4861")
    ready = timezone.localtime(hospital.starts_at - timedelta(hours=1, minutes=30))
    page.fill("input[name=leaves_at]", ready.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=latest_at]", (ready + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    page.click("text=Enregistrer mon trajet")
    page.locator("text=Trajet enregistré.").wait_for()
    waiting = page.locator('h2:has-text("En attente d\'une place") + ul')
    assert "Maëlle Infirmière — Place de la Liberté" in waiting.inner_text()
    assert "Pas encore de passager." in page.inner_text(".transport-car")
    _fits_the_phone(page)
    request = Ride.objects.get(mission=hospital, user=nurse)
    assert (request.kind, request.driver) == (RideKind.REQUEST, None)

    # 5. Federal HQ matches the waiting riders from the same sheet, on their own phone.
    hq_context = chromium.new_context(
        base_url=live_server.url, viewport={"width": PHONE[0], "height": PHONE[1]}, locale="fr-FR"
    )
    hq_context.set_default_timeout(10_000)
    hq_page = hq_context.new_page()
    hq_csp: list[str] = []
    hq_page.on("console", lambda m: hq_csp.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        _log_in(hq_context, federal, live_server)
        hq_page.goto(f"/missions/{hospital.pk}/transport/")
        with hq_page.expect_navigation():
            hq_page.get_by_role("button", name="Apparier les passagers en attente").click()
        assert "1 passager(s) placé(s) dans une voiture." in hq_page.inner_text(".messages")
        assert "Maëlle Infirmière — Place de la Liberté" in hq_page.inner_text(".transport-car")
    finally:
        hq_context.close()
    assert not hq_csp, f"the Content-Security-Policy refused: {hq_csp}"
    request.refresh_from_db()
    assert request.driver == car

    # She sees whose car she is in, where and when.
    page.reload()
    in_car = page.inner_text(".transport-car")
    assert "Yann Conducteur — Gare de Brest" in in_car
    assert "Maëlle Infirmière — Place de la Liberté" in in_car
    assert "Personne n'attend." in page.inner_text("main")

    # 6. The mission takes place (moved into the past, as time would).
    now = timezone.now()
    Mission.objects.filter(pk=hospital.pk).update(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    page.goto(f"/missions/{hospital.pk}/")
    page.get_by_role("link", name="Après la mission : la fiche d'observation, déjà remplie").click()
    page.locator("#observation-form").wait_for()

    # 7. The report comes filled in: the mission, the place, the method, the other participant.
    assert "Campagne pour l'hôpital de Carhaix" in page.inner_text(".obs-mission")
    assert page.input_value("input[name=action]") == "Campagne pour l'hôpital de Carhaix"
    assert page.input_value("select[name=commune]") == str(place["carhaix"].pk)
    assert page.locator(f"select[name=polling_stations] option[value='{carhaix_1.pk}']").evaluate("o => o.selected")
    assert page.locator(f"input[name=method][value='{c['door'].pk}']").is_checked()
    assert page.locator(f"input[name=activists][value='{driver.pk}']").is_checked()
    assert page.input_value("input[name=held_on]") == timezone.localdate(now - timedelta(hours=3)).isoformat()
    _fits_the_phone(page)
    page.fill("input[name=doors_knocked]", "42")
    page.fill("input[name=doors_opened]", "17")
    page.fill("input[name=conversations]", "9")
    page.fill("input[name=interested]", "3")
    page.locator("input[name=reaction][value='4']").check()
    # A woman met at the door wants to be called back: recorded with her consent.
    page.click("text=Un·e sympathisant·e veut être recontacté·e")
    page.fill("input[name=supporters-0-name]", "Gwenaëlle R.")
    page.fill("input[name=supporters-0-phone]", "06 12 34 56 78")
    page.locator("input[name=supporters-0-consent]").check()
    page.click("#obs-submit")

    # 8. Confirmed on the screen, kept with the mission in PostgreSQL.
    page.locator("#obs-status[data-state=sent]").wait_for()
    assert "Observation envoyée. Merci !" in page.inner_text("#obs-status")
    observation = Observation.objects.get()
    assert (observation.mission, observation.filed_by, observation.doors_knocked) == (hospital, nurse, 42)
    assert list(observation.polling_stations.all()) == [carhaix_1]
    assert list(observation.activists.all()) == [driver]
    assert observation.method == c["door"]
    supporter = Supporter.objects.get()
    assert (supporter.name, supporter.met_on_mission, supporter.federation) == (
        "Gwenaëlle R.",
        hospital,
        federations["29"],
    )
