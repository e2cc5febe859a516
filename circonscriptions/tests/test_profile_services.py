"""The profile recompute on the real PostGIS: one-query load, atomic switch, failures, commands, task."""

import csv
import io

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from circonscriptions import blocs
from circonscriptions.models import (
    Circonscription,
    CirconscriptionResult,
    CirconscriptionVotes,
    Election,
    Nuance,
    PollingStationProfile,
    PollingStationVotes,
    ProfileRun,
    ProfileSettings,
    ProfileType,
)
from circonscriptions.profiles import rules as profiles
from circonscriptions.profiles import services as profile_services
from circonscriptions.profiles.exports import _cell
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.rules import compute_profiles
from circonscriptions.profiles.services import (
    profiles_load_circonscription_results,
    profiles_load_results,
    profiles_recompute,
)
from circonscriptions.tests.profile_data import lg2022_brest_rows, lg2024_rows, store_results

BREST = [("29019", str(n)) for n in range(1, 41)]


@pytest.fixture
def brest(db):
    return store_results(lg2024_rows(set(BREST)) + lg2022_brest_rows({"040"}))


def test_a_run_writes_the_profiles_and_becomes_current(brest):
    run = profiles_recompute(by="analyste@example.org")
    run.refresh_from_db()
    assert run.status == ProfileRun.Status.SUCCEEDED and run.is_current
    assert run.stations == 40 and run.elections == ["legislatives-2022-1", "legislatives-2024-1"]
    assert run.parameters["half_life_years"] == 5.0 and run.started_by == "analyste@example.org"
    b40 = PollingStationProfile.objects.current().get(polling_station_id=brest["29019_40"])
    # The same figures as the pure function on the same real rows (see test_profiles.py): the 2022
    # City of Brest export has 156 of 485 votes without nuance, so 2022 is left out of bureau 40's
    # shares (not of its abstention).
    w = 0.5 ** (749 / 365.25 / 5)
    assert b40.share_expr_left == pytest.approx(428 / 648)
    assert b40.abstention_rate_avg == pytest.approx((238 / 896 + w * 394 / 886) / (1 + w))
    assert b40.abstention_rate_last == pytest.approx(238 / 896)
    assert (b40.leaning, b40.opponent, b40.n_elections) == ("left", "centre", 1)
    assert [e["label"] for e in b40.excluded_elections] == ["Législatives 2022 T1"]
    assert b40.excluded_elections[0]["unlabelled_share"] == pytest.approx(156 / 485, abs=1e-4)
    assert b40.priority_low <= b40.priority_score <= b40.priority_high
    assert b40.priority_score == pytest.approx(b40.mobilisation_score + b40.persuasion_score)
    assert b40.circonscription.code == "2902" and not b40.redistricting_suspected
    assert run.sources["contact_rate"]["value"] == 0.5
    assert "Réglage des profils (50\u202f%)" in run.sources["contact_rate"]["source"]
    b1 = PollingStationProfile.objects.current().get(polling_station_id=brest["29019_1"])
    assert b1.leaning == "swing" and b1.confidence == pytest.approx(0.5993, abs=1e-3)
    assert b1.rank_circonscription >= 1 and b1.profile_type is not None
    # Every type of the run belongs to it, and its count is the number of its stations.
    for ptype in ProfileType.objects.filter(run=run):
        assert ptype.profiles.count() == ptype.count


def test_the_settings_edited_by_hq_are_the_ones_used(brest):
    settings = ProfileSettings.load()
    settings.leaning_margin = 0.50
    settings.save(update_fields=["leaning_margin"])
    run = profiles_recompute()
    assert run.parameters["leaning_margin"] == 0.50
    # No Brest bureau leads by 50 points: every one is swing now.
    assert set(PollingStationProfile.objects.filter(run=run).values_list("leaning", flat=True)) == {"swing"}


def test_a_failing_run_leaves_the_current_profiles_untouched(brest, monkeypatch):
    first = profiles_recompute()
    before = list(PollingStationProfile.objects.current().order_by("pk").values_list("pk", "priority_score"))

    with pytest.raises(ValueError, match="half_life_years"):
        profiles_recompute(parameters=ProfileParameters(half_life_years=-1))

    def explode(*args, **kwargs):
        raise RuntimeError("panne au milieu du calcul")

    monkeypatch.setattr(profile_services, "compute_profiles", explode)
    with pytest.raises(RuntimeError):
        profiles_recompute()

    assert ProfileRun.objects.current() == first
    failed = ProfileRun.objects.filter(status=ProfileRun.Status.FAILED).order_by("started_at")
    assert [r.error for r in failed] == [
        "ValueError: Paramètres de profils invalides : half_life_years (demi-vie du poids des élections, "
        "en années) doit être strictement supérieur à 0 et au plus 100 (valeur -1).",
        "RuntimeError: panne au milieu du calcul",
    ]
    assert not PollingStationProfile.objects.filter(run__in=failed).exists()
    assert list(PollingStationProfile.objects.current().order_by("pk").values_list("pk", "priority_score")) == before


def test_a_failure_while_writing_rolls_the_rows_back(brest, monkeypatch):
    first = profiles_recompute()

    def broken_copy(stations, run, type_ids):
        original_copy(stations, run, type_ids)
        raise OSError("disque plein")

    original_copy = profile_services._copy_profiles
    monkeypatch.setattr(profile_services, "_copy_profiles", broken_copy)
    with pytest.raises(OSError):
        profiles_recompute()
    failed = ProfileRun.objects.get(status=ProfileRun.Status.FAILED)
    # Its profiles and types were written inside the transaction that rolled back.
    assert not PollingStationProfile.objects.filter(run=failed).exists()
    assert not ProfileType.objects.filter(run=failed).exists()
    assert ProfileRun.objects.current() == first


def test_a_new_run_replaces_the_current_one_and_old_runs_are_pruned(brest):
    runs = [profiles_recompute() for _ in range(3)]
    assert ProfileRun.objects.current() == runs[-1]
    # The current run and the one before keep their rows; older ones are deleted.
    assert list(ProfileRun.objects.order_by("started_at")) == runs[1:]
    assert PollingStationProfile.objects.filter(run=runs[1]).count() == 40


@pytest.mark.parametrize("n_stations", [3, 30])
def test_loading_the_results_is_one_query_whatever_the_number_of_stations(db, n_stations, django_assert_num_queries):
    store_results(lg2024_rows(set(BREST[:n_stations])))
    with django_assert_num_queries(1):
        results = profiles_load_results()
    assert results["polling_station_id"].nunique() == n_stations == len(results)
    expected = {c for c in profiles.INPUT_COLUMNS if c not in ("bloc", "votes")} | set(profiles.WIDE_VOTE_COLUMNS)
    assert set(results.columns) == expected | {"commune", "votes_unlabelled"}


def test_the_loaded_table_sums_votes_by_bloc(db):
    ids = store_results(lg2024_rows({("29019", "40"), ("29019", "1")}))
    results = profiles_load_results().set_index("polling_station_id")
    # Brest 40: UG 411 + EXG 3 + EXG 3 + ECO 11; ENS 66 + DVC 68; LR 15; RN 71 + REC 0 + EXD 0.
    b40 = results.loc[ids["29019_40"]]
    assert [b40[f"votes_{b}"] for b in profiles.BLOCS] == [428, 134, 15, 71, 0]
    # Brest 1: DIV 6 + REG 21 are "other".
    assert results.loc[ids["29019_1"], "votes_other"] == 27
    # Votes without a usable nuance are counted apart (those of the "not given" code, if any).
    rows_b1 = lg2024_rows({("29019", "1")})
    assert results.loc[ids["29019_1"], "votes_unlabelled"] == sum(
        r["votes"] for r in rows_b1 if r["nuance"] == blocs.UNKNOWN_NUANCE
    )
    assert results.loc[ids["29019_40"], "commune"] == "29019"
    # A list recorded with no nuance at all (a municipal list, an unnamed candidate) is "other"
    # and without a usable nuance: never a zero for the left. Brest 1's REG candidate, 21 votes:
    PollingStationVotes.objects.filter(result__polling_station_id=ids["29019_1"], nuance__code="REG").update(
        nuance=None
    )
    again = profiles_load_results().set_index("polling_station_id").loc[ids["29019_1"]]
    assert again["votes_other"] == 27 and again["votes_left"] == 226
    assert again["votes_unlabelled"] == results.loc[ids["29019_1"], "votes_unlabelled"] + 21
    assert set(results["departement"]) == {"29"} and set(results["election"]) == {"legislatives-2024-1"}
    # The wide table gives the same profiles as the long one built from the file.
    wide = compute_profiles(results.reset_index()).stations.set_index("polling_station_id")
    long = compute_profiles(pd.DataFrame(lg2024_rows({("29019", "40"), ("29019", "1")})))
    long = long.stations.set_index("polling_station_id")
    assert wide.loc[ids["29019_40"], "confidence"] == pytest.approx(long.loc["29019_40", "confidence"])
    assert wide.loc[ids["29019_1"], "share_expr_other"] == pytest.approx(long.loc["29019_1", "share_expr_other"])


def test_compute_profiles_command_and_csv_export(brest):
    out = io.StringIO()
    call_command("compute_profiles", stdout=out, stderr=io.StringIO())
    assert "40 bureaux de vote, 2 élection(s)" in out.getvalue()
    assert "Taux de portes ouvertes : Réglage des profils (50\u202f%)" in out.getvalue()

    out = io.StringIO()
    call_command("export_profiles", "--circonscription", "2902", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:7] == [
        "departement",
        "commune",
        "polling_station",
        "circonscription",
        "leaning",
        "confidence",
        "abstention_rate_last",
    ]
    assert rows[0][7:9] == ["left_margin", "opponent"]
    assert rows[0][-1] == "profile_type" and "priority_score" in rows[0] and "rank_nation" in rows[0]
    for column in ("priority_low", "priority_high", "turnout_differential", "excluded_elections"):
        assert column in rows[0]
    assert "redistricting_suspected" in rows[0]
    body = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert all(r["circonscription"] == "2902" for r in body.values())
    numbers = [int(row[2]) for row in rows[1:] if row[1] == "29019"]
    assert numbers == sorted(numbers)  # bureau 9 before bureau 10
    b40 = body["40"]
    assert (b40["departement"], b40["commune"], b40["leaning"]) == ("29", "29019", "left")
    assert float(b40["abstention_rate_last"]) == pytest.approx(238 / 896, abs=1e-6)
    assert b40["profile_type"].startswith("secteur ")
    assert float(b40["left_margin"]) == pytest.approx((428 - 134) / 648, abs=1e-6)
    assert b40["opponent"] == "centre" and b40["redistricting_suspected"] == "0"
    assert b40["excluded_elections"] == "Législatives 2022 T1 (32 % sans nuance)"
    assert {r["leaning"] for r in body.values()} <= {"left", "swing", "centre", "right", "far_right"}

    out = io.StringIO()
    call_command("export_profiles", "--departement", "29", stdout=out)
    assert len(out.getvalue().splitlines()) == 41

    with pytest.raises(CommandError, match="Circonscription inconnue"):
        call_command("export_profiles", "--circonscription", "9999", stdout=io.StringIO())


def test_export_says_when_nothing_was_computed(db):
    with pytest.raises(CommandError, match="compute_profiles"):
        call_command("export_profiles", stdout=io.StringIO())


def test_the_nightly_schedule_runs_the_task_at_three_paris_time():
    from celery.schedules import crontab

    from circonscriptions.profiles import tasks as profile_tasks
    from config.celery import app

    entry = app.conf.beat_schedule["profiles-nightly"]
    assert entry["task"] == profile_tasks.profiles_recompute_task.name
    assert entry["schedule"] == crontab(hour=3, minute=0)
    assert app.conf.timezone == "Europe/Paris"


def test_a_run_killed_long_ago_is_marked_failed_by_the_next_one(brest):
    from datetime import timedelta

    from django.utils import timezone

    killed = ProfileRun.objects.create(started_by="celery")
    ProfileRun.objects.filter(pk=killed.pk).update(started_at=timezone.now() - timedelta(hours=7))
    recent = ProfileRun.objects.create(started_by="another worker")  # still running: left alone
    profiles_recompute()
    killed.refresh_from_db()
    recent.refresh_from_db()
    assert killed.status == ProfileRun.Status.FAILED and "Interrompu" in killed.error
    assert recent.status == ProfileRun.Status.RUNNING


def test_a_run_without_any_result_succeeds_empty(db):
    run = profiles_recompute()
    assert run.status == ProfileRun.Status.SUCCEEDED and run.is_current
    assert run.stations == 0 and run.elections == []
    assert not PollingStationProfile.objects.exists()


@pytest.mark.django_db
def test_a_recompute_asked_before_a_run_that_already_started_is_skipped():
    from django.utils import timezone

    from circonscriptions.profiles.tasks import profiles_recompute_task

    asked_at = timezone.now()
    ProfileRun.objects.create(started_by="an import just before")
    assert profiles_recompute_task.run(requested_at=asked_at.isoformat()) is None
    assert ProfileRun.objects.count() == 1


def test_an_official_circonscription_result_is_the_reference_of_its_bureaux(brest, django_assert_num_queries):
    election = Election.objects.get(slug="legislatives-2024-1")
    # 2902 in the ministry's file by circonscription: 78166 registered, 54557 voters, 53426
    # expressed, UG 18850. (The other candidates are summed here as one ENS line and one RN
    # line, a simplification of this test.)
    result = CirconscriptionResult.objects.create(
        election=election,
        circonscription=Circonscription.objects.get(code="2902"),
        registered=78166,
        voters=54557,
        abstentions=23609,
        blank=1075,
        null=56,
        expressed=53426,
    )
    nuance = {code: Nuance.objects.get(election=election, code=code) for code in ("UG", "ENS", "RN")}
    CirconscriptionVotes.objects.bulk_create(
        CirconscriptionVotes(result=result, panel=i, nuance=nuance[code], candidate=code, votes=votes)
        for i, (code, votes) in enumerate((("UG", 18850), ("ENS", 20000), ("RN", 14576)), start=1)
    )
    with django_assert_num_queries(1):
        references = profiles_load_circonscription_results()
    assert list(references[["votes_left", "votes_centre", "votes_far_right", "votes_unlabelled"]].iloc[0]) == [
        18850,
        20000,
        14576,
        0,
    ]
    profiles_recompute()
    b40 = PollingStationProfile.objects.current().get(polling_station_id=brest["29019_40"])
    assert b40.left_gap_circonscription == pytest.approx(428 / 648 - 18850 / 53426)
    # Bureau 40's estimated left share is the circonscription's level plus its gap: its own share.
    assert b40.share_expr_left == pytest.approx(428 / 648)
    assert b40.left_gap_nation is None  # one circonscription is not most of France


def test_the_contact_rate_observed_in_the_field_is_used_once_enough_reports_exist(brest, monkeypatch):
    monkeypatch.setattr(profile_services, "contact_rate_sources", [lambda: (0.3, 25)])
    run = profiles_recompute()
    assert run.parameters["contact_rate"] == 0.3
    assert run.sources["contact_rate"] == {
        "value": 0.3,
        "source": "Taux observé sur le terrain : 30\u202f% des portes frappées se sont ouvertes, "
        "d'après 25 comptes rendus d'observation (seuil : 20).",
    }
    observed = PollingStationProfile.objects.get(run=run, polling_station_id=brest["29019_40"]).priority_score

    monkeypatch.setattr(profile_services, "contact_rate_sources", [lambda: (0.3, 19)])
    run = profiles_recompute()
    assert run.parameters["contact_rate"] == 0.5
    assert run.sources["contact_rate"]["source"].startswith("Réglage des profils (50\u202f%) : 19 compte(s) rendu(s)")
    setting = PollingStationProfile.objects.get(run=run, polling_station_id=brest["29019_40"]).priority_score
    assert observed == pytest.approx(setting * 0.3 / 0.5)


def test_observations_register_their_contact_rate_with_the_profiles():
    from observations.queries import contact_rate_observed

    assert contact_rate_observed in profile_services.contact_rate_sources


def test_a_text_cell_never_starts_like_a_formula_but_numbers_stay_numbers():
    assert _cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [_cell(v) for v in ("+33 6", "-x", "@SUM(A1)", "secteur mobilisé")] == [
        "'+33 6",
        "'-x",
        "'@SUM(A1)",
        "secteur mobilisé",
    ]
    assert (_cell(-0.125), _cell(-3), _cell(True), _cell(None)) == ("-0.125", -3, 1, "")
