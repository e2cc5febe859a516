"""HQ's side: scoped list, map data, aggregates, people to mobilise; the position lookup;
the read functions the fiches use."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from circonscriptions.models import Leaning, PollingStationProfile, ProfileRun, ProfileType
from hq.models import Role, Supporter
from observations.models import Observation
from observations.queries import (
    MIXED,
    contact_rows_by_profile,
    observation_summary_for,
    observations_recent_for,
)

pytestmark = pytest.mark.django_db


def _observation(place, catalogue, *, by, stations=("1",), days_ago=0, method="porte-a-porte", commune=None, **counts):
    values = {"doors_knocked": 40, "doors_opened": 20, "conversations": 10, "interested": 3, **counts}
    commune = commune or place["commune"]
    observation = Observation.objects.create(
        idempotency_key=uuid.uuid4(),
        filed_by=by,
        held_on=timezone.localdate() - timedelta(days=days_ago),
        departement=commune.departement,
        commune=commune,
        circonscription=place["circonscription"] if commune == place["commune"] else None,
        method=catalogue["methods"][method],
        reaction=3,
        **values,
    )
    if commune == place["commune"]:
        observation.polling_stations.add(*[place["stations"][code] for code in stations])
    return observation


def test_locate_finds_the_polling_station_containing_the_point(client, activist, place):
    client.force_login(activist)
    # Bureau 2 is the square [-5.59, -5.58] × [47.50, 47.51].
    body = client.get("/observations/localiser/", {"lon": "-5.585", "lat": "47.505"}).json()
    assert body["station"]["id"] == place["stations"]["2"].pk
    assert body["commune"] == {"id": place["commune"].pk, "code": "29990", "name": "Lanvéoc-test"}


def test_locate_falls_back_to_the_commune_then_says_when_nothing_is_found(client, activist, place):
    client.force_login(activist)
    # Inside the commune's square, outside both bureaux.
    body = client.get("/observations/localiser/", {"lon": "-5.595", "lat": "47.515"}).json()
    assert body["station"] is None
    assert body["commune"]["code"] == "29990"
    far = client.get("/observations/localiser/", {"lon": "5.0", "lat": "45.0"})
    assert far.status_code == 404
    assert far.json()["error"] == "Aucun bureau de vote de votre territoire ne contient cette position."
    assert client.get("/observations/localiser/", {"lon": "x"}).status_code == 400


def test_locate_does_not_reveal_a_polling_station_of_another_departement(client, activist, place):
    client.force_login(activist)
    response = client.get("/observations/localiser/", {"lon": "2.355", "lat": "48.855"})
    assert response.status_code == 404


def test_commune_stations_lists_only_communes_in_scope(client, activist, place):
    client.force_login(activist)
    body = client.get("/observations/bureaux/", {"commune": place["commune"].pk}).json()
    assert [s["id"] for s in body["stations"]] == [place["stations"]["1"].pk, place["stations"]["2"].pk]
    assert client.get("/observations/bureaux/", {"commune": place["paris"].pk}).status_code == 404


def test_federal_hq_lists_and_maps_only_its_territory(client, make_member, activist, catalogue, place):
    here = _observation(place, catalogue, by=activist, stations=("1", "2"))
    paris = _observation(place, catalogue, by=make_member(Role.ACTIVIST, "75"), commune=place["paris"])
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.get("/observations/")
    assert response.status_code == 200
    assert [o.pk for o in response.context["page"]] == [here.pk]
    assert f"/observations/{paris.pk}/" not in response.content.decode()
    features = response.context["map_data"]["features"]
    assert sorted(f["properties"]["label"] for f in features) == [
        "Lanvéoc-test — bureau 1 (École 1)",
        "Lanvéoc-test — bureau 2 (École 2)",
    ]
    assert features[0]["geometry"]["type"] == "MultiPolygon"
    assert client.get(f"/observations/{paris.pk}/").status_code == 404
    assert client.get(f"/observations/{here.pk}/").status_code == 200


def test_filters_by_dates_method_and_theme(client, make_member, activist, catalogue, place):
    recent = _observation(place, catalogue, by=activist, days_ago=1)
    _observation(place, catalogue, by=activist, days_ago=40, method="marche")
    recent.concerns.add(catalogue["causes"]["sante"])
    client.force_login(make_member(Role.NATIONAL_HQ))
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert [o.pk for o in client.get("/observations/", {"date_from": since}).context["page"]] == [recent.pk]
    by_method = client.get("/observations/", {"method": catalogue["methods"]["porte-a-porte"].pk}).context["page"]
    assert [o.pk for o in by_method] == [recent.pk]
    by_theme = client.get("/observations/", {"theme": catalogue["causes"]["sante"].pk}).context["page"]
    assert [o.pk for o in by_theme] == [recent.pk]
    by_circo = client.get("/observations/", {"circonscription": "2990"}).context["page"]
    assert len(by_circo) == 2


def test_activists_do_not_see_hq_pages(client, activist):
    client.force_login(activist)
    for url in ("/observations/", "/observations/synthese/", "/observations/participants/"):
        assert client.get(url).status_code == 403


def test_aggregates_page_shows_contact_rates_with_their_interval(client, make_member, activist, catalogue, place):
    a = _observation(place, catalogue, by=activist, doors_knocked=60, doors_opened=30, conversations=20)
    b = _observation(place, catalogue, by=activist, doors_knocked=40, doors_opened=20, conversations=10)
    a.concerns.add(catalogue["causes"]["logement"])
    b.concerns.add(catalogue["causes"]["logement"])
    b.concerns_other = ["fermeture de la poste"]
    b.save(update_fields=["concerns_other"])
    client.force_login(make_member(Role.SECRETARY, "29"))
    response = client.get("/observations/synthese/", {"circonscription": "2990"})
    summary = response.context["summary"]
    (door,) = summary["by_method"]
    assert (door.doors_knocked, door.conversations, door.rate) == (100, 30, 0.3)
    assert summary["top_concerns"] == [("logement", 2), ("fermeture de la poste", 1)]
    page = response.content.decode()
    assert "22 – 40 %" in page  # Wilson 95 % for 30/100: [0.219, 0.396]


def test_contact_rate_per_profile_type_and_leaning_of_the_current_run(activist, catalogue, place):
    run = ProfileRun.objects.create(status=ProfileRun.Status.SUCCEEDED, is_current=True)
    circo = place["circonscription"]
    dense = ProfileType.objects.create(run=run, circonscription=circo, key=1, name="quartiers populaires", count=1)
    calm = ProfileType.objects.create(run=run, circonscription=circo, key=2, name="bourgs", count=1)
    for code, kind, leaning in (("1", dense, Leaning.LEFT), ("2", calm, Leaning.SWING)):
        PollingStationProfile.objects.create(
            run=run, polling_station=place["stations"][code], circonscription=circo, profile_type=kind,
            n_elections=2, first_year=2022, last_year=2024, leaning=leaning, confidence=0.9,
            abstention_hotspot=False, left_abstention_hotspot=False,
        )  # fmt: skip
    _observation(place, catalogue, by=activist, stations=("1",), doors_knocked=50, conversations=10)
    _observation(place, catalogue, by=activist, stations=("2",), doors_knocked=20, conversations=8)
    _observation(place, catalogue, by=activist, stations=("1", "2"), doors_knocked=30, conversations=3)
    rows = sorted(contact_rows_by_profile(Observation.objects.all()))
    mixed = str(MIXED)
    assert rows == sorted([("bourgs", 20, 20, 8, 3), (mixed, 30, 20, 3, 3), ("quartiers populaires", 50, 20, 10, 3)])
    summary = observation_summary_for(circo)
    assert {r.group: r.rate for r in summary["by_profile_type"]} == {
        "bourgs": 0.4, mixed: 0.1, "quartiers populaires": 0.2,
    }  # fmt: skip
    left, swing = str(Leaning.LEFT.label), str(Leaning.SWING.label)
    assert {r.group: r.conversations for r in summary["by_leaning"]} == {swing: 8, mixed: 3, left: 10}


def test_recent_observations_of_a_circonscription_for_its_fiche(activist, catalogue, place, django_assert_num_queries):
    old = _observation(place, catalogue, by=activist, days_ago=30)
    new = _observation(place, catalogue, by=activist, days_ago=1)
    _observation(place, catalogue, by=activist, commune=place["paris"])
    # One query for the rows, two for their themes and concerns, whatever their number.
    with django_assert_num_queries(3):
        recent = observations_recent_for(place["circonscription"], limit=5)
        assert [o.pk for o in recent] == [new.pk, old.pk]
        assert [o.method.name for o in recent] == ["Porte-à-porte", "Porte-à-porte"]


def test_people_to_mobilise_are_participants_with_skills_and_only_consenting_supporters(
    client, make_member, activist, catalogue, place
):
    observation = _observation(place, catalogue, by=activist)
    observation.activists.add(activist)
    supporter = Supporter.objects.create(
        name="Karim B.", phone="0611223344", federation=activist.membership.federation,
        consent_text="J'accepte…", consent_at=observation.created_at,
    )  # fmt: skip
    supporter.skills.add(catalogue["skills"]["la-poste"])
    observation.supporters.add(supporter)
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.get("/observations/participants/")
    assert [u.pk for u in response.context["activists"]] == [activist.pk]
    assert [s.name for s in response.context["supporters"]] == ["Karim B."]
    assert "La Poste" in response.content.decode()
    client.force_login(make_member(Role.SECRETARY, "29"))
    assert client.get("/observations/participants/").status_code == 403


def test_contact_rate_per_polling_station_counts_single_station_actions(activist, catalogue, place):
    from observations.aggregates import contact_rates
    from observations.queries import contact_rows_by_station

    _observation(place, catalogue, by=activist, stations=("1",), doors_knocked=50, doors_opened=20, conversations=10)
    _observation(place, catalogue, by=activist, stations=("1",), doors_knocked=50, doors_opened=20, conversations=20)
    _observation(
        place, catalogue, by=activist, stations=("2",), doors_knocked=20, doors_opened=10, conversations=2, interested=1
    )
    _observation(place, catalogue, by=activist, stations=("1", "2"), doors_knocked=30, conversations=3)
    rates = {r.group: (r.observations, r.doors_knocked, r.conversations) for r in contact_rates(
        contact_rows_by_station(Observation.objects.all())
    )}  # fmt: skip
    assert rates == {"Lanvéoc-test — bureau 1 (École 1)": (2, 100, 30), "Lanvéoc-test — bureau 2 (École 2)": (1, 20, 2)}


def test_national_hq_filters_by_departement(client, make_member, activist, catalogue, place):
    _observation(place, catalogue, by=activist)
    paris = _observation(place, catalogue, by=make_member(Role.ACTIVIST, "75"), commune=place["paris"])
    client.force_login(make_member(Role.NATIONAL_HQ))
    assert [o.pk for o in client.get("/observations/", {"departement": "75"}).context["page"]] == [paris.pk]


def test_the_list_page_costs_the_same_queries_for_few_or_many_observations(
    client, make_member, activist, catalogue, place, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    for _ in range(2):
        _observation(place, catalogue, by=activist, stations=("1", "2"))
    with CaptureQueriesContext(connection) as few:
        assert client.get("/observations/").status_code == 200
    for _ in range(8):
        _observation(place, catalogue, by=activist, stations=("1",))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/observations/").status_code == 200


def test_what_is_known_of_one_polling_station(client, make_member, activist, catalogue, place):
    one = _observation(place, catalogue, by=activist, stations=("1",))
    one.concerns.add(catalogue["causes"]["transports"])
    _observation(place, catalogue, by=activist, stations=("2",))
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    detail = client.get(f"/observations/{one.pk}/").content.decode()
    link = f"/observations/synthese/?bureau={place['stations']['1'].pk}"
    assert link in detail
    summary = client.get(link).context["summary"]
    assert summary["top_concerns"] == [("transports", 1)]
    assert [r.observations for r in summary["by_method"]] == [1]


def test_demo_reports_load_once_in_the_demo_departement(make_member, catalogue, place):
    from hq.models import Cause
    from observations.demo import DEMO_REPORTS, observations_demo_load

    Cause.objects.get_or_create(slug="emploi", defaults={"name": "Emploi"})
    user = make_member(Role.ACTIVIST, "29")
    assert observations_demo_load(filer_email=user.email) == DEMO_REPORTS
    assert observations_demo_load(filer_email=user.email) == 0
    assert Observation.objects.count() == DEMO_REPORTS
    # Made-up counts that still obey the rules the form enforces.
    for o in Observation.objects.all():
        assert o.interested <= o.conversations
        assert o.doors_opened <= o.doors_knocked
        assert o.departement.code == "29"


def test_contact_rates_by_leaning_name_the_opposing_bloc(activist, catalogue, place):
    ProfileRun.objects.filter(is_current=True).update(is_current=False)
    run = ProfileRun.objects.create(status=ProfileRun.Status.SUCCEEDED, is_current=True)
    circo = place["circonscription"]
    for code, leaning in (("1", Leaning.CENTRE), ("2", Leaning.FAR_RIGHT)):
        PollingStationProfile.objects.create(
            run=run, polling_station=place["stations"][code], circonscription=circo,
            n_elections=2, first_year=2022, last_year=2024, leaning=leaning, confidence=0.9,
            abstention_hotspot=False, left_abstention_hotspot=False,
        )  # fmt: skip
    _observation(place, catalogue, by=activist, stations=("1",), doors_knocked=40, conversations=12)
    _observation(place, catalogue, by=activist, stations=("2",), doors_knocked=25, conversations=5)
    summary = observation_summary_for(circo)
    assert {r.group: r.conversations for r in summary["by_leaning"]} == {
        "dominé par Ensemble": 12, "dominé par l'extrême droite": 5,
    }  # fmt: skip


def test_a_bureau_reads_commune_number_and_place_in_the_list_and_the_forms_message(
    client, make_member, catalogue, place
):
    from circonscriptions.models import PollingStation
    from observations.tests.conftest import form_data

    PollingStation.objects.filter(pk=place["paris_station"].pk).update(place="École Jules Ferry")
    national = make_member(Role.NATIONAL_HQ)
    client.force_login(national)
    body = client.get("/observations/bureaux/", {"commune": place["commune"].pk}).json()
    assert [s["label"] for s in body["stations"]] == [
        "Lanvéoc-test — bureau 1 (École 1)",
        "Lanvéoc-test — bureau 2 (École 2)",
    ]
    located = client.get("/observations/localiser/", {"lon": "-5.585", "lat": "47.505"}).json()
    assert located["station"]["label"] == "Lanvéoc-test — bureau 2 (École 2)"
    # National HQ types the commune's INSEE code; the bureau chosen is in another commune.
    data = form_data(catalogue, place, commune="29990", polling_stations=[str(place["paris_station"].pk)])
    errors = client.post("/observations/nouvelle/", data, HTTP_ACCEPT="application/json").json()["errors"]
    assert errors["polling_stations"] == [
        "Ces bureaux ne sont pas dans la commune choisie : Paris-test — bureau 1 (École Jules Ferry)"
    ]


def test_the_form_lists_the_bureaux_of_a_commune_sent_back_with_their_full_label(client, activist, catalogue, place):
    from observations.tests.conftest import form_data

    client.force_login(activist)
    data = form_data(catalogue, place, conversations="99")  # refused: the page is rendered again
    page = client.post("/observations/nouvelle/", data).content.decode()
    assert "Lanvéoc-test — bureau 1 (École 1)</option>" in page
