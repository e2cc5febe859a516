"""Composition of a fiche from the real Brest data: map, facts, targeting, methods, observations slot."""

import pytest

from circonscriptions.models import Circonscription, PollingStation, PollingStationProfile, ProfileRun
from fiches.compose import (
    MAX_SUGGESTED,
    NO_OBSERVATION,
    PRIORITY_STATIONS,
    compose_automatic,
    compose_content,
    default_title,
)
from fiches.svgmap import map_svg

pytestmark = pytest.mark.django_db


def test_a_circonscription_fiche_marks_its_best_ranked_stations_with_reasons(brest_data):
    circo = Circonscription.objects.get(code="2902")
    auto = compose_automatic(circonscription=circo)

    run = ProfileRun.objects.current()
    best = list(
        PollingStationProfile.objects.filter(run=run, circonscription=circo, priority_score__isnull=False)
        .order_by("-priority_score", "polling_station_id")
        .values_list("polling_station_id", flat=True)[:PRIORITY_STATIONS]
    )
    priorities = auto["targeting"]["priorities"]
    assert [p["station_id"] for p in priorities] == best
    assert all("voix gagnées par heure" in p["reason"] for p in priorities)
    assert auto["targeting"]["audience"] in {"abstainers", "swing"}
    marked = {s["id"]: s["priority_rank"] for s in auto["map"]["stations"] if s["priority_rank"]}
    assert marked and marked == {sid: i for i, sid in enumerate(best, start=1) if sid in marked}
    # Every Brest station of 2902 with a contour is on the map; communes and outline too.
    with_shape = PollingStation.objects.filter(circonscription=circo, shape__isnull=False).count()
    assert len(auto["map"]["stations"]) == with_shape > 50
    assert auto["map"]["outline"]["type"] in {"Polygon", "MultiPolygon"}
    assert any(c["name"] == "Brest" for c in auto["map"]["communes"])


def test_facts_come_from_the_insee_circonscription_file(brest_data):
    auto = compose_automatic(circonscription=Circonscription.objects.get(code="2902"))
    facts = {f["code"]: f for f in auto["facts"]}
    # indic-stat-circonscriptions-legislatives-2022.csv, row 29002: actcho 7.1, locatai 52.3; France: 6.2.
    assert facts["actcho"]["value"] == pytest.approx(7.1)
    assert facts["actcho"]["national"] == pytest.approx(6.2)
    assert facts["locatai"]["value"] == pytest.approx(52.3)


def test_a_sector_fiche_covers_only_its_stations(brest_data):
    circo = Circonscription.objects.get(code="2902")
    ids = list(
        PollingStation.objects.filter(circonscription=circo, shape__isnull=False).values_list("pk", flat=True)[:5]
    )
    auto = compose_automatic(circonscription=circo, station_ids=ids)
    assert {s["id"] for s in auto["map"]["stations"]} == set(ids)
    assert auto["map"]["outline"] is None and auto["sector"]["count"] == 5
    assert {p["station_id"] for p in auto["targeting"]["priorities"]} <= set(ids)


def test_without_profiles_the_fiche_says_so_and_suggests_nothing_by_leaning(brest_data):
    circo = Circonscription.objects.get(code="2902")
    ProfileRun.objects.filter(is_current=True).update(is_current=False)  # rolled back after the test
    auto = compose_automatic(circonscription=circo)
    assert auto["targeting"]["available"] is False
    assert "pas encore calculés" in auto["targeting"]["message"]
    assert all(s["priority_rank"] is None for s in auto["map"]["stations"])
    content = compose_content(automatic=auto, title=default_title(circo), fiche_id=None, circonscription=circo)
    assert content["observations"]["items"] == [] and content["observations"]["empty"] == NO_OBSERVATION


def test_methods_are_suggested_from_the_catalogue_for_the_territory(brest_data):
    circo = Circonscription.objects.get(code="2902")
    auto = compose_automatic(circonscription=circo)
    content = compose_content(automatic=auto, title="t", fiche_id=None, circonscription=circo)
    assert auto["tags"]  # Brest 2902 has leaning stations and hotspots
    assert content["methods_origin"] == "suggested"
    slugs = [m["slug"] for m in content["methods"]]
    assert "porte-a-porte" in slugs  # seeded with suits left/swing/abstention: fits the most
    assert len(slugs) == MAX_SUGGESTED
    door = content["methods"][slugs.index("porte-a-porte")]
    assert "5 minutes" in door["script"] and "Pons" in door["sources"]


def test_the_svg_map_draws_one_path_per_station_and_numbers_the_priorities(brest_data):
    auto = compose_automatic(circonscription=Circonscription.objects.get(code="2902"))
    svg = map_svg(auto["map"])
    assert svg.count("data-station=") == len(auto["map"]["stations"])
    ranks = [s["priority_rank"] for s in auto["map"]["stations"] if s["priority_rank"]]
    for rank in ranks:
        assert f">{rank}</text>" in svg
