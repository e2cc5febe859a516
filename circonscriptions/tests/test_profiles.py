"""The profile rules of circonscriptions/profiles/rules.py, on real Brest-area rows with hand-computed figures."""

import math

import numpy as np
import pandas as pd
import pytest

from circonscriptions.profiles.rules import (
    LEFT,
    RIGHT,
    SWING,
    ProfileParameters,
    compute_profiles,
    leaning_reason,
    normal_cdf,
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


def test_shares_abstention_and_leaning_of_real_bureaux_with_one_election():
    st, _ = _stations(lg2024_rows({("29011", "1"), ("29019", "40"), ("29019", "1")}))

    # Bohars 1: 997 registered, 210 abstentions, 776 expressed. Left = UG 223 + EXG 4 + EXG 6
    # + ECO 14 = 247; centre = ENS 172 + DVC 188 = 360; right = LR 19; far right = RN 144
    # + REC 5 + EXD 1 = 150 (sum 776). Margin = 247/776 − 360/776 = −0.14562 ≤ −0.05: RIGHT.
    bohars = st.loc["29011_1"]
    assert bohars["share_expr_left"] == pytest.approx(247 / 776)
    assert bohars["share_expr_centre"] == pytest.approx(360 / 776)
    assert bohars["share_reg_far_right"] == pytest.approx(150 / 997)
    assert bohars["abstention_rate_last"] == pytest.approx(210 / 997)
    assert bohars["abstention_rate_avg"] == pytest.approx(210 / 997)
    assert bohars["leaning"] == RIGHT
    # One election: the spread is the floor 0.05; Φ((−0.05 + 0.14562) / 0.05) = Φ(1.9124) = 0.9721.
    assert bohars["confidence"] == pytest.approx(0.9721, abs=1e-4)

    # Brest 40 (circo 2): 896 registered, 238 abstentions, 648 expressed. Left = UG 411 + EXG 3
    # + EXG 3 + ECO 11 = 428; centre = ENS 66 + DVC 68 = 134. Margin 0.4537: LEFT, Φ(8.07) ≈ 1.
    b40 = st.loc["29019_40"]
    assert b40["share_expr_left"] == pytest.approx(428 / 648)
    assert b40["margin_avg"] == pytest.approx(428 / 648 - 134 / 648)
    assert b40["abstention_rate_last"] == pytest.approx(238 / 896)
    assert b40["leaning"] == LEFT
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

    # With a single election there is neither trend nor volatility.
    assert math.isnan(b1["left_share_trend"]) and math.isnan(b1["volatility"])
    assert (st["n_elections"] == 1).all()


def test_recent_elections_weigh_more_trend_and_volatility_over_two_real_elections():
    rows = lg2024_rows({("29019", "40")}) + lg2022_brest_rows({"040"})
    st, tables = _stations(rows)
    b40 = st.loc["29019_40"]

    # 2022 (City of Brest export, bureau 040): 886 registered, 492 voters → 394 abstentions,
    # 485 expressed, Cadalen 274 (left), Larsonneur 55 (centre), 156 for the others ("other").
    # 12 June 2022 is 749 days before 30 June 2024: weight w = 0.5 ** (749 / 365.25 / 5) = 0.7526.
    w = 0.5 ** (749 / 365.25 / 5)
    assert w == pytest.approx(0.7526, abs=1e-4)
    assert b40["share_expr_left"] == pytest.approx((428 / 648 + w * 274 / 485) / (1 + w))
    assert b40["abstention_rate_avg"] == pytest.approx((238 / 896 + w * 394 / 886) / (1 + w))
    # The latest abstention is 2024's, not the average.
    assert b40["abstention_rate_last"] == pytest.approx(238 / 896)
    # Two points: the slope is the change divided by the years between them.
    years = 749 / 365.25
    assert b40["left_share_trend"] == pytest.approx((428 / 648 - 274 / 485) / years)
    assert b40["abstention_trend"] == pytest.approx((238 / 896 - 394 / 886) / years)
    # Pedersen index: half the sum of the absolute changes of the five bloc shares.
    # 2022: left 274/485, centre 55/485, other 156/485; 2024: left 428/648, centre 134/648,
    # right 15/648, far right 71/648, other 0.
    changes = [428 / 648 - 274 / 485, 134 / 648 - 55 / 485, 15 / 648, 71 / 648, 156 / 485]
    assert b40["volatility"] == pytest.approx(sum(abs(c) for c in changes) / 2)
    assert b40["n_elections"] == 2 and b40["first_year"] == 2022 and b40["last_year"] == 2024
    assert b40["leaning"] == LEFT
    assert len(tables.history) == 2


def test_second_rounds_are_left_out_by_default():
    first = lg2024_rows({("29019", "40")})
    duel = [{**row, "round": 2, "election": "legislatives-2024-2", "date": "2024-07-07"} for row in first]
    st, _ = _stations(first + duel)
    assert st.loc["29019_40", "n_elections"] == 1
    st_all, _ = _stations(first + duel, ProfileParameters(first_rounds_only=False))
    assert st_all.loc["29019_40", "n_elections"] == 2


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


def test_priority_is_expected_votes_per_hour_from_the_stated_assumptions():
    st, _ = _stations(lg2024_rows({("29019", "40"), ("29019", "1")}))
    contacts = 12 * 0.5
    # Brest 40, LEFT: mobilisation = 6 × 238/896 × 0.14 × 428/648; persuasion = 6 × 658/896 × 0.10 × 0.5.
    b40 = st.loc["29019_40"]
    assert b40["mobilisation_score"] == pytest.approx(contacts * 238 / 896 * 0.14 * 428 / 648)
    assert b40["persuasion_score"] == pytest.approx(contacts * 658 / 896 * 0.10 * 0.5)
    # Brest 1, SWING: full persuasion weight 6 × 653/910 × 0.10 = 0.4305, which outranks Brest 40.
    b1 = st.loc["29019_1"]
    assert b1["persuasion_score"] == pytest.approx(contacts * 653 / 910 * 0.10)
    assert b1["priority_score"] == pytest.approx(b1["mobilisation_score"] + b1["persuasion_score"])
    assert (b1["rank_nation"], b40["rank_nation"]) == (1, 2)
    # Each bureau is alone in its circonscription; both are in the Finistère.
    assert (b1["rank_circonscription"], b40["rank_circonscription"]) == (1, 1)
    assert (b1["rank_departement"], b40["rank_departement"]) == (1, 2)
    # Without the mobilisation assumption, only persuasion is left.
    st0, _ = _stations(lg2024_rows({("29019", "40")}), ProfileParameters(mobilisation_effect=0.0))
    assert st0.loc["29019_40", "mobilisation_score"] == 0.0


def test_bad_parameters_are_refused_in_french():
    with pytest.raises(ValueError, match="demi-vie"):
        compute_profiles(pd.DataFrame(lg2024_rows({("29019", "40")})), ProfileParameters(half_life_years=0))
    with pytest.raises(ValueError, match="contact_rate doit être entre 0 et 1"):
        ProfileParameters(contact_rate=1.5).validate()


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
    assert swing.endswith("hésitant.")
