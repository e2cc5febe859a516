"""The phone form in Debian's chromium on a 390×844 screen: online, offline then back
online, and a double tap. Each case ends by counting the rows in PostgreSQL."""

import pytest
from django.conf import settings
from django.test import Client

from observations.models import Observation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def _log_in(page, user, live_server) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def _fill(page, place, catalogue, *, action: str) -> None:
    page.goto("/observations/nouvelle/")
    page.select_option("select[name=commune]", str(place["commune"].pk))
    # The station list is loaded for the chosen commune.
    station = place["stations"]["1"].pk
    page.locator(f"select[name=polling_stations] option[value='{station}']").wait_for(state="attached")
    page.select_option("select[name=polling_stations]", str(place["stations"]["1"].pk))
    page.fill("input[name=action]", action)
    page.get_by_label("Porte-à-porte").check()
    page.fill("input[name=doors_knocked]", "30")
    page.fill("input[name=doors_opened]", "12")
    page.fill("input[name=conversations]", "7")
    page.fill("input[name=interested]", "2")
    page.locator("input[name=reaction][value='4']").check()
    page.locator(f"input[name=concerns][value='{catalogue['causes']['sante'].pk}']").check()


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_fill_and_submit_on_a_phone(page, live_server, activist, place, catalogue):
    _log_in(page, activist, live_server)
    _fill(page, place, catalogue, action="Samedi matin")
    warning = page.inner_text(".obs-warning")
    assert "Ne notez jamais rien" in warning and "identifiable" in warning, warning
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.click("#obs-submit")
    page.locator("#obs-status[data-state=sent]").wait_for()
    observation = Observation.objects.get()
    assert (observation.action, observation.conversations) == ("Samedi matin", 7)
    assert list(observation.polling_stations.all()) == [place["stations"]["1"]]
    # The form is ready for the next report, with a new key.
    assert page.input_value("input[name=action]") == ""
    assert page.input_value("input[name=idempotency_key]") != str(observation.idempotency_key)


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_errors_are_shown_next_to_their_field_and_the_input_kept(page, live_server, activist, place, catalogue):
    _log_in(page, activist, live_server)
    _fill(page, place, catalogue, action="Trop de conversations")
    page.fill("input[name=conversations]", "50")
    page.click("#obs-submit")
    error = page.locator('[data-field="conversations"] .errorlist')
    error.wait_for()
    assert "pas plus de conversations que de portes ouvertes" in error.inner_text()
    assert page.input_value("input[name=conversations]") == "50"
    assert page.input_value("input[name=action]") == "Trop de conversations"
    assert Observation.objects.count() == 0


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_offline_the_report_waits_on_the_phone_and_is_sent_once_when_the_network_returns(
    page, live_server, activist, place, catalogue
):
    _log_in(page, activist, live_server)
    _fill(page, place, catalogue, action="Sans réseau")
    page.context.set_offline(True)
    page.click("#obs-submit")
    page.locator("#obs-status[data-state=saved-offline]").wait_for()
    # In French (the wording is the translators'): kept on the phone, sent when the network returns.
    status = page.inner_text("#obs-status")
    assert "téléphone" in status and "réseau" in status, status
    assert page.locator("#obs-outbox li[data-state=waiting]").count() == 1
    stored = page.evaluate("JSON.parse(localStorage.getItem('qg-observations-outbox'))")
    assert len(stored) == 1 and "Sans+r%C3%A9seau" in stored[0]["body"]
    assert Observation.objects.count() == 0

    page.context.set_offline(False)
    page.locator("#obs-status[data-state=sent]").wait_for()
    assert "envoy" in page.inner_text("#obs-status")
    observation = Observation.objects.get()
    assert observation.action == "Sans réseau"
    assert str(observation.idempotency_key) == stored[0]["key"]
    # Sent, the report leaves the phone at once (it may name a sympathiser).
    assert page.evaluate("localStorage.getItem('qg-observations-outbox')") is None
    assert page.locator("#obs-outbox li").count() == 0
    # Coming back to the page sends nothing again.
    page.reload()
    page.wait_for_timeout(300)
    assert Observation.objects.count() == 1


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_logging_out_clears_the_reports_kept_on_the_phone(page, live_server, activist, place, catalogue):
    _log_in(page, activist, live_server)
    _fill(page, place, catalogue, action="Brouillon à effacer")
    # The server cannot be reached for the report: it waits on the phone, as in the street.
    page.route(
        "**/observations/nouvelle/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.click("#obs-submit")
    page.locator("#obs-status[data-state=saved-offline]").wait_for()
    assert "Brouillon" in page.evaluate("localStorage.getItem('qg-observations-outbox')")
    page.evaluate("localStorage.setItem('not-qg', 'kept')")  # another site's key on the same origin stays

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/comptes/login/**")
    assert page.evaluate("localStorage.getItem('qg-observations-outbox')") is None
    assert page.evaluate("localStorage.getItem('not-qg')") == "kept"
    assert Observation.objects.count() == 0


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_a_double_tap_stores_one_observation(page, live_server, activist, place, catalogue):
    _log_in(page, activist, live_server)
    _fill(page, place, catalogue, action="Double tape")
    page.dblclick("#obs-submit")
    page.locator("#obs-status[data-state=sent]").wait_for()
    page.wait_for_timeout(300)
    assert Observation.objects.count() == 1


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_a_report_resent_with_the_same_key_is_kept_once(page, live_server, activist, place, catalogue):
    # The server's side of it, through the page's own fetch: a resend after a timeout.
    _log_in(page, activist, live_server)
    _fill(page, place, catalogue, action="Renvoyée")
    key = page.input_value("input[name=idempotency_key]")
    statuses = page.evaluate(
        """async () => {
          const form = document.getElementById('observation-form');
          const body = new URLSearchParams(new FormData(form));
          const headers = {'Accept': 'application/json'};
          const send = () => fetch(form.getAttribute('action'), {method: 'POST', body, headers});
          const [a, b] = await Promise.all([send(), send()]);
          return [a.status, b.status].sort();
        }"""
    )
    assert statuses == [200, 201]
    assert Observation.objects.filter(idempotency_key=key).count() == 1


def test_hq_map_draws_the_observed_polling_stations_without_tiles(
    page, live_server, make_member, activist, place, catalogue
):
    from uuid import uuid4

    from django.utils import timezone

    from hq.models import Role

    observation = Observation.objects.create(
        idempotency_key=uuid4(), filed_by=activist, held_on=timezone.localdate(),
        departement=place["commune"].departement, commune=place["commune"],
        method=catalogue["methods"]["porte-a-porte"], reaction=3, doors_knocked=10, doors_opened=5, conversations=3,
    )  # fmt: skip
    observation.polling_stations.add(place["stations"]["1"], place["stations"]["2"])
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _log_in(page, make_member(Role.FEDERAL_HQ, "29"), live_server)
    page.goto("/observations/")
    page.locator("#obs-map[data-features='2']").wait_for(state="attached")
    # The two bureaux, and the outline of their commune (no tiles: QG draws the places itself).
    assert page.locator("#obs-map .leaflet-overlay-pane path").count() == 3
    assert page.locator("#obs-map .map-place-label").all_inner_texts() == ["Lanvéoc-test"]
    assert page.locator("#obs-map .leaflet-tile").count() == 0
    assert all(url.startswith(live_server.url) for url in requests), requests


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_a_report_sent_after_the_session_expired_is_kept_not_lost(page, live_server, activist, place, catalogue):
    _log_in(page, activist, live_server)
    _fill(page, place, catalogue, action="Session expirée")
    # The server answers with the log-in page (a redirect followed by fetch), not with our JSON.
    page.context.clear_cookies()
    page.click("#obs-submit")
    page.locator("#obs-status[data-state=saved-offline]").wait_for()
    assert page.locator("#obs-outbox li[data-state=waiting]").count() == 1
    assert Observation.objects.count() == 0


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_use_my_position_picks_the_polling_station_under_the_phone(page, live_server, activist, place, catalogue):
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 47.505, "longitude": -5.585})  # inside bureau 2
    _log_in(page, activist, live_server)
    page.goto("/observations/nouvelle/")
    page.click("#obs-locate")
    station = str(place["stations"]["2"].pk)
    page.locator(f"select[name=polling_stations] option[value='{station}']:checked").wait_for(state="attached")
    assert page.input_value("select[name=commune]") == str(place["commune"].pk)
    assert "Lanvéoc-test" in page.inner_text("#obs-locate-result")
