"""The simulation of a next election from the 201 real bureaux of Finistère 2 and 3 (législatives 2024):
an injected effect is recovered within its interval, and without one the interval covers zero in
about 95 % of draws."""

import numpy as np
import pytest

from hq.experiment_simulation import past_spread, simulate_next_election
from hq.experiment_stats import draw_controls, estimate_itt
from hq.tests.experiment_data import finistere_bureaux, strata_by_left_tercile


@pytest.fixture(scope="module")
def bureaux():
    b = finistere_bureaux()
    b["strata"] = strata_by_left_tercile(b)
    b["share"] = b["left"] / b["expressed"]
    b["turnout"] = b["voters"] / b["registered"]
    return b


def _simulate(b, treated, seed, effect=0.0, turnout_effect=0.0):
    return simulate_next_election(
        left_share=b["share"],
        turnout=b["turnout"],
        strata=b["strata"],
        treated=treated,
        sd_left=past_spread(b["share"], b["expressed"]),
        sd_turnout=past_spread(b["turnout"], b["registered"]),
        effect_points=effect,
        turnout_effect_points=turnout_effect,
        seed=seed,
    )


def test_the_same_seed_gives_the_same_election_and_shares_stay_between_zero_and_one(bureaux):
    treated = ~draw_controls(bureaux["strata"], 0.3, seed=1)
    first = _simulate(bureaux, treated, seed=11, effect=2.0)
    again = _simulate(bureaux, treated, seed=11, effect=2.0)
    assert np.array_equal(first.left_share, again.left_share) and np.array_equal(first.turnout, again.turnout)
    assert not np.array_equal(first.left_share, _simulate(bureaux, treated, seed=12, effect=2.0).left_share)
    assert ((first.left_share >= 0) & (first.left_share <= 1)).all()
    # The injected effect moves treated bureaux only, by exactly the effect (same seed, same shocks).
    without = _simulate(bureaux, treated, seed=11, effect=0.0)
    moved = first.left_share - without.left_share
    assert np.allclose(moved[treated], 0.02) and np.allclose(moved[~treated], 0.0)


def test_an_injected_effect_of_one_and_a_half_points_is_recovered_within_the_interval(bureaux):
    treated = ~draw_controls(bureaux["strata"], 0.3, seed=2026)
    sim = _simulate(bureaux, treated, seed=2026, effect=1.5, turnout_effect=1.0)
    left = estimate_itt(100 * (sim.left_share - bureaux["share"]), treated, bureaux["strata"])
    turnout = estimate_itt(100 * (sim.turnout - bureaux["turnout"]), treated, bureaux["strata"])
    assert left.ci_low <= 1.5 <= left.ci_high and left.ci_low > 0
    assert turnout.ci_low <= 1.0 <= turnout.ci_high
    # Strata of 36, 35, 35, 32, 32, 31 bureaux: 11 + 11 + 11 + 10 + 10 + 9 controls (a half rounds up).
    assert (left.n_treated, left.n_control) == (139, 62)


def test_without_an_effect_the_95_percent_interval_covers_zero_in_most_of_100_draws(bureaux):
    covered = 0
    for seed in range(100):
        treated = ~draw_controls(bureaux["strata"], 0.3, seed=seed)
        sim = _simulate(bureaux, treated, seed=1000 + seed)
        e = estimate_itt(100 * (sim.left_share - bureaux["share"]), treated, bureaux["strata"])
        covered += e.ci_low <= 0 <= e.ci_high
    # 95 expected; below 89 would happen by chance less than once in a hundred.
    assert covered >= 89
