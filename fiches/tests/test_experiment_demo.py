"""The demo's finished Finistère campaign: top priorities of circonscriptions 2 and 3, a fixed
draw, door-to-door reports, a SIMULATED outcome and its estimate; a second load changes nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from circonscriptions.models import Election, PollingStationResult
from fiches import experiment_demo
from hq.demo import demo_load
from hq.models import Experiment, ExperimentBureau, ExperimentStatus, User
from observations.models import Observation

pytestmark = pytest.mark.django_db


def _rows():
    experiment = Experiment.objects.get(name=experiment_demo.DEMO_NAME)
    return {
        "experiments": list(Experiment.objects.values_list("pk", "status", "seed", "estimated_at", "result")),
        "bureaux": sorted(ExperimentBureau.objects.values_list("pk", "polling_station_id", "stratum", "treated")),
        "observations": sorted(Observation.objects.values_list("pk", "held_on", "doors_knocked")),
        "outcome": sorted(
            PollingStationResult.objects.filter(election=experiment.outcome_election).values_list(
                "pk", "polling_station_id", "voters", "expressed"
            )
        ),
        "elections": sorted(Election.objects.values_list("pk", "slug")),
    }


def test_the_demo_campaign_is_finished_simulated_and_loads_once(brest_data, client):
    demo_load()
    lines: list[str] = []
    experiment = experiment_demo.experiment_demo_load(write=lines.append)
    assert experiment is not None and experiment.status == ExperimentStatus.FINISHED
    assert experiment.seed == experiment_demo.DRAW_SEED and experiment.federation.departement.code == "29"
    assert experiment.outcome_simulated and experiment.result["simulated"] is True
    assert experiment.outcome_election.slug.startswith("sim-")
    # Target bureaux: the top priorities of circonscriptions 2902 and 2903, a fifth held back as controls.
    circos = set(experiment.bureaux.values_list("polling_station__circonscription__code", flat=True))
    assert circos == {"2902", "2903"}
    n = experiment.bureaux.count()
    assert n == 2 * experiment_demo.TOP_PER_CIRCONSCRIPTION
    assert 0.15 * n <= experiment.bureaux.filter(treated=False).count() <= 0.25 * n
    # Doors knocked in treated bureaux, one visit in a control bureau (non-compliance).
    assert experiment.result["per_door"]["doors_treated"] > 0
    assert experiment.result["noncompliance"]["control_bureaux"] == 1
    left = experiment.result["left_share"]
    assert left["ci_low"] < left["ci_high"] and left["permutations"] == 1000
    assert "SIMULÉ" in lines[0] and experiment.result["summary"] in lines[0]

    before = _rows()
    assert experiment_demo.experiment_demo_load(write=lines.append).pk == experiment.pk
    assert _rows() == before and len(lines) == 1

    client.force_login(User.objects.get(email=experiment_demo.DEMO_HQ))
    body = client.get(reverse("evaluation:results", kwargs={"pk": experiment.pk})).content.decode()
    assert "Résultat simulé — pas un vrai scrutin" in body and experiment.result["summary"] in body
    catalogue = client.get(reverse("methods")).content.decode()
    assert "Campagne Porte-à-porte de Brest, printemps (démo) (fédération 29," in catalogue
    assert "résultat simulé" in catalogue


def test_the_demo_campaign_was_drawn_and_launched_before_its_first_day(brest_data, client):
    # Its page reads « lancée le … »: the eve of the campaign, not the day the demo was loaded.
    demo_load()
    experiment = experiment_demo.experiment_demo_load(write=lambda line: None)
    assert experiment is not None
    drawn, started = timezone.localtime(experiment.drawn_at), timezone.localtime(experiment.started_at)
    assert drawn < started and started.date() < experiment.starts_on
    assert (experiment.starts_on - started.date()).days == 1
    # Every report of the campaign comes after its launch.
    assert all(held_on >= started.date() for held_on in Observation.objects.values_list("held_on", flat=True))
    client.force_login(User.objects.get(email=experiment_demo.DEMO_HQ))
    page = client.get(reverse("hq:experiment_detail", kwargs={"pk": experiment.pk})).content.decode()
    assert date_format(started.date(), "j F Y") in page
    assert date_format(timezone.localdate(), "j F Y") not in page
