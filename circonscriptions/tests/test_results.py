"""Results importers, on the real files of DATA_DIR and on broken copies of them."""

import csv
import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import RestrictedError

from circonscriptions.importers.base import ImportRefused
from circonscriptions.importers.results import results_import
from circonscriptions.models import (
    CirconscriptionResult,
    CirconscriptionVotes,
    Commune,
    Departement,
    Election,
    FormerCommuneCode,
    ImportRun,
    Nuance,
    PollingStation,
    PollingStationResult,
    PollingStationVotes,
)

DATA = Path(settings.DATA_DIR)
ELECTIONS = DATA / "elections"
LG24_BUREAUX = ELECTIONS / "lg2024-t1-bureaux-29-circos-02-03.csv"


def _load_rhone_communes() -> None:
    """The communes of the Rhône (69, COG 2024) and their former codes, which the Rhône
    présidentielle files refer to; the shared `territory` fixture has 29 and 75 only."""
    if Commune.objects.filter(code="69149").exists():
        return
    departement = Departement.objects.get(code="69")
    with open(DATA / "cog" / "communes-cog2024.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["departement"] == "69" and r["type"] == "commune-actuelle"]
    Commune.objects.bulk_create(
        [Commune(code=r["code"], name=r["nom"], departement=departement) for r in rows], ignore_conflicts=True
    )
    ids = dict(Commune.objects.filter(departement=departement).values_list("code", "pk"))
    former = {old: ids[r["code"]] for r in rows for old in filter(None, r["anciensCodes"].split("|")) if old not in ids}
    FormerCommuneCode.objects.bulk_create(
        [FormerCommuneCode(code=code, commune_id=pk) for code, pk in former.items()], ignore_conflicts=True
    )


@pytest.fixture(scope="module")
def results_territory(territory, committed_data):
    committed_data(_load_rhone_communes)


@pytest.fixture
def territory_db(results_territory, db):
    """The territory of this module (29, 75 and the Rhône's communes) and no results: each
    test imports the results it checks (no other module's data is ever there: see the
    root conftest's `committed_data`)."""


def _snapshot() -> dict:
    """Full contents of the results tables (without ids, which mean nothing to a reader)."""
    with connection.cursor() as cursor:
        out = {}
        for name, sql in {
            "ps_results": f"""SELECT ps.commune_id, ps.code, r.election_id, r.registered, r.voters, r.abstentions,
                                     r.blank, r."null", r.expressed
                              FROM {PollingStationResult._meta.db_table} r
                              JOIN {PollingStation._meta.db_table} ps ON ps.id = r.polling_station_id
                              ORDER BY 1, 2, 3""",  # noqa: S608
            "ps_votes": f"""SELECT ps.commune_id, ps.code, r.election_id, v.panel, v.nuance_id, v.candidate, v.votes
                            FROM {PollingStationVotes._meta.db_table} v
                            JOIN {PollingStationResult._meta.db_table} r ON r.id = v.result_id
                            JOIN {PollingStation._meta.db_table} ps ON ps.id = r.polling_station_id
                            ORDER BY 1, 2, 3, 4""",  # noqa: S608
            "stations": f"SELECT commune_id, code, circonscription_id FROM {PollingStation._meta.db_table} "  # noqa: S608
            "ORDER BY 1, 2",
            "nuances": f"SELECT election_id, code, bloc FROM {Nuance._meta.db_table} ORDER BY 1, 2",  # noqa: S608
            "circo_results": f"""SELECT * FROM {CirconscriptionResult._meta.db_table} ORDER BY id""",  # noqa: S608
            "circo_votes": f"SELECT * FROM {CirconscriptionVotes._meta.db_table} ORDER BY result_id, panel",  # noqa: S608
        }.items():
            cursor.execute(sql)
            out[name] = cursor.fetchall()
    return out


def _refusal(path: Path, slug: str = "legislatives-2024-1", **kwargs) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        results_import(path=path, election_slug=slug, **kwargs)
    return [str(p) for p in caught.value.problems]


def _edit_line(source: Path, target: Path, line_no: int, column: str, value: str, sep: str = ";") -> Path:
    """Copy `source` to `target` with one cell changed (line numbers count the header as 1)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(sep)
    cells = lines[line_no - 1].rstrip("\r\n").split(sep)
    cells[header.index(column)] = value
    lines[line_no - 1] = sep.join(cells) + "\n"
    target.write_text("".join(lines), encoding="utf-8")
    return target


# ------------------------------------------------------------------ real files


def test_it_imports_the_ministry_file_by_bureau(territory_db):
    outcome = results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")

    assert outcome.summary["rows"] == 201
    assert outcome.summary["polling_stations_created"] + outcome.summary["polling_stations_matched"] == 201
    brest_1 = PollingStationResult.objects.get(
        election__slug="legislatives-2024-1", polling_station__commune__code="29019", polling_station__code="1"
    )
    # Line 8 of the file: 910 inscrits, 653 votants, 257 abstentions, 628 exprimés, 25 blancs, 0 nuls.
    assert (
        brest_1.registered,
        brest_1.voters,
        brest_1.abstentions,
        brest_1.expressed,
        brest_1.blank,
        brest_1.null,
    ) == (
        910,
        653,
        257,
        628,
        25,
        0,
    )
    votes = {v.nuance.code: v.votes for v in brest_1.votes.select_related("nuance")}
    assert votes == {"DIV": 6, "ENS": 207, "RN": 151, "UG": 220, "EXG": 6, "REC": 7, "DSV": 10, "REG": 21}
    assert Nuance.objects.get(election__slug="legislatives-2024-1", code="UG").bloc == "left"
    # ECO in 2024: greens outside the union of the left (blocs.NUANCES_BY_YEAR).
    assert Nuance.objects.get(election__slug="legislatives-2024-1", code="ECO").bloc == "other"
    run = ImportRun.objects.get(pk=outcome.run.pk)
    assert run.status == ImportRun.Status.SUCCEEDED and run.rows == 201


def test_it_imports_the_rhone_presidential_files_and_maps_candidates_to_nuances(territory_db):
    outcome = results_import(
        path=ELECTIONS / "pr2022-t1-bureaux-69-rhone.csv.gz", election_slug="presidentielle-2022-1"
    )

    assert outcome.summary["territories"] == 1317
    affoux = PollingStationResult.objects.get(polling_station__commune__code="69001", polling_station__code="1")
    votes = {v.candidate: (v.nuance.code, v.votes) for v in affoux.votes.select_related("nuance")}
    assert votes["Jean-Luc MÉLENCHON"] == ("FI", 27)
    assert votes["Marine LE PEN"] == ("RN", 88)
    assert votes["Emmanuel MACRON"] == ("ENS", 58)
    # 69152 merged into 69149 after the election: its bureaux keep the old commune's number in front.
    assert PollingStation.objects.filter(commune__code="69149", code="152-1").exists()
    assert PollingStation.objects.filter(commune__code="69149", code="1").exists()
    # The file names its circonscription: it is given to the bureaux it creates.
    assert PollingStation.objects.get(commune__code="69001", code="1").circonscription.code == "6908"


def test_it_reads_the_2017_presidential_layout_and_its_second_round(territory_db):
    results_import(path=ELECTIONS / "pr2017-t2-bureaux-69-rhone.csv.gz", election_slug="presidentielle-2017-2")

    affoux = PollingStationResult.objects.get(
        election__slug="presidentielle-2017-2", polling_station__commune__code="69001", polling_station__code="1"
    )
    assert {v.nuance.code for v in affoux.votes.select_related("nuance")} == {"REM", "FN"}
    assert sum(v.votes for v in affoux.votes.all()) == affoux.expressed


def test_it_imports_the_national_file_by_circonscription(territory_db):
    path = ELECTIONS / "lg2024-t1-circonscriptions-par-candidat.csv"
    # The official file's candidate votes do not add up to its exprimés in four circonscriptions
    # (1602, 2704, 3404, 7502, by 1 or 2 votes): refused by default, kept as published when tolerated.
    refused = _refusal(path)
    outcome = results_import(path=path, election_slug="legislatives-2024-1", tolerate={"votes_sum"})

    assert [p.split(" :")[0] for p in refused] == [f"ligne {n}, colonne Exprimes" for n in (459, 692, 1033, 2516)]
    assert outcome.summary["warnings"] == refused
    assert outcome.summary["territories"] == 577
    assert CirconscriptionResult.objects.filter(election__slug="legislatives-2024-1").count() == 577
    # 'ZA01' is Guadeloupe's 1st (971), 'ZZ01' the 1st of the French abroad (99).
    assert CirconscriptionResult.objects.filter(circonscription__code="97101").exists()
    assert CirconscriptionResult.objects.filter(circonscription__code="9901").exists()
    first = CirconscriptionResult.objects.get(circonscription__code="0101", election__slug="legislatives-2024-1")
    assert (first.registered, first.voters, first.blank, first.null, first.expressed) == (86843, 61830, 929, 406, 60495)
    assert first.votes.get(panel=2).candidate == "Christophe MAÎTRE"
    assert Nuance.objects.get(election__slug="legislatives-2024-1", code="RN").label == "Rassemblement National"


def test_it_derives_the_null_votes_of_the_2017_long_layout(territory_db):
    results_import(
        path=ELECTIONS / "2017-legislatives-1-par-circonscription-long.csv", election_slug="legislatives-2017-1"
    )

    first = CirconscriptionResult.objects.get(circonscription__code="0101", election__slug="legislatives-2017-1")
    # 01,1: 82694 inscrits, 40631 votants, 545 blancs, 39931 exprimés → 155 nuls.
    assert (first.registered, first.voters, first.blank, first.expressed, first.null) == (82694, 40631, 545, 39931, 155)
    assert first.abstentions == 82694 - 40631
    assert first.votes.get(panel=1).nuance.code == "MDM"
    # ECO in 2017 was EELV: the left.
    assert Nuance.objects.get(election__slug="legislatives-2017-1", code="ECO").bloc == "left"


def test_it_imports_the_brest_city_export_with_its_nuance_table(territory_db):
    outcome = results_import(
        path=ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-02.csv", election_slug="legislatives-2022-1"
    )

    assert outcome.summary["territories"] == 78
    bureau = PollingStationResult.objects.get(
        election__slug="legislatives-2022-1", polling_station__commune__code="29019", polling_station__code="104"
    )
    votes = {v.candidate: (v.nuance.code, v.votes) for v in bureau.votes.select_related("nuance")}
    assert votes["Pierre-Yves CADALEN"] == ("NUP", 103)
    assert votes["Jean-Charles LARSONNEUR"] == ("ENS", 80)
    # The city export gives no nuance: a candidate the table does not know is NC, not DIV.
    assert votes["Marc COATANEA"] == ("NC", 48)
    assert Nuance.objects.get(election__slug="legislatives-2022-1", code="NC").label == "Nuance non renseignée"
    assert bureau.polling_station.circonscription.code == "2902"
    # The place comes from the file for a bureau it creates, or was already known from its contour.
    assert bureau.polling_station.place.upper() == "CENTRE TECHNIQUE MUNICIPAL"


def test_it_detects_a_cp1252_file(territory_db, tmp_path):
    copy = tmp_path / "lg2024-cp1252.csv"
    copy.write_bytes(LG24_BUREAUX.read_text(encoding="utf-8").encode("cp1252"))

    outcome = results_import(path=copy, election_slug="legislatives-2024-1")

    assert (outcome.summary["encoding"], outcome.summary["decimal"], outcome.summary["percent_cells"]) == (
        "cp1252",
        ",",
        True,
    )
    assert PollingStationVotes.objects.filter(candidate="Françoise HOUARD").count() > 0


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("Votants", "1203", "ligne 8, colonne Votants : 1203 > Inscrits 910"),
        ("Inscrits", "-910", "ligne 8, colonne Inscrits : nombre négatif"),
        ("Abstentions", "250", "ligne 8, colonne Abstentions : 250 ≠ Inscrits − Votants = 257"),
        ("Nuls", "3", "ligne 8, colonne Votants : Exprimés + Blancs + Nuls = 656 ≠ Votants 653"),
        ("Voix 4", "221", "ligne 8, colonne Exprimés : somme des voix des candidats 629 ≠ Exprimés 628"),
        ("Voix 4", "2x0", "ligne 8, colonne Voix 4 : nombre illisible (valeur « 2x0 »)"),
        ("Code commune", "29999", "ligne 8, colonne Code commune : commune inconnue"),
    ],
)
def test_it_refuses_a_broken_bureau_line_naming_line_column_and_value(territory_db, tmp_path, column, value, expected):
    broken = _edit_line(LG24_BUREAUX, tmp_path / "broken.csv", 8, column, value)

    problems = _refusal(broken)

    assert any(p.startswith(expected) for p in problems), problems
    assert not PollingStationResult.objects.exists()
    assert ImportRun.objects.get(file_name="broken.csv").status == ImportRun.Status.FAILED


def test_it_refuses_a_bureau_given_twice(territory_db, tmp_path):
    lines = LG24_BUREAUX.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = tmp_path / "twice.csv"
    broken.write_text("".join(lines + [lines[7].replace(";1;910;", ";0001;910;", 1)]), encoding="utf-8")

    problems = _refusal(broken)

    assert problems == ["ligne 203, colonne Code BV : bureau déjà présent ligne 8 (valeur « 1 »)"]


def test_it_collects_every_problem_before_refusing(territory_db, tmp_path):
    step = _edit_line(LG24_BUREAUX, tmp_path / "one.csv", 8, "Votants", "1203")
    broken = _edit_line(step, tmp_path / "two.csv", 57, "Code commune", "29999")

    problems = _refusal(broken)

    assert any(p.startswith("ligne 8, colonne Votants : 1203 > Inscrits 910") for p in problems)
    assert any(p.startswith("ligne 57, colonne Code commune : commune inconnue") for p in problems)


def test_it_refuses_a_file_of_another_election(territory_db):
    kind = _refusal(ELECTIONS / "pr2022-t1-bureaux-69-rhone.csv.gz", "legislatives-2022-1")
    year = _refusal(LG24_BUREAUX, "legislatives-2022-1")
    round_ = _refusal(
        ELECTIONS / "lg2024-t1-circonscriptions-par-candidat.csv", "legislatives-2024-2", tolerate={"votes_sum"}
    )

    assert any(
        p.endswith(
            "Ce fichier ne correspond pas aux législatives 2022 (legislatives-2022-1) : "
            "c'est le fichier d'une présidentielle."
        )
        for p in kind
    ), kind
    assert (
        "ligne 1, colonne Nuance candidat : Ce fichier ne correspond pas aux législatives 2022 "
        "(legislatives-2022-1) : ses nuances (UG) sont celles de 2024." in year
    ), year
    assert any("c'est le résultat d'un premier tour, pas du second tour." in p for p in round_), round_


def test_it_refuses_inconsistent_totals_within_a_circonscription(territory_db, tmp_path):
    broken = _edit_line(
        ELECTIONS / "2017-legislatives-1-par-circonscription-long.csv",
        tmp_path / "c.csv",
        3,
        "inscrits",
        "82695",
        sep=",",
    )

    problems = _refusal(broken, "legislatives-2017-1")

    assert any(p.startswith("ligne 3, colonne inscrits : 82695 ≠ 82694") for p in problems), problems


# ------------------------------------------------------------------ idempotence and replacement


def test_importing_the_same_file_twice_changes_nothing(territory_db):
    results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")
    before = _snapshot()

    again = results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")

    assert again.unchanged
    assert _snapshot() == before


def test_a_new_version_with_the_same_figures_changes_no_row(territory_db, tmp_path):
    results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")
    before = _snapshot()
    same_name = _edit_line(LG24_BUREAUX, tmp_path / LG24_BUREAUX.name, 8, "% Votants", "71,8%")  # same counts

    outcome = results_import(path=same_name, election_slug="legislatives-2024-1")

    assert not outcome.unchanged
    assert outcome.summary["polling_stations_created"] == 0
    assert outcome.summary["results_written"] == 0 and outcome.summary["votes_written"] == 0
    assert _snapshot() == before


def test_the_same_file_is_recognised_after_another_file_of_the_same_election(territory_db):
    circo_2 = ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-02.csv"
    results_import(path=circo_2, election_slug="legislatives-2022-1")
    results_import(path=ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-03.csv", election_slug="legislatives-2022-1")
    before = _snapshot()

    again = results_import(path=circo_2, election_slug="legislatives-2022-1")

    assert again.unchanged
    assert _snapshot() == before
    assert PollingStationResult.objects.filter(election__slug="legislatives-2022-1").count() == 78 + 26


def test_a_corrected_file_replaces_the_earlier_data_of_its_territories(territory_db, tmp_path):
    results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")
    lines = LG24_BUREAUX.read_text(encoding="utf-8").splitlines(keepends=True)
    # Correct Brest bureau 1 (one UG vote moved to a blank vote) and drop Bohars bureau 2 (line 3).
    fixed = _edit_line(LG24_BUREAUX, tmp_path / "fixed-a.csv", 8, "Voix 4", "219")
    fixed = _edit_line(fixed, tmp_path / "fixed-b.csv", 8, "Exprimés", "627")
    fixed = _edit_line(fixed, tmp_path / "fixed-c.csv", 8, "Blancs", "26")
    kept = fixed.read_text(encoding="utf-8").splitlines(keepends=True)
    corrected = tmp_path / "corrected.csv"
    corrected.write_text("".join(kept[:2] + kept[3:]), encoding="utf-8")
    assert len(lines) == len(kept)

    # Dropping a bureau removes a loaded result: the import says so and waits for a confirmation.
    refused = _refusal(corrected)
    outcome = results_import(path=corrected, election_slug="legislatives-2024-1", accept_changes=True)

    assert refused[1] == "Bohars (29011), bureau 2 : son résultat serait retiré (bureau absent du fichier)"
    assert outcome.summary["results_removed"] == 1
    results = PollingStationResult.objects.filter(election__slug="legislatives-2024-1")
    assert results.count() == 200
    assert not results.filter(polling_station__commune__code="29011", polling_station__code="2").exists()
    brest_1 = results.get(polling_station__commune__code="29019", polling_station__code="1")
    assert (brest_1.expressed, brest_1.blank) == (627, 26)
    assert brest_1.votes.get(nuance__code="UG").votes == 219


def test_a_reimport_keeps_the_bloc_an_analyst_chose(territory_db, tmp_path):
    results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")
    Nuance.objects.filter(election__slug="legislatives-2024-1", code="REG").update(bloc="left")
    other = _edit_line(LG24_BUREAUX, tmp_path / "other.csv", 8, "% Votants", "71,8%")

    results_import(path=other, election_slug="legislatives-2024-1")

    assert Nuance.objects.get(election__slug="legislatives-2024-1", code="REG").bloc == "left"


def test_the_command_prints_a_summary_and_says_when_nothing_changed(territory_db, capsys):
    call_command("import_results", str(LG24_BUREAUX), election="legislatives-2024-1", verbosity=0)
    call_command("import_results", str(LG24_BUREAUX), election="legislatives-2024-1", verbosity=0)

    out = capsys.readouterr().out
    counts = re.search(r"201 lignes lues, 201 territoires, bureaux de vote créés (\d+) / retrouvés (\d+)", out)
    assert counts and int(counts.group(1)) + int(counts.group(2)) == 201
    assert "fichier identique" in out


def test_gzip_and_separator_detection_on_a_comma_copy(territory_db, tmp_path):
    rows = list(csv.reader(LG24_BUREAUX.read_text(encoding="utf-8").splitlines(), delimiter=";"))
    target = tmp_path / "comma.csv.gz"
    with gzip.open(target, "wt", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=",", quoting=csv.QUOTE_ALL).writerows(rows)

    outcome = results_import(path=target, election_slug="legislatives-2024-1")

    assert outcome.summary["separator"] == "," and outcome.summary["territories"] == 201


def test_it_detects_the_cp850_of_the_original_ministry_file(territory_db, tmp_path):
    source = ELECTIONS / "lg2024-t1-circonscriptions-par-candidat.csv"
    copy = tmp_path / "circonscriptions-cp850.csv"
    copy.write_bytes(source.read_text(encoding="utf-8").encode("cp850"))

    outcome = results_import(path=copy, election_slug="legislatives-2024-1", tolerate={"votes_sum"})

    assert outcome.summary["encoding"] == "cp850"
    first = CirconscriptionResult.objects.get(circonscription__code="0101", election__slug="legislatives-2024-1")
    assert first.votes.get(panel=2).candidate == "Christophe MAÎTRE"


def test_it_refuses_an_unknown_circonscription(territory_db, tmp_path):
    broken = _edit_line(
        ELECTIONS / "2017-legislatives-1-par-circonscription-long.csv",
        tmp_path / "c.csv",
        2,
        "departement",
        "00",
        sep=",",
    )

    problems = _refusal(broken, "legislatives-2017-1")

    assert "ligne 2, colonne circonscription : circonscription inconnue (valeur « 0001 »)" in problems


def test_the_admin_upload_runs_under_a_neutral_file_name_with_the_commune_option(territory_db, tmp_path):
    from circonscriptions.importers import registry

    upload = tmp_path / "upload.csv"
    upload.write_bytes((ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-03.csv").read_bytes())
    spec = registry.get("results")

    with pytest.raises(ImportRefused) as caught:
        spec.run(path=upload, options={"election": "legislatives-2022-1"}, by="analyste@example.org", run=None)
    outcome = spec.run(
        path=upload,
        options={"election": "legislatives-2022-1", "commune": "29019"},
        by="analyste@example.org",
        run=None,
    )

    assert "précisez --commune" in str(caught.value)
    assert outcome.summary["territories"] == 26
    assert outcome.run.started_by == "analyste@example.org"
    smolarz = PollingStationVotes.objects.filter(candidate="Pierre SMOLARZ").select_related("nuance")
    assert smolarz.count() == 26 and {v.nuance.code for v in smolarz} == {"NUP"}


PARIS = ELECTIONS / "paris-75056-bureaux-2017-2024-long.csv.gz"


def test_the_paris_file_keeps_its_source_anomalies_only_when_told_and_records_them(territory_db):
    refused = _refusal(PARIS, "presidentielle-2017-1")
    outcome = results_import(path=PARIS, election_slug="presidentielle-2017-1", tolerate={"votes_sum", "voters_sum"})

    # SOURCES.md: bureaux 12-8 (votes 1177 vs exprimés 1155) and 13-21 (1227 vs 1228); the
    # file also has three bureaux whose exprimés + blancs + nuls ≠ votants.
    assert (
        "ligne 66498, colonne nb_exprim : somme des voix des candidats 1177 ≠ Exprimés 1155 (valeur « 1155 »)"
        in refused
    )
    assert (
        "ligne 66506, colonne nb_exprim : somme des voix des candidats 1227 ≠ Exprimés 1228 (valeur « 1228 »)"
        in refused
    )
    assert len(refused) == 7 and sorted(outcome.summary["warnings"]) == sorted(refused)
    bureau = PollingStationResult.objects.get(
        election__slug="presidentielle-2017-1", polling_station__commune__code="75056", polling_station__code="1208"
    )
    assert bureau.expressed == 1155 and sum(v.votes for v in bureau.votes.all()) == 1177  # as published


def test_the_paris_file_refuses_an_election_it_does_not_hold_or_cannot_give(territory_db):
    absent = _refusal(PARIS, "presidentielle-2022-1")
    municipales = _refusal(PARIS, "municipales-2020-1")

    assert "aucune ligne de l'élection presidentielle-2022-1" in absent[0]
    assert "Présidentielle 2022 tour 2" in absent[0]
    assert any("colonne nb_votant : colonne vide" in p and "votants" in p for p in municipales), municipales


def test_the_paris_europeennes_lists_get_the_list_grid_by_their_head(territory_db):
    results_import(path=PARIS, election_slug="europeennes-2024-1")

    votes = PollingStationVotes.objects.filter(result__election__slug="europeennes-2024-1")
    total = sum(votes.values_list("votes", flat=True))
    unknown = sum(votes.filter(nuance__code="NC").values_list("votes", flat=True))
    # The lists QG does not know are the smallest: under 0.3 % of the Paris votes together.
    assert 0 < unknown / total < 0.003
    blocs = dict(Nuance.objects.filter(election__slug="europeennes-2024-1").values_list("code", "bloc"))
    assert (blocs["LSOC"], blocs["LENS"], blocs["LRN"], blocs["LDSV"], blocs["LECO"]) == (
        "left",
        "centre",
        "far_right",
        "far_right",
        "other",
    )


def test_it_refuses_a_file_of_another_year_or_round_by_its_candidates(territory_db):
    brest_2022_as_2024 = _refusal(ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-02.csv", "legislatives-2024-1")
    first_round_as_second = _refusal(LG24_BUREAUX, "legislatives-2024-2")

    assert brest_2022_as_2024 == [
        "ligne 1 : Ce fichier ne correspond pas aux législatives 2024 (legislatives-2024-1) : "
        "ses candidats (CADALEN, LARSONNEUR) sont ceux de 2022."
    ]
    assert any("pas du second tour" in p for p in first_round_as_second), first_round_as_second


def test_a_padded_and_fully_quoted_ministry_export_gives_the_same_rows(territory_db, tmp_path):
    rows = list(csv.reader(LG24_BUREAUX.read_text(encoding="utf-8").splitlines(), delimiter=";"))
    station = rows[0].index("Code BV")
    for row in rows[1:]:
        row[station] = row[station].zfill(4)  # '1' → '0001', as other ministry exports write it
    padded = tmp_path / "padded.csv"
    with open(padded, "w", encoding="latin-1", newline="") as handle:
        csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL).writerows(rows)
    results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")
    before = _snapshot()

    outcome = results_import(path=padded, election_slug="legislatives-2024-1")

    assert outcome.summary["encoding"] == "cp1252"  # 8-bit file: latin-1 and cp1252 agree on French letters
    assert outcome.summary["results_written"] == 0 and outcome.summary["polling_stations_created"] == 0
    assert _snapshot() == before


def test_a_raw_ministry_file_that_names_only_the_first_candidate_block(territory_db, tmp_path):
    with gzip.open(ELECTIONS / "pr2022-t1-bureaux-69-rhone.csv.gz", "rt", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    first_block_end = rows[0].index("N°Panneau.1")
    raw = tmp_path / "resultats-par-niveau-burvot-t1-france-entiere.csv"
    with open(raw, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(rows[0][:first_block_end])  # the ministry's header: one block of candidate columns
        writer.writerows(row[:-3] for row in rows[1:])  # without the repository's provenance columns

    outcome = results_import(path=raw, election_slug="presidentielle-2022-1")

    assert outcome.summary["candidates"] == 1317 * 12
    affoux = PollingStationResult.objects.get(polling_station__commune__code="69001", polling_station__code="1")
    votes = {v.candidate: (v.panel, v.nuance.code, v.votes) for v in affoux.votes.select_related("nuance")}
    assert votes["Nicolas DUPONT-AIGNAN"] == (12, "DSV", 11)
    assert votes["Jean-Luc MÉLENCHON"] == (7, "FI", 27)


def test_deleting_an_election_deletes_its_results_and_votes(territory_db):
    results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")
    results_import(path=ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-03.csv", election_slug="legislatives-2022-1")
    kept = PollingStationVotes.objects.filter(result__election__slug="legislatives-2022-1").count()

    Election.objects.get(slug="legislatives-2024-1").delete()

    assert not PollingStationResult.objects.filter(election__slug="legislatives-2024-1").exists()
    assert PollingStationVotes.objects.count() == kept == 26 * 9
    with pytest.raises(RestrictedError):  # a nuance still used by votes cannot go alone
        Nuance.objects.get(election__slug="legislatives-2022-1", code="NUP").delete()
