"""The demo's finished campaign run as an experiment (issue 13), for `make run`.

The Finistère federation's HQ declared a door-to-door campaign on the top priorities of
circonscriptions 2 and 3 (Brest, the demo's bureaux), drew the control bureaux from a fixed
seed, launched it; the demo activist reported door-to-door in a few treated bureaux (and one
visit in a control bureau: non-compliance). No real election has followed the campaign yet:
its outcome is SIMULATED (observations.evaluation.simulate_outcome, an effect of
`EFFECT_POINTS` injected in the treated bureaux) and every page says « résultat simulé ».
Then QG estimates the effect as it would on real results.

Every step goes through the same services as the pages (hq.experiments, observations).
Idempotent: a campaign of that name already finished is left alone; one left half-way (a
load interrupted) is taken up where it stopped; reports have fixed idempotency keys, and the
simulated election is rebuilt identically from its seed.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from circonscriptions.models import Election, PollingStationProfile
from hq.experiment_stats import ExperimentError
from hq.experiments import create_experiment, draw, start
from hq.models import Experiment, ExperimentStatus, Federation, Method, User
from observations.evaluation import estimate_experiment, simulate_outcome
from observations.services import ObservationData, observation_submit

DEMO_NAME = "Porte-à-porte de Brest, printemps (démo)"
DEMO_HQ = "federation29@qg.example"
DEMO_ACTIVIST = "militant29@qg.example"
CIRCONSCRIPTIONS = ("2902", "2903")
TOP_PER_CIRCONSCRIPTION = 40
BASELINE = "legislatives-2024-1"
DRAW_SEED = 2912
OUTCOME_SEED = 29
EFFECT_POINTS = 2.0  # injected in the simulated outcome, on the left's share of the expressed votes
TURNOUT_EFFECT_POINTS = 0.5
# Nine treated bureaux in ten were visited, each twice (a hundred doors or so each time): a few
# votes per 100 doors, the order of magnitude Pons measured in 2012.
VISITED_SHARE = 0.9
VISITS_PER_BUREAU = 2
DEMO_NAMESPACE = uuid.UUID("2f0d6c1e-3b8a-4e0f-9d53-1d2a8c6b7e13")
# The campaign ran from about ten to six months before the demo is loaded: finished, and before
# the other demo reports (the last four months), so that they do not count in it.
STARTS_DAYS_AGO, ENDS_DAYS_AGO = 300, 180


def _targets() -> list[int]:
    ids: list[int] = []
    for code in CIRCONSCRIPTIONS:
        ids += list(
            PollingStationProfile.objects.current()
            .filter(circonscription__code=code, rank_circonscription__isnull=False)
            .order_by("rank_circonscription")
            .values_list("polling_station_id", flat=True)[:TOP_PER_CIRCONSCRIPTION]
        )
    return ids


def _declare(federation: Federation, hq: User) -> Experiment | None:
    baseline = Election.objects.filter(slug=BASELINE).first()
    method = Method.objects.filter(slug="porte-a-porte").first()
    targets = _targets()
    if baseline is None or method is None or len(targets) < 4:
        return None
    today = timezone.localdate()
    return create_experiment(
        by=hq,
        name=DEMO_NAME,
        description=(
            "Campagne de démonstration : porte-à-porte dans les bureaux prioritaires de Brest, un cinquième "
            "des bureaux tirés au sort comme témoins. L'élection de sortie est simulée."
        ),
        method=method,
        baseline_election=baseline,
        starts_on=today - timedelta(days=STARTS_DAYS_AGO),
        ends_on=today - timedelta(days=ENDS_DAYS_AGO),
        federation=federation,
        station_ids=targets,
        control_share=0.2,
    )


def _dated_as_when_it_ran(experiment: Experiment) -> None:
    """The demo replays a campaign of the past: its draw and launch are dated the eve of its
    first day, as they were when it ran, not the day the demo is loaded (the page said
    « lancée le 5 décembre » for a campaign of February to June). Only these two dates move."""
    eve = timezone.make_aware(datetime.combine(experiment.starts_on - timedelta(days=1), time(18, 0)))
    Experiment.objects.filter(pk=experiment.pk).update(drawn_at=eve, started_at=eve + timedelta(minutes=30))
    experiment.refresh_from_db(fields=["drawn_at", "started_at"])


def _reports(experiment: Experiment, activist: User) -> int:
    """Door-to-door reports in treated bureaux, and one visit in a control bureau (non-compliance)."""
    bureaux = list(experiment.bureaux.select_related("polling_station__commune").order_by("polling_station_id"))
    treated = [b.polling_station for b in bureaux if b.treated]
    controls = [b.polling_station for b in bureaux if not b.treated]
    method = experiment.method
    rng = random.Random(DRAW_SEED)  # noqa: S311 — made-up demo figures, not security
    visited = rng.sample(treated, round(VISITED_SHARE * len(treated)))
    visits = [(station, f"{station.pk}-{k}") for station in visited for k in range(VISITS_PER_BUREAU)]
    if controls:
        visits.append((controls[0], "control"))
    added = 0
    for station, key in visits:
        knocked = rng.randint(70, 140)
        opened = rng.randint(knocked // 3, knocked // 2)
        data = ObservationData(
            idempotency_key=uuid.uuid5(DEMO_NAMESPACE, f"experiment-demo-{key}"),
            held_on=experiment.starts_on
            + timedelta(days=rng.randint(0, (experiment.ends_on - experiment.starts_on).days)),
            method_id=method.pk,
            reaction=rng.randint(2, 5),
            commune=station.commune,
            polling_stations=[station],
            action="Porte-à-porte de la campagne testée",
            theme_ids=[],
            doors_knocked=knocked,
            doors_opened=opened,
            conversations=rng.randint(opened // 2, opened),
            interested=rng.randint(0, opened // 4),
            leaflets=knocked,
            reaction_text="",
            concern_ids=[],
            concerns_other=[],
            worked="",
            did_not_work="",
        )
        _observation, created = observation_submit(data=data, by=activist)
        added += created
    return added


def experiment_demo_load(*, write: Callable[[str], None]) -> Experiment | None:
    """The demo's finished campaign (see the module docstring); None when the demo data lack what it needs."""
    federation = Federation.objects.filter(departement__code="29").first()
    hq = User.objects.filter(email=DEMO_HQ).first()
    activist = User.objects.filter(email=DEMO_ACTIVIST).first()
    if federation is None or hq is None or activist is None:
        return None
    experiment = Experiment.objects.filter(federation=federation, name=DEMO_NAME).first()
    if experiment is not None and experiment.status == ExperimentStatus.FINISHED:
        return experiment
    try:
        if experiment is None:
            experiment = _declare(federation, hq)
            if experiment is None:
                return None
        if experiment.status == ExperimentStatus.DRAFT:
            experiment = draw(experiment, seed=DRAW_SEED, by=hq)
        if experiment.status == ExperimentStatus.DRAWN:
            experiment = start(experiment, by=hq)
        _dated_as_when_it_ran(experiment)
        reports = _reports(experiment, activist)
        outcome = simulate_outcome(
            experiment, effect_points=EFFECT_POINTS, turnout_effect_points=TURNOUT_EFFECT_POINTS, seed=OUTCOME_SEED
        )
        result = estimate_experiment(experiment, outcome)
    except (ExperimentError, ValidationError) as error:
        # Demo data the design cannot work with (a smaller set, say): the rest of the demo still loads.
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        write(f"  (campagne testée de démonstration non chargée : {message})")
        return None
    experiment.refresh_from_db()
    write(
        f"→ campagne testée « {experiment.name} » : {experiment.bureaux.count()} bureaux, graine {experiment.seed}, "
        f"{reports} comptes rendus ; résultat SIMULÉ — {result.get('summary', '')}"
    )
    return experiment
