"""Campaigns run as experiments (issue 13): declaring, drawing the controls, power, launching.

The rules, in words an analyst can check:

- Target bureaux: the N best bureaux of a federation (rank in the federation; bureaux placed
  in no circonscription left out) or of a circonscription (rank in the circonscription) in
  the current profile run, or a list chosen by HQ. Only bureaux with results in the
  baseline election are kept (the effect is measured as the change from that election);
  each is stored with its registered voters then.
- Strata: « type » puts together the bureaux of one profil-type in one circonscription
  (« 2902-t3 »); a type with a single target bureau is pooled with the circonscription's other
  lone ones (« 2902-autres »), and a pool still of one joins the circonscription's smallest
  stratum. « pairs » pairs each bureau with the most similar one of its circonscription (left
  share, abstention and priority in the current profiles; hq.experiment_stats.pair_strata);
  the odd one out of a circonscription joins one of its pairs.
  A circonscription with a single target bureau cannot be stratified: the campaign is refused
  (« moins de bureaux que de strates »).
- The draw (hq.experiment_stats.draw_controls) holds back round(share × n) bureaux of each
  stratum as controls, from a seed recorded on the experiment: the same seed gives the same
  draw. It may be redrawn until the campaign is launched; then it is frozen.
- A campaign lasts at most two years (its control bureaux are held back all that time).
- Power: the minimum detectable effect (5 % test, power 80 %), in points, on the left share
  of expressed votes and on turnout (voters per registered). The noise is the spread of the
  change of those figures between the two most recent elections (up to the baseline) with
  results in the target bureaux: the standard deviation of the change over the bureaux,
  scaled for each bureau by √(mean size / its size) since a small bureau's share moves more.
  Without two such elections, the defaults DEFAULT_SD are used (and the page says so).
- While a campaign runs (launched, and until its last day), its control bureaux are never
  proposed to activists: no mission is created there, « Missions pour moi » leaves out
  missions whose bureaux are all controls, fiches leave them out of their targets. HQ pages
  say why (`control_reasons`); activists' pages never mention them.
- The draw and the launch are written to the audit log (hq.audit), with the seed.
- A declaration sent twice (same author, name, method, baseline, federation, target bureaux,
  share, strata and dates, while the first is still a draft) declares one campaign.
"""

from __future__ import annotations

import secrets
from datetime import date

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from circonscriptions.models import (
    Circonscription,
    Election,
    PollingStation,
    PollingStationProfile,
    PollingStationResult,
    PollingStationVotes,
)
from circonscriptions.profiles.formats import counted, number, percent
from hq.audit import audit_write
from hq.experiment_stats import ExperimentError, draw_controls, minimum_detectable_effect, pair_strata
from hq.models import (
    AuditAction,
    Experiment,
    ExperimentBureau,
    ExperimentStatus,
    Federation,
    Method,
    Mission,
    MissionStatus,
    StrataKind,
    User,
)
from hq.scoping import can_write, scope_for
from hq.signals import experiment_started

# Spread (standard deviation, in points) of a bureau's change between two elections, used when
# the bureaux do not have two elections with results: typical of French bureaux between two
# législatives (a few hundred voters each).
DEFAULT_SD = {"left_share": 4.0, "turnout": 3.0}
MAX_TARGETS = 2000
# From one election to the next one it is measured on: longer is a typing error in a year.
MAX_CAMPAIGN_DAYS = 2 * 366
# Audit log actions of the experiments (hq.models.AuditAction lists the personal-data ones).
AUDIT_DRAW = AuditAction.EXPERIMENT_DRAW
AUDIT_START = AuditAction.EXPERIMENT_START


def _fr_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- Declaring ------------------------------------------------------------------------------


def _target_profiles(
    *, federation: Federation | None, circonscription: Circonscription | None, top: int | None, station_ids
) -> list[PollingStationProfile]:
    profiles = PollingStationProfile.objects.current().select_related(
        "polling_station__commune", "circonscription", "profile_type"
    )
    if station_ids is not None:
        return list(profiles.filter(polling_station_id__in=list(station_ids)).order_by("polling_station_id"))
    if circonscription is not None:
        qs = profiles.filter(circonscription=circonscription, rank_circonscription__isnull=False)
        return list(qs.order_by("rank_circonscription")[: top or 0])
    if federation is None:
        return []
    # A bureau placed in no circonscription (a commune split between several, without contours)
    # cannot be stratified: it is not a target.
    qs = profiles.filter(
        Q(circonscription__isnull=False) | Q(polling_station__circonscription__isnull=False),
        polling_station__commune__departement_id=federation.departement_id,
        rank_departement__isnull=False,
    )
    return list(qs.order_by("rank_departement")[: top or 0])


def _circonscription_code(profile: PollingStationProfile) -> str:
    circo = profile.circonscription or profile.polling_station.circonscription
    return circo.code if circo else "hors"


def strata_for(profiles: list[PollingStationProfile], kind: str) -> list[str]:
    """The stratum of each bureau (same order), by the rules of the module docstring."""
    circos = [_circonscription_code(p) for p in profiles]
    by_circo: dict[str, list[int]] = {}
    for i, code in enumerate(circos):
        by_circo.setdefault(code, []).append(i)
    alone = [code for code, members in by_circo.items() if len(members) < 2]
    if alone:
        names = ", ".join(f"{code} ({profiles[by_circo[code][0]].polling_station})" for code in alone[:4])
        lonely = counted(len(alone), "circonscription n'a", "circonscriptions n'ont")
        raise ExperimentError(
            f"Moins de bureaux que de strates : {lonely} qu'un bureau parmi les cibles "
            f"({names}). Il faut au moins deux bureaux par circonscription : augmentez le nombre de bureaux "
            "ou retirez ceux-là."
        )
    if kind == StrataKind.PAIRS:
        features = np.array(
            [
                [
                    np.nan if p.share_expr_left is None else p.share_expr_left,
                    np.nan if p.abstention_rate_avg is None else p.abstention_rate_avg,
                    np.nan if p.priority_score is None else p.priority_score,
                ]
                for p in profiles
            ],
            dtype=float,
        )
        return _no_stratum_of_one(pair_strata(features, circos), circos)
    strata = [
        f"{code}-t{p.profile_type.key}" if p.profile_type else f"{code}-sans-type"
        for code, p in zip(circos, profiles, strict=True)
    ]
    for code, members in by_circo.items():
        counts: dict[str, int] = {}
        for i in members:
            counts[strata[i]] = counts.get(strata[i], 0) + 1
        lone = [i for i in members if counts[strata[i]] == 1]
        if len(lone) >= 2:
            for i in lone:
                strata[i] = f"{code}-autres"
        elif lone:
            # One bureau alone in its type: it joins the circonscription's smallest other stratum.
            others = {s: n for s, n in counts.items() if n > 1}
            strata[lone[0]] = min(others, key=lambda s: (others[s], s))
    return strata


def _no_stratum_of_one(strata: list[str], circos: list[str]) -> list[str]:
    """A bureau left alone in its stratum (the odd one of a circonscription) joins another of its circonscription."""
    counts: dict[str, int] = {}
    for stratum in strata:
        counts[stratum] = counts.get(stratum, 0) + 1
    result = list(strata)
    for i, stratum in enumerate(strata):
        if counts[stratum] == 1:
            others = [s for s, c in zip(strata, circos, strict=True) if c == circos[i] and s != stratum]
            if others:
                result[i] = others[-1]
    return result


def _baseline_registered(election: Election, station_ids: list[int]) -> dict[int, int]:
    return dict(
        PollingStationResult.objects.filter(election=election, polling_station_id__in=station_ids).values_list(
            "polling_station_id", "registered"
        )
    )


def experiment_errors(
    *,
    control_share: float | None,
    starts_on: date | None,
    ends_on: date | None,
    top: int | None,
    has_list: bool,
) -> dict[str, str]:
    """What is wrong with a campaign's figures, each named next to its field."""
    errors: dict[str, str] = {}
    if control_share is not None and not 0 < control_share < 1:
        errors["control_share"] = (
            "La part de témoins doit être strictement entre 0 et 100 % : "
            "sans témoins rien à comparer, sans bureaux traités rien à mesurer."
        )
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "La campagne doit finir après son début."
    elif starts_on and ends_on and (ends_on - starts_on).days > MAX_CAMPAIGN_DAYS:
        # A year mistyped (2062 for 2026) would hold the control bureaux back for decades.
        errors["ends_on"] = "Une campagne dure au plus deux ans : vérifiez l'année de fin."
    if not has_list and (top is None or not 2 <= top <= MAX_TARGETS):
        errors["top"] = f"Choisissez entre 2 et {MAX_TARGETS} bureaux prioritaires."
    return errors


@transaction.atomic
def create_experiment(
    *,
    by: User | None,
    name: str,
    method: Method,
    baseline_election: Election,
    starts_on: date,
    ends_on: date,
    federation: Federation | None = None,
    circonscription: Circonscription | None = None,
    top: int | None = None,
    station_ids=None,
    control_share: float = 0.2,
    strata_kind: str = StrataKind.TYPE_CIRCONSCRIPTION,
    description: str = "",
) -> Experiment:
    """Declares a campaign on its target bureaux with their strata (not drawn yet); see the module docstring.

    Raises ValidationError (French, by field) and saves nothing when the design cannot work.
    """
    if circonscription is not None:
        federation = Federation.objects.filter(departement_id=circonscription.departement_id).first()
    # by=None: a command of the platform (the demo loader), not a person.
    if by is not None and federation is None and not scope_for(by).is_national:
        raise PermissionDenied("Seul le QG national déclare une campagne sans fédération.")
    if by is not None and federation is not None and not can_write(by, federation):
        raise PermissionDenied("Vous ne pouvez pas déclarer de campagne pour cette fédération.")
    if federation is None and station_ids is None:
        raise ValidationError({"federation": "Choisissez une fédération, une circonscription ou une liste de bureaux."})
    errors = experiment_errors(
        control_share=control_share, starts_on=starts_on, ends_on=ends_on, top=top, has_list=station_ids is not None
    )
    if errors:
        raise ValidationError(errors)
    profiles = _target_profiles(
        federation=federation, circonscription=circonscription, top=top, station_ids=station_ids
    )
    if station_ids is not None and federation is not None:
        outside = [p for p in profiles if p.polling_station.commune.departement_id != federation.departement_id]
        if outside:
            raise ValidationError({"stations": f"Le bureau {outside[0].polling_station} n'est pas dans la fédération."})
    if not profiles:
        raise ValidationError({"top": "Aucun bureau n'a de priorités calculées sur ce territoire."})
    registered = _baseline_registered(baseline_election, [p.polling_station_id for p in profiles])
    # The effect is a change from the baseline: a bureau without baseline results cannot be measured.
    profiles = [p for p in profiles if p.polling_station_id in registered]
    if len(profiles) < 2:
        raise ValidationError(
            {"baseline_election": f"Moins de deux bureaux cibles ont des résultats à l'élection {baseline_election}."}
        )
    try:
        strata = strata_for(profiles, strata_kind)
        # Refuses now what the draw would refuse later (a stratum of one bureau).
        draw_controls(strata, control_share, 0)
    except ExperimentError as error:
        raise ValidationError({"stations" if station_ids is not None else "top": str(error)}) from error
    if by is not None:
        # A form sent twice (a double tap) declares one campaign: the author's row is locked
        # while the same draft is looked for, so that two copies sent at once find each other.
        User.objects.select_for_update().filter(pk=by.pk).exists()
        targets = {p.polling_station_id for p in profiles}
        for same in Experiment.objects.filter(
            created_by=by,
            federation=federation,
            name=name.strip()[:200],
            method=method,
            baseline_election=baseline_election,
            control_share=control_share,
            strata_kind=strata_kind,
            starts_on=starts_on,
            ends_on=ends_on,
            status=ExperimentStatus.DRAFT,
        ):
            if set(same.bureaux.values_list("polling_station_id", flat=True)) == targets:
                return same
    experiment = Experiment.objects.create(
        federation=federation,
        name=name.strip()[:200],
        description=description.strip(),
        method=method,
        baseline_election=baseline_election,
        control_share=control_share,
        strata_kind=strata_kind,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
    )
    ExperimentBureau.objects.bulk_create(
        ExperimentBureau(
            experiment=experiment,
            polling_station_id=p.polling_station_id,
            stratum=stratum[:40],
            treated=True,
            registered=registered[p.polling_station_id],
        )
        for p, stratum in zip(profiles, strata, strict=True)
    )
    try:
        power_for(experiment)
    except ExperimentError as error:
        # Too few bureaux for their strata to measure anything: the transaction is rolled back.
        raise ValidationError({"stations" if station_ids is not None else "top": str(error)}) from error
    return experiment


# --- Drawing and launching --------------------------------------------------------------------


def _frozen_message(experiment: Experiment) -> str:
    if experiment.status == ExperimentStatus.CANCELLED:
        return "Cette campagne est annulée : le tirage ne peut plus changer."
    return "La campagne est lancée : le tirage est figé et ne peut plus être refait."


@transaction.atomic
def draw(experiment: Experiment, seed: int | None = None, *, by: User | None = None) -> Experiment:
    """Draws the controls within strata from `seed` (a new random one when None), recorded on the experiment."""
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if by is not None and not can_write(by, experiment):
        raise PermissionDenied("Seul le QG de la campagne fait le tirage.")
    if experiment.is_frozen or experiment.status == ExperimentStatus.CANCELLED:
        raise ExperimentError(_frozen_message(experiment))
    if seed is None:
        seed = secrets.randbelow(10**9)
    bureaux = list(experiment.bureaux.order_by("polling_station_id"))
    controls = draw_controls([b.stratum for b in bureaux], experiment.control_share, seed)
    for bureau, control in zip(bureaux, controls, strict=True):
        bureau.treated = not bool(control)
    ExperimentBureau.objects.bulk_update(bureaux, ["treated"])
    experiment.seed = seed
    experiment.status = ExperimentStatus.DRAWN
    experiment.drawn_at = timezone.now()
    experiment.save(update_fields=["seed", "status", "drawn_at"])
    audit_write(
        actor=by,
        action=AUDIT_DRAW,
        page="experiment",
        target=f"experiment {experiment.pk} seed {seed}: {int(controls.sum())} controls of {len(bureaux)}",
    )
    return experiment


@transaction.atomic
def start(experiment: Experiment, *, by: User | None = None) -> Experiment:
    """Launches the campaign: the draw is frozen, and control bureaux leave activists' pages."""
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if by is not None and not can_write(by, experiment):
        raise PermissionDenied("Seul le QG de la campagne la lance.")
    if experiment.status == ExperimentStatus.DRAFT:
        raise ExperimentError("Faites d'abord le tirage des bureaux témoins : la campagne ne peut pas partir sans.")
    if experiment.status != ExperimentStatus.DRAWN:
        raise ExperimentError(_frozen_message(experiment))
    experiment.status = ExperimentStatus.RUNNING
    experiment.started_at = timezone.now()
    experiment.save(update_fields=["status", "started_at"])
    audit_write(
        actor=by, action=AUDIT_START, page="experiment", target=f"experiment {experiment.pk} seed {experiment.seed}"
    )
    launched = experiment
    transaction.on_commit(lambda: experiment_started.send(sender=Experiment, experiment=launched, by=by))
    return experiment


# --- Power ----------------------------------------------------------------------------------


def _election_key(election: Election) -> tuple:
    return (election.year, election.date or date(election.year, 12, 31), election.round)


def _figures(election: Election, station_ids: list[int]) -> dict[int, tuple[float, float, int, int]]:
    """(left share of expressed, turnout, expressed, registered) per bureau with results."""
    left = dict(
        PollingStationVotes.objects.filter(
            result__election=election, result__polling_station_id__in=station_ids, nuance__bloc="left"
        )
        .values("result__polling_station_id")
        .annotate(n=Sum("votes"))
        .values_list("result__polling_station_id", "n")
    )
    figures = {}
    for pk, registered, voters, expressed in PollingStationResult.objects.filter(
        election=election, polling_station_id__in=station_ids
    ).values_list("polling_station_id", "registered", "voters", "expressed"):
        if registered and expressed:
            figures[pk] = (left.get(pk, 0) / expressed, voters / registered, expressed, registered)
    return figures


def _past_spread(experiment: Experiment, station_ids: list[int]) -> dict:
    """The spread of the change between the two most recent elections (up to the baseline) in these bureaux."""
    baseline = _election_key(experiment.baseline_election)
    elections = sorted(
        (
            e
            for e in Election.objects.filter(polling_station_results__polling_station_id__in=station_ids).distinct()
            if _election_key(e) <= baseline
        ),
        key=_election_key,
        reverse=True,
    )
    chosen = []
    for election in elections:
        figures = _figures(election, station_ids)
        if len(figures) >= 2:
            chosen.append((election, figures))
        if len(chosen) == 2:
            break
    if len(chosen) == 2:
        (recent, after), (older, before) = chosen
        common = [pk for pk in station_ids if pk in after and pk in before]
        if len(common) >= 3:
            left = np.array([after[pk][0] - before[pk][0] for pk in common]) * 100
            turnout = np.array([after[pk][1] - before[pk][1] for pk in common]) * 100
            return {
                "source": "elections",
                "elections": [older.slug, recent.slug],
                "elections_label": f"{older} → {recent}",
                "bureaux_compared": len(common),
                "sd_left_share": round(float(left.std(ddof=1)), 3),
                "sd_turnout": round(float(turnout.std(ddof=1)), 3),
            }
    return {
        "source": "default",
        "elections": [],
        "elections_label": "",
        "bureaux_compared": 0,
        "sd_left_share": DEFAULT_SD["left_share"],
        "sd_turnout": DEFAULT_SD["turnout"],
    }


def power_for(experiment: Experiment) -> dict:
    """Minimum detectable effects (points) on the left share and turnout, stored in `experiment.power`."""
    bureaux = list(experiment.bureaux.order_by("polling_station_id"))
    ids = [b.polling_station_id for b in bureaux]
    strata = [b.stratum for b in bureaux]
    spread = _past_spread(experiment, ids)
    sizes = np.array([max(b.registered, 1) for b in bureaux], dtype=float)
    # A small bureau's shares move more between two elections: its noise grows as 1/√size.
    scale = np.sqrt(sizes.mean() / sizes)
    power = {
        **spread,
        "n_bureaux": len(bureaux),
        "n_strata": len(set(strata)),
        "control_share": experiment.control_share,
        "mean_registered": round(float(sizes.mean()), 1),
        "alpha": 0.05,
        "power": 0.8,
        "mde_left_share": round(
            minimum_detectable_effect(spread["sd_left_share"] * scale, strata, experiment.control_share), 2
        ),
        "mde_turnout": round(
            minimum_detectable_effect(spread["sd_turnout"] * scale, strata, experiment.control_share), 2
        ),
        "computed_at": timezone.now().isoformat(),
    }
    experiment.power = power
    experiment.save(update_fields=["power"])
    return power


# --- Treatment follows the draw ---------------------------------------------------------------


def _running(on: date | None):
    on = on or timezone.localdate()
    # From the launch (missions prepared before the first day happen during the campaign) to the last day.
    return Q(experiment__status=ExperimentStatus.RUNNING, experiment__ends_on__gte=on)


def control_stations(on: date | None = None) -> QuerySet:
    """The same, as a subquery of polling station ids (for a query that must stay one query)."""
    return ExperimentBureau.objects.filter(_running(on), treated=False).values("polling_station_id")


def control_station_ids(on: date | None = None) -> set[int]:
    """The control bureaux of the campaigns running on `on` (today by default)."""
    return set(
        ExperimentBureau.objects.filter(_running(on), treated=False).values_list("polling_station_id", flat=True)
    )


def control_reasons(station_ids, on: date | None = None) -> dict[int, str]:
    """For HQ pages: why each of these bureaux is left out (« bureau témoin de l'expérience X jusqu'au … »)."""
    rows = (
        ExperimentBureau.objects.filter(_running(on), treated=False, polling_station_id__in=list(station_ids))
        .select_related("experiment")
        .order_by("experiment__ends_on")
    )
    reasons: dict[int, str] = {}
    for row in rows:
        reasons.setdefault(
            row.polling_station_id,
            f"bureau témoin de l'expérience « {row.experiment.name} » jusqu'au {_fr_date(row.experiment.ends_on)}",
        )
    return reasons


def control_lines(station_ids, on: date | None = None) -> list[str]:
    """« Brest — bureau 12 (École …) : bureau témoin de l'expérience … » for each control among these bureaux."""
    reasons = control_reasons(station_ids, on)
    stations = PollingStation.objects.filter(pk__in=list(reasons)).select_related("commune").order_by("commune", "code")
    return [f"{station} : {reasons[station.pk]}" for station in stations]


# --- In words -------------------------------------------------------------------------------


def _points(value: float) -> str:
    return f"{number(value, 1)} point{'s' if value >= 2 else ''}"


def power_sentences(power: dict) -> list[str]:
    """The power figures in words an HQ analyst can repeat (empty before any computation)."""
    if not power.get("mde_left_share"):
        return []
    n, strata = power["n_bureaux"], power["n_strata"]
    sentences = [
        f"Avec {n} bureaux en {strata} strate{'s' if strata > 1 else ''} et {percent(power['control_share'], 0)} "
        f"de témoins, la campagne peut détecter un effet de {_points(power['mde_left_share'])} sur la part de la "
        f"gauche et de {_points(power['mde_turnout'])} sur la participation (test à 5 %, puissance 80 %).",
    ]
    if power.get("source") == "elections":
        sentences.append(
            f"Variabilité passée mesurée sur {power['bureaux_compared']} bureaux entre {power['elections_label']} : "
            f"écart-type de l'évolution {_points(power['sd_left_share'])} pour la gauche, "
            f"{_points(power['sd_turnout'])} pour la participation."
        )
    else:
        sentences.append(
            "Ces bureaux n'ont pas deux élections avec résultats : la variabilité retenue est celle, habituelle, "
            f"de {_points(power['sd_left_share'])} pour la gauche et {_points(power['sd_turnout'])} pour la "
            "participation. À prendre comme un ordre de grandeur."
        )
    sentences.append("Un effet plus petit que cela pourrait passer inaperçu : plus de bureaux le rendent visible.")
    return sentences


def missions_in_controls(experiment: Experiment) -> QuerySet:
    """Missions to come (open or proposed) that go to a control bureau of this experiment.

    They were planned before the draw: HQ sees them on the experiment's page, to cancel them
    or move them to a treated bureau before launching (they would dilute the measured effect).
    """
    controls = experiment.bureaux.filter(treated=False).values("polling_station_id")
    return (
        Mission.objects.filter(
            status__in=[MissionStatus.OPEN, MissionStatus.PROPOSED],
            ends_at__gte=timezone.now(),
            polling_stations__in=controls,
        )
        .distinct()
        .order_by("starts_at")
    )
