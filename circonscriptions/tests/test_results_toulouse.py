"""Toulouse Métropole's municipales 2026 export by bureau (a header of `column_1`…`column_N`),
on the real files of DATA_DIR and on a broken copy."""

import csv
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from circonscriptions.importers.base import ImportRefused
from circonscriptions.importers.results import results_import
from circonscriptions.models import (
    Commune,
    Departement,
    PollingStation,
    PollingStationResult,
    PollingStationVotes,
)

ELECTIONS = Path(settings.DATA_DIR) / "elections"
T1 = ELECTIONS / "toulouse-31555-mn2026-t1-bureaux.csv"
T2 = ELECTIONS / "toulouse-31555-mn2026-t2-bureaux.csv"


@pytest.fixture
def toulouse(db) -> Commune:
    """Commune 31555 (the `territory` fixture has only Finistère and Paris communes)."""
    departement, _ = Departement.objects.get_or_create(code="31", defaults={"name": "Haute-Garonne"})
    commune, _ = Commune.objects.get_or_create(code="31555", defaults={"name": "Toulouse", "departement": departement})
    return commune


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _stations(commune: Commune) -> set[str]:
    return set(PollingStation.objects.filter(commune=commune).values_list("code", flat=True))


def _snapshot() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT ps.id, ps.code, r.id, r.election_id, r.registered, r.voters, r.abstentions, r.blank, r."null",
                       r.expressed, v.panel, v.nuance_id, v.candidate, v.votes
                FROM {PollingStation._meta.db_table} ps
                LEFT JOIN {PollingStationResult._meta.db_table} r ON r.polling_station_id = ps.id
                LEFT JOIN {PollingStationVotes._meta.db_table} v ON v.result_id = r.id
                ORDER BY 1, 3, 11"""  # noqa: S608
        )
        return cursor.fetchall()


def test_both_rounds_import_with_their_bureaux_lists_and_totals(toulouse):
    t1, t2 = _rows(T1), _rows(T2)

    first = results_import(path=T1, election_slug="municipales-2026-1")

    assert first.summary["layout"] == "city_toulouse"
    assert first.summary["rows"] == len(t1) == 284
    assert first.summary["polling_stations_created"] == 284
    assert _stations(toulouse) == {PollingStation.normalise_code(r["column_7"]) for r in t1}
    assert {"54A", "112B", "5"} <= _stations(toulouse)
    results = PollingStationResult.objects.filter(election__slug="municipales-2026-1")
    assert results.count() == 284
    assert sum(results.values_list("registered", flat=True)) == sum(int(r["column_9"]) for r in t1)
    bureau_54a = results.get(polling_station__code="54A")
    line_54a = next(r for r in t1 if r["column_7"] == "054A")
    assert (bureau_54a.registered, bureau_54a.voters, bureau_54a.blank, bureau_54a.null, bureau_54a.expressed) == (
        int(line_54a["column_9"]),
        int(line_54a["column_11"]),
        int(line_54a["column_13"]),
        int(line_54a["column_14"]),
        int(line_54a["column_15"]),
    )
    # Ten lists on every line, unnamed in the file: « Liste 003 », panel 3, nuance NC (not known).
    votes = PollingStationVotes.objects.filter(result__election__slug="municipales-2026-1")
    assert votes.count() == 2840
    list_3 = votes.get(result=bureau_54a, panel=3)
    assert (list_3.candidate, list_3.nuance.code) == ("Liste 003", "NC")
    assert list_3.votes == int(line_54a["column_18"])  # '003' is the first pair of that line

    second = results_import(path=T2, election_slug="municipales-2026-2")

    t1_codes = {PollingStation.normalise_code(r["column_7"]) for r in t1}
    t2_codes = {PollingStation.normalise_code(r["column_7"]) for r in t2}
    assert second.summary["rows"] == len(t2) == 285
    assert second.summary["polling_stations_matched"] == len(t2_codes & t1_codes)
    assert second.summary["polling_stations_created"] == len(t2_codes - t1_codes) > 0  # e.g. '001A', new in T2
    assert _stations(toulouse) == t1_codes | t2_codes
    results_2 = PollingStationResult.objects.filter(election__slug="municipales-2026-2")
    assert results_2.count() == 285
    assert sum(results_2.values_list("registered", flat=True)) == sum(int(r["column_9"]) for r in t2)
    assert set(
        PollingStationVotes.objects.filter(result__election__slug="municipales-2026-2").values_list(
            "candidate", flat=True
        )
    ) == {"Liste 005", "Liste 012"}


def test_importing_the_same_file_again_changes_nothing(toulouse, capsys):
    call_command("import_results", str(T1), election="municipales-2026-1", verbosity=0)
    before = _snapshot()

    call_command("import_results", str(T1), election="municipales-2026-1", verbosity=0)

    assert _snapshot() == before
    out = capsys.readouterr().out
    assert "284 lignes lues, 284 territoires, bureaux de vote créés 284 / retrouvés 0" in out
    assert "fichier identique" in out


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("municipales-2026-2", "ligne 2, colonne column_4 (tour) : ce fichier est un tour 1, pas le tour 2"),
        ("municipales-2020-1", "ligne 2, colonne column_3 (année) : ce fichier est de l'année 2026, pas de 2020"),
    ],
)
def test_it_refuses_a_slug_of_another_round_or_year(toulouse, slug, expected):
    with pytest.raises(ImportRefused) as caught:
        results_import(path=T1, election_slug=slug)

    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(expected) and "sur 284 lignes" in m for m in messages), messages
    assert not PollingStationResult.objects.exists()


def _broken_copy(tmp_path: Path, line_no: int, edit) -> Path:
    """A copy of the first-round file with line `line_no` (the header is line 1) edited."""
    lines = T1.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[line_no - 1].rstrip("\n").split(";")
    edit(cells)
    lines[line_no - 1] = ";".join(cells) + "\n"
    broken = tmp_path / T1.name
    broken.write_text("".join(lines), encoding="utf-8")
    return broken


def test_it_refuses_a_copy_with_more_voters_than_registered(toulouse, tmp_path):
    cells = _rows(T1)[55]  # line 57 of the file
    registered, voters = int(cells["column_9"]), int(cells["column_9"]) + 5

    def edit(cells):
        cells[10] = str(voters)  # column_11, votants

    with pytest.raises(ImportRefused) as caught:
        results_import(path=_broken_copy(tmp_path, 57, edit), election_slug="municipales-2026-1")

    messages = [str(p) for p in caught.value.problems]
    assert f"ligne 57, colonne column_11 (Votants) : {voters} > Inscrits {registered} (valeur « {voters} »)" in messages
    assert all(m.startswith("ligne 57,") for m in messages), messages
    assert not PollingStation.objects.filter(commune=toulouse).exists()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        # a list's votes no longer add up to exprimés
        (lambda cells: cells.__setitem__(17, str(int(cells[17]) + 1)), "ligne 9, colonne column_15 (Exprimés) : somme"),
        # the same list twice on one line
        (
            lambda cells: cells.__setitem__(18, cells[16]),
            "ligne 9, colonne column_19 (numéro de la liste 2) : liste déjà",
        ),
        # the bureau of line 2 again
        (lambda cells: cells.__setitem__(6, "5"), "ligne 9, colonne column_7 (bureau) : bureau déjà présent ligne 2"),
    ],
)
def test_it_refuses_a_broken_line_naming_line_column_and_value(toulouse, tmp_path, edit, expected):
    with pytest.raises(ImportRefused) as caught:
        results_import(path=_broken_copy(tmp_path, 9, edit), election_slug="municipales-2026-1")

    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(expected) for m in messages), messages
    assert not PollingStationResult.objects.exists()
