"""What a campaign run as an experiment changed: the estimate from the next election (issue 13).

The rule, in words an analyst can check (the statistics are in hq/experiment_stats.py):

1. The outcome election must come after the baseline election and after the campaign's
   start (an election known by its year only counts as held on 1 July). Elections of
   different kinds may be compared; the caveats say so.
2. Each target bureau's change is measured from the baseline election to the outcome:
   the left's share of the expressed votes (the votes of the nuances whose bloc is
   « gauche »), and turnout (voters ÷ registered), in points.
3. Bureaux are left out, each with its reason, when a result is missing on either side,
   when no vote was expressed, or when their registered voters changed by more than the
   profiles' redistricting threshold (ProfileSettings, 15 % by default): such a bureau was
   probably redrawn and its change means nothing. If more than a fifth of the target
   bureaux lack a result, nothing is estimated (the outcome is not fully imported, or it is
   the wrong election). A stratum left without both treated and control bureaux carries no
   information and is left out too; fewer than two usable strata: nothing is estimated.
4. The effect of being in the treated group is estimated with strata fixed effects, its
   95 % interval and a randomisation-inference p-value (treatment re-drawn within strata,
   seeded with the campaign's own seed, so that estimating again gives the same figures).
   For the chart, the result also gives the plain mean change of treated and of control
   bureaux (without the strata adjustment).
5. Doors knocked come from the observations filed between the campaign's first and last
   day: an observation covering several bureaux counts its doors equally in each. When
   doors were knocked in treated bureaux, the effect per 100 doors on the left's votes (the
   change in the number of left votes) is estimated with the draw as instrument.
6. Non-compliance: observations filed in control bureaux during the campaign.

`simulate_outcome` builds a synthetic next election (hq/experiment_simulation.py) for the
demo and the checks, named « simulée » everywhere; never stands for real results.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from circonscriptions.models import (
    Bloc,
    Election,
    Nuance,
    PollingStationProfile,
    PollingStationResult,
    PollingStationVotes,
    ProfileSettings,
)
from circonscriptions.profiles import formats
from circonscriptions.profiles.backtest import ELECTION_NAMES
from hq.experiment_learning import USED_KEY
from hq.experiment_simulation import EXTRA_SD, past_spread, simulate_next_election
from hq.experiment_stats import (
    Estimate,
    ExperimentError,
    estimate_itt,
    estimate_per_unit,
    randomisation_p_value,
)
from hq.experiment_words import interval_text, p_value_text, signed
from hq.models import Experiment, ExperimentBureau, ExperimentStatus
from observations.models import Observation

SIMULATED_PREFIX = "sim-"
MISSING_MAX_SHARE = 0.2
MIN_STRATA = 2
# The simulated election: one nuance per bloc (codes ≤ 12 characters), on these panels.
SIMULATED_NUANCES = (
    ("SIM-GAUCHE", "Gauche (simulée)", Bloc.LEFT),
    ("SIM-CENTRE", "Centre (simulé)", Bloc.CENTRE),
    ("SIM-DROITE", "Droite (simulée)", Bloc.RIGHT),
    ("SIM-EXTDR", "Extrême droite (simulée)", Bloc.FAR_RIGHT),
    ("SIM-AUTRE", "Autres (simulés)", Bloc.OTHER),
)
SIMULATED_DAYS_AFTER = 7
EFFECT_MAX_POINTS = 50.0
# A bureau's own spread between two elections, from its profile's margin spread (half: the
# margin moves with two shares), kept within these bounds.
OWN_SD_BOUNDS = (0.005, 0.10)


# ---------------------------------------------------------------------------------------------
# Reading


def election_when(election: Election) -> date:
    # Files that give only the year: mid-year, as the profiles do.
    return election.date or date(election.year, 7, 1)


def election_title(election: Election) -> str:
    """« Législatives 2024 », « Présidentielle 2022 (2e tour) », « … (simulée) » for a simulated one."""
    name = ELECTION_NAMES.get(election.kind, election.kind).split(" ", 1)[-1]
    label = f"{name[:1].upper()}{name[1:]} {election.year}"
    if election.round != 1:
        label += f" ({election.round}e tour)"
    if is_simulated(election):
        label += " (simulée)"
    return label


def is_simulated(election: Election) -> bool:
    return election.simulated


@dataclass
class BureauResult:
    registered: int
    voters: int
    blank: int
    null: int
    expressed: int
    votes: dict[str, int]  # by bloc


def results_by_station(election: Election, station_ids: list[int]) -> dict[int, BureauResult]:
    """One election's counts and votes by bloc in the given bureaux: two queries."""
    rows = PollingStationResult.objects.filter(election=election, polling_station_id__in=station_ids).values(
        "id", "polling_station_id", "registered", "voters", "blank", "null", "expressed"
    )
    by_result: dict[int, BureauResult] = {}
    out: dict[int, BureauResult] = {}
    for row in rows:
        result = BureauResult(row["registered"], row["voters"], row["blank"], row["null"], row["expressed"], {})
        out[row["polling_station_id"]] = result
        by_result[row["id"]] = result
    # Votes by bloc as the profile page sums them: a vote without nuance counts as « other ».
    for vote in (
        PollingStationVotes.objects.filter(result__election=election, result__polling_station_id__in=station_ids)
        .values("result_id", "nuance__bloc")
        .annotate(total=Sum("votes"))
    ):
        bloc = vote["nuance__bloc"] or Bloc.OTHER
        votes = by_result[vote["result_id"]].votes
        votes[bloc] = votes.get(bloc, 0) + vote["total"]
    return out


def doors_by_station(experiment: Experiment, station_ids: list[int]) -> tuple[dict[int, float], dict[int, set[int]]]:
    """Doors knocked in each bureau during the campaign (an observation's doors split equally among
    its bureaux), and the observations filed in each: two queries."""
    through = Observation.polling_stations.through
    observations = dict(
        Observation.objects.filter(
            held_on__gte=experiment.starts_on,
            held_on__lte=experiment.ends_on,
            polling_stations__in=station_ids,
        )
        .distinct()
        .values_list("id", "doors_knocked")
    )
    links = list(
        through.objects.filter(observation_id__in=observations).values_list("observation_id", "pollingstation_id")
    )
    covered: dict[int, int] = defaultdict(int)
    for observation_id, _station in links:
        covered[observation_id] += 1
    targets = set(station_ids)
    doors: dict[int, float] = defaultdict(float)
    filed: dict[int, set[int]] = defaultdict(set)
    for observation_id, station in links:
        if station in targets:
            doors[station] += observations[observation_id] / covered[observation_id]
            filed[station].add(observation_id)
    return doors, filed


# ---------------------------------------------------------------------------------------------
# Checks


def _check_can_estimate(experiment: Experiment, outcome: Election) -> None:
    if experiment.status in (ExperimentStatus.DRAFT, ExperimentStatus.CANCELLED):
        raise ExperimentError(
            "Cette campagne n'a pas de tirage en cours (brouillon ou annulée) : il n'y a rien à estimer."
        )
    baseline = experiment.baseline_election
    if outcome.pk == baseline.pk or election_when(outcome) <= election_when(baseline):
        raise ExperimentError(
            f"L'élection mesurée ({election_title(outcome)}) doit avoir lieu après l'élection de référence "
            f"({election_title(baseline)}) : choisissez l'élection qui a suivi la campagne."
        )
    if election_when(outcome) <= experiment.starts_on:
        raise ExperimentError(
            f"L'élection mesurée ({election_title(outcome)}) a eu lieu avant le début de la campagne "
            f"(le {experiment.starts_on:%d/%m/%Y}) : elle ne peut pas en mesurer l'effet."
        )


def _fr_int(value: float) -> str:
    return formats.number(value, 0)


# ---------------------------------------------------------------------------------------------
# Estimate


def _effect_sentence(subject: str, block: dict) -> str:
    """« Effet estimé … : +1,2 point [0,3 ; 2,1] (p = 0,03). », in the words of the estimate page."""
    p = "" if block["p_value"] is None else f" ({p_value_text(block['p_value'])})"
    return f"{subject} : {interval_text(block['effect'], block['ci_low'], block['ci_high'])}{p}."


def _block(e: Estimate, y: np.ndarray, treated: np.ndarray, p_value: float | None, permutations: int) -> dict:
    return {
        "effect": round(e.effect, 4),
        "se": round(e.se, 4),
        "ci_low": round(e.ci_low, 4),
        "ci_high": round(e.ci_high, 4),
        "p_value": None if p_value is None else round(p_value, 4),
        "permutations": permutations,
        "treated_mean_change": round(float(y[treated].mean()), 4),
        "control_mean_change": round(float(y[~treated].mean()), 4),
    }


def _redrawn_reason(before: BureauResult, after: BureauResult, threshold: float) -> str | None:
    change = (after.registered - before.registered) / before.registered
    if abs(change) <= threshold:
        return None
    return (
        f"Inscrits passés de {_fr_int(before.registered)} à {_fr_int(after.registered)} "
        f"({signed(100 * change, 0)} %) entre les deux élections, au-delà du seuil de "
        f"{formats.percent(threshold, 0)} : bureau probablement redécoupé."
    )


def _usable_bureaux(
    rows: list[ExperimentBureau], before: dict[int, BureauResult], after: dict[int, BureauResult]
) -> tuple[list[ExperimentBureau], list[tuple[ExperimentBureau, str]], int]:
    """The bureaux the estimate can use (rule 3), those left out with their reason, the usable strata."""
    missing = [r for r in rows if r.polling_station_id not in before or r.polling_station_id not in after]
    if len(missing) > MISSING_MAX_SHARE * len(rows):
        raise ExperimentError(
            f"Les résultats manquent pour {len(missing)} des {len(rows)} bureaux de la campagne "
            f"(au plus {formats.percent(MISSING_MAX_SHARE, 0)} sont tolérés) : importez les résultats de tous "
            "les bureaux avant d'estimer l'effet."
        )
    threshold = ProfileSettings.load().redistricting_threshold
    excluded: list[tuple[ExperimentBureau, str]] = []
    kept: list[ExperimentBureau] = []
    for r in rows:
        b, a = before.get(r.polling_station_id), after.get(r.polling_station_id)
        if b is None or a is None:
            side = "l'élection de référence" if b is None else "l'élection mesurée"
            excluded.append((r, f"Pas de résultat pour {side}."))
        elif b.expressed == 0 or a.expressed == 0 or b.registered == 0 or a.registered == 0:
            excluded.append((r, "Aucun suffrage exprimé dans l'une des deux élections."))
        elif reason := _redrawn_reason(b, a, threshold):
            excluded.append((r, reason))
        else:
            kept.append(r)
    groups: dict[str, set[bool]] = defaultdict(set)
    for r in kept:
        groups[r.stratum].add(r.treated)
    usable = {stratum for stratum, g in groups.items() if len(g) == 2}
    excluded += [
        (r, f"Sa strate (« {r.stratum} ») n'a plus à la fois des bureaux traités et témoins.")
        for r in kept
        if r.stratum not in usable
    ]
    if len(usable) < MIN_STRATA:
        raise ExperimentError(
            f"Après avoir écarté {formats.counted(len(excluded), 'bureau', 'bureaux')} (résultat manquant, "
            f"bureau redécoupé ou strate incomplète), il reste {formats.counted(len(usable), 'strate', 'strates')} "
            "avec des bureaux traités et témoins : il en faut "
            f"au moins {MIN_STRATA} pour estimer l'effet."
        )
    return [r for r in kept if r.stratum in usable], excluded, len(usable)


def _per_door(
    votes_change: np.ndarray, dose: np.ndarray, treated: np.ndarray, strata: list[str], caveats: list[str]
) -> dict | None:
    """Left votes per 100 doors knocked (rule 5), or None with the reason in the caveats."""
    if dose[treated].sum() <= 0:
        caveats.append(
            "Aucune porte frappée n'a été comptée dans les bureaux traités pendant la campagne : "
            "l'effet par porte ne peut pas être estimé."
        )
        return None
    try:
        unit = estimate_per_unit(votes_change, dose, treated, strata)
    except ExperimentError as refused:
        caveats.append(str(refused))
        return None
    return {
        "effect": round(100 * unit.effect, 4),
        "ci_low": round(100 * unit.ci_low, 4),
        "ci_high": round(100 * unit.ci_high, 4),
        "doors_treated": round(float(dose[treated].sum())),
        "doors_control": round(float(dose[~treated].sum())),
        "compliance": round(float((dose[treated] > 0).mean()), 4),
    }


def _noncompliance(rows: list[ExperimentBureau], doors: dict[int, float], filed: dict[int, set[int]]) -> dict:
    """Observations filed in the campaign's control bureaux (all of them, used or left out) during it."""
    controls = [r.polling_station_id for r in rows if not r.treated]
    observations: set[int] = set()
    for station in controls:
        observations |= filed.get(station, set())
    return {
        "control_bureaux": sum(1 for s in controls if filed.get(s)),
        "observations": len(observations),
        "doors": round(sum(doors.get(s, 0.0) for s in controls)),
    }


def _context_caveats(experiment: Experiment, outcome: Election, excluded: int) -> list[str]:
    baseline = experiment.baseline_election
    caveats = []
    if is_simulated(outcome):
        caveats.append(
            f"Résultat simulé : l'élection « {election_title(outcome)} » a été fabriquée à partir des résultats "
            "réels de l'élection de référence, avec un effet injecté dans les bureaux traités. Elle sert à "
            "vérifier la méthode et ne dit rien de l'effet réel de la campagne."
        )
    if outcome.kind != baseline.kind:
        caveats.append(
            f"L'élection de référence ({election_title(baseline)}) et l'élection mesurée ({election_title(outcome)}) "
            "ne sont pas du même type : l'écart entre les deux scrutins pèse autant, en moyenne, sur les bureaux "
            "traités et témoins, mais il rend l'estimation moins précise."
        )
    if election_when(outcome) < experiment.ends_on:
        caveats.append(
            f"L'élection mesurée a eu lieu avant la fin prévue de la campagne (le {experiment.ends_on:%d/%m/%Y})."
        )
    if excluded:
        left_out = formats.counted(
            excluded, "bureau de la campagne a été écarté", "bureaux de la campagne ont été écartés"
        )
        caveats.append(f"{left_out} de l'estimation (liste ci-dessous).")
    return caveats


def estimate_experiment(experiment: Experiment, outcome_election: Election, *, permutations: int = 1000) -> dict:
    """Estimate the campaign's effect from `outcome_election`, store it and finish the campaign.

    Raises ExperimentError (French) and saves nothing when the data cannot support an estimate.
    """
    outcome = outcome_election
    baseline = experiment.baseline_election
    _check_can_estimate(experiment, outcome)
    rows = list(ExperimentBureau.objects.filter(experiment=experiment).select_related("polling_station__commune"))
    if not rows:
        raise ExperimentError("Cette campagne n'a aucun bureau cible.")
    ids = [r.polling_station_id for r in rows]
    before = results_by_station(baseline, ids)
    after = results_by_station(outcome, ids)
    if not after:
        raise ExperimentError(
            f"L'élection mesurée ({election_title(outcome)}) n'a aucun résultat dans les bureaux de la campagne : "
            "ses résultats ne sont pas encore importés, ou ce n'est pas la bonne élection."
        )
    kept, excluded, n_strata = _usable_bureaux(rows, before, after)

    b_rows = [before[r.polling_station_id] for r in kept]
    a_rows = [after[r.polling_station_id] for r in kept]
    treated = np.array([r.treated for r in kept])
    strata = [r.stratum for r in kept]
    left_before = np.array([x.votes.get(Bloc.LEFT, 0) for x in b_rows], dtype=float)
    left_after = np.array([x.votes.get(Bloc.LEFT, 0) for x in a_rows], dtype=float)
    share_change = 100 * (
        left_after / np.array([x.expressed for x in a_rows]) - left_before / np.array([x.expressed for x in b_rows])
    )
    turnout_change = 100 * (
        np.array([x.voters / x.registered for x in a_rows]) - np.array([x.voters / x.registered for x in b_rows])
    )
    left = estimate_itt(share_change, treated, strata)
    turnout = estimate_itt(turnout_change, treated, strata)
    p_left = p_turnout = None
    if permutations > 0:
        # The campaign's own seed: estimating again gives the same p-value.
        p_left = randomisation_p_value(share_change, treated, strata, permutations, seed=experiment.seed)
        p_turnout = randomisation_p_value(turnout_change, treated, strata, permutations, seed=experiment.seed)

    caveats = _context_caveats(experiment, outcome, len(excluded))
    doors, filed = doors_by_station(experiment, ids)
    dose = np.array([doors.get(r.polling_station_id, 0.0) for r in kept])
    per_door = _per_door(left_after - left_before, dose, treated, strata, caveats)
    noncompliance = _noncompliance(rows, doors, filed)
    if noncompliance["control_bureaux"]:
        caveats.append(
            "Des actions ont été signalées dans "
            f"{formats.counted(noncompliance['control_bureaux'], 'bureau témoin', 'bureaux témoins')} pendant "
            "la campagne : l'effet estimé est celui d'être tiré parmi les bureaux traités, plus faible que "
            "celui de la campagne elle-même."
        )

    left_block = _block(left, share_change, treated, p_left, permutations)
    turnout_block = _block(turnout, turnout_change, treated, p_turnout, permutations)
    simulated = is_simulated(outcome)
    result = {
        "baseline_election": {"slug": baseline.slug, "label": election_title(baseline)},
        "outcome_election": {"slug": outcome.slug, "label": election_title(outcome)},
        "simulated": simulated,
        "n_bureaux": len(kept),
        "n_treated": left.n_treated,
        "n_control": left.n_control,
        "n_strata": n_strata,
        "excluded": [{"bureau": str(r.polling_station), "reason": reason} for r, reason in excluded],
        "left_share": left_block,
        "turnout": turnout_block,
        "per_door": per_door,
        "noncompliance": noncompliance,
        "caveats": caveats,
        "summary": " ".join(
            (
                _effect_sentence("Effet estimé sur la part de la gauche", left_block),
                _effect_sentence("Sur la participation", turnout_block),
            )
        ),
    }
    # What an earlier estimate of this campaign set in the priorities' parameters stays on record
    # (hq/experiment_learning.py): a new estimate does not undo a setting already made.
    used = (experiment.result or {}).get(USED_KEY)
    with transaction.atomic():
        experiment.outcome_election = outcome
        experiment.result = {**result, USED_KEY: used} if used else result
        experiment.estimated_at = timezone.now()
        experiment.status = ExperimentStatus.FINISHED
        experiment.outcome_simulated = simulated
        experiment.save(update_fields=["outcome_election", "result", "estimated_at", "status", "outcome_simulated"])
    return result


# ---------------------------------------------------------------------------------------------
# Simulated outcome


def bureau_own_spread(station_ids: list[int]) -> np.ndarray:
    """Each bureau's own spread of the left share between elections: half its profile's margin spread
    (current profiles), else the simulation's default."""
    spread = dict(
        PollingStationProfile.objects.current()
        .filter(polling_station_id__in=station_ids, margin_sd__gt=0)
        .values_list("polling_station_id", "margin_sd")
    )
    return np.array([np.clip(spread[s] / 2, *OWN_SD_BOUNDS) if s in spread else EXTRA_SD for s in station_ids])


def simulated_slug(experiment: Experiment, seed: int) -> str:
    return f"{SIMULATED_PREFIX}{experiment.pk}-{seed}"


def simulate_outcome(
    experiment: Experiment, *, effect_points: float, turnout_effect_points: float = 0.0, seed: int
) -> Election:
    """A synthetic next election in the campaign's bureaux, the effects (points) injected in treated ones.

    Built from the baseline's real results (hq/experiment_simulation.py); named `sim-<id>-<seed>` and
    « simulée ». Building it again with the same seed gives the same results.
    """
    if abs(effect_points) > EFFECT_MAX_POINTS or abs(turnout_effect_points) > EFFECT_MAX_POINTS:
        raise ExperimentError(f"Un effet simulé ne peut dépasser {_fr_int(EFFECT_MAX_POINTS)} points.")
    rows = list(ExperimentBureau.objects.filter(experiment=experiment).order_by("polling_station_id"))
    if not rows:
        raise ExperimentError("Cette campagne n'a aucun bureau cible : tirez d'abord les témoins.")
    baseline = experiment.baseline_election
    before = results_by_station(baseline, [r.polling_station_id for r in rows])
    rows = [r for r in rows if r.polling_station_id in before and before[r.polling_station_id].expressed > 0]
    if not rows:
        raise ExperimentError(
            f"L'élection de référence ({election_title(baseline)}) n'a aucun résultat dans les bureaux de la campagne."
        )
    ids = [r.polling_station_id for r in rows]
    base = [before[s] for s in ids]
    registered = np.array([b.registered for b in base], dtype=float)
    voters = np.array([b.voters for b in base], dtype=float)
    expressed = np.array([b.expressed for b in base], dtype=float)
    share = np.array([b.votes.get(Bloc.LEFT, 0) for b in base]) / expressed
    turnout = voters / registered
    # A bureau's spread: sampling (its expressed votes) and its own, from its profile when there is one.
    sim = simulate_next_election(
        left_share=share,
        turnout=turnout,
        strata=[r.stratum for r in rows],
        treated=np.array([r.treated for r in rows]),
        sd_left=np.sqrt(past_spread(share, expressed, extra_sd=0.0) ** 2 + bureau_own_spread(ids) ** 2),
        sd_turnout=past_spread(turnout, registered),
        effect_points=effect_points,
        turnout_effect_points=turnout_effect_points,
        seed=seed,
    )
    held_on = experiment.ends_on + timedelta(days=SIMULATED_DAYS_AFTER)
    with transaction.atomic():
        election, _ = Election.objects.update_or_create(
            slug=simulated_slug(experiment, seed),
            defaults={
                "kind": baseline.kind,
                "year": held_on.year,
                "round": baseline.round,
                "date": held_on,
                "simulated": True,
            },
        )
        nuances = {}
        for code, label, bloc in SIMULATED_NUANCES:
            nuances[bloc], _ = Nuance.objects.update_or_create(
                election=election, code=code, defaults={"label": label, "bloc": bloc}
            )
        # Rebuilt whole: the same seed writes the same rows again.
        PollingStationVotes.objects.filter(result__election=election).delete()
        PollingStationResult.objects.filter(election=election).delete()
        results, votes = [], []
        for i, (station, b) in enumerate(zip(ids, base, strict=True)):
            n_voters = int(round(registered[i] * sim.turnout[i]))
            spoilt = (b.blank + b.null) / b.voters if b.voters else 0.0
            blank = int(round(n_voters * spoilt * (b.blank / (b.blank + b.null)))) if b.blank + b.null else 0
            null = int(round(n_voters * spoilt)) - blank
            n_expressed = n_voters - blank - null
            left = int(round(n_expressed * sim.left_share[i]))
            results.append(
                PollingStationResult(
                    election=election,
                    polling_station_id=station,
                    registered=int(registered[i]),
                    voters=n_voters,
                    abstentions=int(registered[i]) - n_voters,
                    blank=blank,
                    null=null,
                    expressed=n_expressed,
                )
            )
            # The rest of the expressed votes go to the other blocs as they shared them at the baseline.
            others = [Bloc.CENTRE, Bloc.RIGHT, Bloc.FAR_RIGHT]
            rest = n_expressed - left
            weight = sum(b.votes.get(x, 0) for x in [*others, Bloc.OTHER])
            counts = {Bloc.LEFT: left}
            for x in others:
                counts[x] = int(rest * b.votes.get(x, 0) / weight) if weight else 0
            counts[Bloc.OTHER] = rest - sum(counts[x] for x in others)
            votes.append(counts)
        PollingStationResult.objects.bulk_create(results)
        PollingStationVotes.objects.bulk_create(
            PollingStationVotes(result=result, panel=panel, nuance=nuances[bloc], candidate=label, votes=counts[bloc])
            for result, counts in zip(results, votes, strict=True)
            for panel, (_code, label, bloc) in enumerate(SIMULATED_NUANCES, start=1)
        )
    return election
