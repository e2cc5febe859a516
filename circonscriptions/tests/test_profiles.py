"""The profile rules of circonscriptions/profiles/rules.py, on real Brest-area rows and small tables, by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from circonscriptions.profiles.rules import (
    BLOCS,
    CENTRE,
    FAR_RIGHT,
    LEFT,
    RIGHT,
    SWING,
    ProfileParameters,
    compute_profiles,
    leaning_from_margin,
    leaning_reason,
    normal_cdf,
    strongest_opponent,
)
from circonscriptions.profiles.types import kmeans, name_type
from circonscriptions.tests.profile_data import lg2022_brest_rows, lg2024_rows


def _stations(rows, params=None):
    tables = compute_profiles(pd.DataFrame(rows), params or ProfileParameters())
    return tables.stations.set_index("polling_station_id"), tables


def test_normal_cdf_matches_the_tables():
    assert normal_cdf(np.array([0.0, 1.0, -1.96]))[0] == pytest.approx(0.5)
    assert normal_cdf(np.array([1.0]))[0] == pytest.approx(0.841345, abs=1e-6)
    assert normal_cdf(np.array([-1.96]))[0] == pytest.approx(0.024998, abs=1e-6)


def _bureau(station, election="legislatives-2024-1", *, circo="C", commune="X", kind="legislatives", **counts):
    """One (bureau, election) row of the wide input, with round figures a reader can check."""
    dates = {"legislatives-2024-1": "2024-06-30", "presidentielle-2022-1": "2022-04-10"}
    dates |= {"legislatives-2022-1": "2022-06-12", "europeennes-2024-1": "2024-06-09"}
    row = {"polling_station_id": station, "circonscription": circo, "departement": "29", "commune": commune}
    row |= {"election": election, "kind": kind, "year": int(dates[election][:4]), "round": 1}
    row |= {"date": dates[election], "votes_unlabelled": 0, "votes_other": 0}
    row.update(counts)
    row["abstentions"] = row["registered"] - row["voters"]
    row.setdefault("expressed", sum(row[f"votes_{b}"] for b in BLOCS))
    return row


def _votes(left, centre, right, far_right, other=0):
    return {"votes_left": left, "votes_centre": centre, "votes_right": right}, {
        "votes_far_right": far_right,
        "votes_other": other,
    }


def _row(station, election="legislatives-2024-1", *, registered, voters, votes, **kwargs):
    first, second = _votes(*votes)
    return _bureau(station, election, registered=registered, voters=voters, **first, **second, **kwargs)


def test_shares_abstention_and_leaning_of_real_bureaux_with_one_election():
    st, _ = _stations(lg2024_rows({("29011", "1"), ("29019", "40"), ("29019", "1")}))

    # Bohars 1: 997 registered, 210 abstentions, 776 expressed. Left = UG 223 + EXG 4 + EXG 6
    # + ECO 14 = 247; centre = ENS 172 + DVC 188 = 360; right = LR 19; far right = RN 144
    # + REC 5 + EXD 1 = 150 (sum 776). Margin = 247/776 − 360/776 = −0.14562 ≤ −0.05, and
    # the strongest opposing bloc is the centre: CENTRE (dominé par Ensemble), not "right".
    bohars = st.loc["29011_1"]
    assert bohars["share_expr_left"] == pytest.approx(247 / 776)
    assert bohars["share_expr_centre"] == pytest.approx(360 / 776)
    assert bohars["share_reg_far_right"] == pytest.approx(150 / 997)
    assert bohars["abstention_rate_last"] == pytest.approx(210 / 997)
    assert bohars["abstention_rate_avg"] == pytest.approx(210 / 997)
    assert (bohars["leaning"], bohars["opponent"]) == (CENTRE, "centre")
    # One election: the spread is the floor 0.05. P(margin ≤ −0.05) = Φ((−0.05 + 0.14562) / 0.05)
    # = Φ(1.9124) = 0.9721, times P(the centre stays ahead of the far right) = Φ((360 − 150)/776 / 0.05)
    # = Φ(5.41) ≈ 1.
    assert bohars["confidence"] == pytest.approx(0.9721, abs=1e-4)
    assert bohars["margin_avg"] == pytest.approx(-113 / 776)

    # Brest 40 (circo 2): 896 registered, 238 abstentions, 648 expressed. Left = UG 411 + EXG 3
    # + EXG 3 + ECO 11 = 428; centre = ENS 66 + DVC 68 = 134. Margin 0.4537: LEFT, Φ(8.07) ≈ 1.
    b40 = st.loc["29019_40"]
    assert b40["share_expr_left"] == pytest.approx(428 / 648)
    assert b40["margin_avg"] == pytest.approx(428 / 648 - 134 / 648)
    assert b40["abstention_rate_last"] == pytest.approx(238 / 896)
    assert (b40["leaning"], b40["opponent"]) == (LEFT, "centre")
    assert b40["confidence"] == pytest.approx(1.0, abs=1e-9)
    assert b40["circonscription"] == "2902"

    # Brest 1 (circo 3): 910 registered, 257 abstentions, 628 expressed. Left = UG 220 + EXG 6
    # = 226; centre = ENS 207; far right = RN 151 + REC 7 + DSV 10 = 168; other = DIV 6 + REG 21.
    # Margin = 19/628 = 0.03025, within ±0.05: SWING, with confidence
    # Φ((0.05 − 0.03025)/0.05) − Φ((−0.05 − 0.03025)/0.05) = Φ(0.3949) − Φ(−1.6051) = 0.6535 − 0.0542.
    b1 = st.loc["29019_1"]
    assert b1["share_expr_other"] == pytest.approx(27 / 628)
    assert b1["leaning"] == SWING
    assert b1["confidence"] == pytest.approx(0.5993, abs=1e-3)
    assert b1["circonscription"] == "2903"

    # With a single election there is neither trend nor volatility, nor a gap with the circonscription's
    # own bureaux when a bureau is alone in it.
    assert math.isnan(b1["left_share_trend"]) and math.isnan(b1["volatility"])
    assert b1["left_gap_circonscription"] == pytest.approx(0.0)
    assert math.isnan(b1["left_gap_nation"])
    assert (st["n_elections"] == 1).all()


def test_no_brest_bureau_led_by_ensemble_is_labelled_right():
    st, _ = _stations(lg2024_rows() + lg2022_brest_rows({f"{n:03d}" for n in range(1, 200)}))
    assert len(st) == 201
    led_by_centre = st[st["opponent"] == "centre"]
    assert len(led_by_centre) > 100
    assert not (led_by_centre["leaning"] == RIGHT).any()
    # Behind the left's lead or not, each bureau names whom the left is up against.
    behind = st[st["leaning"].isin([CENTRE, RIGHT, FAR_RIGHT])]
    assert (behind["leaning"] == behind["opponent"]).all()
    assert set(st["leaning"]) <= {LEFT, SWING, CENTRE, RIGHT, FAR_RIGHT}
    assert {CENTRE, FAR_RIGHT} <= set(st["leaning"])


def test_an_election_with_too_many_votes_without_nuance_is_left_out_of_the_bureau_but_not_its_abstention():
    # Bureau 039's 2022 figures are given a commune of their own (so that Brest's count of
    # bureaux does not change between the two elections loaded here).
    alone = [{**r, "commune": "29999", "polling_station_id": "29999_39"} for r in lg2022_brest_rows({"039"})]
    rows = lg2024_rows({("29019", "40")}) + lg2022_brest_rows({"040"}) + alone
    st, tables = _stations(rows)
    b40 = st.loc["29019_40"]
    # 2022 (City of Brest export, bureau 040): 485 expressed, Cadalen 274, Larsonneur 55, and 156
    # votes with no nuance: 156/485 = 32 % > 10 %. The 2022 election does not count in its shares…
    assert b40["n_elections"] == 1
    assert b40["share_expr_left"] == pytest.approx(428 / 648)
    assert math.isnan(b40["left_share_trend"]) and math.isnan(b40["volatility"])
    assert b40["excluded_elections"] == [
        {
            "election": "legislatives-2022-1",
            "label": "Législatives 2022 T1",
            "reason": "32 % des suffrages exprimés sans nuance utilisable (au-delà du seuil de 10 %) : "
            "élection écartée de l'orientation, de la tendance et de la volatilité.",
            "unlabelled_share": round(156 / 485, 4),
        }
    ]
    # …but abstention does not depend on nuances: 886 registered, 492 voters in 2022, weight
    # 0.5 ** (749 / 365.25 / 5) = 0.7526.
    w = 0.5 ** (749 / 365.25 / 5)
    assert b40["abstention_rate_avg"] == pytest.approx((238 / 896 + w * 394 / 886) / (1 + w))
    assert b40["abstention_trend"] == pytest.approx((238 / 896 - 394 / 886) / (749 / 365.25))
    assert b40["first_year"] == 2022 and b40["last_year"] == 2024
    # Bureau 039 has only 2022, which is left out: disputed with confidence 0, no shares, no priority.
    b39 = st.loc["29999_39"]
    assert (b39["leaning"], b39["confidence"], b39["n_elections"]) == (SWING, 0.0, 0)
    assert math.isnan(b39["share_expr_left"]) and math.isnan(b39["priority_score"])
    assert math.isnan(b39["rank_nation"]) and math.isnan(b39["persuadable_share"])
    assert b39["abstention_rate_last"] == pytest.approx((927 - 534) / 927)
    assert len(tables.history) == 3
    # An analyst who accepts a third of unlabelled votes gets both elections back.
    st_lax, _ = _stations(rows, ProfileParameters(unlabelled_threshold=0.35))
    assert st_lax.loc["29019_40", "n_elections"] == 2 and st_lax.loc["29019_40", "excluded_elections"] == []


def test_elections_of_different_kinds_are_combined_through_their_gaps_with_the_circonscription():
    # Circonscription C has two bureaux of 200 registered; shares in points of 100 expressed votes:
    #                         left centre right far_right   voters
    # législatives 2024  a     40    30    10      20        110
    #                    b     20    30    20      30        110
    # présidentielle 2022 a    50    30     5      15        150
    #                    b     30    30    10      30        150
    # C (sum of a and b): 2024 left .30 centre .30 right .15 far right .25; 2022 .40 .30 .075 .225.
    rows = [
        _row("a", registered=200, voters=110, votes=(40, 30, 10, 20)),
        _row("b", registered=200, voters=110, votes=(20, 30, 20, 30)),
        _row("a", "presidentielle-2022-1", kind="presidentielle", registered=200, voters=150, votes=(50, 30, 5, 15)),
        _row("b", "presidentielle-2022-1", kind="presidentielle", registered=200, voters=150, votes=(30, 30, 10, 30)),
    ]
    st, tables = _stations(rows)
    a, b = st.loc["a"], st.loc["b"]
    w = 0.5 ** ((pd.Timestamp("2024-06-30") - pd.Timestamp("2022-04-10")).days / 365.25 / 5)
    # a is 10 points above C in both elections: its left is C's level (latest législatives, .30)
    # + 10 = .40, not the raw average of .40 and .50 that the présidentielle's national swing inflates.
    assert a["left_gap_circonscription"] == pytest.approx(0.10)
    assert a["share_expr_left"] == pytest.approx(0.40)
    assert a["left_share_trend"] == pytest.approx(0.0, abs=1e-12)
    # Adjusted shares: 2024 left .40 centre .30 right .10 far right .20 → margin .10;
    # 2022 left .40 centre .30 right .125 far right .175 → margin .10. M = .10, S = 0 → floor .05.
    assert a["margin_avg"] == pytest.approx(0.10)
    assert (a["leaning"], a["opponent"]) == (LEFT, "centre")
    assert a["confidence"] == pytest.approx(normal_cdf(1.0))
    # b: gaps −.10 for the left; far right +.05 (2024) and +.075 (2022) → adjusted far right .30 and .325,
    # ahead of the centre (.30): the far right is b's opponent. Margins −.10 and −.125.
    assert b["left_gap_circonscription"] == pytest.approx(-0.10)
    assert b["share_expr_far_right"] == pytest.approx((0.30 + w * 0.325) / (1 + w))
    assert b["margin_avg"] == pytest.approx((-0.10 - w * 0.125) / (1 + w))
    assert (b["leaning"], b["opponent"]) == (FAR_RIGHT, "far_right")
    # Volatility: half the summed changes of adjusted shares, 2022 → 2024: right .025, far right .025.
    assert a["volatility"] == pytest.approx(0.025)
    # Differential turnout: présidentielle 150/200 minus législatives of its cycle 110/200.
    assert a["turnout_differential"] == pytest.approx(0.20)
    history = tables.history.set_index(["polling_station_id", "election"])
    assert history.loc[("a", "presidentielle-2022-1"), "gap_left"] == pytest.approx(0.10)


def test_official_circonscription_results_are_the_reference_and_the_nation_when_most_of_france_is_loaded():
    rows = [
        _row("a", registered=200, voters=110, votes=(40, 30, 10, 20)),
        _row("b", registered=200, voters=110, votes=(20, 30, 20, 30)),
    ]

    def circo(code, left, far_right):
        counts = {"registered": 1500, "voters": 1000, "abstentions": 500, "expressed": 1000}
        votes = {"votes_left": left, "votes_centre": 300, "votes_right": 150, "votes_far_right": far_right}
        meta = {"election": "legislatives-2024-1", "kind": "legislatives", "year": 2024, "round": 1}
        return {"circonscription": code, **meta, "date": "2024-06-30", **counts, **votes, "votes_other": 0}

    # C's official result: left 35 %; 519 other circonscriptions at 25 % (520 in all: nine in ten of 577).
    official = pd.DataFrame([circo("C", 350, 200)] + [circo(f"O{i}", 250, 300) for i in range(519)])
    tables = compute_profiles(pd.DataFrame(rows), ProfileParameters(), circonscription_results=official)
    a = tables.stations.set_index("polling_station_id").loc["a"]
    assert a["left_gap_circonscription"] == pytest.approx(0.40 - 0.35)
    assert a["share_expr_left"] == pytest.approx(0.40)  # C's level .35 + the gap .05
    assert a["left_gap_nation"] == pytest.approx(0.40 - (350 + 519 * 250) / 520_000)
    # With one circonscription fewer, the election is not loaded for most of France: no nation.
    fewer = compute_profiles(pd.DataFrame(rows), ProfileParameters(), circonscription_results=official.iloc[:-1])
    assert math.isnan(fewer.stations.set_index("polling_station_id").loc["a", "left_gap_nation"])


def test_a_bureau_whose_registered_voters_jump_is_flagged_redrawn_and_its_trend_starts_after():
    rows = [
        _row("a", "legislatives-2022-1", registered=200, voters=110, votes=(40, 30, 10, 20)),
        _row("a", registered=250, voters=150, votes=(60, 40, 20, 20)),
        _row("b", "legislatives-2022-1", registered=200, voters=110, votes=(40, 30, 10, 20)),
        _row("b", registered=210, voters=150, votes=(60, 40, 20, 20)),
        # Commune Y: two bureaux in 2022, three in 2024, about as many registered voters: redrawn,
        # even for c whose own count moves by 5 % only.
        _row("c", "legislatives-2022-1", commune="Y", registered=200, voters=110, votes=(40, 30, 10, 20)),
        _row("e", "legislatives-2022-1", commune="Y", registered=200, voters=110, votes=(40, 30, 10, 20)),
        _row("c", commune="Y", registered=190, voters=150, votes=(60, 40, 20, 20)),
        _row("e", commune="Y", registered=190, voters=150, votes=(60, 40, 20, 20)),
        _row("f", commune="Y", registered=20, voters=15, votes=(6, 4, 2, 2)),
        # Commune Z: one bureau in the 2022 file, two in 2024 with twice the registered voters: the 2022
        # file covered part of the commune, nothing was redrawn.
        _row("g", "legislatives-2022-1", commune="Z", registered=200, voters=110, votes=(40, 30, 10, 20)),
        _row("g", commune="Z", registered=200, voters=150, votes=(60, 40, 20, 20)),
        _row("h", commune="Z", registered=200, voters=150, votes=(60, 40, 20, 20)),
    ]
    st, _ = _stations(rows)
    # a: 200 → 250 registered, +25 % > 15 %.
    assert st.loc["a", "redistricting_suspected"]
    assert st.loc["a", "redistricting_note"] == (
        "Redécoupage probable : inscrits passés de 200 à 250 (+25 %) entre Législatives 2022 T1 et "
        "Législatives 2024 T1 ; tendance et volatilité calculées sur les élections depuis Législatives 2024 T1 "
        "seulement."
    )
    assert math.isnan(st.loc["a", "left_share_trend"]) and math.isnan(st.loc["a", "volatility"])
    assert st.loc["a", "n_elections"] == 2  # the leaning keeps both elections
    # b: +5 %, same commune count: its history is chained.
    assert not st.loc["b", "redistricting_suspected"] and st.loc["b", "redistricting_note"] == ""
    assert not math.isnan(st.loc["b", "left_share_trend"])
    assert st.loc["c", "redistricting_note"].startswith(
        "Redécoupage probable : bureaux de la commune passés de 2 à 3 entre Législatives 2022 T1"
    )
    assert not st.loc["f", "redistricting_suspected"]  # a single election: nothing to compare
    assert not st.loc["g", "redistricting_suspected"]


def test_differential_turnout_hotspots_follow_the_abstention_rule():
    rows = []
    for station, pres_voters in (("a", 150), ("b", 150), ("c", 150), ("d", 190)):
        rows.append(_row(station, registered=200, voters=130, votes=(40, 30, 10, 20)))
        rows.append(
            _row(
                station,
                "presidentielle-2022-1",
                kind="presidentielle",
                registered=200,
                voters=pres_voters,
                votes=(40, 30, 10, 20),
            )
        )
    st, _ = _stations(rows)
    # Differentials .10, .10, .10 and .30: mean .15, standard deviation .0866, z(d) = 1.73 ≥ 1.
    assert list(st["turnout_differential"].round(6)) == [0.1, 0.1, 0.1, 0.3]
    assert list(st["turnout_differential_hotspot"]) == [False, False, False, True]
    # Without a législatives or européennes in its cycle, a présidentielle gives no differential.
    alone, _ = _stations([r for r in rows if r["kind"] == "presidentielle"])
    assert alone["turnout_differential"].isna().all() and not alone["turnout_differential_hotspot"].any()


def test_priority_is_expected_votes_for_the_hours_of_door_to_door_with_diminishing_returns():
    # One bureau: 800 registered, 600 voters (abstention .25), 580 expressed: left 200, centre 180,
    # right 100, far right 80, other 20. Margin M = 20/580 = .0345.
    rows = [_row("a", registered=800, voters=600, votes=(200, 180, 100, 80, 20))]
    a = _stations(rows)[0].loc["a"]
    # 800 / 1.6 = 500 doors; 20 h × 12 = 240 knocks reach 500 × (1 − e^(−240/500)) = 190.61 doors;
    # half open: 95.30 voters met. Pool p = .5 × exp(−½ (.0345/.15)²) = .48696.
    assert a["doors_reached"] == pytest.approx(190.6083, abs=1e-4)
    assert a["persuadable_share"] == pytest.approx(0.75 * 0.48696, abs=1e-5)
    # Persuasion = 95.30 × .75 × .48696 × .10 = 3.4807; mobilisation = 95.30 × .25 × .14 × 200/580 = 1.1502.
    assert a["persuasion_score"] == pytest.approx(3.4807, abs=1e-4)
    assert a["mobilisation_score"] == pytest.approx(1.1502, abs=1e-4)
    assert a["priority_score"] == pytest.approx(a["persuasion_score"] + a["mobilisation_score"])
    # Low: persuasion .03, mobilisation 0; high: .15 and .14.
    assert a["priority_low"] == pytest.approx(1.0442, abs=1e-4)
    assert a["priority_high"] == pytest.approx(6.3713, abs=1e-4)
    # Twice the hours win less than twice the votes: the same doors are not knocked twice.
    double = _stations(rows, ProfileParameters(activist_hours=40))[0].loc["a"]
    assert a["priority_score"] < double["priority_score"] < 2 * a["priority_score"]


def test_the_priority_moves_by_small_steps_across_every_class_threshold():
    # One bureau per circonscription, each 0.1 point of margin apart: left from 15 % to 45 % of 1000
    # expressed votes against a centre at 30 %, crossing −5 (centre → swing) and +5 (swing → left).
    rows = [
        _row(f"L{left}", circo=f"L{left}", registered=1300, voters=1000, votes=(left, 300, 100, 150, 450 - left))
        for left in range(150, 451)
    ]
    # Then the left at 12 % while the centre gives way to the right one vote at a time: centre → right.
    rows += [
        _row(f"R{c}", circo=f"R{c}", registered=1300, voters=1000, votes=(120, c, 400 - c, 150, 330))
        for c in range(260, 139, -1)
    ]
    st, _ = _stations(rows)
    for prefix, expected in (("L", [CENTRE, SWING, LEFT]), ("R", [CENTRE, RIGHT])):
        series = st[st.index.str.startswith(prefix)]
        series = series.loc[[r["polling_station_id"] for r in rows if r["polling_station_id"].startswith(prefix)]]
        classes = list(dict.fromkeys(series["leaning"]))
        assert classes == expected
        for column in ("priority_score", "priority_low", "priority_high"):
            steps = series[column].diff().abs().dropna()
            # No step is more than 1 % of the score: no jump where the class changes.
            assert (steps <= 0.01 * series[column].iloc[1:].to_numpy()).all(), column
        changes = np.flatnonzero(series["leaning"].to_numpy()[1:] != series["leaning"].to_numpy()[:-1])
        jumps = series["priority_score"].diff().abs().to_numpy()[changes + 1]
        typical = series["priority_score"].diff().abs().median()
        assert (jumps <= 3 * typical + 1e-9).all()


def test_with_persuasion_only_the_disputed_bureaux_of_brest_come_first_not_those_ensemble_dominates():
    # Pons (2018) found persuasion and no turnout effect: with the mobilisation effect at 0, the
    # persuadable pool (largest where the left and its opponent are level) decides the order.
    params = ProfileParameters(mobilisation_effect=0.0, mobilisation_effect_low=0.0)
    st, _ = _stations(lg2024_rows(), params)
    ranked = st.sort_values("rank_nation")
    assert (ranked["margin_avg"].head(10).abs() < 0.10).all()
    median_rank = ranked.groupby("leaning")["rank_nation"].median()
    assert median_rank[SWING] < median_rank[CENTRE] / 2 and median_rank[SWING] < median_rank[LEFT] / 2
    assert (st["mobilisation_score"] == 0).all()


def test_the_observed_contact_rate_replaces_the_setting_in_the_voters_met():
    rows = [_row("a", registered=800, voters=600, votes=(200, 180, 100, 80, 20))]
    base = _stations(rows)[0].loc["a"]
    observed = _stations(rows, ProfileParameters(contact_rate=0.25))[0].loc["a"]
    assert observed["voters_met"] == pytest.approx(base["voters_met"] / 2)
    assert observed["priority_score"] == pytest.approx(base["priority_score"] / 2)


def test_a_bureau_with_zero_registered_gets_no_shares_and_no_rank():
    rows = lg2024_rows({("29019", "40")})
    empty = {**rows[0], "polling_station_id": "29019_999", "registered": 0, "voters": 0, "abstentions": 0}
    empty.update(expressed=0, votes=0)
    st, _ = _stations([*rows, empty])
    ghost = st.loc["29019_999"]
    assert math.isnan(ghost["share_expr_left"]) and math.isnan(ghost["abstention_rate_last"])
    assert ghost["leaning"] == SWING and ghost["confidence"] == 0.0
    assert math.isnan(ghost["priority_score"]) and math.isnan(ghost["rank_nation"])
    assert not ghost["abstention_hotspot"]
    assert st.loc["29019_40", "rank_nation"] == 1


def test_a_margin_exactly_on_the_threshold_is_left_with_even_confidence_and_equal_scores_share_a_rank():
    base = {"circonscription": "2903", "departement": "29", "election": "e", "kind": "legislatives"}
    base.update(year=2024, round=1, date="2024-06-30", registered=250, voters=210, abstentions=40, expressed=200)
    rows = []
    for station in ("a", "b"):
        # left 60/200 = 0.30, centre 50/200 = 0.25: the margin is exactly 0.05.
        for bloc, votes in (("left", 60), ("centre", 50), ("far_right", 45), ("right", 45)):
            rows.append({**base, "polling_station_id": station, "bloc": bloc, "votes": votes})
    st, _ = _stations(rows)
    assert list(st["leaning"]) == [LEFT, LEFT]
    assert st.loc["a", "confidence"] == pytest.approx(0.5)
    assert list(st["rank_circonscription"]) == [1, 1]


def test_abstention_hotspots_against_circonscription_and_departement():
    bureaux = {("29019", "1"), ("29019", "2"), ("29019", "3"), ("29019", "7")}
    bureaux |= {("29011", "1"), ("29011", "2"), ("29011", "3")}
    st, _ = _stations(lg2024_rows(bureaux))
    # Abstention: Brest 1 257/910 = .28242, 2 248/902 = .27494, 3 245/879 = .27873,
    # 7 328/738 = .44444 (circo 3); Bohars 1 210/997 = .21063, 2 193/894 = .21588, 3 217/927 = .23409
    # (circo 2). Circo 3: mean .32013, sd .07182 → z(Brest 7) = .12431/.07182 = 1.731.
    # Département (all seven): mean .27731, sd .07373 → z(Brest 7) = .16714/.07373 = 2.267.
    b7 = st.loc["29019_7"]
    assert b7["abstention_z_circonscription"] == pytest.approx(1.731, abs=2e-3)
    assert b7["abstention_z_departement"] == pytest.approx(2.267, abs=2e-3)
    assert b7["abstention_hotspot"]
    # Brest 7: left = UG 156 + EXG 7 = 163, far right = RN 124 + REC 5 + DSV 10 = 139 of 395:
    # margin 24/395 = .0608 ≥ .05, LEFT: a left abstention hotspot.
    assert b7["leaning"] == LEFT and b7["left_abstention_hotspot"]
    assert st["abstention_hotspot"].sum() == 1
    # Bohars 3 stands out in circo 2 (three bureaux, the minimum group: mean .22020, sd .01005,
    # z = .01389/.01005 = 1.38) but lies below the département's mean: not a hotspot.
    assert st.loc["29011_3", "abstention_z_circonscription"] == pytest.approx(1.38, abs=0.01)
    assert st.loc["29011_3", "abstention_z_departement"] < 0
    assert not st.loc["29011_3", "abstention_hotspot"]
    # A group below the minimum size gives no z-score at all.
    st_small, _ = _stations(lg2024_rows(bureaux), ProfileParameters(hotspot_min_group=4))
    assert st_small["abstention_z_circonscription"].loc[["29011_1", "29011_2", "29011_3"]].isna().all()


def test_second_rounds_are_left_out_by_default():
    first = lg2024_rows({("29019", "40")})
    duel = [{**row, "round": 2, "election": "legislatives-2024-2", "date": "2024-07-07"} for row in first]
    st, _ = _stations(first + duel)
    assert st.loc["29019_40", "n_elections"] == 1
    st_all, _ = _stations(first + duel, ProfileParameters(first_rounds_only=False))
    assert st_all.loc["29019_40", "n_elections"] == 2


def test_every_setting_outside_its_range_is_refused_in_french_with_its_name():
    with pytest.raises(ValueError, match=r"half_life_years \(demi-vie du poids des élections, en années\)"):
        compute_profiles(pd.DataFrame(lg2024_rows({("29019", "40")})), ProfileParameters(half_life_years=0))
    with pytest.raises(ValueError) as refused:
        ProfileParameters(unlabelled_threshold=1.5).validate()
    assert str(refused.value) == (
        "Paramètres de profils invalides : unlabelled_threshold (part des voix sans nuance) doit être entre 0 et 1 "
        "(valeur 1.5)."
    )
    assert ProfileParameters(contact_rate=-0.1, margin_sd_scale=0).problems() == [
        ("contact_rate", "contact_rate (part des portes ouvertes) doit être entre 0 et 1 (valeur -0.1)"),
        (
            "margin_sd_scale",
            "margin_sd_scale (facteur de calibration de l’écart-type) doit être strictement supérieur à 0 "
            "et au plus 100 (valeur 0)",
        ),
    ]
    low_above = ProfileParameters(persuasion_effect_low=0.2).problems()
    assert (
        low_above[0][0] == "persuasion_effect"
        and "doivent aller croissant (valeurs 0.2, 0.1, 0.15)" in (low_above[0][1])
    )
    assert ProfileParameters().problems() == []


def test_kmeans_is_seeded_and_finds_obvious_groups():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 0.1, (20, 2)), rng.normal(5, 0.1, (10, 2))])
    labels = kmeans(x, 2, seed=7)
    assert len(set(labels[:20])) == 1 and len(set(labels[20:])) == 1 and labels[0] != labels[20]
    assert (kmeans(x, 2, seed=7) == labels).all()


def test_profile_types_of_the_real_file_are_stable_named_and_counted():
    rows = lg2024_rows()
    st, tables = _stations(rows)
    again, tables_again = _stations(rows)
    assert (st["profile_type"] == again["profile_type"]).all()
    types = tables.types
    assert types.equals(tables_again.types)
    for circo, group in types.groupby("circonscription"):
        in_circo = st[st["circonscription"] == circo]
        assert group["count"].sum() == len(in_circo)
        assert 1 <= len(group) <= ProfileParameters().max_types
        assert group["name"].is_unique
        assert list(group["key"]) == list(range(1, len(group) + 1))
        assert list(group["count"]) == sorted(group["count"], reverse=True)
    assert all(name.startswith("secteur ") for name in types["name"])
    assert types["description"].str.contains("bureaux. Part des exprimés : gauche").all()


def test_a_type_is_named_from_what_sets_it_apart():
    params = ProfileParameters()
    circo = pd.Series(
        {
            "share_expr_left": 0.35,
            "share_expr_centre": 0.30,
            "share_expr_right": 0.05,
            "share_expr_far_right": 0.25,
            "abstention_rate_avg": 0.30,
        }
    )
    popular = circo.copy()
    popular[["share_expr_left", "share_expr_centre", "abstention_rate_avg"]] = [0.50, 0.20, 0.40]
    # Margin .50 − .25 = .25 ≥ .05; abstention 10 points above; the left 15 points above.
    assert name_type(popular, circo, params) == "secteur acquis à gauche, abstention plus haute, gauche plus forte"
    rn = circo.copy()
    rn[["share_expr_left", "share_expr_far_right", "abstention_rate_avg"]] = [0.25, 0.35, 0.26]
    # Margin .25 − .35 = −.10, the far right ahead; abstention 4 points below; far right 10 points above.
    assert name_type(rn, circo, params) == (
        "secteur dominé par l'extrême droite, abstention plus basse, extrême droite plus forte"
    )
    # Ensemble ahead by 8 points, abstention within 3 points of the circonscription's: no word for it.
    ens = circo.copy()
    ens[["share_expr_left", "share_expr_centre", "abstention_rate_avg"]] = [0.30, 0.38, 0.31]
    assert name_type(ens, circo, params) == "secteur dominé par Ensemble, Ensemble plus fort"
    # Left 2 points ahead of Ensemble: within ± 5 points, disputed; nothing else stands out.
    close = circo.copy()
    close[["share_expr_left", "share_expr_centre"]] = [0.33, 0.31]
    assert name_type(close, circo, params) == "secteur disputé"


def test_the_leaning_reason_says_the_rule_in_words():
    params = ProfileParameters()
    text = leaning_reason(leaning=LEFT, margin_avg=0.4537, margin_sd=0.01, n_elections=2, params=params)
    assert text == (
        "La gauche devance le premier bloc adverse de 45,4 points en moyenne pondérée sur 2 élections "
        "(écart-type 1,0 points) ; au moins 5 points d'avance : acquis à gauche."
    )
    swing = leaning_reason(leaning=SWING, margin_avg=-0.02, margin_sd=None, n_elections=1, params=params)
    assert swing.startswith("Le premier bloc adverse devance la gauche de 2,0 points")
    assert swing.endswith("disputé.")
    centre = leaning_reason(leaning=CENTRE, margin_avg=-0.1456, margin_sd=0.0, n_elections=1, params=params)
    assert centre.endswith("au moins 5 points de retard : dominé par Ensemble.")
    assert "trop de voix sans nuance" in leaning_reason(
        leaning=SWING, margin_avg=None, margin_sd=None, n_elections=0, params=params
    )


def test_the_calibration_hook_recomputes_the_confidence_for_another_spread_scale():
    shares = pd.DataFrame({"share_expr_centre": [0.40, 0.30], "share_expr_right": [0.10, 0.28]})
    shares["share_expr_far_right"] = [0.20, 0.10]
    opponent, lead = strongest_opponent(shares)
    assert list(opponent) == ["centre", "centre"] and lead == pytest.approx([0.20, 0.02])
    margins, spreads = np.array([-0.15, -0.15]), np.array([0.10, 0.10])
    leaning, stated = leaning_from_margin(margins, spreads, ProfileParameters(), opponent=opponent, opponent_lead=lead)
    assert list(leaning) == [CENTRE, CENTRE]
    # s = .10: P(M ≤ −.05) = Φ(1) = .8413; the centre stays ahead: Φ(2) = .9772 and Φ(.2) = .5793.
    assert stated == pytest.approx([0.8413 * 0.9772, 0.8413 * 0.5793], abs=1e-3)
    # Twice the spread (a back-test found the confidence too high): Φ(.5) × Φ(1) and Φ(.5) × Φ(.1).
    _, wider = leaning_from_margin(
        margins, spreads, ProfileParameters(margin_sd_scale=2.0), opponent=opponent, opponent_lead=lead
    )
    assert wider == pytest.approx([0.6915 * 0.8413, 0.6915 * 0.5398], abs=1e-3)
