"""Fixtures of the fiches tests: the real Finistère territory with Brest's polling stations,
two real results files, the INSEE circonscription indicators and computed profiles.

`brest_data` (module scope) loads all of it with the project's importers and commits it
once for the test module that asks for it (`committed_data` in the root conftest: the
database is emptied when the module ends). Tests still need `db`; their own rows are
rolled back after each test.
"""

import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from hq.models import Federation, Membership, User

_counter = itertools.count()


def load_brest_data() -> None:
    """Territory 29 and 75, Brest's polling-station contours, results 2022/2024, INSEE indicators, profiles."""
    from circonscriptions.importers.boundaries import boundaries_import
    from circonscriptions.importers.indicators import indicators_import
    from circonscriptions.importers.results import results_import
    from circonscriptions.importers.territory import territory_import
    from circonscriptions.profiles.services import profiles_recompute

    data = Path(settings.DATA_DIR)
    territory_import(departements=["29", "75"])
    boundaries_import(
        path=data / "boundaries" / "circonscriptions-29-finistere.geojson", level="circonscription", departement="29"
    )
    boundaries_import(
        path=data / "boundaries" / "bureaux" / "bureaux-de-vote-brest-29019.geojson", level="polling_station"
    )
    elections = data / "elections"
    results_import(path=elections / "lg2024-t1-bureaux-29-circos-02-03.csv", election_slug="legislatives-2024-1")
    results_import(path=elections / "lg2022-t1-bureaux-brest-circo-29-02.csv", election_slug="legislatives-2022-1")
    insee = data / "insee"
    indicators_import(
        path=insee / "indic-stat-circonscriptions-legislatives-2022.csv",
        dictionary=insee / "indic-stat-circonscriptions-legislatives-2022-variables.csv",
    )
    profiles_recompute(by="tests des fiches")


@pytest.fixture(scope="module")
def brest_data(committed_data):
    committed_data(load_brest_data)


@pytest.fixture
def federations(brest_data, db) -> dict[str, Federation]:
    from circonscriptions.models import Departement

    return {
        code: Federation.objects.get_or_create(departement=Departement.objects.get(code=code), defaults={"name": name})[
            0
        ]
        for code, name in (("29", "Fédération du Finistère"), ("75", "Fédération de Paris"))
    }


@pytest.fixture
def make_member(federations):
    """make_member(role, code) -> User with a membership (national HQ: code None)."""

    def make(role: str, code: str | None = None) -> User:
        n = next(_counter)
        user = User.objects.create_user(f"{role}{code or ''}-{n}@example.org", "pw-test-2026")
        Membership.objects.create(
            user=user,
            role=role,
            federation=federations[code] if code else None,
            consent_text="J'accepte.",
            consent_at=timezone.now(),
        )
        return user

    return make
