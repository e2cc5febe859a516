"""Campaign-experiment benchmark (issue 13): the statistics of the estimate on 5,000 bureaux, and the
simulation's checks of the estimator (recovery of an injected effect, coverage of the interval).

Run: .venv/bin/python bench/run.py evaluation

What is measured: first the statistics alone (hq/experiment_stats.py on numpy arrays); then, on
a database of its own (QG_BENCH_EVALUATION_DB, default qg_bench_evaluation, dropped and created
afresh), the whole service on the same 5,000 bureaux stored as rows: `simulate_outcome`
(`service_simulate_s`) and `estimate_experiment` (`service_estimate_s` without permutations,
`service_estimate_permutations_s` with 1,000), reading results, votes by bloc and 3,000
observations with doors knocked.

The set (NOT real national data): the 201 real bureaux of the official législatives 2024 T1 file
for Finistère circonscriptions 2 and 3 (registered, voters, expressed and left votes), replicated
25 times and cut to 5,000 bureaux. Each copy is jittered with a fixed seed so that copies differ:
registered × (1 + N(0, 5 %)), left share + N(0, 2 points), turnout + N(0, 2 points), kept within
bounds. Strata: copy × circonscription × tercile of the left share (150 strata of about 33
bureaux, a stand-in for profile type × circonscription), 20 % controls.

Figures:
- `estimate_s`: the full estimate (effect on the left share and on turnout, strata fixed effects,
  robust error, no permutations), best of 5; goal ≤ 2 s. Same-run baseline `bare_lstsq_s`: one
  numpy least-squares fit with one dummy per stratum on the same rows (what the estimate would
  cost done the plain way, without its robust error).
- `permutations_s`: 1,000 randomisation-inference permutations (within strata); goal ≤ 5 s.
- Over 200 simulated next elections (hq/experiment_simulation.py: common, stratum and bureau
  shocks; a new draw of the controls each time): `coverage_no_effect`, the share of 95 %
  intervals that cover 0 when no effect is injected (≈ 0.95 expected); with +1.5 points
  injected in treated bureaux, `coverage_with_effect` (the share covering 1.5) and, for the
  first draw, `recovery_effect_points`, `recovery_ci_low`, `recovery_ci_high` and
  `recovery_covered` (1 if its interval covers 1.5). `mde_points`: the design's minimum
  detectable effect on the left share (80 % power, 5 % level).
"""

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import fresh_database  # noqa: E402 (after the path is set)

BENCH_DB = os.environ.get("QG_BENCH_EVALUATION_DB", "qg_bench_evaluation")
OBSERVATIONS = 3000

BUREAUX = 5000
COPIES = 25
CONTROL_SHARE = 0.2
DRAWS = 200
INJECTED_POINTS = 1.5
PERMUTATIONS = 1000
SEED = 2026


def say(name: str, value: float | int, unit: str) -> None:
    print(f"bench evaluation {name} {value} {unit}", flush=True)


def note(text: str) -> None:
    print(f"# evaluation: {text}", file=sys.stderr, flush=True)


def national_set():
    """5,000 jittered copies of the real Finistère bureaux, with strata (see the module docstring)."""
    import numpy as np

    from hq.tests.experiment_data import finistere_bureaux

    real = finistere_bureaux()
    rng = np.random.default_rng(SEED)
    n = len(real["registered"]) * COPIES
    copy = np.repeat(np.arange(COPIES), len(real["registered"]))
    tile = {k: np.tile(v, COPIES) for k, v in real.items()}
    registered = np.maximum(50, np.round(tile["registered"] * (1 + rng.normal(0, 0.05, n))))
    share = np.clip(tile["left"] / tile["expressed"] + rng.normal(0, 0.02, n), 0.02, 0.98)
    turnout = np.clip(tile["voters"] / tile["registered"] + rng.normal(0, 0.02, n), 0.2, 0.95)
    expressed = np.round(registered * turnout * tile["expressed"] / tile["voters"])
    strata = np.empty(n, dtype=object)
    for c in range(COPIES):
        for circo in np.unique(tile["circonscription"]):
            members = np.flatnonzero((copy == c) & (tile["circonscription"] == circo))
            cuts = np.quantile(share[members], [1 / 3, 2 / 3])
            terciles = np.searchsorted(cuts, share[members], side="right")
            strata[members] = [f"{c}-{circo}-t{t}" for t in terciles]
    keep = slice(0, BUREAUX)
    return {
        "registered": registered[keep],
        "voters": np.round(registered * turnout)[keep],
        "expressed": expressed[keep],
        "share": share[keep],
        "turnout": turnout[keep],
        "strata": list(strata[keep]),
    }


def main() -> None:
    import django

    django.setup()
    import numpy as np

    from hq.experiment_simulation import past_spread, simulate_next_election
    from hq.experiment_stats import (
        draw_controls,
        estimate_itt,
        minimum_detectable_effect,
        randomisation_p_value,
    )

    started = time.perf_counter()
    b = national_set()
    strata = b["strata"]
    sd_left = past_spread(b["share"], b["expressed"])
    sd_turnout = past_spread(b["turnout"], b["registered"])
    note(
        f"{BUREAUX} bureaux in {len(set(strata))} strata (replicated, not real national data), "
        f"built in {time.perf_counter() - started:.2f} s"
    )

    def simulate(treated, seed, effect):
        return simulate_next_election(
            left_share=b["share"],
            turnout=b["turnout"],
            strata=strata,
            treated=treated,
            sd_left=sd_left,
            sd_turnout=sd_turnout,
            effect_points=effect,
            seed=seed,
        )

    treated = ~draw_controls(strata, CONTROL_SHARE, SEED)
    sim = simulate(treated, SEED, INJECTED_POINTS)
    y_left = 100 * (sim.left_share - b["share"])
    y_turnout = 100 * (sim.turnout - b["turnout"])

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        left = estimate_itt(y_left, treated, strata)
        estimate_itt(y_turnout, treated, strata)
        timings.append(time.perf_counter() - started)
    say("bureaux", BUREAUX, "bureaux")
    say("estimate_s", round(min(timings), 4), "s")

    codes = np.unique(np.asarray(strata, dtype=str), return_inverse=True)[1]
    design = np.column_stack([treated.astype(float), (codes[:, None] == np.arange(codes.max() + 1)).astype(float)])
    bare = []
    for _ in range(5):
        started = time.perf_counter()
        coefficients, *_ = np.linalg.lstsq(design, y_left, rcond=None)
        bare.append(time.perf_counter() - started)
    note(f"plain least squares: effect {coefficients[0]:.4f}, ours {left.effect:.4f} (the same estimate)")
    say("bare_lstsq_s", round(min(bare), 4), "s")

    started = time.perf_counter()
    p = randomisation_p_value(y_left, treated, strata, permutations=PERMUTATIONS, seed=SEED)
    say("permutations_s", round(time.perf_counter() - started, 3), "s")
    note(f"{PERMUTATIONS} permutations: p = {p:.4f} for the +{INJECTED_POINTS} point draw")

    say("recovery_effect_points", round(left.effect, 3), "points")
    say("recovery_ci_low", round(left.ci_low, 3), "points")
    say("recovery_ci_high", round(left.ci_high, 3), "points")
    say("recovery_covered", int(left.ci_low <= INJECTED_POINTS <= left.ci_high), "bool")

    started = time.perf_counter()
    covered_zero = covered_effect = 0
    for draw in range(DRAWS):
        treated_d = ~draw_controls(strata, CONTROL_SHARE, SEED + draw)
        none = simulate(treated_d, 10_000 + draw, 0.0)
        e = estimate_itt(100 * (none.left_share - b["share"]), treated_d, strata)
        covered_zero += e.ci_low <= 0 <= e.ci_high
        # Fresh shocks for the run with an effect: its coverage is a second, independent check.
        some = simulate(treated_d, 20_000 + draw, INJECTED_POINTS)
        e = estimate_itt(100 * (some.left_share - b["share"]), treated_d, strata)
        covered_effect += e.ci_low <= INJECTED_POINTS <= e.ci_high
    note(f"{DRAWS} simulated draws in {time.perf_counter() - started:.1f} s")
    say("coverage_draws", DRAWS, "draws")
    say("coverage_no_effect", round(covered_zero / DRAWS, 3), "share")
    say("coverage_with_effect", round(covered_effect / DRAWS, 3), "share")
    say("mde_points", round(minimum_detectable_effect(100 * sd_left, strata, CONTROL_SHARE), 3), "points")
    service(b, treated)


def service(b, treated) -> None:
    """The same bureaux as rows: time simulate_outcome and estimate_experiment on them."""
    original = fresh_database(BENCH_DB)
    from django.db import connections

    try:
        experiment = _store(b, treated)
        from observations.evaluation import estimate_experiment, simulate_outcome

        started = time.perf_counter()
        outcome = simulate_outcome(experiment, effect_points=INJECTED_POINTS, seed=SEED)
        say("service_simulate_s", round(time.perf_counter() - started, 3), "s")
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            result = estimate_experiment(experiment, outcome, permutations=0)
            timings.append(time.perf_counter() - started)
        say("service_estimate_s", round(min(timings), 3), "s")
        started = time.perf_counter()
        result = estimate_experiment(experiment, outcome, permutations=PERMUTATIONS)
        say("service_estimate_permutations_s", round(time.perf_counter() - started, 3), "s")
        note(f"service: {result['summary']} ({result['n_bureaux']} bureaux, per door: {result['per_door']})")
    finally:
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = original


def _store(b, treated):
    """Communes, bureaux, baseline results with votes by bloc, a running experiment, observations."""
    import uuid
    from datetime import date

    import numpy as np

    from circonscriptions.models import (
        Commune,
        Departement,
        Election,
        Nuance,
        PollingStation,
        PollingStationResult,
        PollingStationVotes,
    )
    from hq.models import Experiment, ExperimentBureau, ExperimentStatus, Method
    from observations.models import Observation

    started = time.perf_counter()
    departement = Departement.objects.create(code="29", name="Finistère")
    per_commune = 201
    communes = Commune.objects.bulk_create(
        Commune(code=f"29{900 + c}", name=f"Copie {c}", departement=departement)
        for c in range(-(-BUREAUX // per_commune))
    )
    stations = PollingStation.objects.bulk_create(
        PollingStation(commune=communes[i // per_commune], code=str(i % per_commune + 1)) for i in range(BUREAUX)
    )
    baseline = Election.objects.create(slug="legislatives-2024-1", kind="legislatives", year=2024, round=1)
    left_nuance = Nuance.objects.create(election=baseline, code="UG", bloc="left")
    other_nuance = Nuance.objects.create(election=baseline, code="RN", bloc="far_right")
    registered = b["registered"].astype(int)
    voters = np.minimum(b["voters"], registered).astype(int)
    expressed = np.minimum(b["expressed"], voters).astype(int)
    left = np.round(expressed * b["share"]).astype(int)
    results = PollingStationResult.objects.bulk_create(
        PollingStationResult(
            election=baseline,
            polling_station=station,
            registered=registered[i],
            voters=voters[i],
            abstentions=registered[i] - voters[i],
            blank=voters[i] - expressed[i],
            null=0,
            expressed=expressed[i],
        )
        for i, station in enumerate(stations)
    )
    PollingStationVotes.objects.bulk_create(
        PollingStationVotes(result=r, panel=panel, nuance=nuance, candidate=nuance.code, votes=votes)
        for i, r in enumerate(results)
        for panel, nuance, votes in ((1, left_nuance, left[i]), (2, other_nuance, expressed[i] - left[i]))
    )
    method = Method.objects.get(slug="porte-a-porte")
    experiment = Experiment.objects.create(
        name="Bench",
        method=method,
        baseline_election=baseline,
        seed=SEED,
        status=ExperimentStatus.RUNNING,
        starts_on=date(2025, 1, 10),
        ends_on=date(2025, 6, 30),
    )
    ExperimentBureau.objects.bulk_create(
        ExperimentBureau(
            experiment=experiment,
            polling_station=station,
            stratum=b["strata"][i],
            treated=bool(treated[i]),
            registered=registered[i],
        )
        for i, station in enumerate(stations)
    )
    # Observations with doors in treated bureaux (one in twenty covering two bureaux).
    rng = np.random.default_rng(SEED)
    treated_ids = [s.pk for s, t in zip(stations, treated, strict=True) if t]
    observations = Observation.objects.bulk_create(
        Observation(
            idempotency_key=uuid.uuid4(),
            held_on=date(2025, 3, 1),
            departement=departement,
            method=method,
            reaction=3,
            doors_knocked=int(rng.integers(10, 80)),
        )
        for _ in range(OBSERVATIONS)
    )
    through = Observation.polling_stations.through
    links = []
    for n, observation in enumerate(observations):
        picks = rng.choice(treated_ids, size=2 if n % 20 == 0 else 1, replace=False)
        links += [through(observation_id=observation.pk, pollingstation_id=int(s)) for s in picks]
    through.objects.bulk_create(links)
    elapsed = time.perf_counter() - started
    note(f"service set: {BUREAUX} bureaux, results and {OBSERVATIONS} observations stored in {elapsed:.1f} s")
    return experiment


if __name__ == "__main__":
    main()
