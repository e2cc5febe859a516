"""The aggregates' arithmetic, checked against values computed by hand."""

from datetime import date

import pytest

from observations.aggregates import contact_rates, top_concerns, top_concerns_by_month, wilson_interval


def test_wilson_interval_of_five_out_of_ten():
    # p = 0.5, n = 10, z² = 3.8415: centre 0.5, half-width 1.96·√(0.025 + 0.0096)/1.38415 = 0.2634.
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4)
    assert high == pytest.approx(0.7634, abs=1e-4)


def test_wilson_interval_of_no_success_starts_at_zero_and_is_not_empty():
    # p = 0: the upper bound is z²/(n + z²) = 3.8415/13.8415 = 0.2775.
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.2775, abs=1e-4)


def test_wilson_interval_of_all_successes_ends_at_one():
    low, high = wilson_interval(10, 10)
    assert high == pytest.approx(1.0, abs=1e-12)
    assert low == pytest.approx(1 - 0.2775, abs=1e-4)


def test_wilson_interval_narrows_with_more_doors():
    # 30 %: 3 of 10 versus 300 of 1000. For 300/1000: denominator 1.0038415, centre
    # 0.30192/1.0038415 = 0.30077, half-width 1.96·√(0.00021 + 0.00000096)/1.0038415 = 0.02836.
    small = wilson_interval(3, 10)
    large = wilson_interval(300, 1000)
    assert small[1] - small[0] > 0.45
    assert large == (pytest.approx(0.2724, abs=1e-4), pytest.approx(0.3291, abs=1e-4))


def test_wilson_interval_without_trials_is_none_and_impossible_counts_are_refused():
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_contact_rates_sum_each_group_and_ignore_actions_without_doors():
    rows = [
        ("Porte-à-porte", 40, 18, 11, 4),
        ("Porte-à-porte", 60, 30, 19, 6),
        ("Marché", 0, 0, 25, 6),  # no door: not in a contact rate
        ("Tractage", 10, 2, 1, 0),
    ]
    rates = contact_rates(rows)
    assert [r.group for r in rates] == ["Porte-à-porte", "Tractage"]
    door = rates[0]
    assert (door.observations, door.doors_knocked, door.doors_opened, door.conversations, door.interested) == (
        2, 100, 48, 30, 10,
    )  # fmt: skip
    assert door.rate == 0.3
    # Wilson for 30/100: centre 0.319207/1.038415 = 0.30740,
    # half-width 1.96·√(0.0021 + 0.000096)/1.038415 = 0.08845 → [0.2190, 0.3958].
    assert (door.low, door.high) == (pytest.approx(0.2190, abs=1e-4), pytest.approx(0.3958, abs=1e-4))
    assert rates[1].rate == 0.1


def test_top_concerns_count_free_words_with_the_standard_list_case_insensitively():
    rows = [
        (date(2026, 10, 3), "Logement"),
        (date(2026, 10, 3), "logement"),
        (date(2026, 10, 9), "Santé"),
        (date(2026, 11, 2), " Santé "),
        (date(2026, 11, 5), "Santé"),
        (date(2026, 11, 5), "transports"),
    ]
    assert top_concerns(rows, limit=2) == [("santé", 3), ("logement", 2)]
    assert top_concerns_by_month(rows, limit=1) == [
        (date(2026, 11, 1), [("santé", 2)]),
        (date(2026, 10, 1), [("logement", 2)]),
    ]
