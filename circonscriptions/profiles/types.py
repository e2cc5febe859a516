"""Profils-types: the few kinds of polling station of a circonscription, in words an analyst can check.

Pure functions on the stations table that rules.station_table produced: no database.

1. What is compared. Each bureau is described by its averaged shares of expressed votes
   of the left, the centre (Ensemble), the right and the far right, its averaged
   abstention rate and, when the stations table has it, its differential turnout
   (présidentielle turnout minus législatives or européennes turnout). Within a
   circonscription each figure is centred on the circonscription's mean and divided by
   its standard deviation, so that a point of abstention and a point of far-right vote
   weigh according to how much they vary there. A bureau missing a figure (no
   présidentielle loaded, no expressed vote) is given the circonscription's mean for
   it: it is neither pulled nor pushed by that figure. A figure missing everywhere in
   the circonscription plays no part.

2. Grouping. For a given number of types k, bureaux are grouped by k-means: each type
   has a centre, each bureau joins the nearest centre, each centre moves to the mean of
   its bureaux, until nothing changes. The result depends on where the centres start,
   so the grouping is run from `kmeans_starts` starting draws (k-means++: each new
   centre drawn among the bureaux, the farther from the centres already drawn, the
   likelier), and the grouping kept is the one with the smallest total squared distance
   of the bureaux to their centre (inertia) among those whose every type has at least
   `min_type_size` bureaux. The draws come from `kmeans_seed`: the same data and the
   same settings give the same types, run after run.

3. How many types. k is tried from 2 to min(`max_types`, bureaux // `min_type_size`).
   For each k the kept grouping gets its mean silhouette (distances are straight-line
   distances between the standardised figures): for a bureau, a = its mean distance to
   the other bureaux of its type, b = its mean distance to the bureaux of
   the nearest other type, silhouette = (b − a) / max(a, b) (1: well inside its type,
   0: between two types, negative: closer to another type; a bureau alone in its type
   counts 0). The k with the highest mean silhouette wins (the smaller k on a tie). If
   no k reaches MIN_SILHOUETTE (0.25, below which Kaufman and Rousseeuw, *Finding
   Groups in Data*, 1990, read "no substantial structure"), or if the circonscription
   has fewer than 2 × `min_type_size` bureaux, it has a single type: its bureaux do not
   fall into distinct kinds, and inventing some would mislead.

4. Stability. The chosen grouping is run again, with the same k and the same number of
   starts, from three other seeds (STABILITY_SEEDS). Each of these groupings is compared with the
   chosen one by the adjusted Rand index (1: the same bureaux grouped together;
   about 0: no more agreement than chance), and the stability of the circonscription's
   types is the mean of these indices; every type of the circonscription carries it.
   A single type is stable by construction (1.0). A low stability says the types
   depend on chance and should not be read closely.

5. Order and names. Types are numbered by decreasing size (1 = the largest). A type is
   named after its mean bureau compared with the circonscription's mean:
   - its leaning, by the one-election rule of rules.py applied to the type's mean
     shares: margin = left − the strongest of centre, right, far right; « acquis à
     gauche » if the margin is at least `leaning_margin`, « disputé » if it is within
     ± `leaning_margin`, otherwise « dominé par Ensemble / la droite / l'extrême
     droite » after the strongest opposing bloc;
   - its abstention when it differs from the circonscription's by at least
     `type_distinct_delta` (« abstention plus haute » / « abstention plus basse »);
   - the bloc whose share is the most above the circonscription's, when it is above by
     at least `type_distinct_delta` (« gauche plus forte », « extrême droite plus
     forte »…).
   When two types of a circonscription get the same name, the figure on which they
   differ most and that their names do not use yet is added to each: above, below or
   near the circonscription's mean when that tells them apart, otherwise its value
   (« gauche à 47 % »), until every name is different. Names never carry a
   number in brackets.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from circonscriptions.profiles import formats
from circonscriptions.profiles.parameters import ProfileParameters

# The five leanings of rules.py (same values as models.Leaning, without importing Django here).
LEFT, SWING, CENTRE, RIGHT, FAR_RIGHT = "left", "swing", "centre", "right", "far_right"
TIE_TOLERANCE = 1e-9
MIN_SILHOUETTE = 0.25
STABILITY_SEEDS = 3
MAX_ITERATIONS = 100

TYPE_FEATURES = (
    "share_expr_left",
    "share_expr_centre",
    "share_expr_right",
    "share_expr_far_right",
    "abstention_rate_avg",
)
# Used when the stations table has it (rules.py computes it where a présidentielle is loaded).
OPTIONAL_FEATURES = ("turnout_differential",)
OPPONENT_FEATURES = {
    "share_expr_centre": CENTRE,
    "share_expr_right": RIGHT,
    "share_expr_far_right": FAR_RIGHT,
}
LEANING_LABELS = {
    LEFT: "acquis à gauche",
    SWING: "disputé",
    CENTRE: "dominé par Ensemble",
    RIGHT: "dominé par la droite",
    FAR_RIGHT: "dominé par l'extrême droite",
}
# For each figure: (higher than the circonscription, lower, near its mean, its value).
FEATURE_WORDS = {
    "share_expr_left": ("gauche plus forte", "gauche plus faible", "gauche dans la moyenne", "gauche à {}"),
    "share_expr_centre": ("Ensemble plus fort", "Ensemble plus faible", "Ensemble dans la moyenne", "Ensemble à {}"),
    "share_expr_right": ("droite plus forte", "droite plus faible", "droite dans la moyenne", "droite à {}"),
    "share_expr_far_right": (
        "extrême droite plus forte",
        "extrême droite plus faible",
        "extrême droite dans la moyenne",
        "extrême droite à {}",
    ),
    "abstention_rate_avg": (
        "abstention plus haute",
        "abstention plus basse",
        "abstention dans la moyenne",
        "abstention à {}",
    ),
    "turnout_differential": (
        "vote intermittent plus fréquent",
        "vote intermittent plus rare",
        "vote intermittent dans la moyenne",
        "écart de participation de {}",
    ),
}
BLOC_FEATURES = ("share_expr_left", "share_expr_centre", "share_expr_right", "share_expr_far_right")
TYPE_COLUMNS = ["circonscription", "key", "name", "description", "count", "centroid", "stability"]


# ---------------------------------------------------------------------------------------------
# k-means, vectorised over many starts (and several k) at once


def _squared_distances(x: np.ndarray) -> np.ndarray:
    """n × n squared distances, as |a|² + |b|² − 2 a·b (one matrix product; rounding can dip below 0)."""
    sq = (x**2).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * (x @ x.T), 0.0)
    np.fill_diagonal(d2, 0.0)
    return d2


def _kmeans_plus_plus(
    x: np.ndarray, slots: int, starts: int, rng: np.random.Generator, d2_all: np.ndarray
) -> np.ndarray:
    """`starts` k-means++ draws of `slots` centres (starts × slots × d); a prefix of j slots is a draw of j.

    `d2_all` is the n × n matrix of squared distances between the bureaux."""
    n = len(x)
    chosen = np.empty((starts, slots), dtype=int)
    chosen[:, 0] = rng.integers(n, size=starts)
    d2 = d2_all[chosen[:, 0]]
    for j in range(1, slots):
        cumulative = np.cumsum(d2, axis=1)
        draw = rng.random(starts) * cumulative[:, -1]
        # The first bureau whose cumulative weight passes the draw; a bureau sitting on a centre
        # (weight 0) cannot be drawn. If every bureau sits on a centre, the last one is taken and
        # the duplicate centre ends empty, which rules that start out.
        chosen[:, j] = np.minimum((cumulative <= draw[:, None]).sum(axis=1), n - 1)
        d2 = np.minimum(d2, d2_all[chosen[:, j]])
    return x[chosen]


def _lloyd(x: np.ndarray, centres: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lloyd iterations of C groupings at once: centres C × K × d, active C × K (slots in use).

    Returns labels (C × n), inertia (C,) and type sizes (C × K). A centre that loses every
    bureau stays where it was (its size is 0).
    """
    n, d = x.shape
    c, k, _ = centres.shape
    centres = centres.copy()
    # |x − m|² = |x|² − 2 x·m + |m|²; |x|² is the same for every centre, so the nearest centre
    # is the argmin of (x, 1)·(−2m, |m|²): one matrix product per iteration for every start.
    # An unused slot gets a huge |m|² so that nobody joins it.
    unused = np.where(active, 0.0, 1e30)[:, :, None]
    x1 = np.hstack([x, np.ones((n, 1))])
    rows = np.arange(n)[:, None]
    labels = np.full((n, c), -1)
    moving = np.arange(c)  # the groupings that have not settled yet: the others are left alone
    for _ in range(MAX_ITERATIONS):
        m = centres[moving]
        weights = np.concatenate([-2 * m, (m**2).sum(axis=2, keepdims=True) + unused[moving]], axis=2)
        # argmin over rows of k figures: faster on a 2-D array than along the last of three axes.
        new = (x1 @ weights.reshape(-1, d + 1).T).reshape(n * len(moving), k).argmin(axis=1).reshape(n, -1)
        moved = (new != labels[:, moving]).any(axis=0)
        if not moved.any():
            break
        moving, new = moving[moved], new[:, moved]
        labels[:, moving] = new
        members = np.zeros((n, len(moving) * k))
        members.ravel()[(rows * (len(moving) * k) + new + np.arange(len(moving)) * k).ravel()] = 1.0
        sums = (members.T @ x1).reshape(len(moving), k, d + 1)  # the last column counts the bureaux
        counts = sums[:, :, d:]
        centres[moving] = np.where(counts > 0, sums[:, :, :d] / np.maximum(counts, 1.0), centres[moving])
    offsets = np.arange(c) * k
    # Inertia from the differences themselves: the expanded form above loses digits.
    nearest = centres.reshape(c * k, d)[labels + offsets]
    inertia = ((x[:, None, :] - nearest) ** 2).sum(axis=(0, 2))
    sizes = np.zeros(c * k, dtype=int)
    np.add.at(sizes, (labels + offsets).ravel(), 1)
    return labels.T, inertia, sizes.reshape(c, k)


def _best_groupings(
    x: np.ndarray, ks: list[int], starts: int, rng: np.random.Generator, min_size: int, d2_all: np.ndarray
) -> dict[int, np.ndarray]:
    """For each k, the labels of the start with the lowest inertia among those whose types all
    have at least `min_size` bureaux (k absent when no start qualifies)."""
    if not ks:
        return {}
    slots = max(ks)
    draws = _kmeans_plus_plus(x, slots, starts, rng, d2_all)
    centres = np.concatenate([draws] * len(ks))
    k_of = np.repeat(ks, starts)
    active = np.arange(slots)[None, :] < k_of[:, None]
    labels, inertia, sizes = _lloyd(x, centres, active)
    eligible = ((sizes >= min_size) | ~active).all(axis=1)
    best = {}
    for i, k in enumerate(ks):
        block = slice(i * starts, (i + 1) * starts)
        scores = np.where(eligible[block], inertia[block], np.inf)
        if np.isfinite(scores).any():
            best[k] = labels[block][int(np.argmin(scores))]
    return best


def kmeans(x: np.ndarray, k: int, seed: int, starts: int = 10, min_size: int = 1) -> np.ndarray:
    """Labels of the best of `starts` seeded k-means runs (lowest inertia); x is n × d, finite."""
    k = max(1, min(k, len(x)))
    if k == 1:
        return np.zeros(len(x), dtype=int)
    best = _best_groupings(x, [k], starts, np.random.default_rng([seed, 0]), min_size, _squared_distances(x))
    return best[k] if k in best else np.zeros(len(x), dtype=int)


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of a grouping, from the n × n matrix of distances between bureaux."""
    n = len(labels)
    groups = int(labels.max()) + 1
    if groups < 2:
        return 0.0
    rows = np.arange(n)
    members = np.zeros((n, groups))
    members[rows, labels] = 1.0
    counts = members.sum(axis=0)
    sums = distances @ members
    own = counts[labels]
    a = sums[rows, labels] / np.maximum(own - 1, 1)
    others = np.where(counts > 0, sums / np.maximum(counts, 1.0), np.inf)  # an empty group is nobody's neighbour
    others[rows, labels] = np.inf
    b = others.min(axis=1)
    widest = np.maximum(a, b)
    s = np.where((own > 1) & (widest > 0), (b - a) / np.where(widest > 0, widest, 1.0), 0.0)
    return float(s.mean())


def adjusted_rand_index(a: np.ndarray, b: np.ndarray) -> float:
    """Agreement of two groupings of the same bureaux, corrected for chance (Hubert and Arabie, 1985)."""
    n = len(a)
    if n < 2:
        return 1.0
    table = np.zeros((int(a.max()) + 1, int(b.max()) + 1))
    np.add.at(table, (a, b), 1.0)

    def pairs(m: np.ndarray) -> float:
        return float((m * (m - 1) / 2).sum())

    together = pairs(table)
    in_a, in_b = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = in_a * in_b / (n * (n - 1) / 2)
    best = (in_a + in_b) / 2
    if best == expected:  # both groupings trivial (one group, or every bureau alone): identical
        return 1.0
    return (together - expected) / (best - expected)


def _starts(params: ProfileParameters) -> int:
    return max(1, params.kmeans_starts)  # 0 starts would be no grouping at all: one start at least


def group_stations(z: np.ndarray, params: ProfileParameters) -> tuple[np.ndarray, float, dict[int, float]]:
    """Labels (0 = any type), stability and the silhouette of each k tried, for one circonscription's
    standardised figures (rules 2–4 of the module docstring)."""
    n = len(z)
    top = min(params.max_types, n // params.min_type_size)
    ks = list(range(2, top + 1))
    rng = np.random.default_rng([params.kmeans_seed, 0])
    d2_all = _squared_distances(z)
    groupings = _best_groupings(z, ks, _starts(params), rng, params.min_type_size, d2_all)
    scores: dict[int, float] = {}
    if groupings:
        distances = np.sqrt(d2_all)
        scores = {k: silhouette(distances, labels) for k, labels in groupings.items()}
    k = max(scores, key=lambda key: (scores[key], -key)) if scores else 1
    if k == 1 or scores[k] < MIN_SILHOUETTE:
        return np.zeros(n, dtype=int), 1.0, scores
    labels = groupings[k]
    return labels, seed_stability(z, labels, params, d2_all), scores


def seed_stability(
    z: np.ndarray, labels: np.ndarray, params: ProfileParameters, d2_all: np.ndarray | None = None
) -> float:
    """Mean adjusted Rand index between a grouping of k types and the groupings found, with the
    same k and number of starts, from STABILITY_SEEDS other seeds (rule 4); 1.0 for one type."""
    k = int(labels.max()) + 1
    if k == 1:
        return 1.0
    d2_all = _squared_distances(z) if d2_all is None else d2_all
    starts = _starts(params)
    # The other seeds' groupings in one batch: each seed draws its own starts.
    draws = [
        _kmeans_plus_plus(z, k, starts, np.random.default_rng([params.kmeans_seed, other]), d2_all)
        for other in range(1, STABILITY_SEEDS + 1)
    ]
    again, inertia, sizes = _lloyd(z, np.concatenate(draws), np.ones((STABILITY_SEEDS * starts, k), dtype=bool))
    inertia = np.where((sizes >= params.min_type_size).all(axis=1), inertia, np.inf).reshape(STABILITY_SEEDS, starts)
    agreements = [
        adjusted_rand_index(labels, again[seed * starts + int(np.argmin(row))])
        if np.isfinite(row).any()
        else 0.0  # every start of that seed left a type too small: it found no grouping of k types
        for seed, row in enumerate(inertia)
    ]
    return float(np.mean(agreements))


# ---------------------------------------------------------------------------------------------
# Names and descriptions


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def type_leaning(type_means, params: ProfileParameters) -> str:
    """The type's leaning by the one-election rule (BRIEF: margin against the strongest opposing bloc)."""
    left = type_means["share_expr_left"]
    opponents = {leaning: type_means[c] for c, leaning in OPPONENT_FEATURES.items()}
    if _missing(left) or any(_missing(v) for v in opponents.values()):
        return SWING  # no expressed vote: nothing to read, as rules.py does for a bureau
    margin = left - max(opponents.values())
    t = params.leaning_margin
    if margin >= t - TIE_TOLERANCE:
        return LEFT
    if margin > -t + TIE_TOLERANCE:
        return SWING
    return max(opponents, key=lambda leaning: opponents[leaning])


def _gap(type_means, circo_means, feature: str) -> float:
    here, there = type_means.get(feature), circo_means.get(feature)
    return math.nan if _missing(here) or _missing(there) else float(here) - float(there)


def _relative_words(feature: str, gap: float, delta: float) -> str:
    higher, lower, near, _ = FEATURE_WORDS[feature]
    return higher if gap >= delta else lower if gap <= -delta else near


def _base_name(type_means, circo_means, params: ProfileParameters) -> tuple[list[str], set[str]]:
    """The words of a type's name and the figures they use."""
    delta = params.type_distinct_delta - TIE_TOLERANCE
    parts = [LEANING_LABELS[type_leaning(type_means, params)]]
    used: set[str] = set()
    abstention = _gap(type_means, circo_means, "abstention_rate_avg")
    if not math.isnan(abstention) and abs(abstention) >= delta:
        parts.append(_relative_words("abstention_rate_avg", abstention, delta))
        used.add("abstention_rate_avg")
    gaps = {c: _gap(type_means, circo_means, c) for c in BLOC_FEATURES}
    gaps = {c: g for c, g in gaps.items() if not math.isnan(g)}
    if gaps:
        strongest = max(gaps, key=lambda c: gaps[c])
        if gaps[strongest] >= delta:
            parts.append(FEATURE_WORDS[strongest][0])
            used.add(strongest)
    return parts, used


def name_type(type_means, circo_means, params: ProfileParameters) -> str:
    """A plain French name from what distinguishes a type from its circonscription (rule 5)."""
    return "secteur " + ", ".join(_base_name(type_means, circo_means, params)[0])


def _value_words(feature: str, value: float, decimals: int) -> str:
    amount = formats.number(100 * value, decimals)
    unit = " points" if feature == "turnout_differential" else f"{formats.NNBSP}%"
    return FEATURE_WORDS[feature][3].format(amount + unit)


def unique_names(type_means: list[dict], circo_means: dict, params: ProfileParameters) -> list[str]:
    """The names of a circonscription's types, made unique by adding the figures that tell apart
    the types that would share a name (rule 5), never a number in brackets."""
    delta = params.type_distinct_delta - TIE_TOLERANCE
    named = [_base_name(means, circo_means, params) for means in type_means]
    parts = [p for p, _ in named]
    used = [u for _, u in named]
    while True:
        names = [", ".join(p) for p in parts]
        clashes = [[i for i, other in enumerate(names) if other == name] for name in dict.fromkeys(names)]
        clashes = [group for group in clashes if len(group) > 1]
        progressed = False
        for group in clashes:
            spare = [
                f
                for f in FEATURE_WORDS
                if not any(f in used[i] for i in group) and all(not _missing(type_means[i].get(f)) for i in group)
            ]
            if not spare:
                continue
            progressed = True
            # The figure on which the clashing types differ most.
            feature = max(spare, key=lambda f: np.ptp([type_means[i][f] for i in group]))
            for i in group:
                used[i].add(feature)
            words = [_relative_words(feature, _gap(type_means[i], circo_means, feature), delta) for i in group]
            if len(set(words)) == 1:
                # Above (or below) the mean alike: their values, with as many digits as tell them apart.
                for decimals in (0, 1, 2):
                    words = [_value_words(feature, type_means[i][feature], decimals) for i in group]
                    if len(set(words)) > 1:
                        break
                else:
                    continue  # equal on this figure: it cannot tell them apart
            for i, w in zip(group, words, strict=True):
                parts[i].append(w)
        if not progressed:
            # No clash left (or, for types alike on every figure, nothing left to tell them apart).
            return ["secteur " + name for name in names]


def _pct(x) -> str:
    return "—" if _missing(x) else f"{100 * x:.0f} %"


def _points(x) -> str:
    return "—" if _missing(x) else f"{100 * x:+.0f} points".replace("-", "−")


def describe_type(count: int, type_means, circo_means) -> str:
    bureaux = "bureau" if count == 1 else "bureaux"
    shares = ", ".join(
        f"{label} {_pct(type_means[c])} (circonscription {_pct(circo_means[c])})"
        for c, label in (
            ("share_expr_left", "gauche"),
            ("share_expr_centre", "centre"),
            ("share_expr_right", "droite"),
            ("share_expr_far_right", "extrême droite"),
        )
    )
    here, there = type_means["abstention_rate_avg"], circo_means["abstention_rate_avg"]
    text = f"{count} {bureaux}. Part des exprimés : {shares} ; abstention {_pct(here)} (circonscription {_pct(there)})"
    differential = type_means.get("turnout_differential")
    if not _missing(differential):
        circo_differential = _points(circo_means.get("turnout_differential"))
        text += (
            f" ; participation à la présidentielle moins participation aux autres scrutins {_points(differential)}"
            f" (circonscription {circo_differential})"
        )
    return text + "."


# ---------------------------------------------------------------------------------------------
# Entry point


def _nanmean(data: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a figure missing for every bureau: NaN, said "—"
        return np.nanmean(data, axis=0)


def profile_types(stations: pd.DataFrame, params: ProfileParameters) -> tuple[pd.Series, pd.DataFrame]:
    """The type key (1 = largest) of each station, and one row per (circonscription, type).

    Plain numpy inside the loop over circonscriptions: per-group pandas calls cost more
    than the clustering itself at national scale (about 570 circonscriptions).
    """
    features = [*TYPE_FEATURES, *(f for f in OPTIONAL_FEATURES if f in stations.columns)]
    keys = np.full(len(stations), np.nan)
    rows = []
    located = np.flatnonzero(stations["circonscription"].notna().to_numpy())
    codes, circos = pd.factorize(stations["circonscription"].iloc[located], sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(circos)))])
    x_all = stations[features].to_numpy(dtype=float)
    for g, circo in enumerate(circos):
        members_idx = located[order[bounds[g] : bounds[g + 1]]]
        data = x_all[members_idx]
        means = _nanmean(data)
        filled = np.where(np.isnan(data), np.nan_to_num(means, nan=0.0), data)
        std = filled.std(axis=0)
        std[std == 0] = 1.0
        z = (filled - filled.mean(axis=0)) / std
        labels, stability, _ = group_stations(z, params)
        # Number the types by decreasing size (then by first station) so that keys are stable.
        sizes = np.bincount(labels)
        ranked = sorted(np.flatnonzero(sizes), key=lambda lab: (-sizes[lab], int(np.argmax(labels == lab))))
        renumber = np.zeros(len(sizes), dtype=int)
        renumber[ranked] = np.arange(1, len(ranked) + 1)
        keys[members_idx] = renumber[labels]
        circo_means = dict(zip(features, means.tolist(), strict=True))
        # The figures a type is named and described by are its bureaux's own (missing ones left out).
        type_means = [dict(zip(features, _nanmean(data[labels == lab]).tolist(), strict=True)) for lab in ranked]
        names = unique_names(type_means, circo_means, params)
        for lab, means_of_type, name in zip(ranked, type_means, names, strict=True):
            rows.append(
                {
                    "circonscription": circo,
                    "key": int(renumber[lab]),
                    "name": name,
                    "description": describe_type(int(sizes[lab]), means_of_type, circo_means),
                    "count": int(sizes[lab]),
                    "centroid": {c: None if _missing(v) else round(float(v), 4) for c, v in means_of_type.items()},
                    "stability": round(stability, 4),
                }
            )
    types = pd.DataFrame(rows, columns=TYPE_COLUMNS)
    return pd.Series(keys, index=stations.index), types
