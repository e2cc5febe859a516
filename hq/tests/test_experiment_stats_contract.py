"""The draw, the pairs and the power of hq.experiment_stats, through the contract of issue 13 only
(so that these tests hold for any implementation of that contract)."""

import numpy as np
import pytest

from hq.experiment_stats import ExperimentError, draw_controls, minimum_detectable_effect, pair_strata

STRATA = ["2902-t1"] * 10 + ["2902-t2"] * 5 + ["2903-t1"] * 3


def test_the_same_seed_gives_the_same_draw_and_each_stratum_keeps_both_groups():
    first = draw_controls(STRATA, 0.2, 1234)
    assert first.dtype == bool and len(first) == len(STRATA)
    assert np.array_equal(first, draw_controls(STRATA, 0.2, 1234))
    strata = np.array(STRATA)
    # round(0.2 × 10) = 2, round(0.2 × 5) = 1, and a stratum of 3 keeps at least one control.
    assert [int(first[strata == s].sum()) for s in ("2902-t1", "2902-t2", "2903-t1")] == [2, 1, 1]
    draws = {tuple(draw_controls(STRATA, 0.2, seed)) for seed in range(20)}
    assert len(draws) > 10  # other seeds, other draws


def test_a_share_of_0_or_100_percent_and_a_stratum_of_one_bureau_are_refused_in_french():
    for share in (0.0, 1.0):
        with pytest.raises(ExperimentError):
            draw_controls(STRATA, share, 1)
    with pytest.raises(ExperimentError, match="(?i)moins de bureaux que de strates"):
        draw_controls([*STRATA, "2904-t1"], 0.2, 1)


def test_pairs_put_together_the_most_similar_bureaux_of_each_group():
    features = np.array([[0.30, 0.2], [0.70, 0.5], [0.31, 0.2], [0.69, 0.5], [0.5, 0.3], [0.52, 0.3]])
    strata = pair_strata(features, ["2902", "2902", "2902", "2902", "2903", "2903"])
    assert strata[0] == strata[2] and strata[1] == strata[3] and strata[4] == strata[5]
    assert len({strata[0], strata[1], strata[4]}) == 3


def test_the_minimum_detectable_effect_is_positive_and_shrinks_with_more_bureaux():
    small = minimum_detectable_effect(4.0, ["a"] * 20 + ["b"] * 20, 0.2)
    large = minimum_detectable_effect(4.0, ["a"] * 200 + ["b"] * 200, 0.2)
    noisier = minimum_detectable_effect(8.0, ["a"] * 200 + ["b"] * 200, 0.2)
    assert 0 < large < small and noisier > large
