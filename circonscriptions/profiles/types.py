"""Profils-types: the few kinds of polling station of a circonscription (rule 8 of rules.py).

Pure functions on the stations table that rules.station_table produced: no database.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from circonscriptions.profiles.parameters import ProfileParameters

LEFT, RIGHT, SWING = "left", "right", "swing"
TIE_TOLERANCE = 1e-9


TYPE_FEATURES = (
    "share_expr_left",
    "share_expr_centre",
    "share_expr_right",
    "share_expr_far_right",
    "abstention_rate_avg",
)
OPPONENT_LABELS = {
    "share_expr_centre": "où le centre pèse",
    "share_expr_right": "où la droite pèse",
    "share_expr_far_right": "où l'extrême droite pèse",
}
LEANING_LABELS = {LEFT: "acquis à gauche", RIGHT: "acquis à droite", SWING: "hésitant"}


def kmeans(x: np.ndarray, k: int, seed: int, iterations: int = 50) -> np.ndarray:
    """Labels of a seeded k-means (k-means++ start, Lloyd iterations); x is n × d, finite."""
    n = len(x)
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    centres = [x[rng.integers(n)]]
    for _ in range(1, k):
        d2 = np.min(((x[:, None, :] - np.array(centres)[None, :, :]) ** 2).sum(axis=2), axis=1)
        total = d2.sum()
        if total <= 0:  # every remaining point sits on a centre: fewer distinct types
            break
        centres.append(x[rng.choice(n, p=d2 / total)])
    c = np.array(centres)
    labels = np.zeros(n, dtype=int)
    for _ in range(iterations):
        d2 = ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
        new = d2.argmin(axis=1)
        if _ and np.array_equal(new, labels):
            break
        labels = new
        for j in range(len(c)):
            members = x[labels == j]
            if len(members):
                c[j] = members.mean(axis=0)
    return labels


def _pct(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f} %"


def name_type(type_means, circo_means, params: ProfileParameters) -> str:
    """A plain French name from what distinguishes a type from its circonscription (rule 8)."""
    parts = []
    delta = params.type_distinct_delta
    abst_gap = type_means["abstention_rate_avg"] - circo_means["abstention_rate_avg"]
    if abst_gap >= delta:
        parts.append("abstentionniste")
    elif abst_gap <= -delta:
        parts.append("mobilisé")
    margin = type_means["share_expr_left"] - max(type_means[c] for c in OPPONENT_LABELS)
    t = params.leaning_margin - TIE_TOLERANCE
    leaning = LEFT if margin >= t else RIGHT if margin <= -t else SWING
    parts.append(LEANING_LABELS[leaning])
    gaps = {c: type_means[c] - circo_means[c] for c in OPPONENT_LABELS}
    strongest = max(gaps, key=lambda c: gaps[c])
    if gaps[strongest] >= delta:
        parts.append(OPPONENT_LABELS[strongest])
    return "secteur " + ", ".join(parts)


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
    abst = f"abstention {_pct(here)} (circonscription {_pct(there)})"
    return f"{count} {bureaux}. Part des exprimés : {shares} ; {abst}."


def profile_types(stations: pd.DataFrame, params: ProfileParameters) -> tuple[pd.Series, pd.DataFrame]:
    """The type key (1 = largest) of each station, and one row per (circonscription, type).

    Plain numpy inside the loop over circonscriptions: per-group pandas calls cost more
    than the clustering itself at national scale (about 570 circonscriptions).
    """
    features = list(TYPE_FEATURES)
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
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a feature missing for every station
            means = np.nanmean(data, axis=0)
        filled = np.where(np.isnan(data), np.nan_to_num(means, nan=0.0), data)
        std = filled.std(axis=0)
        std[std == 0] = 1.0
        z = (filled - filled.mean(axis=0)) / std
        k = max(1, min(params.max_types, len(data) // params.min_type_size))
        labels = kmeans(z, k, params.kmeans_seed)
        # Number the types by decreasing size (then by first station) so that keys are stable.
        sizes = np.bincount(labels)
        ranked = sorted(np.flatnonzero(sizes), key=lambda lab: (-sizes[lab], int(np.argmax(labels == lab))))
        renumber = np.zeros(len(sizes), dtype=int)
        renumber[ranked] = np.arange(1, len(ranked) + 1)
        keys[members_idx] = renumber[labels]
        circo_means = dict(zip(features, np.nan_to_num(means, nan=0.0), strict=True))
        circo_described = dict(zip(features, means, strict=True))
        used: dict[str, int] = {}
        for lab in ranked:
            type_means = dict(zip(features, filled[labels == lab].mean(axis=0), strict=True))
            name = name_type(type_means, circo_means, params)
            used[name] = used.get(name, 0) + 1
            if used[name] > 1:
                name = f"{name} ({used[name]})"
            rows.append(
                {
                    "circonscription": circo,
                    "key": int(renumber[lab]),
                    "name": name,
                    "description": describe_type(int(sizes[lab]), type_means, circo_described),
                    "count": int(sizes[lab]),
                    "centroid": {c: round(float(type_means[c]), 4) for c in features},
                }
            )
    types = pd.DataFrame(rows, columns=["circonscription", "key", "name", "description", "count", "centroid"])
    return pd.Series(keys, index=stations.index), types
