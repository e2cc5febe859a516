"""Estimating a campaign experiment on the real législatives 2024 T1 file of Finistère 2 and 3 (201
bureaux, imported with the project's importer) as the baseline, with a simulated outcome: the
injected effect is recovered, doors come from the observations, each bad input is refused in
French with nothing saved, and estimating or simulating again changes nothing."""

import uuid
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from circonscriptions.models import Departement, Election, PollingStation, PollingStationResult, PollingStationVotes
from hq.experiment_stats import ExperimentError, draw_controls
from hq.models import Experiment, ExperimentBureau, ExperimentStatus, Federation, Method
from observations.evaluation import (
    doors_by_station,
    estimate_experiment,
    results_by_station,
    simulate_outcome,
)
from observations.models import Observation

BASELINE = "legislatives-2024-1"
RESULT_KEYS = {
    "baseline_election",
    "outcome_election",
    "simulated",
    "n_bureaux",
    "n_treated",
    "n_control",
    "n_strata",
    "excluded",
    "left_share",
    "turnout",
    "per_door",
    "noncompliance",
    "caveats",
    "summary",
}
EFFECT_KEYS = {"effect", "se", "ci_low", "ci_high", "p_value", "permutations"} | {
    "treated_mean_change",
    "control_mean_change",
}


def _load_finistere() -> None:
    from circonscriptions.importers.results import results_import
    from circonscriptions.importers.territory import territory_import

    territory_import(departements=["29"])
    path = Path(settings.DATA_DIR) / "elections" / "lg2024-t1-bureaux-29-circos-02-03.csv"
    results_import(path=path, election_slug=BASELINE)


@pytest.fixture(scope="module")
def finistere(committed_data):
    committed_data(_load_finistere)


@pytest.fixture
def experiment(finistere, db) -> Experiment:
    """A running campaign on the 201 bureaux: 6 strata (circonscription × left-share tercile), 20 % controls."""
    baseline = Election.objects.get(slug=BASELINE)
    federation, _ = Federation.objects.get_or_create(
        departement=Departement.objects.get(code="29"), defaults={"name": "Fédération du Finistère"}
    )
    experiment = Experiment.objects.create(
        federation=federation,
        name="Porte-à-porte Brest 2025",
        method=Method.objects.get(slug="porte-a-porte"),
        baseline_election=baseline,
        control_share=0.2,
        seed=2026,
        status=ExperimentStatus.RUNNING,
        starts_on=date(2025, 1, 10),
        ends_on=date(2025, 6, 30),
    )
    stations = sorted(results_by_station(baseline, list(PollingStation.objects.values_list("id", flat=True))).items())
    shares = {s: r.votes.get("left", 0) / r.expressed for s, r in stations}
    # Terciles of the left share within each half of the list (a stand-in for profile type × circonscription).
    strata = []
    for i, (station, _r) in enumerate(stations):
        half = [s for s, _ in stations[:100]] if i < 100 else [s for s, _ in stations[100:]]
        rank = sorted(half, key=lambda s: shares[s]).index(station)
        strata.append(f"{'A' if i < 100 else 'B'}-t{rank * 3 // len(half)}")
    control = draw_controls(strata, experiment.control_share, experiment.seed)
    ExperimentBureau.objects.bulk_create(
        ExperimentBureau(
            experiment=experiment,
            polling_station_id=station,
            stratum=stratum,
            treated=not held,
            registered=r.registered,
        )
        for (station, r), stratum, held in zip(stations, strata, control, strict=True)
    )
    return experiment


def _observation(stations, *, doors: int, held_on: date = date(2025, 3, 1)) -> Observation:
    observation = Observation.objects.create(
        idempotency_key=uuid.uuid4(),
        held_on=held_on,
        departement=Departement.objects.get(code="29"),
        method=Method.objects.get(slug="porte-a-porte"),
        reaction=3,
        doors_knocked=doors,
    )
    observation.polling_stations.add(*stations)
    return observation


def _unchanged(experiment: Experiment) -> None:
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING
    assert experiment.result == {} and experiment.outcome_election is None and experiment.estimated_at is None


# ---------------------------------------------------------------------------------------------
# The whole estimate


@pytest.mark.django_db
def test_an_effect_injected_in_a_simulated_outcome_is_recovered_and_stored_with_the_contract_keys(experiment):
    outcome = simulate_outcome(experiment, effect_points=3.0, turnout_effect_points=0.0, seed=7)
    assert outcome.slug == f"sim-{experiment.pk}-7" and outcome.date > experiment.ends_on
    assert PollingStationResult.objects.filter(election=outcome).count() == 201

    result = estimate_experiment(experiment, outcome, permutations=300)

    assert set(result) == RESULT_KEYS
    assert set(result["left_share"]) == EFFECT_KEYS and set(result["turnout"]) == EFFECT_KEYS
    left = result["left_share"]
    assert left["ci_low"] <= 3.0 <= left["ci_high"] and left["ci_low"] > 0
    assert left["p_value"] < 0.01 and left["permutations"] == 300
    assert left["treated_mean_change"] - left["control_mean_change"] == pytest.approx(left["effect"], abs=1.0)
    assert result["turnout"]["ci_low"] <= 0 <= result["turnout"]["ci_high"]  # no effect on turnout injected
    assert result["simulated"] is True and result["outcome_election"]["label"] == "Législatives 2025 (simulée)"
    assert result["baseline_election"] == {"slug": BASELINE, "label": "Législatives 2024"}
    assert (result["n_bureaux"], result["n_strata"]) == (201, 6)
    # Strata of 34, 33, 33 and 34, 34, 33 bureaux: 7 controls each (0.2 × 33 = 6.6 rounds to 7).
    assert (result["n_treated"], result["n_control"]) == (159, 42)
    assert result["excluded"] == [] and result["per_door"] is None
    assert any(c.startswith("Résultat simulé") for c in result["caveats"])
    assert result["summary"].startswith("Effet estimé sur la part de la gauche : +")
    assert " point" in result["summary"] and "[" in result["summary"] and "(p < 0,01)" in result["summary"]

    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.FINISHED and experiment.outcome_simulated is True
    assert experiment.outcome_election == outcome and experiment.estimated_at is not None
    assert experiment.result == result


@pytest.mark.django_db
def test_the_simulated_votes_carry_the_bloc_nuances_and_add_up_to_the_expressed_votes(experiment):
    outcome = simulate_outcome(experiment, effect_points=0.0, seed=3)
    results = results_by_station(outcome, list(experiment.bureaux.values_list("polling_station_id", flat=True)))
    assert len(results) == 201
    for r in results.values():
        assert sum(r.votes.values()) == r.expressed and r.voters == r.expressed + r.blank + r.null
        assert set(r.votes) <= {"left", "centre", "right", "far_right", "other"} and r.votes["left"] > 0


@pytest.mark.django_db
def test_doors_are_split_equally_among_an_observations_bureaux_and_give_the_effect_per_door(experiment):
    bureaux = list(experiment.bureaux.order_by("polling_station_id"))
    treated = [b.polling_station_id for b in bureaux if b.treated]
    control = [b.polling_station_id for b in bureaux if not b.treated]
    for i, station in enumerate(treated[:90]):
        _observation([station], doors=40 + i % 30)
    _observation([treated[0], treated[1]], doors=100)  # 50 doors each
    _observation([control[0]], doors=30)  # non-compliance
    _observation([control[0], control[1]], doors=0)
    _observation([treated[100]], doors=500, held_on=date(2024, 12, 31))  # before the campaign: not counted

    doors, filed = doors_by_station(experiment, [b.polling_station_id for b in bureaux])
    assert doors[treated[0]] == 40 + 50 and doors[treated[1]] == 41 + 50
    assert treated[100] not in doors and doors[control[0]] == 30 and len(filed[control[0]]) == 2

    outcome = simulate_outcome(experiment, effect_points=2.0, seed=11)
    result = estimate_experiment(experiment, outcome, permutations=0)
    per_door = result["per_door"]
    assert per_door is not None and set(per_door) == {
        "effect",
        "ci_low",
        "ci_high",
        "doors_treated",
        "doors_control",
        "compliance",
    }
    assert per_door["doors_treated"] == sum(40 + i % 30 for i in range(90)) + 100
    assert per_door["doors_control"] == 30
    assert per_door["compliance"] == pytest.approx(90 / 159, abs=1e-4)
    assert per_door["ci_low"] < per_door["effect"] < per_door["ci_high"]
    assert result["noncompliance"] == {"control_bureaux": 2, "observations": 2, "doors": 30}
    assert any("signalées dans 2 bureaux témoins pendant" in c for c in result["caveats"])
    assert result["left_share"]["p_value"] is None and "(p" not in result["summary"]


# ---------------------------------------------------------------------------------------------
# Refusals: a French sentence, nothing saved


@pytest.mark.django_db
def test_an_outcome_not_after_the_baseline_or_before_the_campaign_is_refused(experiment):
    with pytest.raises(ExperimentError, match="doit avoir lieu après l'élection de référence"):
        estimate_experiment(experiment, experiment.baseline_election)
    early = Election.objects.create(
        slug="europeennes-2024-1", kind="europeennes", year=2024, round=1, date=date(2024, 12, 1)
    )
    with pytest.raises(ExperimentError, match="avant le début de la campagne"):
        estimate_experiment(experiment, early)
    _unchanged(experiment)


@pytest.mark.django_db
def test_an_outcome_without_results_or_missing_many_bureaux_is_refused(experiment):
    empty = Election.objects.create(slug="legislatives-2026-1", kind="legislatives", year=2026, round=1)
    with pytest.raises(ExperimentError, match="aucun résultat dans les bureaux de la campagne"):
        estimate_experiment(experiment, empty)
    outcome = simulate_outcome(experiment, effect_points=1.0, seed=5)
    gone = list(experiment.bureaux.values_list("polling_station_id", flat=True)[:50])
    PollingStationVotes.objects.filter(result__election=outcome, result__polling_station_id__in=gone).delete()
    PollingStationResult.objects.filter(election=outcome, polling_station_id__in=gone).delete()
    with pytest.raises(ExperimentError, match="Les résultats manquent pour 50 des 201 bureaux"):
        estimate_experiment(experiment, outcome)
    _unchanged(experiment)


@pytest.mark.django_db
def test_redrawn_bureaux_are_left_out_and_listed_and_too_few_usable_strata_are_refused(experiment):
    outcome = simulate_outcome(experiment, effect_points=1.0, seed=5)
    a_strata = list(experiment.bureaux.filter(stratum__startswith="A-").values_list("polling_station_id", flat=True))
    # Five bureaux of stratum group A had 40 % more registered voters: probably redrawn.
    for result in PollingStationResult.objects.filter(election=outcome, polling_station_id__in=a_strata[:5]):
        result.registered = int(result.registered * 1.4)
        result.abstentions = result.registered - result.voters
        result.save(update_fields=["registered", "abstentions"])
    result = estimate_experiment(experiment, outcome, permutations=0)
    assert len(result["excluded"]) == 5 and result["n_bureaux"] == 196
    first = result["excluded"][0]
    assert " — bureau " in first["bureau"] and "probablement redécoupé" in first["reason"]
    assert "au-delà du seuil de 15" in first["reason"]

    # Now every bureau of group A was redrawn: only the three strata of B remain… then only one.
    experiment.status = ExperimentStatus.RUNNING
    experiment.save(update_fields=["status"])
    b_strata = experiment.bureaux.filter(stratum__startswith="B-").exclude(stratum="B-t0")
    redrawn = [*a_strata, *b_strata.values_list("polling_station_id", flat=True)]
    PollingStationResult.objects.filter(election=outcome, polling_station_id__in=redrawn).update(registered=5000)
    before = Experiment.objects.get(pk=experiment.pk).result
    with pytest.raises(ExperimentError, match="il reste 1 strate.*au moins 2"):
        estimate_experiment(experiment, outcome)
    assert Experiment.objects.get(pk=experiment.pk).result == before


@pytest.mark.django_db
def test_a_campaign_not_drawn_is_refused_and_an_absurd_simulated_effect_too(experiment):
    experiment.status = ExperimentStatus.DRAFT
    experiment.save(update_fields=["status"])
    outcome = simulate_outcome(experiment, effect_points=1.0, seed=1)
    with pytest.raises(ExperimentError, match="pas de tirage en cours"):
        estimate_experiment(experiment, outcome)
    with pytest.raises(ExperimentError, match="ne peut dépasser 50 points"):
        simulate_outcome(experiment, effect_points=80.0, seed=1)


@pytest.mark.django_db
def test_a_different_kind_of_election_is_allowed_and_said_in_the_caveats(experiment):
    outcome = simulate_outcome(experiment, effect_points=1.0, seed=9)
    Election.objects.filter(pk=outcome.pk).update(kind="europeennes")
    outcome.refresh_from_db()
    result = estimate_experiment(experiment, outcome, permutations=0)
    assert any("ne sont pas du même type" in c for c in result["caveats"])


# ---------------------------------------------------------------------------------------------
# Idempotence


def _snapshot(election: Election) -> list[tuple]:
    return sorted(
        PollingStationResult.objects.filter(election=election).values_list(
            "polling_station_id", "registered", "voters", "blank", "null", "expressed"
        )
    ) + sorted(
        PollingStationVotes.objects.filter(result__election=election).values_list(
            "result__polling_station_id", "panel", "nuance__code", "votes"
        )
    )


@pytest.mark.django_db
def test_simulating_twice_with_the_same_seed_and_estimating_twice_change_nothing(experiment):
    first = simulate_outcome(experiment, effect_points=1.5, seed=21)
    snapshot = _snapshot(first)
    again = simulate_outcome(experiment, effect_points=1.5, seed=21)
    assert again.pk == first.pk and _snapshot(again) == snapshot
    assert Election.objects.filter(slug__startswith="sim-").count() == 1
    other = simulate_outcome(experiment, effect_points=1.5, seed=22)
    assert _snapshot(other) != snapshot

    result = estimate_experiment(experiment, first, permutations=200)
    assert estimate_experiment(experiment, first, permutations=200) == result
    experiment.refresh_from_db()
    assert experiment.result == result


@pytest.mark.django_db
def test_the_simulation_takes_a_bureausbureau_own_spread_from_its_profile_when_it_has_one(experiment):
    from circonscriptions.importers.results import results_import
    from circonscriptions.models import PollingStationProfile, ProfileSettings
    from circonscriptions.profiles.services import profiles_recompute
    from hq.experiment_simulation import EXTRA_SD
    from observations.evaluation import OWN_SD_BOUNDS, bureau_own_spread

    # Brest's own 2022 export (2nd circonscription) gives its bureaux a second election, hence a spread.
    path = Path(settings.DATA_DIR) / "elections" / "lg2022-t1-bureaux-brest-circo-29-02.csv"
    results_import(path=path, election_slug="legislatives-2022-1")
    profile_settings = ProfileSettings.load()
    profile_settings.unlabelled_threshold = 1.0  # that export leaves most candidates without a nuance
    profile_settings.save()
    profiles_recompute(by="test")
    spread = dict(
        PollingStationProfile.objects.current().filter(margin_sd__gt=0).values_list("polling_station", "margin_sd")
    )
    ids = list(experiment.bureaux.order_by("polling_station_id").values_list("polling_station_id", flat=True))
    own = bureau_own_spread(ids)
    with_profile = [i for i, s in enumerate(ids) if s in spread]
    assert 0 < len(with_profile) < len(ids)
    for i, station in enumerate(ids):
        expected = min(max(spread[station] / 2, OWN_SD_BOUNDS[0]), OWN_SD_BOUNDS[1]) if station in spread else EXTRA_SD
        assert own[i] == pytest.approx(expected)


@pytest.mark.django_db
def test_a_simulated_election_never_feeds_the_profiles_nor_the_electoral_calendar(experiment):
    from circonscriptions.profiles.services import profiles_recompute
    from hq.electoral_law import election_days

    simulated = simulate_outcome(experiment, effect_points=1.5, seed=5)
    assert simulated.simulated and str(simulated).endswith("(simulée)")

    run = profiles_recompute()

    assert run.elections and simulated.slug not in run.elections
    assert simulated.slug not in {day.slug for day in election_days(from_date=experiment.starts_on)}


@pytest.mark.django_db
def test_estimating_again_keeps_the_record_of_the_parameters_an_earlier_estimate_set(experiment):
    from hq.experiment_learning import USED_KEY

    outcome = simulate_outcome(experiment, effect_points=1.5, seed=8)
    estimate_experiment(experiment, outcome, permutations=100)
    experiment.refresh_from_db()
    record = {"persuasion_effect": {"value": 0.07, "low": 0.02, "high": 0.12, "at": "2026-12-05T02:00:00"}}
    experiment.result = {**experiment.result, USED_KEY: record}
    experiment.save(update_fields=["result"])

    estimate_experiment(experiment, outcome, permutations=100)

    experiment.refresh_from_db()
    assert experiment.result[USED_KEY] == record
    assert experiment.result["left_share"]["permutations"] == 100
