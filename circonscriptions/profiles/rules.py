"""Voter profiles per bureau de vote: the rules, in words an HQ analyst can check.

Everything here is a pure function: it takes tables of results and a set of parameters
(`ProfileParameters`, edited by HQ analysts in the admin as `ProfileSettings`) and
returns tables. Nothing reads the database; nothing works row by row (the tables are
handled whole, with pandas/numpy).

Input: one row per (bureau, election) with the bureau's counts of that election
(registered, voters, abstentions, expressed), its votes by bloc (left, centre, right,
far right, other) and its votes "without a usable nuance" (`votes_unlabelled`: votes
whose nuance is missing or is `blocs.UNKNOWN_NUANCE`, « nuance non renseignée »; they
are also inside "other"). Optionally, the same counts for whole circonscriptions
(CirconscriptionResult), used as references (rule 4). Only first rounds are used by
default: a second round is a duel in which whole blocs are absent, so its shares would
say more about who qualified than about the bureau.

1. Shares. For each bureau and election, a bloc's share of expressed votes is its votes
   divided by the expressed votes; its share of registered voters is its votes divided by
   the registered voters; the abstention rate is abstentions divided by registered
   voters; turnout is voters divided by registered. A bureau with zero expressed votes
   (or zero registered) in an election has no share (or no rate) for that election: it is
   left out of the averages rather than counted as zero.

2. Recent elections weigh more. An election held `a` years before the most recent
   election loaded has the weight 0.5 ** (a / half-life). With a half-life of 5 years,
   an election 5 years older counts half as much, 10 years older a quarter. Averages
   ("…_avg") are weighted means over the elections where the figure exists.
   `abstention_rate_last` is the rate of the latest election loaded for that bureau.

3. Data-quality gate. In a bureau, an election in which the votes without a usable
   nuance exceed `unlabelled_threshold` of the expressed votes (10 % by default) is left
   out of everything that depends on nuances: the shares, the gaps, the margin and the
   leaning, the trend of the left, the volatility, the persuadable pool and the priority.
   It is listed in the bureau's `excluded_elections` (election, label such as
   « Législatives 2022 T1 », the reason in French with the share, the share itself) until
   an analyst labels the candidates or lists and the profiles are recomputed. This is
   what keeps a municipal list or a city export without nuances from counting as real
   zeros for the left. Abstention, turnout and the redrawing check do not depend on
   nuances: they keep every election. A bureau whose elections are all left out is
   SWING with confidence 0, has no shares, no persuadable pool, no priority and no rank,
   but keeps its abstention figures.

4. Relative to the same election. For each bureau and kept election, each bloc's gap is
   the bureau's share minus the circonscription's share in that same election. The
   circonscription's share comes from its official circonscription result when one is
   loaded for that election (and itself passes the gate), otherwise from the sum of the
   loaded bureaux of the circonscription whose election was kept. The nation's share is
   the sum of all circonscription results of that election, used only when at least
   `NATION_MIN_CIRCONSCRIPTIONS` circonscriptions (nine in ten of the 577) have results,
   i.e. when the election is loaded for most of France. `left_gap_circonscription` and
   `left_gap_nation` are the weighted means of the left's gaps.
   Elections of different kinds are combined through these gaps, not raw: the bureau's
   estimated share of a bloc (`share_expr_<bloc>`) is the reference level of its
   circonscription plus the bureau's weighted mean gap. The reference level is the
   circonscription's share in its latest législatives loaded (official result or sum
   of bureaux), or in its latest election loaded if it has no législatives. Election by
   election, the bureau's "adjusted" share is that same level plus the gap of that
   election; so a présidentielle where the whole country voted more to the left moves
   no bureau by itself, only the bureau's lead or lag on its circonscription does. With
   a single kind and a single election, the adjusted share is the bureau's own share.
   A bureau with no circonscription keeps its raw shares. Shares of registered voters
   (`share_reg_<bloc>`) stay raw weighted means over the kept elections.

5. Trend: the weighted least-squares slope of the adjusted left share (so: of the left's
   gap with the circonscription) and of abstention against time, in share points per
   year (0.01 = +1 point a year). It needs two elections at different dates; otherwise
   it is empty.

6. Volatility: between two consecutive kept elections of a bureau, the Pedersen index is
   half the sum over blocs of the absolute change of their adjusted share (0 = nothing
   moved relative to the circonscription, 1 = everything moved). Volatility is its
   weighted mean (weight of the later election of each pair). Empty with one election.

7. Redrawn bureaux. Between two consecutive elections of a bureau (all elections, kept
   or not), a change of registered voters of more than `redistricting_threshold` of the
   earlier count, or a change in the number of bureaux of its commune (counted within
   the bureau's circonscription, because some files cover one circonscription of a city
   only) while the commune's registered voters stay within that same threshold (a change
   in both says that one of the files covers only part of the commune, not that its
   bureaux were redrawn), suggests the bureau was redrawn: `redistricting_suspected` is set, with a
   French `redistricting_note` naming the change, and the trend and the volatility use
   only the elections from the latest such break on (the note says so). The leaning
   keeps every kept election: it is relative to the circonscription (rule 4).

8. Leaning. In each kept election the margin is the left's adjusted share minus the
   adjusted share of the strongest opposing bloc (centre, right or far right, whichever
   is highest in that election). M (`margin_avg`) is the weighted mean of the margins,
   S (`margin_sd`) their weighted standard deviation. The opponent (`opponent`) is the
   opposing bloc with the highest estimated share. With t = `leaning_margin`:
   LEFT (acquis à gauche) if M ≥ t, SWING (disputé) if −t < M < t, otherwise the
   opponent's class: CENTRE (dominé par Ensemble), RIGHT (dominé par la droite) or
   FAR_RIGHT (dominé par l'extrême droite). A margin exactly equal to ±t counts as past it.
   Confidence: the probability that the next election's margin falls in the same class,
   if it varies around M as a normal law of spread s = max(S, `margin_sd_floor`) ×
   `margin_sd_scale` (the floor because with one or two elections the observed spread says
   little; the factor applies to the floored spread too, so that a back-test can calibrate
   bureaux with a single usable election as well: it sets `margin_sd_scale` so that stated
   confidences come true as often as they say). LEFT: Φ((M − t)/s); SWING: Φ((t − M)/s) − Φ((−t − M)/s); for an
   opponent's class, the chance of being below −t, Φ((−t − M)/s), times the chance that
   this bloc stays the strongest opponent, approximated as Φ(d/s) where d is its lead
   over the second opposing bloc (the two events are treated as independent, and the
   second bloc's share as varying with the same spread). So a bureau exactly on a
   threshold has at most 0.5; a bureau far from it with stable margins nears 1.
   `leaning_from_margin` is the one function that says this; the back-test calls it with
   other `margin_sd_scale` values to calibrate.

9. Hotspots. The bureau's averaged abstention is compared with the other bureaux of its
   circonscription and of its département: z = (bureau − mean of the group) / standard
   deviation of the group (bureaux counted equally, population standard deviation). A
   bureau is a hotspot when both z-scores are at least `hotspot_z` (1.0 by default: about
   the top sixth of a normal spread). A group smaller than `hotspot_min_group` bureaux,
   or whose bureaux are all equal, gives no z-score, and then no hotspot. A "left
   abstention hotspot" is a hotspot whose leaning is LEFT.
   Differential turnout (`turnout_differential`): the bureau's turnout at its latest
   présidentielle minus its mean turnout at the législatives and européennes of the same
   five-year cycle (held from that présidentielle's date to five years later), when both
   are loaded for the bureau: the share of registered voters who come to the
   présidentielle only, the intermittent voters Liegey, Muller and Pons targeted in 2012.
   A présidentielle without a législatives or européennes of its cycle is skipped for an
   earlier one. `turnout_differential_hotspot` follows the same z-score rule as
   abstention hotspots, on this differential.

10. Priority: the expected number of votes won for the left by `activist_hours` hours of
    door-to-door in that bureau (central value), with its range.
    - Doors: the bureau has D = registered voters (latest election) ÷
      `VOTERS_PER_HOUSEHOLD` doors. A door is knocked once per campaign, so k =
      hours × `doors_per_hour` knocks reach D × (1 − exp(−k / D)) distinct doors: about
      k when k is small beside D, never more than D (diminishing returns).
    - Voters met = doors reached × contact rate (one voter per opened door). The contact
      rate is `contact_rate`, or the rate observed in the field (doors opened ÷ doors
      knocked in the observations) once `contact_rate_min_reports` reports exist; the run
      records which (ProfileRun.sources).
    - Persuadable pool (`persuadable_share`, share of registered voters): turnout ×
      p, with p = `PERSUADABLE_MAX` × exp(−½ × (M / w)²) and w = `PERSUADABLE_WIDTH` +
      volatility. A bureau where the left and its strongest opponent are level has half
      its voters persuadable; the pool shrinks smoothly as either side pulls ahead, more
      slowly where the bureau's votes move a lot. Smooth in M: no step at a class
      threshold.
    - persuasion = voters met × (1 − averaged abstention) × p × persuasion effect (votes
      won per persuadable voter met).
    - mobilisation = voters met × intermittent share × mobilisation effect × estimated
      left share, where the intermittent share is the differential turnout when known
      (never below 0), else the averaged abstention: of the people met, those who skip
      some elections; of these, those the visit brings to vote; of these, those who vote
      left (assumed to vote like the bureau's voters — abstainers may lean differently).
    - `priority_score` = mobilisation + persuasion with the central effects;
      `priority_low` and `priority_high` use `persuasion_effect_low/high` and
      `mobilisation_effect_low/high`. Ranks (1 = best) on `priority_score` within the
      circonscription, the département (fédération) and the nation; equal scores share a
      rank; a bureau without priority has no rank.

    Default assumptions, and where they come from (all editable; treat as rough):
    - `VOTERS_PER_HOUSEHOLD` = 1.6: INSEE counts about 2.2 people per household in France
      (recensement 2020), of whom about three in four are registered adults.
    - `doors_per_hour` = 12. Green & Gerber, *Get Out the Vote* (Brookings), tell
      organisers to plan on roughly 12 contacts an hour in dense areas; we read it as
      doors knocked because French visits last about five minutes (Pons). Unsure.
    - `contact_rate` = 0.5: about half the doors open. Order of magnitude reported for the
      2012 Socialist campaign and in US canvassing; varies a lot by hour and place.
    - `persuasion_effect` = 0.10 (range 0.03–0.15) vote per persuadable voter met. Pons,
      "Will a Five-Minute Discussion Change Your Mind? A Countrywide Experiment on Voter
      Choice in France", American Economic Review 108(6), 2018: about 5 million doors
      knocked for Hollande in 2012 won about 280,000 votes, ≈ 0.056 vote per door
      knocked, ≈ 0.11 per door opened; with about half the voters persuadable where the
      race is close, 0.10 per persuadable voter gives ≈ 0.05 per voter met there.
    - `mobilisation_effect` = 0.14 (range 0–0.14): the chance that a visit brings an
      intermittent voter to vote. Green & Gerber: about one extra vote per 14 contacts in
      partisan contested US elections. Pons found NO turnout effect in France in 2012 (a
      high-turnout presidential election), hence the low end 0.

11. Profils-types: see circonscriptions/profiles/types.py.

12. Socio-economic facts (computed in SQL with each run, see services.py). Where a bureau
    has a contour, commune values are carried to it by areal weighting: a rate, share or
    average is the mean of the overlapping communes' values weighted by the overlapping
    area; a count (population…) is each commune's count times the share of the commune's
    area inside the bureau. Both assume people are spread evenly inside a commune, which
    is rough in a city. `coverage` says how much of the bureau the values cover.

13. Opportunity of a circonscription (overview page): the mean priority of its bureaux.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circonscriptions import blocs
from circonscriptions.profiles import formats
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.types import profile_types

BLOCS = ("left", "centre", "right", "far_right", "other")
OPPONENT_BLOCS = ("centre", "right", "far_right")
LEFT, SWING, CENTRE, RIGHT, FAR_RIGHT = "left", "swing", "centre", "right", "far_right"
LEANINGS = (LEFT, SWING, CENTRE, RIGHT, FAR_RIGHT)
TIE_TOLERANCE = 1e-9

VOTERS_PER_HOUSEHOLD = 1.6
PERSUADABLE_MAX = 0.5
PERSUADABLE_WIDTH = 0.15
NATION_MIN_CIRCONSCRIPTIONS = 520  # nine in ten of the 577
CYCLE_DAYS = 5 * 365.25  # a présidentielle and the elections of the five years after it

KIND_LABELS = {
    "presidentielle": "Présidentielle",
    "legislatives": "Législatives",
    "europeennes": "Européennes",
    "municipales": "Municipales",
    "regionales": "Régionales",
    "departementales": "Départementales",
}

INPUT_COLUMNS = (
    "polling_station_id",
    "circonscription",
    "departement",
    "election",
    "kind",
    "year",
    "round",
    "date",
    "registered",
    "voters",
    "abstentions",
    "expressed",
    "bloc",
    "votes",
)
WIDE_VOTE_COLUMNS = tuple(f"votes_{b}" for b in BLOCS)
COUNT_COLUMNS = ("registered", "voters", "abstentions", "expressed")
CIRCONSCRIPTION_COLUMNS = ("circonscription", "election", *COUNT_COLUMNS, *WIDE_VOTE_COLUMNS)


@dataclass
class ProfileTables:
    stations: pd.DataFrame  # one row per polling station
    types: pd.DataFrame  # one row per (circonscription, profile type)
    history: pd.DataFrame  # one row per (polling station, election): the per-election figures


# ---------------------------------------------------------------------------------------------
# Small numeric helpers


def normal_cdf(x: np.ndarray | float) -> np.ndarray:
    """Φ, the standard normal distribution function (numpy has no erf; math.erf per value is exact)."""
    arr = np.asarray(x, dtype=float)
    erf = np.frompyfunc(math.erf, 1, 1)
    return 0.5 * (1.0 + np.asarray(erf(arr / math.sqrt(2.0)), dtype=float))


def _safe_div(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def election_label(kind: str, year: int, round_: int) -> str:
    """« Législatives 2022 T1 »."""
    return f"{KIND_LABELS.get(kind, str(kind).capitalize())} {int(year)} T{int(round_)}"


def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


# ---------------------------------------------------------------------------------------------
# Rules 1–3: per (station, election)


def _wide(results: pd.DataFrame) -> pd.DataFrame:
    """The long input (one row per station, election and bloc) as one row per (station, election)."""
    keys = ["polling_station_id", "election"]
    counts = results.drop_duplicates(keys).set_index(keys)
    counts = counts.drop(columns=[c for c in ("bloc", "votes", "nuance") if c in counts.columns])
    bloc = results["bloc"].where(results["bloc"].isin(BLOCS), "other")
    votes = (
        results.assign(bloc=bloc)
        .groupby([*keys, "bloc"], sort=False)["votes"]
        .sum()
        .unstack("bloc", fill_value=0)
        .reindex(columns=list(BLOCS), fill_value=0)
        .rename(columns=lambda b: f"votes_{b}")
    )
    table = counts.join(votes, how="left")
    if "nuance" in results.columns and "votes_unlabelled" not in table.columns:
        nuance = results["nuance"]
        unlabelled = results["votes"].where(nuance.isna() | (nuance == blocs.UNKNOWN_NUANCE), 0)
        table["votes_unlabelled"] = unlabelled.groupby([results[k] for k in keys]).sum()
    return table.reset_index()


def election_table(results: pd.DataFrame, params: ProfileParameters) -> pd.DataFrame:
    """One row per (station, election): counts, bloc votes, shares, the gate, recency weight.

    `results` is long (one row per station, election and bloc: columns INPUT_COLUMNS, and
    optionally `nuance` to count the unlabelled votes) or already wide (one row per station
    and election, the bloc votes in `votes_<bloc>` columns and `votes_unlabelled`), which
    the database produces more cheaply. `commune` is optional (rule 7's bureau count).
    """
    wide = "bloc" not in results.columns and all(c in results.columns for c in WIDE_VOTE_COLUMNS)
    expected = [c for c in INPUT_COLUMNS if c not in ("bloc", "votes")] if wide else INPUT_COLUMNS
    missing = [c for c in expected if c not in results.columns]
    if missing:
        raise ValueError(f"Colonnes manquantes dans les résultats : {', '.join(missing)}.")
    df = results
    if params.first_rounds_only:
        df = df[df["round"] == 1]
    table = df.copy() if wide else _wide(df)
    if "votes_unlabelled" not in table.columns:
        table["votes_unlabelled"] = 0
    if "commune" not in table.columns:
        table["commune"] = None
    table = table.fillna({c: 0 for c in (*WIDE_VOTE_COLUMNS, "votes_unlabelled")})
    table = table.sort_values(["polling_station_id", "election"]).reset_index(drop=True)
    for b in BLOCS:
        table[f"raw_share_{b}"] = _safe_div(table[f"votes_{b}"], table["expressed"])
        table[f"share_reg_{b}"] = _safe_div(table[f"votes_{b}"], table["registered"])
    table["abstention_rate"] = _safe_div(table["abstentions"], table["registered"])
    table["turnout"] = _safe_div(table["voters"], table["registered"])
    table["unlabelled_share"] = _safe_div(table["votes_unlabelled"], table["expressed"])
    # Rule 3: the gate. An election without expressed votes has no shares anyway.
    table["excluded"] = table["unlabelled_share"] > params.unlabelled_threshold + TIE_TOLERANCE
    table["kept"] = (table["expressed"] > 0) & ~table["excluded"]
    # A missing date (files that only say the year) counts as mid-year.
    dates = pd.to_datetime(table["date"], errors="coerce")
    fallback = pd.to_datetime(table["year"].astype(int).astype(str) + "-07-01")
    when = dates.fillna(fallback)
    table["when"] = when
    table["age_years"] = (when.max() - when).dt.days / 365.25 if len(table) else 0.0
    table["weight"] = 0.5 ** (table["age_years"] / params.half_life_years)
    return table


# ---------------------------------------------------------------------------------------------
# Rule 4: references of the same election


def _shares(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({b: _safe_div(frame[f"votes_{b}"], frame["expressed"]) for b in BLOCS}, index=frame.index)


def reference_tables(
    history: pd.DataFrame, circonscription_results: pd.DataFrame | None, params: ProfileParameters
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bloc shares of each (circonscription, election), and of the nation per election (rule 4)."""
    kept = history[history["kept"] & history["circonscription"].notna()]
    summed = kept.groupby(["circonscription", "election"])[[*WIDE_VOTE_COLUMNS, "expressed"]].sum()
    circo = _shares(summed)
    nation = pd.DataFrame(columns=list(BLOCS), dtype=float)
    if circonscription_results is not None and len(circonscription_results):
        cr = circonscription_results
        if params.first_rounds_only and "round" in cr.columns:
            cr = cr[cr["round"] == 1]
        cr = cr[cr["expressed"] > 0]
        if "votes_unlabelled" in cr.columns:
            # A circonscription result that fails the gate is no reference: its bureaux' sum is used.
            cr = cr[_safe_div(cr["votes_unlabelled"], cr["expressed"]) <= params.unlabelled_threshold + TIE_TOLERANCE]
        usable = cr
        official = _shares(usable.set_index(["circonscription", "election"]))
        official = official[~official.index.duplicated()]
        # The official result wins over the sum of the loaded bureaux.
        circo = official.combine_first(circo)
        by_election = usable.groupby("election")
        covered = by_election["circonscription"].nunique()
        national = by_election[[*WIDE_VOTE_COLUMNS, "expressed"]].sum()
        nation = _shares(national[covered.reindex(national.index) >= NATION_MIN_CIRCONSCRIPTIONS])
    return circo, nation


def _reference_levels(circo: pd.DataFrame, elections: pd.DataFrame) -> pd.DataFrame:
    """Each circonscription's shares at its latest législatives, or its latest election if none."""
    if circo.empty:
        return pd.DataFrame(columns=list(BLOCS), dtype=float)
    frame = circo.reset_index().merge(elections, on="election", how="left")
    frame["is_legislatives"] = frame["kind"] == "legislatives"
    frame = frame.sort_values(["circonscription", "is_legislatives", "when"])
    return frame.groupby("circonscription").tail(1).set_index("circonscription")[list(BLOCS)]


def add_gaps(
    history: pd.DataFrame, circonscription_results: pd.DataFrame | None, params: ProfileParameters
) -> pd.DataFrame:
    """Gaps with the circonscription and the nation, and the adjusted shares and margin (rules 4 and 8)."""
    circo, nation = reference_tables(history, circonscription_results, params)
    elections = history.drop_duplicates("election")[["election", "kind", "when"]]
    if circonscription_results is not None and len(circonscription_results):
        extra = circonscription_results.drop_duplicates("election")
        extra = extra[~extra["election"].isin(elections["election"])]
        if len(extra):
            dates = pd.to_datetime(extra["date"], errors="coerce").fillna(
                pd.to_datetime(extra["year"].astype(int).astype(str) + "-07-01")
            )
            elections = pd.concat([elections, pd.DataFrame({**extra[["election", "kind"]], "when": dates.to_numpy()})])
    levels = _reference_levels(circo, elections)
    keys = pd.MultiIndex.from_arrays([history["circonscription"], history["election"]])
    kept = history["kept"].to_numpy()
    for b in BLOCS:
        raw = history[f"raw_share_{b}"].to_numpy()
        ref = circo[b].reindex(keys).to_numpy() if len(circo) else np.full(len(history), np.nan)
        gap = np.where(kept, raw - ref, np.nan)
        history[f"gap_{b}"] = gap
        level = levels[b].reindex(history["circonscription"]).to_numpy() if len(levels) else np.nan
        adjusted = level + gap
        # No reference (a bureau without circonscription): its own share.
        history[f"share_expr_{b}"] = np.where(kept, np.where(np.isnan(adjusted), raw, adjusted), np.nan)
    nation_left = nation["left"].reindex(history["election"]).to_numpy() if len(nation) else np.nan
    history["gap_nation_left"] = np.where(kept, history["raw_share_left"].to_numpy() - nation_left, np.nan)
    opponents = history[[f"share_expr_{b}" for b in OPPONENT_BLOCS]].max(axis=1, skipna=False)
    history["margin"] = history["share_expr_left"] - opponents
    return history


# ---------------------------------------------------------------------------------------------
# Rule 7: redrawn bureaux


def redistricting(history: pd.DataFrame, params: ProfileParameters) -> pd.DataFrame:
    """Per station: suspected (bool), note (French), since (the date from which trend and volatility count)."""
    h = history.sort_values(["polling_station_id", "when"])
    group = h.groupby("polling_station_id", sort=False)
    previous = group["registered"].shift()
    change = pd.Series(_safe_div((h["registered"] - previous).abs(), previous), index=h.index)
    changed = change > params.redistricting_threshold
    by_commune = h["commune"].notna()
    part = h.groupby(["commune", "circonscription", "election"], dropna=False)
    count = part["polling_station_id"].transform("size").where(by_commune)
    commune_registered = part["registered"].transform("sum").where(by_commune)
    previous_count = count.groupby(h["polling_station_id"], sort=False).shift()
    previous_commune = commune_registered.groupby(h["polling_station_id"], sort=False).shift()
    commune_change = pd.Series(_safe_div((commune_registered - previous_commune).abs(), previous_commune), h.index)
    # Fewer bureaux AND far fewer registered voters in the commune: a file that covers part of it.
    same_commune = commune_change <= params.redistricting_threshold
    recounted = by_commune & previous_count.notna() & (count != previous_count) & same_commune
    breaks = h[(changed | recounted).to_numpy()].copy()
    out = pd.DataFrame(index=pd.Index(history["polling_station_id"].unique(), name="polling_station_id"))
    out["suspected"] = False
    out["note"] = ""
    out["since"] = pd.NaT
    if breaks.empty:
        return out
    breaks["previous_registered"] = previous.loc[breaks.index]
    breaks["previous_count"] = previous_count.loc[breaks.index]
    breaks["count"] = count.loc[breaks.index]
    breaks["registered_changed"] = changed.loc[breaks.index]
    latest = breaks.groupby("polling_station_id", sort=False).tail(1)
    # The election before each break: the row just above it in the sorted table, same bureau.
    position = pd.Series(np.arange(len(h)), index=h.index)
    before_rows = h.iloc[position.loc[latest.index].to_numpy() - 1]
    latest = latest.assign(
        before_kind=before_rows["kind"].to_numpy(),
        before_year=before_rows["year"].to_numpy(),
        before_round=before_rows["round"].to_numpy(),
    ).set_index("polling_station_id")
    notes = []
    # A loop over the flagged bureaux only, to write one French sentence each.
    for row in latest.itertuples():
        before = election_label(row.before_kind, row.before_year, row.before_round)
        after = election_label(row.kind, row.year, row.round)
        if row.registered_changed:
            change = (row.registered - row.previous_registered) / row.previous_registered
            what = (
                f"inscrits passés de {int(row.previous_registered)} à {int(row.registered)} "
                f"({'+' if change > 0 else '−'}{abs(100 * change):.0f} %)"
            )
        else:
            what = f"bureaux de la commune passés de {int(row.previous_count)} à {int(row.count)}"
        notes.append(
            f"Redécoupage probable : {what} entre {before} et {after} ; tendance et volatilité "
            f"calculées sur les élections depuis {after} seulement."
        )
    out.loc[latest.index, "suspected"] = True
    out.loc[latest.index, "note"] = notes
    out.loc[latest.index, "since"] = latest["when"]
    return out


# ---------------------------------------------------------------------------------------------
# Per-station aggregates


def _weighted_mean(table: pd.DataFrame, column: str, by: str = "polling_station_id") -> pd.Series:
    valid = table[column].notna()
    w = table["weight"].where(valid, 0.0)
    num = (table[column].fillna(0.0) * w).groupby(table[by]).sum()
    den = w.groupby(table[by]).sum()
    return pd.Series(_safe_div(num, den), index=num.index)


def _weighted_slope(table: pd.DataFrame, column: str) -> pd.Series:
    """Weighted least-squares slope of `column` per year, per station (NaN with < 2 dates)."""
    valid = table[column].notna()
    w = table["weight"].where(valid, 0.0)
    x = -table["age_years"]
    y = table[column].fillna(0.0)
    g = table["polling_station_id"]
    sw = w.groupby(g).sum()
    swx = (w * x).groupby(g).sum()
    swy = (w * y).groupby(g).sum()
    swxx = (w * x * x).groupby(g).sum()
    swxy = (w * x * y).groupby(g).sum()
    den = sw * swxx - swx * swx
    # A denominator near zero means all the dates are the same: no trend can be read.
    den = den.where(den.abs() > 1e-9)
    return (sw * swxy - swx * swy) / den


def _volatility(table: pd.DataFrame) -> pd.Series:
    share_cols = [f"share_expr_{b}" for b in BLOCS]
    t = table[table["share_expr_left"].notna()].sort_values(["polling_station_id", "when"])
    diffs = t.groupby("polling_station_id", sort=False)[share_cols].diff()
    pedersen = diffs.abs().sum(axis=1, min_count=1) / 2.0
    frame = pd.DataFrame({"polling_station_id": t["polling_station_id"], "v": pedersen, "weight": t["weight"]})
    return _weighted_mean(frame, "v")


def _zscore(values: pd.Series, groups: pd.Series, min_group: int) -> pd.Series:
    valid = values.notna()
    by = groups.where(valid)
    mean = values.groupby(by).transform("mean")
    std = values.groupby(by).transform("std", ddof=0)
    size = values.groupby(by).transform("count")
    z = (values - mean) / std.where(std > 1e-12)
    return z.where(size >= min_group)


def turnout_differential(history: pd.DataFrame) -> pd.Series:
    """Présidentielle turnout minus the mean turnout of the législatives/européennes of its cycle (rule 9)."""
    columns = ["polling_station_id", "election", "when", "turnout"]
    pres = history.loc[(history["kind"] == "presidentielle") & history["turnout"].notna(), columns]
    others = history.loc[history["kind"].isin(["legislatives", "europeennes"]) & history["turnout"].notna(), columns]
    if pres.empty or others.empty:
        return pd.Series(np.nan, index=pd.Index([], name="polling_station_id"), dtype=float)
    pairs = pres.merge(others, on="polling_station_id", suffixes=("", "_other"))
    days = (pairs["when_other"] - pairs["when"]).dt.days
    pairs = pairs[(days >= 0) & (days < CYCLE_DAYS)]
    cycle = pairs.groupby(["polling_station_id", "when"], as_index=False).agg(
        turnout=("turnout", "first"), other=("turnout_other", "mean")
    )
    latest = cycle.sort_values(["polling_station_id", "when"]).groupby("polling_station_id").tail(1)
    return (latest["turnout"] - latest["other"]).set_axis(latest["polling_station_id"])


def strongest_opponent(shares: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The opposing bloc with the highest share ('' if none) and its lead over the second (rule 8).

    `shares` has the columns share_expr_centre, share_expr_right and share_expr_far_right
    (a stations table, or the stored profiles).
    """
    opp = shares[[f"share_expr_{b}" for b in OPPONENT_BLOCS]].to_numpy(dtype=float)
    has_opp = ~np.isnan(opp).all(axis=1)
    filled = np.where(np.isnan(opp), -np.inf, opp)
    ordered = np.sort(filled, axis=1)
    opponent = np.where(has_opp, np.array(OPPONENT_BLOCS, dtype=object)[np.argmax(filled, axis=1)], "")
    with np.errstate(invalid="ignore"):
        lead = np.where(has_opp, ordered[:, -1] - ordered[:, -2], np.nan)
    return opponent.astype(object), lead


def leaning_from_margin(
    margin_avg: np.ndarray,
    margin_sd: np.ndarray,
    params: ProfileParameters,
    *,
    opponent: np.ndarray,
    opponent_lead: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Leaning and confidence (rule 8): the calibration hook of the back-test.

    margin_avg is M, margin_sd the observed S (before the floor and `margin_sd_scale`),
    opponent the strongest opposing bloc and opponent_lead its lead over the second one
    (both from `strongest_opponent`). A back-test calls it again with other
    `margin_sd_scale` values to find the one whose stated confidences come true.
    """
    mean = np.asarray(margin_avg, dtype=float)
    observed = np.nan_to_num(np.asarray(margin_sd, dtype=float), nan=0.0)
    s = np.maximum(observed, params.margin_sd_floor) * params.margin_sd_scale
    t = params.leaning_margin
    m = np.nan_to_num(mean, nan=0.0)
    lead = np.nan_to_num(np.asarray(opponent_lead, dtype=float), nan=0.0)
    opponent = np.asarray(opponent, dtype=object)
    # A margin equal to the threshold counts as past it; shares are ratios, so "equal" is
    # decided up to rounding noise (0.30 - 0.25 is 0.04999999999999999 in floating point).
    behind = m <= -t + TIE_TOLERANCE
    named = np.isin(opponent, OPPONENT_BLOCS)
    leaning = np.where(m >= t - TIE_TOLERANCE, LEFT, SWING).astype(object)
    leaning = np.where(behind & named, opponent, leaning).astype(object)
    conf_left = normal_cdf((m - t) / s)
    conf_swing = normal_cdf((t - m) / s) - normal_cdf((-t - m) / s)
    conf_opponent = normal_cdf((-t - m) / s) * normal_cdf(lead / s)
    confidence = np.where(leaning == LEFT, conf_left, np.where(leaning == SWING, conf_swing, conf_opponent))
    no_data = np.isnan(mean)
    leaning[no_data] = SWING
    confidence = np.where(no_data, 0.0, confidence)
    return leaning, confidence


def _excluded_lists(history: pd.DataFrame, params: ProfileParameters, index: pd.Index) -> list[list[dict]]:
    """`excluded_elections` of each station, in the order of `index` (rule 3)."""
    lists: dict = {}
    out = history[history["excluded"]].sort_values(["polling_station_id", "when"])
    threshold = _pct(params.unlabelled_threshold)
    for station, election, kind, year, round_, share in zip(
        out["polling_station_id"],
        out["election"],
        out["kind"],
        out["year"],
        out["round"],
        out["unlabelled_share"],
        strict=True,
    ):
        lists.setdefault(station, []).append(
            {
                "election": election,
                "label": election_label(kind, year, round_),
                "reason": (
                    f"{_pct(share)} des suffrages exprimés sans nuance utilisable (au-delà du seuil de "
                    f"{threshold}) : élection écartée de l'orientation, de la tendance et de la volatilité."
                ),
                "unlabelled_share": round(float(share), 4),
            }
        )
    return [lists.get(station, []) for station in index]


def priority(st: pd.DataFrame, params: ProfileParameters) -> pd.DataFrame:
    """Rule 10 on the stations table: doors, voters met, persuadable pool, scores and their range."""
    households = _safe_div(st["registered_last"], VOTERS_PER_HOUSEHOLD)
    knocks = params.activist_hours * params.doors_per_hour
    with np.errstate(divide="ignore", invalid="ignore"):
        doors = np.where(households > 0, households * -np.expm1(-knocks / households), np.nan)
    met = doors * params.contact_rate
    turnout = 1.0 - st["abstention_rate_avg"].to_numpy()
    width = PERSUADABLE_WIDTH + np.nan_to_num(st["volatility"].to_numpy(), nan=0.0)
    pool = PERSUADABLE_MAX * np.exp(-0.5 * (st["margin_avg"].to_numpy() / width) ** 2)
    differential = st["turnout_differential"].to_numpy()
    intermittent = np.where(np.isnan(differential), st["abstention_rate_avg"].to_numpy(), np.maximum(differential, 0))
    left = np.clip(st["share_expr_left"].to_numpy(), 0.0, 1.0)
    persuasion_base = met * turnout * pool
    mobilisation_base = met * intermittent * left
    out = pd.DataFrame(index=st.index)
    out["doors_reached"] = doors
    out["voters_met"] = met
    out["persuadable_share"] = turnout * pool
    out["persuasion_score"] = persuasion_base * params.persuasion_effect
    out["mobilisation_score"] = mobilisation_base * params.mobilisation_effect
    out["priority_score"] = out["persuasion_score"] + out["mobilisation_score"]
    out["priority_low"] = (
        persuasion_base * params.persuasion_effect_low + mobilisation_base * params.mobilisation_effect_low
    )
    out["priority_high"] = (
        persuasion_base * params.persuasion_effect_high + mobilisation_base * params.mobilisation_effect_high
    )
    return out


def station_table(history: pd.DataFrame, params: ProfileParameters) -> pd.DataFrame:
    g = history.groupby("polling_station_id", sort=True)
    latest = history.sort_values(["polling_station_id", "when"]).groupby("polling_station_id").tail(1)
    latest = latest.set_index("polling_station_id")
    kept = history[history["kept"]]
    st = pd.DataFrame(index=g.size().index)
    st["circonscription"] = latest["circonscription"]
    st["departement"] = latest["departement"]
    st["registered_last"] = latest["registered"]
    st["n_elections"] = kept.groupby("polling_station_id").size().reindex(st.index, fill_value=0)
    # The years span every election loaded for the bureau, kept or not.
    st["first_year"] = g["year"].min()
    st["last_year"] = g["year"].max()
    for b in BLOCS:
        st[f"share_expr_{b}"] = _weighted_mean(kept, f"share_expr_{b}")
        st[f"share_reg_{b}"] = _weighted_mean(kept, f"share_reg_{b}")
    st["left_gap_circonscription"] = _weighted_mean(kept, "gap_left")
    st["left_gap_nation"] = _weighted_mean(kept, "gap_nation_left")
    # Abstention does not depend on nuances: every election counts (rule 3).
    st["abstention_rate_last"] = latest["abstention_rate"]
    st["abstention_rate_avg"] = _weighted_mean(history, "abstention_rate")

    # Rule 7: trend and volatility from the latest break on.
    redrawn = redistricting(history, params).reindex(st.index)
    st["redistricting_suspected"] = redrawn["suspected"].fillna(False).astype(bool)
    st["redistricting_note"] = redrawn["note"].fillna("")
    since = history["polling_station_id"].map(redrawn["since"])
    recent = history[since.isna().to_numpy() | (history["when"] >= since).to_numpy()]
    st["left_share_trend"] = _weighted_slope(recent[recent["kept"]], "share_expr_left")
    st["abstention_trend"] = _weighted_slope(recent, "abstention_rate")
    st["volatility"] = _volatility(recent[recent["kept"]])

    # Rule 8: margin, opponent, leaning.
    st["margin_avg"] = _weighted_mean(kept, "margin")
    dev = kept.assign(dev2=(kept["margin"] - kept["polling_station_id"].map(st["margin_avg"])) ** 2)
    st["margin_sd"] = np.sqrt(_weighted_mean(dev, "dev2"))
    st["opponent"], st["opponent_lead"] = strongest_opponent(st)
    leaning, confidence = leaning_from_margin(
        st["margin_avg"].to_numpy(),
        st["margin_sd"].to_numpy(),
        params,
        opponent=st["opponent"].to_numpy(),
        opponent_lead=st["opponent_lead"].to_numpy(),
    )
    st["leaning"] = leaning
    st["confidence"] = confidence

    # Rule 9: hotspots.
    abst = st["abstention_rate_avg"]
    st["abstention_z_circonscription"] = _zscore(abst, st["circonscription"], params.hotspot_min_group)
    st["abstention_z_departement"] = _zscore(abst, st["departement"], params.hotspot_min_group)
    st["abstention_hotspot"] = (st["abstention_z_circonscription"] >= params.hotspot_z) & (
        st["abstention_z_departement"] >= params.hotspot_z
    )
    st["left_abstention_hotspot"] = st["abstention_hotspot"] & (st["leaning"] == LEFT)
    st["turnout_differential"] = turnout_differential(history).reindex(st.index)
    diff = st["turnout_differential"]
    z_circo = _zscore(diff, st["circonscription"], params.hotspot_min_group)
    z_dept = _zscore(diff, st["departement"], params.hotspot_min_group)
    st["turnout_differential_hotspot"] = (z_circo >= params.hotspot_z) & (z_dept >= params.hotspot_z)

    # Rule 10: priority and ranks.
    for column, values in priority(st, params).items():
        st[column] = values
    score = st["priority_score"]
    st["rank_circonscription"] = score.groupby(st["circonscription"]).rank(ascending=False, method="min")
    st["rank_departement"] = score.groupby(st["departement"]).rank(ascending=False, method="min")
    st["rank_nation"] = score.rank(ascending=False, method="min")
    st["excluded_elections"] = _excluded_lists(history, params, st.index)
    return st


# ---------------------------------------------------------------------------------------------
# Entry point


def compute_profiles(
    results: pd.DataFrame,
    params: ProfileParameters | None = None,
    circonscription_results: pd.DataFrame | None = None,
) -> ProfileTables:
    """All figures per polling station, and the profils-types, from the results tables.

    `circonscription_results` (optional): one row per (circonscription, election) with
    CIRCONSCRIPTION_COLUMNS (and `votes_unlabelled`, `kind`, `year`, `round`, `date`), the
    official circonscription results used as references (rule 4).
    """
    params = params or ProfileParameters()
    params.validate()
    history = election_table(results, params)
    if history.empty:
        empty = pd.DataFrame(columns=["polling_station_id"])
        return ProfileTables(stations=empty, types=pd.DataFrame(), history=history)
    history = add_gaps(history, circonscription_results, params)
    stations = station_table(history, params)
    type_keys, types = profile_types(stations, params)
    stations["profile_type"] = type_keys
    return ProfileTables(stations=stations.reset_index(), types=types, history=history)


OPPONENT_WORDS = {
    CENTRE: "dominé par Ensemble",
    RIGHT: "dominé par la droite",
    FAR_RIGHT: "dominé par l'extrême droite",
}


def leaning_reason(
    *, leaning: str, margin_avg: float | None, margin_sd: float | None, n_elections: int, params: ProfileParameters
) -> str:
    """The leaning's reason in French words, for the polling-station page (rule 8)."""
    if margin_avg is None or (isinstance(margin_avg, float) and math.isnan(margin_avg)):
        return (
            "Aucune élection utilisable dans ce bureau (aucun suffrage exprimé, ou trop de voix sans nuance) : "
            "pas de tendance lisible."
        )
    pts = 100 * margin_avg
    sd = 100 * (margin_sd or 0.0)
    t = 100 * params.leaning_margin

    def fr(value: float) -> str:  # the sentence is French, whatever the page's language
        return formats.number(value, 1)

    elections = "élection" if n_elections == 1 else "élections"
    if pts >= 0:
        lead = f"La gauche devance le premier bloc adverse de {fr(pts)} points en moyenne pondérée"
    else:
        lead = f"Le premier bloc adverse devance la gauche de {fr(-pts)} points en moyenne pondérée"
    spread = f"sur {n_elections} {elections} (écart-type {fr(sd)} points)"
    if leaning == LEFT:
        verdict = f"au moins {t:.0f} points d'avance : acquis à gauche"
    elif leaning in OPPONENT_WORDS:
        verdict = f"au moins {t:.0f} points de retard : {OPPONENT_WORDS[leaning]}"
    else:
        verdict = f"moins de {t:.0f} points d'écart : disputé"
    return f"{lead} {spread} ; {verdict}."
