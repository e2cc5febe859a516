"""Voter profiles per bureau de vote: the rules, in words an HQ analyst can check.

Everything here is a pure function: it takes a table of results and a set of
parameters (`ProfileParameters`, edited by HQ analysts in the admin as
`ProfileSettings`) and returns tables. Nothing reads the database; nothing works
row by row (the tables are handled whole, with pandas/numpy).

Input: one row per (bureau, election, bloc) with the bureau's counts of that
election (registered, voters, abstentions, expressed) and the votes of that bloc.
Only first rounds are used by default: a second round is a duel in which whole blocs
are absent, so its shares would say more about who qualified than about the bureau.

1. Shares. For each bureau and election, a bloc's share of expressed votes is its
   votes divided by the expressed votes; its share of registered voters is its votes
   divided by the registered voters; the abstention rate is abstentions divided by
   registered voters. A bureau with zero expressed votes (or zero registered) in an
   election has no share (or no abstention rate) for that election: it is left out
   of the averages rather than counted as zero.

2. Recent elections weigh more. An election held `a` years before the most recent
   election loaded has the weight 0.5 ** (a / half-life). With a half-life of 5 years,
   an election 5 years older counts half as much, 10 years older a quarter. Averages
   ("…_avg") are weighted means over the elections where the figure exists.
   `abstention_rate_last` is the rate of the latest election loaded for that bureau.

3. Trend: the weighted least-squares slope of the left share (and of abstention)
   against time, in share points per year (0.01 = +1 point a year). It needs two
   elections at different dates; otherwise it is empty.

4. Volatility: between two consecutive elections of a bureau, the Pedersen index is
   half the sum over blocs of the absolute change of their share of expressed votes
   (0 = nothing moved, 1 = everything moved). Volatility is its weighted mean
   (weight of the later election of each pair). Empty with a single election.

5. Leaning. In each election the margin is the left's share of expressed votes minus
   the share of the strongest opposing bloc (centre, right or far right, whichever is
   highest in that election). M is the weighted mean of the margins, S their
   weighted standard deviation, floored at `margin_sd_floor` (with one or two
   elections the observed spread says little). With t = `leaning_margin`:
   LEFT (acquis à gauche) if M ≥ t, RIGHT (acquis à droite) if M ≤ −t,
   SWING (hésitant) otherwise. A margin exactly equal to t counts as LEFT.
   Confidence: the probability that the margin of the next election, if it varies
   around M as the bureau's margins have varied (normal law, mean M, deviation S),
   falls in the same class: LEFT: Φ((M − t)/S); RIGHT: Φ((−t − M)/S); SWING:
   Φ((t − M)/S) − Φ((−t − M)/S). So a bureau exactly on the threshold has 0.5; a
   bureau far from it with stable margins nears 1. A bureau with no expressed vote
   at all is SWING with confidence 0.

6. Abstention hotspot (foyer d'abstentionnisme). The bureau's averaged abstention is
   compared with the other bureaux of its circonscription and of its département:
   z = (bureau − mean of the group) / standard deviation of the group (bureaux
   counted equally, population standard deviation). A bureau is a hotspot when both
   z-scores are at least `hotspot_z` (1.0 by default: about the top sixth of a
   normal spread). A group smaller than `hotspot_min_group` bureaux, or whose
   bureaux all have the same abstention, gives no z-score, and then no hotspot.
   A "left abstention hotspot" is a hotspot whose leaning is LEFT.

7. Priority: the expected number of votes one hour of door-to-door there wins for
   the left. contacts per hour = doors knocked per hour × share of doors that open.
   - mobilisation = contacts/h × averaged abstention × mobilisation effect × left
     share of expressed: of the people met, the abstainers; of these, those the visit
     brings to vote; of these, those who vote left (assumed to vote like the bureau's
     voters — an assumption: abstainers may lean differently).
   - persuasion = contacts/h × (1 − averaged abstention) × persuasion effect ×
     weight, where the weight is 1 in a SWING bureau and `persuasion_weight_outside_swing`
     elsewhere (fewer persuadable voters where one side is settled).
   priority = mobilisation + persuasion; ranks (1 = best) within the circonscription,
   the département (fédération) and the nation; equal scores share a rank.

   Default assumptions, and where they come from (all editable; treat as rough):
   - `doors_per_hour` = 12. Green & Gerber, *Get Out the Vote* (Brookings), tell
     organisers to plan on roughly 12 contacts an hour in dense areas; we read it as
     doors knocked because French visits last about five minutes (Pons). Unsure.
   - `contact_rate` = 0.5: about half the doors open. Order of magnitude reported for
     the 2012 Socialist campaign and in US canvassing; it varies a lot by hour and
     place. Unsure.
   - `persuasion_effect` = 0.10 vote per voter met. Pons, "Will a Five-Minute
     Discussion Change Your Mind? A Countrywide Experiment on Voter Choice in France",
     American Economic Review 108(6), 2018: about 5 million doors knocked for Hollande
     in 2012 won about 280,000 votes (the party's own summary of the study), i.e.
     ≈ 0.056 vote per door knocked, ≈ 0.11 per door opened; we round down for the
     share of people met who would not have voted. The effect was persuasion, not
     turnout, and it persisted in the June 2012 legislative elections.
   - `mobilisation_effect` = 0.14: the chance that a visit brings an abstainer to
     vote. Green & Gerber report about one extra vote per 14 contacts in partisan
     contested US elections (≈ 0.07 per contact); with about half of those met being
     would-be abstainers, ≈ 0.14 per abstainer met. Pons found NO turnout effect in
     France in 2012 (a high-turnout presidential election): in France this figure may
     well be too high; set it to 0 to rank by persuasion only.

8. Profils-types. Within each circonscription, bureaux are grouped by k-means on
   their standardised features (shares of expressed votes of the left, centre, right
   and far right, and averaged abstention; each feature centred on the
   circonscription's mean and divided by its standard deviation). The number of types
   is min(`max_types`, number of bureaux // `min_type_size`), at least 1. The
   algorithm starts from a seeded k-means++ draw (`kmeans_seed`), so the same data
   give the same types. Types are numbered by decreasing size. Each type is named
   from its mean bureau: its leaning (same rule as above on the type's mean margin),
   its abstention when it differs from the circonscription's by at least
   `type_distinct_delta` (« abstentionniste » above, « mobilisé » below), and the
   opposing bloc that is notably stronger there than in the circonscription (its mean
   share higher by at least `type_distinct_delta`).

9. Socio-economic facts (computed in SQL with each run, see services.py).
   Where a bureau has a contour, commune values are carried to it by areal weighting:
   a rate, share or average is the mean of the overlapping communes' values weighted by
   the overlapping area; a count (population…) is each commune's count times the share
   of the commune's area inside the bureau. Both assume people are spread evenly
   inside a commune, which is rough in a city. `coverage` says how much of the bureau
   the values cover. Without a contour, the page shows the commune's value, else the
   circonscription's, and always names the level used. (IRIS values would be the
   finest; QG does not keep IRIS contours yet.) Socio-economic values do not enter the
   profils-types yet: the variables differ from one source to the next.

10. Opportunity of a circonscription (overview page): the mean priority of its bureaux,
    in votes won per hour of door-to-door.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.types import profile_types

BLOCS = ("left", "centre", "right", "far_right", "other")
OPPONENT_BLOCS = ("centre", "right", "far_right")
LEFT, RIGHT, SWING = "left", "right", "swing"
TIE_TOLERANCE = 1e-9

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
    return (0.5 * (1.0 + erf(arr / math.sqrt(2.0)).astype(float))).astype(float)


def _safe_div(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


# ---------------------------------------------------------------------------------------------
# Step 1: per (station, election)


WIDE_VOTE_COLUMNS = tuple(f"votes_{b}" for b in BLOCS)


def election_table(results: pd.DataFrame, params: ProfileParameters) -> pd.DataFrame:
    """One row per (station, election): counts, bloc votes, shares, margin, recency weight.

    `results` is long (one row per station, election and bloc: columns INPUT_COLUMNS) or
    already wide (one row per station and election, the bloc votes in `votes_<bloc>`
    columns instead of `bloc`/`votes`), which the database can produce more cheaply.
    """
    wide = "bloc" not in results.columns and all(c in results.columns for c in WIDE_VOTE_COLUMNS)
    expected = [c for c in INPUT_COLUMNS if c not in ("bloc", "votes")] if wide else INPUT_COLUMNS
    missing = [c for c in expected if c not in results.columns]
    if missing:
        raise ValueError(f"Colonnes manquantes dans les résultats : {', '.join(missing)}.")
    df = results
    if params.first_rounds_only:
        df = df[df["round"] == 1]
    keys = ["polling_station_id", "election"]
    count_columns = [*keys, "circonscription", "departement", "kind", "year", "round", "date"]
    count_columns += ["registered", "voters", "abstentions", "expressed"]
    if wide:
        table = df[count_columns + list(WIDE_VOTE_COLUMNS)].set_index(keys).sort_index()
    else:
        counts = df.drop_duplicates(keys)[count_columns].set_index(keys).sort_index()
        bloc = df["bloc"].where(df["bloc"].isin(BLOCS), "other")
        votes = (
            df.assign(bloc=bloc)
            .groupby([*keys, "bloc"], sort=False)["votes"]
            .sum()
            .unstack("bloc", fill_value=0)
            .reindex(columns=list(BLOCS), fill_value=0)
        )
        table = counts.join(votes.rename(columns=lambda b: f"votes_{b}"), how="left")
    table = table.fillna({c: 0 for c in WIDE_VOTE_COLUMNS})
    for b in BLOCS:
        table[f"share_expr_{b}"] = _safe_div(table[f"votes_{b}"], table["expressed"])
        table[f"share_reg_{b}"] = _safe_div(table[f"votes_{b}"], table["registered"])
    table["abstention_rate"] = _safe_div(table["abstentions"], table["registered"])
    table["margin"] = table["share_expr_left"] - table[[f"share_expr_{b}" for b in OPPONENT_BLOCS]].max(
        axis=1, skipna=False
    )
    # A missing date (files that only say the year) counts as mid-year.
    dates = pd.to_datetime(table["date"], errors="coerce")
    fallback = pd.to_datetime(table["year"].astype(int).astype(str) + "-07-01")
    when = dates.fillna(fallback)
    table["when"] = when
    table["age_years"] = (when.max() - when).dt.days / 365.25 if len(table) else 0.0
    table["weight"] = 0.5 ** (table["age_years"] / params.half_life_years)
    return table.reset_index()


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
    t = table[table["expressed"] > 0].sort_values(["polling_station_id", "when"])
    diffs = t.groupby("polling_station_id", sort=False)[share_cols].diff()
    pedersen = diffs.abs().sum(axis=1, min_count=1) / 2.0
    frame = pd.DataFrame({"polling_station_id": t["polling_station_id"], "v": pedersen, "weight": t["weight"]})
    return _weighted_mean(frame, "v")


# ---------------------------------------------------------------------------------------------
# Step 2: per station


def leaning_from_margin(mean: np.ndarray, sd: np.ndarray, params: ProfileParameters) -> tuple[np.ndarray, np.ndarray]:
    """Leaning and confidence from the weighted mean margin and its spread (rule 5)."""
    mean = np.asarray(mean, dtype=float)
    s = np.maximum(np.nan_to_num(np.asarray(sd, dtype=float), nan=0.0), params.margin_sd_floor)
    t = params.leaning_margin
    m = np.nan_to_num(mean, nan=0.0)
    # A margin equal to the threshold counts as past it; shares are ratios, so "equal" is
    # decided up to rounding noise (0.30 - 0.25 is 0.04999999999999999 in floating point).
    leaning = np.where(m >= t - TIE_TOLERANCE, LEFT, np.where(m <= -t + TIE_TOLERANCE, RIGHT, SWING)).astype(object)
    conf_left = normal_cdf((m - t) / s)
    conf_right = normal_cdf((-t - m) / s)
    conf_swing = normal_cdf((t - m) / s) - normal_cdf((-t - m) / s)
    confidence = np.where(leaning == LEFT, conf_left, np.where(leaning == RIGHT, conf_right, conf_swing))
    no_data = np.isnan(mean)
    leaning[no_data] = SWING
    confidence = np.where(no_data, 0.0, confidence)
    return leaning, confidence


def _zscore(values: pd.Series, groups: pd.Series, min_group: int) -> pd.Series:
    valid = values.notna()
    by = groups.where(valid)
    mean = values.groupby(by).transform("mean")
    std = values.groupby(by).transform("std", ddof=0)
    size = values.groupby(by).transform("count")
    z = (values - mean) / std.where(std > 1e-12)
    return z.where(size >= min_group)


def station_table(history: pd.DataFrame, params: ProfileParameters) -> pd.DataFrame:
    g = history.groupby("polling_station_id", sort=True)
    latest = history.sort_values(["polling_station_id", "when"]).groupby("polling_station_id").tail(1)
    latest = latest.set_index("polling_station_id")
    st = pd.DataFrame(index=g.size().index)
    st["circonscription"] = latest["circonscription"]
    st["departement"] = latest["departement"]
    st["n_elections"] = g.size()
    st["first_year"] = g["year"].min()
    st["last_year"] = g["year"].max()
    for b in BLOCS:
        st[f"share_expr_{b}"] = _weighted_mean(history, f"share_expr_{b}")
        st[f"share_reg_{b}"] = _weighted_mean(history, f"share_reg_{b}")
    st["abstention_rate_last"] = latest["abstention_rate"]
    st["abstention_rate_avg"] = _weighted_mean(history, "abstention_rate")
    st["left_share_trend"] = _weighted_slope(history, "share_expr_left")
    st["abstention_trend"] = _weighted_slope(history, "abstention_rate")
    st["volatility"] = _volatility(history)
    st["margin_avg"] = _weighted_mean(history, "margin")
    dev = history.assign(dev2=(history["margin"] - history["polling_station_id"].map(st["margin_avg"])) ** 2)
    st["margin_sd"] = np.sqrt(_weighted_mean(dev, "dev2"))
    leaning, confidence = leaning_from_margin(st["margin_avg"].to_numpy(), st["margin_sd"].to_numpy(), params)
    st["leaning"] = leaning
    st["confidence"] = confidence

    # Rule 6: hotspots.
    abst = st["abstention_rate_avg"]
    st["abstention_z_circonscription"] = _zscore(abst, st["circonscription"], params.hotspot_min_group)
    st["abstention_z_departement"] = _zscore(abst, st["departement"], params.hotspot_min_group)
    st["abstention_hotspot"] = (st["abstention_z_circonscription"] >= params.hotspot_z) & (
        st["abstention_z_departement"] >= params.hotspot_z
    )
    st["left_abstention_hotspot"] = st["abstention_hotspot"] & (st["leaning"] == LEFT)

    # Rule 7: priority.
    contacts = params.doors_per_hour * params.contact_rate
    st["mobilisation_score"] = contacts * abst * params.mobilisation_effect * st["share_expr_left"]
    weight = np.where(st["leaning"] == SWING, 1.0, 0.5)  # placeholder until the persuadable pool lands
    st["persuasion_score"] = contacts * (1.0 - abst) * params.persuasion_effect * weight
    st["priority_score"] = st["mobilisation_score"] + st["persuasion_score"]
    score = st["priority_score"]
    st["rank_circonscription"] = score.groupby(st["circonscription"]).rank(ascending=False, method="min")
    st["rank_departement"] = score.groupby(st["departement"]).rank(ascending=False, method="min")
    st["rank_nation"] = score.rank(ascending=False, method="min")
    # Figures of the five-class rules, not computed yet: empty, so that the table has every column.
    st["opponent"] = ""
    for column in ("left_gap_circonscription", "left_gap_nation", "turnout_differential", "persuadable_share"):
        st[column] = np.nan
    st["priority_low"] = st["priority_score"]
    st["priority_high"] = st["priority_score"]
    st["turnout_differential_hotspot"] = False
    st["excluded_elections"] = [[] for _ in range(len(st))]
    st["redistricting_suspected"] = False
    st["redistricting_note"] = ""
    return st


# ---------------------------------------------------------------------------------------------
# Entry point


def compute_profiles(results: pd.DataFrame, params: ProfileParameters | None = None) -> ProfileTables:
    """All figures per polling station, and the profils-types, from the long results table."""
    params = params or ProfileParameters()
    params.validate()
    history = election_table(results, params)
    if history.empty:
        empty = pd.DataFrame(columns=["polling_station_id"])
        return ProfileTables(stations=empty, types=pd.DataFrame(), history=history)
    stations = station_table(history, params)
    type_keys, types = profile_types(stations, params)
    stations["profile_type"] = type_keys
    return ProfileTables(stations=stations.reset_index(), types=types, history=history)


def leaning_reason(
    *, leaning: str, margin_avg: float | None, margin_sd: float | None, n_elections: int, params: ProfileParameters
) -> str:
    """The leaning's reason in French words, for the polling-station page (rule 5)."""
    if margin_avg is None or (isinstance(margin_avg, float) and math.isnan(margin_avg)):
        return "Aucun suffrage exprimé dans les élections chargées : pas de tendance lisible."
    pts = 100 * margin_avg
    sd = 100 * (margin_sd or 0.0)
    t = 100 * params.leaning_margin

    def fr(value: float) -> str:  # French decimal comma: the sentence is French
        return f"{value:.1f}".replace(".", ",")

    elections = "élection" if n_elections == 1 else "élections"
    if pts >= 0:
        lead = f"La gauche devance le premier bloc adverse de {fr(pts)} points en moyenne pondérée"
    else:
        lead = f"Le premier bloc adverse devance la gauche de {fr(-pts)} points en moyenne pondérée"
    spread = f"sur {n_elections} {elections} (écart-type {fr(sd)} points)"
    if leaning == LEFT:
        verdict = f"au moins {t:.0f} points d'avance : acquis à gauche"
    elif leaning == RIGHT:
        verdict = f"au moins {t:.0f} points de retard : acquis à droite"
    else:
        verdict = f"moins de {t:.0f} points d'écart : hésitant"
    return f"{lead} {spread} ; {verdict}."
