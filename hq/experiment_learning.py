"""Learning from finished campaign experiments (issue 13, item 4).

Two uses of an estimate:

1. The methods catalogue shows, for each method, the measured effects of the finished
   experiments that tested it (`measured_effects_by_method`), next to the published evidence.

2. A national HQ may set the priority's persuasion or mobilisation parameter from one
   finished experiment (`experiment_effect_apply`). The estimate is per bureau, the
   parameters are per voter met (circonscriptions/profiles/rules.py, rule 10), so it is
   converted with the door counts the experiment recorded:
   - persuasion (votes won per persuadable voter met) = left votes won per door knocked
     (the per-door estimate ÷ 100) ÷ contact rate (share of doors that open, from the profile
     settings) ÷ 0,5, the share of voters persuadable where the race is close
     (PERSUADABLE_MAX of the rules);
   - mobilisation (chance that a visit brings an intermittent voter to vote) = extra voters
     in the treated bureaux (turnout effect in points × their registered voters ÷ 100)
     ÷ voters met there (doors knocked × contact rate) ÷ their abstention at the baseline.
   The interval's ends are converted the same way and become the range (low, high); values
   are kept between 0 and 1, as the settings require (a negative end becomes 0, and the page
   says so). A simulated outcome is refused: it would feed a made-up number into real priorities.
   Without doors counted in the treated bureaux there is nothing to divide by: refused too.

   Where each value came from is recorded in the experiment's result
   (`result["used_for_parameters"]`, with the value set and the date); the profile run reads it
   through the source registered in hq/apps.py (`parameter_sources`), so the parameters page
   says « mesuré par la campagne X » as long as the setting still holds that value.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from circonscriptions.models import PollingStationResult, ProfileSettings
from circonscriptions.profiles.formats import number
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.rules import PERSUADABLE_MAX
from circonscriptions.profiles.services import profiles_recompute_later
from hq.experiment_words import campaign_label, interval_text
from hq.models import Experiment, ExperimentStatus

PERSUASION, MOBILISATION = "persuasion", "mobilisation"
PARAMETERS = {PERSUASION: "persuasion_effect", MOBILISATION: "mobilisation_effect"}
USED_KEY = "used_for_parameters"
# A recorded value and the setting are the same number when they agree to this many digits.
SAME_VALUE_DIGITS = 6


class EffectNotUsable(ValueError):
    """French message: why this estimate cannot set the parameter."""


SIMULATED_REFUSAL = (
    "Résultat simulé : l'élection de sortie a été fabriquée, son effet ne peut pas régler les "
    "priorités réelles. Estimez la campagne sur un vrai scrutin."
)


def finished_with_result(qs: QuerySet[Experiment]) -> QuerySet[Experiment]:
    return (
        qs.filter(status=ExperimentStatus.FINISHED, estimated_at__isnull=False)
        .exclude(result={})
        .select_related("federation__departement", "method")
        .order_by("-estimated_at")
    )


def measured_effects_by_method(qs: QuerySet[Experiment]) -> dict[int, list[Experiment]]:
    """Finished experiments with an estimate, by method id, latest first."""
    grouped: dict[int, list[Experiment]] = defaultdict(list)
    for experiment in finished_with_result(qs):
        grouped[experiment.method_id].append(experiment)
    return dict(grouped)


def _baseline_abstention(experiment: Experiment) -> float | None:
    counts = PollingStationResult.objects.filter(
        election=experiment.baseline_election_id,
        polling_station__experiment_assignments__experiment=experiment,
        polling_station__experiment_assignments__treated=True,
    ).aggregate(registered=Sum("registered"), voters=Sum("voters"))
    if not counts["registered"]:
        return None
    return 1 - (counts["voters"] or 0) / counts["registered"]


def converted_effect(experiment: Experiment, kind: str, contact_rate: float) -> tuple[float, float, float]:
    """(central, low, high) of the parameter `kind`, per voter met, unclamped; EffectNotUsable when it cannot be."""
    result = experiment.result or {}
    if experiment.status != ExperimentStatus.FINISHED or not result:
        raise EffectNotUsable("Cette campagne n'a pas encore d'estimation : estimez-la d'abord.")
    if result.get("simulated") or experiment.outcome_simulated:
        raise EffectNotUsable(SIMULATED_REFUSAL)
    per_door = result.get("per_door") or {}
    doors = per_door.get("doors_treated") or 0
    if doors <= 0:
        raise EffectNotUsable(
            "Aucune porte frappée n'a été comptée dans les bureaux ciblés : impossible de ramener l'effet "
            "à un électeur rencontré."
        )
    if contact_rate <= 0:
        raise EffectNotUsable("Le taux d'ouverture des portes des réglages vaut 0 : impossible de convertir l'effet.")
    if kind == PERSUASION:
        keys = ("effect", "ci_low", "ci_high")
        scale = 1 / (100 * contact_rate * PERSUADABLE_MAX)
        values = [per_door.get(k) for k in keys]
    elif kind == MOBILISATION:
        turnout = result.get("turnout") or {}
        registered = (
            experiment.bureaux.filter(treated=True).aggregate(total=Sum("registered"))["total"] or 0
        )  # registered at the baseline, as drawn
        abstention = _baseline_abstention(experiment)
        if not registered or not abstention:
            raise EffectNotUsable(
                "Les inscrits ou l'abstention des bureaux ciblés à l'élection de référence manquent : "
                "impossible de convertir l'effet sur la participation."
            )
        scale = registered / (100 * doors * contact_rate * abstention)
        values = [turnout.get(k) for k in ("effect", "ci_low", "ci_high")]
    else:
        raise EffectNotUsable("Paramètre inconnu : choisissez la persuasion ou la mobilisation.")
    numbers = [float(v) * scale for v in values if isinstance(v, int | float)]
    if len(numbers) != len(values):
        raise EffectNotUsable("L'estimation de cette campagne est incomplète : estimez-la de nouveau.")
    central, low, high = numbers
    if central > 1:
        raise EffectNotUsable(
            f"L'effet converti donnerait {number(central, 2)} voix par électeur rencontré, plus d'une : trop peu de "
            "portes comptées pour un effet de cette taille, la valeur ne peut pas servir aux priorités."
        )
    return central, low, high


@transaction.atomic
def experiment_effect_apply(*, experiment: Experiment, kind: str) -> dict:
    """Set the parameter `kind` (and its range) from the experiment; record the source; queue a recompute."""
    settings = ProfileSettings.objects.select_for_update().get(pk=ProfileSettings.load().pk)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    central, low, high = converted_effect(experiment, kind, settings.contact_rate)
    name = PARAMETERS[kind]
    clamp = [round(min(1.0, max(0.0, v)), SAME_VALUE_DIGITS) for v in (low, central, high)]
    low_c, central_c, high_c = clamp
    values = {f"{name}_low": low_c, name: central_c, f"{name}_high": high_c}
    candidate = ProfileParameters.from_dict({**settings.parameters().as_dict(), **values})
    candidate.validate()  # cannot fail after the clamp; a guard against a future range change
    for field, value in values.items():
        setattr(settings, field, value)
    settings.save(update_fields=[*values, "updated_at"])
    used = dict((experiment.result or {}).get(USED_KEY) or {})
    used[name] = {
        "value": central_c,
        "low": low_c,
        "high": high_c,
        "clamped": clamp != [round(v, SAME_VALUE_DIGITS) for v in (low, central, high)],
        "at": timezone.now().isoformat(),
    }
    experiment.result = {**experiment.result, USED_KEY: used}
    experiment.save(update_fields=["result"])
    profiles_recompute_later()
    return values


def parameter_sources(params: ProfileParameters) -> dict[str, str]:
    """For the profile run's sources: the parameters whose current value a finished experiment set."""
    sources: dict[str, str] = {}
    experiments = finished_with_result(Experiment.objects.filter(**{f"result__{USED_KEY}__isnull": False}))
    for name in PARAMETERS.values():
        current = round(getattr(params, name), SAME_VALUE_DIGITS)
        for experiment in experiments:
            used = (experiment.result.get(USED_KEY) or {}).get(name)
            if not isinstance(used, dict):
                continue
            value = used.get("value")
            if not isinstance(value, int | float) or round(float(value), SAME_VALUE_DIGITS) != current:
                continue
            left = experiment.result.get("left_share" if name == "persuasion_effect" else "turnout") or {}
            effect = interval_text(left.get("effect"), left.get("ci_low"), left.get("ci_high"))
            day = "/".join(reversed(str(used.get("at", ""))[:10].split("-")))
            text = (
                f"Mesuré par une campagne testée : {campaign_label(experiment)}, méthode « {experiment.method.name} », "
                f"{effect} par bureau, converti par électeur rencontré ; réglé le {day}."
            )
            if used.get("clamped"):
                text += " Valeurs hors de 0 à 1 ramenées dans ces bornes."
            sources[name] = text
            sources[f"{name}_low"] = sources[f"{name}_high"] = text
            break
    return sources
