"""« Missions pour moi »: the fit's arithmetic and reasons (pure), then the one query on PostGIS."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from hq.matching import (
    ActivistFacts,
    MissionFacts,
    candidate_missions,
    missions_for,
    rank,
    recommend,
    slot_kind,
)
from hq.models import MissionSignup, MissionStatus, Role, SignupStatus
from hq.tests.mission_helpers import BREST, CARHAIX, QUIMPER, catalogue, finistere_place, mission, profile

SATURDAY_10H = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)  # 10:00 in Paris
TUESDAY_19H = datetime(2026, 12, 8, 18, 30, tzinfo=UTC)  # 19:30 in Paris


def _mission(**fields) -> MissionFacts:
    base = {"id": 1, "title": "Campagne pour l'hôpital de Carhaix", "federation_id": 1, "federation_name": "F"}
    base.setdefault("starts_at", SATURDAY_10H)
    return MissionFacts(**{**base, **fields})


def test_slots_are_read_in_paris_time():
    assert slot_kind(SATURDAY_10H) == "saturday"
    assert slot_kind(TUESDAY_19H) == "weekday_evening"
    assert slot_kind(datetime(2026, 12, 8, 10, 0, tzinfo=UTC)) == "weekday_day"
    # 23:30 UTC on a Saturday is already Sunday in Paris.
    assert slot_kind(datetime(2026, 12, 12, 23, 30, tzinfo=UTC)) == "sunday"


def test_a_nurse_is_told_why_the_hospital_campaign_is_for_her():
    activist = ActivistFacts(skills={7: "Infirmière"}, causes={3}, federation_id=1)
    rec = recommend(_mission(skill_ids=(7,), cause_id=3, cause_name="Santé"), activist)
    assert rec.reasons[0] == "vous êtes infirmière : Campagne pour l'hôpital de Carhaix"
    assert "vous suivez la cause « Santé »" in rec.reasons
    assert rec.score == pytest.approx(2.0 * 1.5)


def test_each_factor_multiplies_the_fit_as_the_docstring_says():
    activist = ActivistFacts(
        has_home=True, availability=frozenset({"weekday_evening"}), federation_id=1, max_distance_km=30
    )
    rec = recommend(_mission(priority_score=5.0, priority_rank=3, distance_m=30_000), activist)
    # priority 5 votes → × 1.5; 30 km when the activist goes up to 30 → × 0.5;
    # a Saturday when only free on weekday evenings → × 0.4.
    assert rec.score == pytest.approx(1.5 * 0.5 * 0.4)
    assert rec.reasons == (
        "bureau prioritaire n° 3 de la circonscription",
        "à 30 km de chez vous",
        "un samedi, en dehors de vos disponibilités",
    )
    assert recommend(_mission(skill_ids=(9,)), activist).score == pytest.approx(0.8 * 0.4)
    assert recommend(_mission(full=True), activist).reasons[-1] == "complet : vous serez sur la liste d'attente"


def test_missions_outside_the_section_and_federation_are_ranked_like_the_others():
    activist = ActivistFacts(section_commune_ids=frozenset({10}), federation_id=1, skills={7: "Infirmière"})
    near_home = _mission(id=1, commune_ids=(10,))
    elsewhere = _mission(id=2, commune_ids=(20,), skill_ids=(7,), federation_id=2, federation_name="Fédération X")
    first, second = rank([near_home, elsewhere], activist)
    assert (first.mission_id, first.outside_section) == (2, True)
    assert "mission de la Fédération X, ouverte aux volontaires d'ailleurs" in first.reasons
    assert (second.mission_id, second.outside_section) == (1, False)


def test_an_activist_in_no_section_is_never_told_a_mission_is_outside_it():
    # Placed in no section yet (or in a section without communes): there is no « outside ».
    activist = ActivistFacts(federation_id=1)
    assert recommend(_mission(commune_ids=(20,)), activist).outside_section is False
    assert recommend(_mission(commune_ids=()), activist).outside_section is False


@pytest.mark.django_db
def test_the_page_shows_no_outside_badge_to_an_activist_in_no_section(client, make_member, federations, departements):
    place = finistere_place(departements)
    c = catalogue()
    mission(
        federations["29"],
        c["door"],
        title="Porte-à-porte à Carhaix",
        stations=[place["stations"]["Carhaix-Plouguer-1"]],
    )
    newcomer = make_member(Role.ACTIVIST, "29")
    client.force_login(newcomer)
    page = client.get("/missions/pour-moi/").content.decode()
    assert "Porte-à-porte à Carhaix" in page
    assert "hors de votre section" not in page


@pytest.mark.django_db
def test_the_query_scopes_measures_and_ranks_real_missions(make_member, federations, sections, departements):
    place = finistere_place(departements)
    c = catalogue()
    sections["29"].communes.add(place["brest"])
    nurse = make_member(Role.ACTIVIST, "29", section=sections["29"])
    profile(
        nurse,
        skills=[c["nurse"]],
        causes=[c["health"]],
        availability=["weekday_evening", "weekday_day", "saturday", "sunday"],
        max_distance_km=150,
    )
    stations = place["stations"]
    hospital = mission(
        federations["29"],
        c["door"],
        title="Campagne pour l'hôpital de Carhaix",
        stations=[stations["Carhaix-Plouguer-1"]],
        skills=[c["nurse"]],
        cause=c["health"],
        days=4,
    )
    brest = mission(
        federations["29"], c["door"], title="Marché de Brest", location=BREST, stations=[stations["Brest-1"]]
    )
    paris_closed = mission(federations["75"], c["door"], title="Paris, fermée", location=QUIMPER)
    paris_open = mission(
        federations["75"], c["door"], title="Paris, ouverte", location=QUIMPER, open_to_other_federations=True
    )
    mission(federations["29"], c["door"], title="Annulée", status=MissionStatus.CANCELLED)
    joined = mission(federations["29"], c["door"], title="Déjà inscrite")
    MissionSignup.objects.create(mission=joined, user=nurse, status=SignupStatus.CONFIRMED)

    results = missions_for(nurse)
    titles = [m.title for _rec, m in results]
    assert paris_closed.title not in titles and "Annulée" not in titles and "Déjà inscrite" not in titles
    assert set(titles) == {hospital.title, brest.title, paris_open.title}
    best, facts = results[0]
    assert facts.id == hospital.pk
    assert best.outside_section is True
    assert best.reasons[0] == "vous êtes infirmière : Campagne pour l'hôpital de Carhaix"
    assert "bureau prioritaire n° 1 de la circonscription" in best.reasons
    # Brest → Carhaix is about 70 km on the sphere.
    assert 65 < best.distance_km < 75
    assert "à 69 km de chez vous" in best.reasons or "à 70 km de chez vous" in best.reasons


@pytest.mark.django_db
def test_missions_beyond_the_distance_the_activist_travels_are_not_proposed(make_member, federations):
    c = catalogue()
    member = make_member(Role.ACTIVIST, "29")
    near = mission(federations["29"], c["door"], title="Brest", location=BREST)
    mission(federations["29"], c["door"], title="Carhaix", location=CARHAIX)
    found = candidate_missions(federation_id=federations["29"].pk, home=BREST, max_distance_km=20, user_id=member.pk)
    assert [m.id for m in found] == [near.pk]
    assert found[0].distance_m == pytest.approx(0, abs=1)


@pytest.mark.django_db
def test_a_mission_at_a_point_is_outside_the_section_when_the_point_is_outside_its_communes(
    make_member, federations, sections, departements
):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from circonscriptions.models import Commune, CommuneShape

    c = catalogue()
    brest = Commune.objects.create(code="29019", name="Brest", departement=departements["29"])
    square = Polygon.from_bbox((BREST.x - 0.05, BREST.y - 0.05, BREST.x + 0.05, BREST.y + 0.05))
    square.srid = 4326
    CommuneShape.objects.create(commune=brest, geom=MultiPolygon(square, srid=4326))
    sections["29"].communes.add(brest)
    member = make_member(Role.ACTIVIST, "29", section=sections["29"])
    profile(member)
    in_brest = mission(federations["29"], c["door"], title="Brest", location=BREST)
    in_carhaix = mission(federations["29"], c["door"], title="Carhaix", location=CARHAIX)
    outside = {facts.id: rec.outside_section for rec, facts in missions_for(member)}
    assert outside == {in_brest.pk: False, in_carhaix.pk: True}


@pytest.mark.django_db
def test_the_database_ranks_missions_in_the_order_of_the_pure_function(make_member, federations, departements):
    import random

    from django.contrib.gis.geos import Point

    from hq.matching import activist_facts, best, ranked_missions
    from hq.models import ActivistProfile, Membership

    place = finistere_place(departements)
    c = catalogue()
    member = make_member(Role.ACTIVIST, "29")
    profile(
        member,
        skills=[c["nurse"]],
        causes=[c["health"]],
        availability=["saturday", "weekday_evening"],
        max_distance_km=80,
    )
    rng = random.Random(3)
    stations = list(place["stations"].values())
    for i in range(40):
        mission(
            federations["29"],
            c["door"],
            title=f"Mission {i}",
            days=1 + i % 9,
            hour=rng.choice([9, 14, 19]),
            location=Point(rng.uniform(-4.6, -3.6), rng.uniform(48.0, 48.6), srid=4326),
            stations=rng.sample(stations, rng.randint(0, 2)),
            skills=rng.sample([c["nurse"], c["teacher"]], rng.randint(0, 1)),
            cause=rng.choice([None, c["health"]]),
            capacity_max=rng.choice([1, 5]),
            seats_taken=rng.choice([0, 1]),
        )
    p = ActivistProfile.objects.get(user=member)
    facts = activist_facts(p, Membership.objects.get(user=member))
    kwargs = {"federation_id": federations["29"].pk, "home": p.home_location, "max_distance_km": 80}
    everything = candidate_missions(**kwargs, user_id=member.pk)
    assert len(everything) > 20
    by_python = [m.id for m in best(everything, facts, limit=10)]
    by_database = [m.id for m in ranked_missions(facts, **kwargs, user_id=member.pk, limit=10)]
    assert by_database == by_python


@pytest.mark.django_db
def test_missions_for_me_reads_three_queries_whatever_the_number_of_missions(
    make_member, federations, departements, django_assert_num_queries
):
    place = finistere_place(departements)
    c = catalogue()
    member = make_member(Role.ACTIVIST, "29")
    profile(member, skills=[c["nurse"]], causes=[c["health"]], availability=["saturday"])
    for i in range(30):
        mission(federations["29"], c["door"], title=f"M{i}", stations=[place["stations"]["Carhaix-Plouguer-1"]])
    # The activist's facts, the ranking, the details of the 20 shown; the ranking runs in a
    # transaction of its own with JIT off (a savepoint here, inside the test's transaction).
    with django_assert_num_queries(6) as captured:
        assert len(missions_for(member)) == 20
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    assert statements == ["SELECT", "SAVEPOINT", "SET", "SELECT", "RELEASE", "SELECT"]
    assert captured.captured_queries[2]["sql"] == "SET LOCAL jit = off"


@pytest.mark.django_db(transaction=True)
def test_the_ranking_turns_jit_off_for_itself_only(make_member, federations, departements):
    place = finistere_place(departements)
    c = catalogue()
    member = make_member(Role.ACTIVIST, "29")
    profile(member, skills=[c["nurse"]])
    mission(federations["29"], c["door"], stations=[place["stations"]["Carhaix-Plouguer-1"]])
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
        assert len(missions_for(member)) == 1
        # SET LOCAL ended with the ranking's transaction: the connection's other queries keep JIT.
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"
