"""Back-test of the profiles: hand-computed figures, the calibration search, the service on the real
Brest files with each refusal, the command, the page (HQ only) and the overview summary."""

import io
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from circonscriptions.importers.results import results_import
from circonscriptions.models import (
    Departement,
    Election,
    PollingStationResult,
    ProfileBacktest,
    ProfileSettings,
)
from circonscriptions.profiles.backtest import (
    BacktestRefused,
    backtest_figures,
    brier_score,
    calibrate_spread_scale,
    calibration_table,
    one_election_class,
    profiles_backtest,
    reliability_svg,
)
from circonscriptions.profiles.parameters import ProfileParameters
from hq.models import Federation, Membership, Role, User

ELECTIONS = settings.DATA_DIR / "elections"


# ---------------------------------------------------------------------------------------------
# Pure functions on hand-made tables


def test_one_election_class_names_the_opponent_ahead_and_counts_the_threshold_as_past():
    cases = [  # left, centre, right, far right → class (t = 0.05)
        (0.40, 0.30, 0.10, 0.10, "left"),
        (0.30, 0.25, 0.10, 0.10, "left"),  # margin exactly 0.05 (0.04999… in floating point)
        (0.30, 0.27, 0.10, 0.28, "swing"),  # 2 points ahead of the far right
        (0.27, 0.30, 0.10, 0.10, "swing"),  # 3 points behind
        (0.25, 0.30, 0.10, 0.10, "centre"),  # exactly 5 points behind
        (0.20, 0.30, 0.10, 0.35, "far_right"),
        (0.10, 0.20, 0.50, 0.15, "right"),
    ]
    columns = np.array([c[:4] for c in cases]).T
    classes = one_election_class(*columns, threshold=0.05)
    assert list(classes) == [c[4] for c in cases]


def _target(rows: list[tuple]) -> pd.DataFrame:
    """(id, expressed, left, centre, right, far right, other) shares → votes per bureau."""
    frame = pd.DataFrame(rows, columns=["polling_station_id", "expressed", "l", "c", "r", "fr", "o"])
    for column, bloc in (("l", "left"), ("c", "centre"), ("r", "right"), ("fr", "far_right"), ("o", "other")):
        frame[f"votes_{bloc}"] = (frame[column] * frame["expressed"]).round().astype(int)
    return frame


STATIONS = pd.DataFrame(
    {
        "polling_station_id": [1, 2, 3, 4, 5, 6, 7, 8],
        "leaning": ["left", "swing", "centre", "far_right", "left", "left", "swing", "left"],
        "confidence": [0.95, 0.55, 0.75, 0.92, 0.58, 0.90, 0.0, 0.80],
        "share_expr_left": [0.50, 0.35, 0.25, 0.20, 0.40, 0.45, np.nan, 0.40],
    }
)
TARGET = _target(
    [
        (1, 1000, 0.52, 0.20, 0.10, 0.10, 0.08),  # left: right
        (2, 1000, 0.30, 0.40, 0.10, 0.10, 0.10),  # centre, predicted swing: wrong
        (3, 1000, 0.20, 0.45, 0.15, 0.10, 0.10),  # centre: right
        (4, 1000, 0.22, 0.15, 0.13, 0.40, 0.10),  # far right: right
        (5, 1000, 0.33, 0.31, 0.31, 0.00, 0.05),  # swing (2 points ahead), predicted left: wrong
        (7, 1000, 0.30, 0.30, 0.20, 0.10, 0.10),  # no prediction (no usable earlier election)
        (8, 0, 0, 0, 0, 0, 0),  # no expressed vote
        (9, 1000, 0.30, 0.30, 0.20, 0.10, 0.10),  # not predicted at all
    ]
)


def test_the_figures_of_a_hand_made_back_test():
    f = backtest_figures(STATIONS, TARGET, threshold=0.05)

    assert f["bureaux_common"] == 7  # 1-5, 7, 8 (6 has no result in the target, 9 no profile)
    assert f["compared"] == 5 and f["left_out_no_prediction"] == 1 and f["left_out_no_votes"] == 1
    assert f["correct"] == 3 and f["accuracy"] == pytest.approx(0.6)
    classes = {c["leaning"]: c for c in f["classes"]}
    assert (classes["left"]["actual"], classes["left"]["correct"], classes["left"]["precision"]) == (1, 1, 0.5)
    assert classes["centre"]["accuracy"] == pytest.approx(0.5) and classes["centre"]["precision"] == 1.0
    assert classes["swing"]["accuracy"] == 0.0 and classes["swing"]["predicted"] == 1
    assert classes["far_right"]["accuracy"] == 1.0
    assert classes["right"]["accuracy"] is None and classes["right"]["precision"] is None
    assert f["confusion"]["swing"]["centre"] == 1 and f["confusion"]["left"]["swing"] == 1
    # Brier: (0.05² + 0.55² + 0.25² + 0.08² + 0.58²) / 5
    assert f["brier"] == pytest.approx((0.0025 + 0.3025 + 0.0625 + 0.0064 + 0.3364) / 5)
    by_bin = {row["bin"]: row for row in f["calibration"]}
    assert [row["count"] for row in f["calibration"]] == [0, 0, 0, 0, 0, 2, 0, 1, 0, 2]
    assert by_bin[6]["mean_confidence"] == pytest.approx(0.565) and by_bin[6]["observed"] == 0.0
    assert by_bin[8]["mean_confidence"] == pytest.approx(0.75) and by_bin[8]["observed"] == 1.0
    assert by_bin[10]["mean_confidence"] == pytest.approx(0.935) and by_bin[10]["observed"] == 1.0
    assert by_bin[1]["mean_confidence"] is None
    # |0.50−0.52| + |0.35−0.30| + |0.25−0.20| + |0.20−0.22| + |0.40−0.33| = 0.21 over 5 bureaux
    assert f["mae_points"] == pytest.approx(4.2)
    predicted, actual = [0.50, 0.35, 0.25, 0.20, 0.40], [0.52, 0.30, 0.20, 0.22, 0.33]
    mp, ma = sum(predicted) / 5, sum(actual) / 5
    cov = sum((p - mp) * (a - ma) for p, a in zip(predicted, actual, strict=True))
    norm = math.sqrt(sum((p - mp) ** 2 for p in predicted) * sum((a - ma) ** 2 for a in actual))
    assert f["correlation"] == pytest.approx(cov / norm)


def test_a_bureau_with_earlier_results_that_the_profiles_leave_out_counts_as_without_prediction():
    # Bureau 3 had results before the date, but the profiles left it out (say, every earlier
    # election of it set aside by the data-quality gate).
    stations = STATIONS[STATIONS["polling_station_id"] != 3]
    f = backtest_figures(stations, TARGET, threshold=0.05, history_ids={1, 2, 3, 4, 5, 6, 7, 8})
    assert f["bureaux_common"] == 7 and f["compared"] == 4 and f["left_out_no_prediction"] == 2


def test_a_confidence_of_one_falls_in_the_last_tenth_and_zero_in_the_first():
    table = calibration_table(np.array([0.0, 0.1, 0.999, 1.0]), np.array([False, True, True, True]))
    assert [row["count"] for row in table] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert brier_score(np.array([0.5, 0.5]), np.array([True, False])) == pytest.approx(0.25)
    assert brier_score(np.array([]), np.array([])) is None


def test_figures_without_any_bureau_compared_are_empty_not_zero():
    f = backtest_figures(STATIONS[STATIONS["polling_station_id"] == 7], TARGET, threshold=0.05)
    assert f["bureaux_common"] == 1 and f["compared"] == 0
    assert f["accuracy"] is None and f["brier"] is None and f["correlation"] is None and f["mae_points"] is None


class _Tables:
    def __init__(self, stations: pd.DataFrame):
        self.stations = stations


def test_the_calibration_search_finds_the_scale_with_the_lowest_brier_score():
    # 10 bureaux, 7 keep their class; a stand-in computation whose confidence falls with the
    # scale: 0.5 + 0.5·exp(−scale). The Brier score is lowest where the confidence is 0.7,
    # at scale = −ln(0.4) ≈ 0.916.
    ids = list(range(10))
    target = _target([(i, 1000, 0.50, 0.20, 0.10, 0.10, 0.10) for i in ids])  # all left
    leaning = ["left"] * 7 + ["swing"] * 3

    def compute(history, params):
        confidence = 0.5 + 0.5 * math.exp(-params.margin_sd_scale)
        return _Tables(
            pd.DataFrame(
                {"polling_station_id": ids, "leaning": leaning, "confidence": confidence, "share_expr_left": 0.5}
            )
        )

    result = calibrate_spread_scale(pd.DataFrame(), target, ProfileParameters(), compute=compute)

    assert result["scale"] == pytest.approx(-math.log(0.4), abs=0.02)
    assert result["brier_after"] == pytest.approx(0.21, abs=1e-3)  # 0.7·0.3² + 0.3·0.7²
    assert result["brier_before"] > result["brier_after"]
    assert result["scale_before"] == 1.0 and not result["at_bound"]
    assert result["calibration_after"][6]["count"] == 10  # every bureau at 70 %


def _synthetic_results(n: int = 40) -> pd.DataFrame:
    """n bureaux × 3 elections, wide, with margins that wander from one election to the next."""
    rng = np.random.default_rng(9)
    rows = []
    for slug, year, day in (
        ("a-2012-1", 2012, "2012-04-22"),
        ("b-2017-1", 2017, "2017-04-23"),
        ("c-2022-1", 2022, "2022-04-10"),
    ):
        for i in range(n):
            left = 0.15 + 0.5 * i / n + rng.normal(0, 0.06)
            shares = np.clip([left, 0.30, 0.15, 0.20 + rng.normal(0, 0.05)], 0.01, None)
            votes = np.round(1000 * shares / shares.sum() * 0.95).astype(int)
            rows.append(
                {
                    "polling_station_id": i + 1,
                    "circonscription": 1,
                    "departement": "99",
                    "election": slug,
                    "kind": "presidentielle",
                    "year": year,
                    "round": 1,
                    "date": day,
                    "registered": 1500,
                    "voters": 1000,
                    "abstentions": 500,
                    "expressed": 1000,
                    "votes_left": votes[0],
                    "votes_centre": votes[1],
                    "votes_right": votes[2],
                    "votes_far_right": votes[3],
                    "votes_other": 1000 - votes.sum(),
                }
            )
    return pd.DataFrame(rows)


def test_calibrating_with_the_real_computation_lowers_or_keeps_the_brier_score():
    results = _synthetic_results()
    history = results[results["election"] != "c-2022-1"]
    target = results[results["election"] == "c-2022-1"]

    result = calibrate_spread_scale(history, target, ProfileParameters())

    assert result["brier_after"] <= result["brier_before"]
    assert 0.25 <= result["scale"] <= 4.0
    assert result["figures_after"]["compared"] == 40
    assert {row["scale"] for row in result["search"]} >= {0.25, 1.0, 4.0}


def test_the_reliability_diagram_draws_one_dot_per_filled_tenth_and_series():
    before = backtest_figures(STATIONS, TARGET, threshold=0.05)["calibration"]
    svg = reliability_svg(before, before)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('data-series="avant"') == 3 and svg.count('data-series="après calibration"') == 3
    assert 'data-count="2"' in svg and "<script" not in svg


# ---------------------------------------------------------------------------------------------
# The service on the real Brest files


@pytest.fixture
def brest_results(brest_polling_stations, db):
    """The official législatives 2024 T1 file (Finistère 2 and 3) and Brest's own 2022 export (2nd circ.)."""
    results_import(path=ELECTIONS / "lg2024-t1-bureaux-29-circos-02-03.csv", election_slug="legislatives-2024-1")
    results_import(path=ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-02.csv", election_slug="legislatives-2022-1")
    settings_row = ProfileSettings.load()
    # The 2022 city export leaves many votes without a nuance; let it count here, so that the
    # test reads the comparison itself whatever the data-quality gate does with that file.
    settings_row.unlabelled_threshold = 1.0
    settings_row.save()


@pytest.mark.django_db
def test_profiles_up_to_2022_are_checked_against_the_2024_legislatives_bureau_by_bureau(brest_results):
    backtest = profiles_backtest(until=date(2023, 1, 1), against="legislatives-2024-1", by="test")

    f = backtest.figures
    # The 78 bureaux of Brest's 2nd circonscription are in both files.
    assert f["bureaux_common"] == 78 and f["compared"] == 78
    assert backtest.elections == ["legislatives-2022-1"] and backtest.against_label == "les législatives 2024"
    assert sum(c["actual"] for c in f["classes"]) == 78 == sum(c["predicted"] for c in f["classes"])
    assert f["accuracy"] == pytest.approx(f["correct"] / 78)
    assert sum(row["count"] for row in f["calibration"]) == 78
    # The left's share moves together from one législatives to the next in Brest.
    assert f["correlation"] > 0.5 and 0 < f["mae_points"] < 20
    assert ProfileBacktest.objects.get() == backtest and backtest.calibrated_scale is None
    assert backtest.parameters["unlabelled_threshold"] == 1.0 and len(backtest.data_checksum) == 64


@pytest.mark.django_db
def test_calibration_saves_the_best_spread_factor_for_the_next_recompute(brest_results):
    backtest = profiles_backtest(until=date(2023, 1, 1), against="legislatives-2024-1", calibrate=True)

    c = backtest.calibrated_figures
    assert c["brier_after"] <= c["brier_before"] == backtest.figures["brier"]
    assert ProfileSettings.load().margin_sd_scale == backtest.calibrated_scale == c["scale"]
    assert backtest.scale_saved == (c["scale"] != 1.0)


@pytest.mark.django_db
def test_the_same_back_test_on_the_same_data_is_not_run_twice_when_asked(brest_results):
    first = profiles_backtest(until=date(2023, 1, 1), against="legislatives-2024-1", skip_if_done=True)
    again = profiles_backtest(until=date(2023, 1, 1), against="legislatives-2024-1", skip_if_done=True)
    assert again == first and ProfileBacktest.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("until", "against", "message"),
    [
        (date(2023, 1, 1), "legislatives-2031-1", "Aucune élection « legislatives-2031-1 » n'est chargée"),
        (date(2000, 1, 1), "legislatives-2024-1", "Aucune élection chargée avec des résultats par bureau"),
        (date(2025, 1, 1), "legislatives-2024-1", "a eu lieu avant le 01/01/2025"),
    ],
)
def test_a_back_test_the_data_do_not_allow_is_refused_in_one_french_sentence(brest_results, until, against, message):
    with pytest.raises(BacktestRefused, match=message) as refused:
        profiles_backtest(until=until, against=against)
    text = str(refused.value)
    assert text.endswith(".") and text.count(". ") == 0
    assert not ProfileBacktest.objects.exists()


@pytest.mark.django_db
def test_an_election_without_results_by_bureau_or_a_second_round_is_refused(brest_results):
    Election.objects.create(slug="europeennes-2024-1", kind="europeennes", year=2024, round=1, date=date(2024, 6, 9))
    Election.objects.create(slug="legislatives-2024-2", kind="legislatives", year=2024, round=2, date=date(2024, 7, 7))
    with pytest.raises(BacktestRefused, match="n'a aucun résultat par bureau de vote"):
        profiles_backtest(until=date(2023, 1, 1), against="europeennes-2024-1")
    with pytest.raises(BacktestRefused, match="est un second tour.*legislatives-2024-1"):
        profiles_backtest(until=date(2023, 1, 1), against="legislatives-2024-2")


@pytest.mark.django_db
def test_no_bureau_in_common_is_refused(brest_results):
    # Keep 2024 results outside Brest only: the 2022 export covers Brest alone.
    PollingStationResult.objects.filter(
        election__slug="legislatives-2024-1", polling_station__commune__code="29019"
    ).delete()
    with pytest.raises(BacktestRefused, match="Aucun bureau de vote n'a à la fois des résultats avant le 01/01/2023"):
        profiles_backtest(until=date(2023, 1, 1), against="legislatives-2024-1")


# ---------------------------------------------------------------------------------------------
# The command


@pytest.mark.django_db
def test_the_command_prints_a_french_summary_and_records_the_run(brest_results):
    out = io.StringIO()
    call_command("backtest_profiles", "--until", "2023-01-01", "--against", "legislatives-2024-1", stdout=out)
    text = out.getvalue()
    assert "comparés aux législatives 2024 (legislatives-2024-1)" in text
    assert "Bien classés :" in text and "Score de Brier :" in text and "corrélation" in text
    assert "confiance    bureaux   annoncée   observée" in text
    assert ProfileBacktest.objects.get().started_by == "manage.py backtest_profiles"


@pytest.mark.django_db
def test_the_command_refuses_bad_input_with_a_command_error(brest_results):
    with pytest.raises(CommandError, match="La date « 2023-13-01 » n'est pas une date AAAA-MM-JJ"):
        call_command("backtest_profiles", "--until", "2023-13-01", "--against", "legislatives-2024-1")
    with pytest.raises(CommandError, match="Aucune élection « nope » n'est chargée"):
        call_command("backtest_profiles", "--until", "2023-01-01", "--against", "nope")
    assert not ProfileBacktest.objects.exists()


# ---------------------------------------------------------------------------------------------
# The page and the overview summary


def _member(role: str, code: str | None) -> User:
    user = User.objects.create_user(f"{role}-{code}@example.org", "pw-test-2026")
    federation = None
    if code:
        departement, _ = Departement.objects.get_or_create(code=code, defaults={"name": code})
        federation, _ = Federation.objects.get_or_create(departement=departement, defaults={"name": f"Féd. {code}"})
    Membership.objects.create(
        user=user, role=role, federation=federation, consent_text="J'accepte.", consent_at=timezone.now()
    )
    return user


@pytest.fixture
def recorded(db):
    figures = backtest_figures(STATIONS, TARGET, threshold=0.05)
    calibration = {
        "scale_before": 1.0,
        "scale": 1.5,
        "brier_before": figures["brier"],
        "brier_after": 0.12,
        "calibration_before": figures["calibration"],
        "calibration_after": figures["calibration"],
        "at_bound": False,
    }
    return ProfileBacktest.objects.create(
        until=date(2023, 1, 1),
        against="legislatives-2024-1",
        against_label="les législatives 2024",
        elections=["legislatives-2022-1"],
        figures=figures,
        calibrated_scale=1.5,
        calibrated_figures=calibration,
        scale_saved=True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "code"), [(Role.NATIONAL_HQ, None), (Role.FEDERAL_HQ, "29")])
def test_hq_reads_the_back_test_page_with_its_tables_and_diagram(client, recorded, role, code):
    client.force_login(_member(role, code))
    page = client.get("/carte/verification/").content.decode()
    assert "Vérification des profils" in page
    assert "Bureaux bien classés" in page and "60,0\u202f%" in page  # 3 of 5
    assert "dominé par Ensemble" in page and "56,5\u202f%" in page  # the 50–60 % tenth
    assert "Facteur d&#x27;écart 1,00 → 1,50" in page or "Facteur d'écart 1,00 → 1,50" in page
    assert "<svg" in page and 'data-series="après calibration"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "code"), [(Role.ACTIVIST, "29"), (Role.SECRETARY, "29")])
def test_the_back_test_page_is_refused_to_activists_and_secretaries(client, recorded, role, code):
    client.force_login(_member(role, code))
    assert client.get("/carte/verification/").status_code == 403
    assert "backtest-summary" not in client.get("/carte/").content.decode()


@pytest.mark.django_db
def test_the_back_test_page_needs_a_login_and_a_known_id(client, recorded):
    assert client.get("/carte/verification/").status_code == 302
    client.force_login(_member(Role.NATIONAL_HQ, None))
    assert client.get(f"/carte/verification/?id={recorded.pk}").status_code == 200
    assert client.get("/carte/verification/?id=999999").status_code == 404
    assert client.get("/carte/verification/?id=abc").status_code == 404


@pytest.mark.django_db
def test_the_overview_shows_the_latest_back_test_in_one_french_line(client, recorded):
    from circonscriptions.profiles.services import profiles_recompute

    profiles_recompute()  # the summary sits next to the profiles it qualifies
    client.force_login(_member(Role.NATIONAL_HQ, None))
    page = " ".join(client.get("/carte/").content.decode().split())
    assert "Vérifié sur les législatives 2024 : 60 % des bureaux bien classés, Brier 0,14" in page
    assert "(confiance calibrée : Brier 0,14 → 0,12)" in page
    assert 'href="/carte/verification/"' in page


# ---------------------------------------------------------------------------------------------
# The demo


@pytest.mark.django_db
def test_the_demo_recomputes_the_profiles_once_when_its_calibration_moved_the_factor(monkeypatch):
    from circonscriptions import demo
    from circonscriptions.models import ProfileRun

    calls = []

    def fake_backtest(*, until, against, by, calibrate, skip_if_done):
        # Stands in for the service: one record per (date, election), found again the second time.
        calls.append(against)
        assert skip_if_done and by == "make run (démo)"
        backtest, _ = ProfileBacktest.objects.get_or_create(
            until=until,
            against=against,
            defaults={
                "figures": backtest_figures(STATIONS, TARGET, threshold=0.05),
                "calibrated_figures": {"scale_before": 1.0, "scale": 2.0, "brier_before": 0.3, "brier_after": 0.2}
                if calibrate
                else {},
                "scale_saved": calibrate,
            },
        )
        return backtest

    monkeypatch.setattr(demo, "profiles_backtest", fake_backtest)
    lines: list[str] = []
    demo.demo_backtests_run(write=lines.append)

    assert calls == ["legislatives-2024-1", "presidentielle-2022-1"]
    assert ProfileRun.objects.filter(is_current=True, started_by="make run (démo, confiance calibrée)").exists()
    assert any("facteur d'écart 1,00 → 2,00, Brier 0,300 → 0,200" in line for line in lines)
    runs = ProfileRun.objects.count()

    lines.clear()
    demo.demo_backtests_run(write=lines.append)
    assert lines == [] and ProfileRun.objects.count() == runs  # same data: nothing run, nothing recomputed
