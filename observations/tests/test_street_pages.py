"""Pages that work in the street: the service worker, bureaux named and ordered as activists
read them, the people who took part, the concerns as a list."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from circonscriptions.models import PollingStation
from circonscriptions.stations import by_code, natural_key, station_label
from hq.models import Role
from observations.models import Observation

pytestmark = pytest.mark.django_db


def _report(place, catalogue, *, by, days_ago=0, concerns=(), other=()):
    observation = Observation.objects.create(
        idempotency_key=uuid.uuid4(),
        filed_by=by,
        held_on=timezone.localdate() - timedelta(days=days_ago),
        departement=place["commune"].departement,
        commune=place["commune"],
        circonscription=place["circonscription"],
        method=catalogue["methods"]["porte-a-porte"],
        reaction=3,
        concerns_other=list(other),
    )
    observation.concerns.add(*concerns)
    return observation


def test_the_service_worker_is_served_at_the_root_and_keeps_the_form_and_the_activists_home(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert '"/observations/nouvelle/"' in script and '"/militant/"' in script
    assert '"/static/observations/offline.js"' in script
    # The strict policy lets QG's own worker run, and nothing else.
    assert "worker-src 'self'" in response["Content-Security-Policy"]


def test_a_logged_in_page_registers_the_service_worker(client, activist):
    client.force_login(activist)
    page = client.get("/militant/").content.decode()
    assert '<meta name="qg-service-worker" content="/sw.js">' in page
    assert "js/offline_pages.js" in page


def test_bureau_codes_come_in_numeric_order():
    codes = ["10", "2", "100", "1", "11", "2A", "3"]
    assert sorted(codes, key=natural_key) == ["1", "2", "2A", "3", "10", "11", "100"]
    assert station_label(commune="Brest", code="51", place="École Jean Macé") == "Brest — bureau 51 (École Jean Macé)"
    assert station_label(commune="Brest", code="51") == "Brest — bureau 51"


def test_the_form_offers_a_communes_bureaux_in_numeric_order_with_their_polling_place(client, activist, place):
    commune = place["commune"]
    for code in ("10", "3", "100", "21"):
        PollingStation.objects.create(commune=commune, code=code, place=f"Salle {code}")
    client.force_login(activist)
    labels = [s["label"] for s in client.get("/observations/bureaux/", {"commune": commune.pk}).json()["stations"]]
    assert labels == [
        "Lanvéoc-test — bureau 1 (École 1)",
        "Lanvéoc-test — bureau 2 (École 2)",
        "Lanvéoc-test — bureau 3 (Salle 3)",
        "Lanvéoc-test — bureau 10 (Salle 10)",
        "Lanvéoc-test — bureau 21 (Salle 21)",
        "Lanvéoc-test — bureau 100 (Salle 100)",
    ]
    in_order = PollingStation.objects.filter(commune=commune).order_by(*by_code()).values_list("code", flat=True)
    assert list(in_order) == ["1", "2", "3", "10", "21", "100"]
    assert str(PollingStation.objects.get(commune=commune, code="10")) == "Lanvéoc-test — bureau 10 (Salle 10)"


def test_the_member_who_filed_a_report_is_among_the_people_to_mobilise(client, make_member, activist, catalogue, place):
    colleague = make_member(Role.ACTIVIST, "29", name="Bruno Collègue")
    _report(place, catalogue, by=activist, days_ago=3)
    _report(place, catalogue, by=activist, days_ago=1)
    _report(place, catalogue, by=colleague, days_ago=2).activists.add(activist)
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    people = client.get("/observations/participants/").context["activists"]
    assert [(u.full_name, u.actions) for u in people] == [("Anne Militante", 3), ("Bruno Collègue", 1)]
    assert people[0].last == timezone.localdate() - timedelta(days=1)


def test_standard_and_typed_concerns_read_as_one_list_with_commas(client, make_member, activist, catalogue, place):
    observation = _report(
        place, catalogue, by=activist, concerns=[catalogue["causes"]["sante"]], other=["prix de l'énergie"]
    )
    assert observation.concern_names == [catalogue["causes"]["sante"].name, "prix de l'énergie"]
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get(f"/observations/{observation.pk}/").content.decode()
    assert f"{catalogue['causes']['sante'].name}, prix de l&#x27;énergie" in page


def test_wide_tables_scroll_in_a_box_that_says_so_and_takes_the_keyboard(
    client, make_member, activist, catalogue, place
):
    _report(place, catalogue, by=activist)
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get("/observations/").content.decode()
    wrapper = page[page.index('<div class="table-wrap"') : page.index("<table")]
    assert 'role="region"' in wrapper and 'tabindex="0"' in wrapper
    assert "faites-le défiler sur le côté" in wrapper
