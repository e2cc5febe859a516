"""Non-compliance of a campaign experiment (issue 13): activity reported in its control bureaux.

The rule, in words: an observation counts when it names a control bureau of a campaign that
has been launched (running or finished) and was held between the campaign's first and last
day, both included. Its doors knocked count once, even when it names several control bureaux.
A draft or drawn campaign has no non-compliance yet (nobody was told to stay away).

The counts feed the experiment's page (which observations, where) and the estimate's
« noncompliance » figures (control bureaux touched, observations, doors).
"""

from __future__ import annotations

from django.db.models import Sum

from hq.models import Experiment, ExperimentStatus
from observations.models import Observation

LAUNCHED = (ExperimentStatus.RUNNING, ExperimentStatus.FINISHED)


def _observations(experiment: Experiment, control_ids: list[int]):
    return Observation.objects.filter(
        polling_stations__in=control_ids,
        held_on__gte=experiment.starts_on,
        held_on__lte=experiment.ends_on,
    ).distinct()


def experiment_noncompliance(experiment: Experiment) -> dict:
    """{"control_bureaux", "observations", "doors", "rows": [{"bureau", "held_on", "method", "doors"}]}."""
    empty = {"control_bureaux": 0, "observations": 0, "doors": 0, "rows": []}
    if experiment.status not in LAUNCHED:
        return empty
    control_ids = list(experiment.bureaux.filter(treated=False).values_list("polling_station_id", flat=True))
    if not control_ids:
        return empty
    observations = _observations(experiment, control_ids)
    ids = list(observations.values_list("pk", flat=True))
    doors = Observation.objects.filter(pk__in=ids).aggregate(n=Sum("doors_knocked"))["n"] or 0
    rows = []
    touched: set[int] = set()
    through = Observation.polling_stations.through
    for link in (
        through.objects.filter(observation_id__in=ids, pollingstation_id__in=control_ids)
        .select_related("observation__method", "pollingstation__commune")
        .order_by("-observation__held_on", "pollingstation__commune__name", "pollingstation__code")
    ):
        touched.add(link.pollingstation_id)
        rows.append(
            {
                "bureau": str(link.pollingstation),
                "held_on": link.observation.held_on,
                "method": link.observation.method.name,
                "doors": link.observation.doors_knocked,
            }
        )
    return {"control_bureaux": len(touched), "observations": len(ids), "doors": doors, "rows": rows}
