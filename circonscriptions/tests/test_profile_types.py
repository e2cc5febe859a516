"""Profils-types (circonscriptions/profiles/types.py): k from the data, several starts, stability, names."""

import re

import numpy as np
import pandas as pd
import pytest

from circonscriptions.models import ProfileType
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.rules import compute_profiles
from circonscriptions.profiles.services import profiles_load_results, profiles_recompute
from circonscriptions.profiles.types import (
    LEANING_LABELS,
    MIN_SILHOUETTE,
    TYPE_FEATURES,
    adjusted_rand_index,
    group_stations,
    kmeans,
    profile_types,
    seed_stability,
    silhouette,
    unique_names,
)
from circonscriptions.tests.profile_data import lg2024_rows, store_results

# Three kinds of bureau, far apart on every scale an analyst would look at.
POPULAR_LEFT = {
    "share_expr_left": 0.55,
    "share_expr_centre": 0.20,
    "share_expr_right": 0.05,
    "share_expr_far_right": 0.15,
    "abstention_rate_avg": 0.40,
}
AFFLUENT_CENTRE = {
    "share_expr_left": 0.25,
    "share_expr_centre": 0.45,
    "share_expr_right": 0.12,
    "share_expr_far_right": 0.13,
    "abstention_rate_avg": 0.20,
}
RURAL_FAR_RIGHT = {
    "share_expr_left": 0.22,
    "share_expr_centre": 0.20,
    "share_expr_right": 0.06,
    "share_expr_far_right": 0.45,
    "abstention_rate_avg": 0.30,
}


def _synthetic(groups, circonscription="9901", noise=0.01, seed=0):
    """One row per bureau: `groups` is [(count, mean figures)], each figure blurred by `noise`."""
    rng = np.random.default_rng(seed)
    frames = []
    for count, means in groups:
        frame = pd.DataFrame({f: means[f] + rng.normal(0, noise, count) for f in TYPE_FEATURES})
        for extra in set(means) - set(TYPE_FEATURES):
            frame[extra] = means[extra]
        frames.append(frame)
    stations = pd.concat(frames, ignore_index=True)
    stations.insert(0, "circonscription", circonscription)
    return stations


THREE_KINDS = [(20, POPULAR_LEFT), (15, AFFLUENT_CENTRE), (10, RURAL_FAR_RIGHT)]


def test_the_number_of_types_is_read_from_the_data_and_finds_three_well_separated_kinds():
    stations = _synthetic(THREE_KINDS)
    keys, types = profile_types(stations, ProfileParameters())
    # Three types, numbered by size, each exactly one of the three kinds of bureau.
    assert list(types["count"]) == [20, 15, 10]
    assert (keys[:20] == 1).all() and (keys[20:35] == 2).all() and (keys[35:] == 3).all()
    assert list(types["name"]) == [
        "secteur acquis à gauche, abstention plus haute, gauche plus forte",
        "secteur dominé par Ensemble, abstention plus basse, Ensemble plus fort",
        "secteur dominé par l'extrême droite, extrême droite plus forte",
    ]
    # k = 3 has the best mean silhouette of the k tried (2 to 6 with 45 bureaux, at least 5 each).
    z = stations[list(TYPE_FEATURES)].to_numpy()
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    _, _, scores = group_stations(z, ProfileParameters())
    assert set(scores) <= {2, 3, 4, 5, 6} and max(scores, key=scores.get) == 3
    assert scores[3] > 0.7


def test_the_same_data_give_the_same_types_and_another_seed_the_same_clear_grouping():
    stations = _synthetic(THREE_KINDS)
    keys, types = profile_types(stations, ProfileParameters())
    again_keys, again = profile_types(stations, ProfileParameters())
    assert keys.equals(again_keys) and types.equals(again)
    other_keys, other = profile_types(stations, ProfileParameters(kmeans_seed=7, kmeans_starts=3))
    assert other_keys.equals(keys) and list(other["name"]) == list(types["name"])
    # A setting of 0 starts still makes one.
    _, one_start = profile_types(stations, ProfileParameters(kmeans_starts=0))
    assert len(one_start) >= 1 and one_start["count"].sum() == 45


def test_stability_is_one_for_clear_kinds_and_lower_when_the_grouping_is_chance():
    _, types = profile_types(_synthetic(THREE_KINDS), ProfileParameters())
    assert (types["stability"] == 1.0).all()
    # Bureaux drawn from one cloud: four groups can be forced on them, but other seeds cut them otherwise.
    z = np.random.default_rng(0).normal(size=(120, 5))
    params = ProfileParameters()
    forced = kmeans(z, 4, seed=params.kmeans_seed, starts=params.kmeans_starts, min_size=params.min_type_size)
    assert len(set(forced)) == 4
    assert seed_stability(z, forced, params) < 0.8
    # Left to itself, the rule finds no structure there (every silhouette under the minimum): one type.
    labels, stability, scores = group_stations(z, params)
    assert max(scores.values()) < MIN_SILHOUETTE
    assert (labels == 0).all() and stability == 1.0


def test_a_circonscription_with_fewer_than_two_minimum_types_of_bureaux_gets_one_type():
    # Nine bureaux of two very different kinds, but 9 < 2 × 5: no second type of at least 5.
    stations = _synthetic([(5, POPULAR_LEFT), (4, RURAL_FAR_RIGHT)])
    keys, types = profile_types(stations, ProfileParameters())
    assert len(types) == 1 and types.loc[0, "count"] == 9 and (keys == 1).all()
    assert types.loc[0, "stability"] == 1.0
    # With types of 4 bureaux allowed, the two kinds come out.
    _, smaller = profile_types(stations, ProfileParameters(min_type_size=4))
    assert list(smaller["count"]) == [5, 4]


def test_types_are_made_per_circonscription_and_bureaux_without_one_get_no_type():
    first = _synthetic(THREE_KINDS, circonscription="9901")
    second = _synthetic([(12, AFFLUENT_CENTRE)], circonscription="9902", seed=1)
    nowhere = _synthetic([(2, POPULAR_LEFT)], seed=2).assign(circonscription=None)
    keys, types = profile_types(pd.concat([first, second, nowhere], ignore_index=True), ProfileParameters())
    assert types.groupby("circonscription")["count"].sum().to_dict() == {"9901": 45, "9902": 12}
    assert keys.iloc[-2:].isna().all()


def test_the_real_brest_types_have_unique_plain_french_names():
    tables = compute_profiles(pd.DataFrame(lg2024_rows()), ProfileParameters())
    types = tables.types
    assert set(types["circonscription"]) == {"2902", "2903"}
    for _, group in types.groupby("circonscription"):
        assert group["name"].is_unique
        assert group["stability"].nunique() == 1 and 0 <= group["stability"].iloc[0] <= 1
    for name in types["name"]:
        assert not re.search(r"\(\d+\)", name)
        assert name.startswith("secteur ") and any(label in name for label in LEANING_LABELS.values())
    # Each bureau belongs to a type of its own circonscription.
    stations = tables.stations
    assert stations["profile_type"].notna().sum() == types["count"].sum()


def test_types_that_would_share_a_name_get_the_figure_that_tells_them_apart():
    params = ProfileParameters()
    circo = {**POPULAR_LEFT, "share_expr_left": 0.40, "share_expr_far_right": 0.25, "abstention_rate_avg": 0.30}
    # Both left, abstentionist and more left than the circonscription; the far right tells them apart.
    low_rn = {**circo, "share_expr_left": 0.50, "share_expr_far_right": 0.20, "abstention_rate_avg": 0.36}
    high_rn = {**circo, "share_expr_left": 0.50, "share_expr_far_right": 0.30, "abstention_rate_avg": 0.36}
    assert unique_names([low_rn, high_rn], circo, params) == [
        "secteur acquis à gauche, abstention plus haute, gauche plus forte, extrême droite plus faible",
        "secteur acquis à gauche, abstention plus haute, gauche plus forte, extrême droite plus forte",
    ]
    # Both above the circonscription on the figure that differs most: their values tell them apart.
    more = {**high_rn, "share_expr_far_right": 0.34}
    assert unique_names([high_rn, more], circo, params) == [
        "secteur acquis à gauche, abstention plus haute, gauche plus forte, extrême droite à 30\u202f%",
        "secteur acquis à gauche, abstention plus haute, gauche plus forte, extrême droite à 34\u202f%",
    ]


def test_differential_turnout_joins_the_figures_when_the_table_has_it():
    # Two kinds of bureau with the same votes and abstention, apart only in differential turnout.
    both = _synthetic(
        [(10, {**POPULAR_LEFT, "turnout_differential": 0.05}), (10, {**POPULAR_LEFT, "turnout_differential": 0.20})],
        noise=0.0,
    )
    keys, types = profile_types(both, ProfileParameters())
    assert list(types["count"]) == [10, 10] and keys.iloc[0] != keys.iloc[10]
    assert types["name"].is_unique
    assert types["description"].str.contains("participation à la présidentielle").all()
    assert {name.split(", ")[-1] for name in types["name"]} == {
        "vote intermittent plus rare",
        "vote intermittent plus fréquent",
    }
    # Missing everywhere (no présidentielle loaded): it plays no part and the centroid says so.
    missing = both.assign(turnout_differential=np.nan)
    _, without = profile_types(missing, ProfileParameters())
    assert len(without) == 1 and without.loc[0, "centroid"]["turnout_differential"] is None
    assert "présidentielle" not in without.loc[0, "description"]


def test_silhouette_and_adjusted_rand_index_follow_their_definitions():
    # Four bureaux on a line at 0, 1, 10, 11, in two pairs: a = 1; b = 10.5, 9.5, 9.5, 10.5.
    points = np.array([0.0, 1.0, 10.0, 11.0])
    distances = np.abs(points[:, None] - points[None, :])
    expected = (2 * (9.5 / 10.5) + 2 * (8.5 / 9.5)) / 4
    assert silhouette(distances, np.array([0, 0, 1, 1])) == pytest.approx(expected)
    # A bureau alone in its type counts 0.
    assert silhouette(distances, np.array([0, 0, 0, 1])) < expected
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0])) == 1.0
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2])) == pytest.approx(4 / 7)
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])) == pytest.approx(-0.5)


def test_a_recompute_stores_each_type_with_its_stability(db):
    store_results(lg2024_rows())
    run = profiles_recompute()
    # The same computation on the rows as the database gives them (its ids order the bureaux).
    expected = compute_profiles(profiles_load_results(), ProfileParameters()).types
    assert expected["stability"].between(0, 1).all()
    stored = ProfileType.objects.filter(run=run).select_related("circonscription")
    assert len(stored) == len(expected)
    by_key = {(t.circonscription_id, t.key): t for t in stored}
    for row in expected.itertuples(index=False):
        ptype = by_key[(row.circonscription, row.key)]
        assert ptype.name == row.name and ptype.stability == pytest.approx(row.stability)
