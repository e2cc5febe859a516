"""Composition of a fiche from the real Brest data: map, facts, targeting, methods, observations slot."""

import pytest

from circonscriptions.models import Circonscription, Leaning, PollingStation, PollingStationProfile, ProfileRun
from circonscriptions.profiles.leanings import LEANING_COLOURS
from fiches.compose import (
    MAX_SUGGESTED,
    NO_OBSERVATION,
    PRIORITY_STATIONS,
    compose_automatic,
    compose_content,
    default_title,
    method_entry,
    suggested_methods,
)
from fiches.svgmap import map_svg
from hq.models import Method

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
    assert all("voix gagnées pour 20 heures de porte-à-porte" in p["reason"] for p in priorities)
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


def test_the_targeting_counts_the_five_leaning_classes_and_names_the_elections_left_out(brest_data):
    circo = Circonscription.objects.get(code="2902")
    run = ProfileRun.objects.current()
    profiles = PollingStationProfile.objects.filter(run=run, circonscription=circo)
    first, second, third = profiles.order_by("pk")[:3]
    profiles.update(excluded_elections=[])  # whatever the rules left out, this test states its own
    # Rolled back after the test: one bureau led by Ensemble, one by the far right, two leaving 2022 out.
    PollingStationProfile.objects.filter(pk=first.pk).update(leaning=Leaning.CENTRE, opponent="centre")
    PollingStationProfile.objects.filter(pk=second.pk).update(leaning=Leaning.FAR_RIGHT)
    left_out = [{"election": "lg2022-t1", "label": "Législatives 2022 T1", "reason": "Nuances manquantes."}]
    PollingStationProfile.objects.filter(pk__in=[second.pk, third.pk]).update(excluded_elections=left_out)

    targeting = compose_automatic(circonscription=circo)["targeting"]
    counts = targeting["counts"]
    assert set(counts) == {"left", "swing", "centre", "right", "far_right"}
    assert counts["centre"] >= 1 and counts["far_right"] >= 1
    assert sum(counts.values()) == targeting["stations"] == profiles.count()
    # Singular for one bureau, plural otherwise (the rules may class more bureaux than ours).
    for key, one, many in (("centre", "dominé", "dominés"), ("far_right", "dominé", "dominés")):
        bloc = "par Ensemble" if key == "centre" else "par l'extrême droite"
        word = one if counts[key] == 1 else many
        assert f"{counts[key]} {word} {bloc}" in targeting["counts_line"]
    assert targeting["excluded"] == (
        f"Élections laissées de côté : Législatives 2022 T1 dans 2 bureaux sur {profiles.count()} (Nuances manquantes)."
    )


def test_a_method_that_suited_the_old_right_suits_every_opposing_bloc_and_a_new_one_only_its_own(db):
    old = Method(slug="old", name="Ancienne", suits=["swing", "right"])
    assert old.suited_kinds() == {"swing", "centre", "right", "far_right"}
    new = Method(slug="new", name="Nouvelle", suits=["centre", "right"])
    assert new.suited_kinds() == {"centre", "right"}
    assert method_entry(old, ["far_right", "abstention"])["fits"] == ["bureaux dominés par l'extrême droite"]
    assert method_entry(new, ["far_right"])["fits"] == []


def test_a_territory_led_by_ensemble_gets_the_methods_that_suited_the_old_right(db):
    suggested = {m.slug for m in suggested_methods(["centre"])}
    seeded_right = {m.slug for m in Method.objects.all() if "right" in m.suits}
    assert seeded_right and suggested and suggested <= seeded_right


def test_the_svg_map_legend_has_a_title_and_the_five_classes_in_their_colours(brest_data):
    svg = map_svg(compose_automatic(circonscription=Circonscription.objects.get(code="2902"))["map"])
    assert "Ancrage des bureaux de vote" in svg
    for label in ("acquis à gauche", "dominé par Ensemble", "dominé par la droite", "dominé par l&#x27;extrême droite"):
        assert label in svg
    for colour in LEANING_COLOURS.values():
        assert f'fill="{colour}"' in svg


def test_a_method_naming_an_unknown_kind_of_territory_is_refused_in_french(db):
    from django.core.exceptions import ValidationError

    method = Method(slug="stand-new", name="Stand", suits=["left", "droite"])
    with pytest.raises(ValidationError) as refused:
        method.full_clean()
    assert "Type de territoire inconnu : droite" in str(refused.value.message_dict["suits"])
    Method(slug="stand-new", name="Stand", suits=["far_right", "abstention"]).full_clean()
