"""The statistics of campaign experiments on tiny hand-built arrays whose answers are known by hand,
and against a plain least-squares regression with one dummy per stratum."""

import math

import numpy as np
import pytest
from scipy import stats

from hq.experiment_stats import (
    ExperimentError,
    controls_per_stratum,
    draw_controls,
    estimate_itt,
    estimate_per_unit,
    minimum_detectable_effect,
    pair_strata,
    randomisation_p_value,
)

# ---------------------------------------------------------------------------------------------
# The draw


def test_the_draw_holds_back_round_share_times_n_controls_in_each_stratum_at_least_one_each_way():
    strata = ["a"] * 10 + ["b"] * 5 + ["c"] * 2 + ["d"] * 3
    control = draw_controls(strata, 0.2, seed=7)
    counts = {s: int(control[np.array(strata) == s].sum()) for s in "abcd"}
    # a: 0.2 × 10 = 2; b: 0.2 × 5 = 1; c: 0.4 rounds to 0 → at least one; d: 0.6 → 1.
    assert counts == {"a": 2, "b": 1, "c": 1, "d": 1}
    assert control.dtype == bool and len(control) == 20
    # A half rounds up, and a stratum always keeps a treated bureau.
    assert list(controls_per_stratum(np.array([4, 2, 10]), 0.5)) == [2, 1, 5]
    assert list(controls_per_stratum(np.array([3]), 0.9)) == [2]


def test_the_same_strata_share_and_seed_always_give_the_same_draw_and_another_seed_another():
    strata = [f"s{i % 7}" for i in range(140)]
    first = draw_controls(strata, 0.3, seed=2026)
    assert np.array_equal(first, draw_controls(strata, 0.3, seed=2026))
    assert not np.array_equal(first, draw_controls(strata, 0.3, seed=2027))
    # The draw is the recorded generator's: PCG64 from the seed, stratum after stratum, in order.
    rng = np.random.Generator(np.random.PCG64(2026))
    expected = np.zeros(140, dtype=bool)
    for s in range(7):
        members = np.flatnonzero(np.array(strata) == f"s{s}")
        expected[members[rng.permutation(20)[:6]]] = True
    assert np.array_equal(first, expected)


@pytest.mark.parametrize("share", [0, 1, 0.0, 1.0, -0.1, 1.5, float("nan"), None])
def test_a_control_share_of_zero_or_all_is_refused_in_french(share):
    with pytest.raises(ExperimentError, match="strictement comprise entre 0 et 100 %"):
        draw_controls(["a", "a", "b", "b"], share, seed=1)


def test_a_stratum_of_one_bureau_is_refused_saying_there_are_fewer_bureaux_than_strata():
    with pytest.raises(ExperimentError, match="au moins deux bureaux par strate") as refused:
        draw_controls(["a", "a", "b"], 0.2, seed=1)
    assert "moins de bureaux que de strates" in str(refused.value) and "« b »" in str(refused.value)
    with pytest.raises(ExperimentError, match="au moins deux bureaux par strate"):
        minimum_detectable_effect(1.0, ["a", "b", "c"], 0.2)


def test_pairs_join_the_nearest_bureaux_within_each_group_and_an_odd_one_joins_the_last_pair():
    features = np.array([[0.0], [10.0], [0.1], [10.2], [5.0], [0.0], [1.0]])
    groups = ["2902"] * 5 + ["2903"] * 2
    strata = pair_strata(features, groups)
    assert strata[0] == strata[2] and strata[1] == strata[3]
    assert strata[4] in (strata[0], strata[1])  # the odd one out of 2902 makes a triple
    assert strata[5] == strata[6] and strata[5].startswith("2903-p")
    assert len(set(strata)) == 3 and all(len(s) <= 40 for s in strata)
    assert pair_strata(features, groups) == strata
    assert len(pair_strata(np.zeros((2, 1)), ["x" * 80] * 2)[0]) <= 40


# ---------------------------------------------------------------------------------------------
# Power


def test_the_minimum_detectable_effect_of_one_stratum_is_the_textbook_formula():
    # 100 bureaux, 20 controls: variance σ²(1/80 + 1/20); (t.975 + t.80) with 98 df.
    mde = minimum_detectable_effect(2.0, ["a"] * 100, 0.2)
    expected = (stats.t.ppf(0.975, 98) + stats.t.ppf(0.8, 98)) * 2.0 * math.sqrt(1 / 80 + 1 / 20)
    assert mde == pytest.approx(expected)
    # Twice the bureaux: the detectable effect shrinks by about √2; noisier bureaux raise it.
    assert minimum_detectable_effect(2.0, ["a"] * 200, 0.2) == pytest.approx(mde / math.sqrt(2), rel=0.01)
    noisy = minimum_detectable_effect(np.r_[np.full(50, 2.0), np.full(50, 4.0)], ["a"] * 100, 0.2)
    assert noisy > mde


# ---------------------------------------------------------------------------------------------
# The estimate


def test_with_one_stratum_the_effect_is_the_difference_of_means_with_the_welch_like_hc2_error():
    y = np.array([3.0, 5.0, 4.0, 1.0, 2.0, 0.0])
    treated = np.array([True, True, True, False, False, False])
    e = estimate_itt(y, treated, ["s"] * 6)
    assert e.effect == pytest.approx(3.0)  # 4 − 1
    # HC2 with one stratum is the unequal-variances error: √(s²_t/n_t + s²_c/n_c) = √(1/3 + 1/3).
    assert e.se == pytest.approx(math.sqrt(2 / 3))
    assert e.df == 4 and (e.n_treated, e.n_control) == (3, 3)
    half = stats.t.ppf(0.975, 4) * math.sqrt(2 / 3)
    assert (e.ci_low, e.ci_high) == pytest.approx((3.0 - half, 3.0 + half))


def test_with_strata_the_effect_is_the_precision_weighted_mean_of_the_strata_differences():
    # Stratum a: difference 2 (2 treated, 2 controls); stratum b: difference 6 (1 treated, 3 controls).
    y = np.array([3.0, 5.0, 2.0, 2.0, 20.0, 14.0, 15.0, 13.0])
    treated = np.array([1, 1, 0, 0, 1, 0, 0, 0], dtype=bool)
    strata = ["a"] * 4 + ["b"] * 4
    # Weights n·q(1 − q): a → 4 × ¼ = 1; b → 4 × 3/16 = ¾.
    assert estimate_itt(y, treated, strata).effect == pytest.approx((1 * 2 + 0.75 * 6) / 1.75)


def test_the_estimate_and_its_robust_error_equal_a_plain_least_squares_with_stratum_dummies():
    rng = np.random.default_rng(13)
    n, k = 300, 12
    codes = rng.integers(0, k, size=n)
    strata = [f"s{c}" for c in codes]
    treated = ~draw_controls(strata, 0.3, seed=5)
    y = 0.5 * treated + codes * 0.3 + rng.normal(0, 1 + treated, size=n)  # unequal variances
    e = estimate_itt(y, treated, strata)

    x = np.column_stack([treated.astype(float), (codes[:, None] == np.arange(k)).astype(float)])
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    residuals = y - x @ beta
    bread = np.linalg.inv(x.T @ x)
    leverage = np.einsum("ij,jk,ik->i", x, bread, x)
    meat = (x * (residuals**2 / (1 - leverage))[:, None]).T @ x
    hc2 = bread @ meat @ bread
    assert e.effect == pytest.approx(beta[0], rel=1e-10)
    assert e.se == pytest.approx(math.sqrt(hc2[0, 0]), rel=1e-10)
    assert e.df == n - k - 1


def test_strata_without_both_groups_are_left_out_of_the_estimate():
    y = np.array([4.0, 2.0, 5.0, 1.0, 100.0, 200.0])
    treated = np.array([1, 0, 1, 0, 1, 1], dtype=bool)
    with_lonely = estimate_itt(y, treated, ["a", "a", "b", "b", "c", "c"])
    assert with_lonely.effect == pytest.approx(3.0)
    assert (with_lonely.n_treated, with_lonely.n_control) == (2, 2)
    with pytest.raises(ExperimentError, match="à la fois des bureaux traités et des bureaux témoins"):
        estimate_itt(y, np.ones(6, dtype=bool), ["a"] * 6)


def test_too_few_bureaux_for_an_error_margin_or_a_missing_outcome_are_refused_in_french():
    with pytest.raises(ExperimentError, match="Trop peu de bureaux"):
        estimate_itt([1.0, 2.0], [True, False], ["a", "a"])
    with pytest.raises(ExperimentError, match="Le résultat manque"):
        estimate_itt([1.0, np.nan, 3.0, 4.0], [True, False, True, False], ["a"] * 4)


# ---------------------------------------------------------------------------------------------
# Randomisation inference


def test_the_randomisation_p_value_counts_the_within_strata_redraws_as_extreme_as_ours():
    # One stratum of 4, 2 treated: 6 possible draws. Ours gives the largest difference (+4),
    # its mirror (−4) is as far from zero: 2 of 6 draws are as extreme, p → 1/3.
    y = np.array([3.0, 5.0, 1.0, -1.0])
    treated = np.array([True, True, False, False])
    p = randomisation_p_value(y, treated, ["s"] * 4, permutations=20_000, seed=1)
    assert p == pytest.approx(1 / 3, abs=0.015)
    assert p == randomisation_p_value(y, treated, ["s"] * 4, permutations=20_000, seed=1)
    # Redraws never move a bureau out of its stratum: a huge gap between strata changes nothing.
    strata = ["a"] * 4 + ["b"] * 4
    both = randomisation_p_value(np.r_[y, y + 1000], np.r_[treated, treated], strata, permutations=20_000)
    # Two strata each at their extreme: 2 draws of 36 are as extreme (all + or all −).
    assert both == pytest.approx(2 / 36, abs=0.006)


def test_a_large_effect_gets_a_small_p_value_and_no_effect_a_large_one():
    rng = np.random.default_rng(3)
    strata = [f"s{i % 10}" for i in range(400)]
    treated = ~draw_controls(strata, 0.5, seed=3)
    noise = rng.normal(size=400)
    assert randomisation_p_value(noise + 1.0 * treated, treated, strata, permutations=500) < 0.01
    assert randomisation_p_value(noise, treated, strata, permutations=500) > 0.05


# ---------------------------------------------------------------------------------------------
# Per door knocked


def test_the_effect_per_door_is_the_effect_on_votes_divided_by_the_effect_on_doors():
    # One stratum: treated bureaux had 100 doors more on average and 3 votes more: 0.03 per door.
    y = np.array([13.0, 15.0, 14.0, 11.0, 12.0, 10.0])
    doors = np.array([90.0, 120.0, 90.0, 0.0, 0.0, 0.0])
    treated = np.array([True, True, True, False, False, False])
    e = estimate_per_unit(y, doors, treated, ["s"] * 6)
    assert e.effect == pytest.approx(3.0 / 100.0)
    assert e.ci_low < e.effect < e.ci_high and e.df == 4


def test_the_per_door_estimate_equals_two_stage_least_squares_with_stratum_dummies():
    rng = np.random.default_rng(8)
    n, k = 240, 8
    codes = np.repeat(np.arange(k), n // k)
    strata = [f"s{c}" for c in codes]
    treated = ~draw_controls(strata, 0.25, seed=1)
    doors = treated * rng.poisson(60, size=n) + rng.poisson(2, size=n)
    y = 0.05 * doors + codes + rng.normal(size=n)
    e = estimate_per_unit(y, doors, treated, strata)
    dummies = (codes[:, None] == np.arange(k)).astype(float)
    z = np.column_stack([treated.astype(float), dummies])
    x = np.column_stack([doors.astype(float), dummies])
    first, *_ = np.linalg.lstsq(z, x, rcond=None)
    beta, *_ = np.linalg.lstsq(z @ first, y, rcond=None)
    assert e.effect == pytest.approx(beta[0], rel=1e-9)
    assert e.ci_low < 0.05 < e.ci_high


def test_no_more_doors_in_treated_than_in_control_bureaux_is_refused():
    with pytest.raises(ExperimentError, match="pas eu plus de portes frappées"):
        estimate_per_unit([1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0], [True, False, True, False], ["a"] * 4)
