"""Broken results files, as an attacker or a careless export makes them: each is refused
with a French sentence naming the line, the column or the reason, and leaves nothing
behind (no Election row, no results, no bureau, no nuance; its run ends « refusé »).

Every file here is a real file of DATA_DIR, or a copy of one broken in the test.
"""

import gzip
import random
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from circonscriptions.importers.base import ImportRefused
from circonscriptions.importers.results import results_import
from circonscriptions.models import (
    Election,
    ImportRun,
    Nuance,
    PollingStation,
    PollingStationResult,
    PollingStationVotes,
)
from circonscriptions.tests.test_results import (  # noqa: F401 — fixtures
    ELECTIONS,
    LG24_BUREAUX,
    _edit_line,
    _snapshot,
    results_territory,
    territory_db,
)

pytestmark = pytest.mark.usefixtures("territory_db")

SLUG = "legislatives-2024-1"


def _refused(path, slug: str = SLUG, **kwargs) -> list[str]:
    """Import `path`, expect a refusal, check that nothing stayed, return the problems as text."""
    existed = Election.objects.filter(slug=slug).exists()
    stations = PollingStation.objects.count()
    results = PollingStationResult.objects.count()
    nuances = Nuance.objects.count()
    with pytest.raises(ImportRefused) as caught:
        results_import(path=path, election_slug=slug, **kwargs)
    run = ImportRun.objects.filter(kind="results").latest("pk")
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None and run.errors
    assert Election.objects.filter(slug=slug).exists() == existed
    assert (PollingStation.objects.count(), PollingStationResult.objects.count(), Nuance.objects.count()) == (
        stations,
        results,
        nuances,
    )
    return [str(p) for p in caught.value.problems]


def _lines(path=LG24_BUREAUX) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


# ------------------------------------------------------------------ the run and the Election row


def test_a_refused_import_leaves_no_election_row_and_a_refused_run(tmp_path):
    broken = _edit_line(LG24_BUREAUX, tmp_path / "broken.csv", 8, "Votants", "1203")

    problems = _refused(broken)

    assert "ligne 8, colonne Votants : 1203 > Inscrits 910 (valeur « 1203 »)" in problems
    assert not Election.objects.filter(slug=SLUG).exists()
    run = ImportRun.objects.get(file_name="broken.csv")
    assert run.election is None and run.errors[0]["line"] == 8


def test_a_successful_import_names_the_election_it_created_on_its_run():
    outcome = results_import(path=LG24_BUREAUX, election_slug=SLUG)

    run = ImportRun.objects.get(pk=outcome.run.pk)
    assert run.election == Election.objects.get(slug=SLUG)


# ------------------------------------------------------------------ encodings, NUL bytes


def test_a_utf16_export_with_its_byte_order_mark_is_decoded(tmp_path):
    utf16 = tmp_path / "export-unicode.csv"
    utf16.write_bytes(LG24_BUREAUX.read_text(encoding="utf-8").encode("utf-16"))

    outcome = results_import(path=utf16, election_slug=SLUG)

    assert outcome.summary["encoding"] == "utf-16" and outcome.summary["territories"] == 201
    assert PollingStationVotes.objects.filter(candidate="Françoise HOUARD").exists()


def test_a_utf16_export_without_its_mark_is_recognised_by_its_nul_bytes(tmp_path):
    utf16 = tmp_path / "export-unicode.csv"
    utf16.write_bytes(LG24_BUREAUX.read_text(encoding="utf-8").encode("utf-16-le"))

    outcome = results_import(path=utf16, election_slug=SLUG)

    assert outcome.summary["encoding"] == "utf-16-le" and outcome.summary["territories"] == 201


def test_a_truncated_utf16_file_is_refused_naming_its_encoding(tmp_path):
    broken = tmp_path / "tronque.csv"
    broken.write_bytes(LG24_BUREAUX.read_text(encoding="utf-8").encode("utf-16")[:-1])

    problems = _refused(broken)

    assert problems == [
        "le fichier se présente comme de l'UTF-16 (utf-16) mais ne se décode pas comme tel (octets en nombre "
        "impair ou caractères invalides) : enregistrez-le en UTF-8"
    ]


def test_nul_bytes_in_a_csv_are_refused_naming_their_line(tmp_path):
    raw = LG24_BUREAUX.read_bytes()
    at = raw.index(b"Brest")
    broken = tmp_path / "nul.csv"
    broken.write_bytes(raw[:at] + b"\x00\x00" + raw[at:])
    line = raw[:at].count(b"\n") + 1

    problems = _refused(broken)

    assert problems == [
        f"ligne {line} : le fichier contient des octets nuls (NUL) dès cette ligne : ce n'est pas un fichier CSV "
        "texte (tableur, archive ou fichier binaire ?) ; enregistrez-le en CSV UTF-8"
    ]


def test_a_file_mixing_utf8_and_cp1252_lines_is_refused(tmp_path):
    lines = _lines()
    mixed = tmp_path / "mixed.csv"
    # The header and the first bureaux in UTF-8, the rest pasted from a CP1252 export.
    mixed.write_bytes("".join(lines[:5]).encode("utf-8") + "".join(lines[5:]).encode("cp1252"))

    problems = _refused(mixed)

    assert problems == [
        "ligne 6 : le fichier mêle deux encodages : la ligne 1 est en UTF-8, la ligne 6 dans un encodage 8 bits "
        "(Windows-1252, Latin-1 ou CP850) ; enregistrez-le en entier dans un seul encodage, UTF-8 de préférence"
    ]


# ------------------------------------------------------------------ missing columns, empty and garbage files


def test_a_missing_exprimes_column_is_named_with_what_was_expected(tmp_path):
    rows = [line.rstrip("\n").split(";") for line in _lines()]
    drop = rows[0].index("Exprimés")
    broken = tmp_path / "sans-exprimes.csv"
    broken.write_text("".join(";".join(r[:drop] + r[drop + 1 :]) + "\n" for r in rows), encoding="utf-8")

    problems = _refused(broken)

    assert len(problems) == 1
    assert problems[0].startswith(
        "ligne 1, colonne Exprimés : colonne « Exprimés » absente : attendu l'une de « Exprimés », « Exprimes », "
        "« exprimes », « nb_exprim » dans l'en-tête (colonnes présentes : Code département, "
    )
    assert "KeyError" not in problems[0]


def test_a_missing_column_of_a_file_by_circonscription_is_named(tmp_path):
    source = ELECTIONS / "2017-legislatives-1-par-circonscription-long.csv"
    rows = [line.rstrip("\n").split(",") for line in source.read_text(encoding="utf-8").splitlines(keepends=True)]
    drop = rows[0].index("blancs")
    broken = tmp_path / "sans-blancs.csv"
    broken.write_text("".join(",".join(r[:drop] + r[drop + 1 :]) + "\n" for r in rows), encoding="utf-8")

    problems = _refused(broken, "legislatives-2017-1")

    assert problems[0].startswith("ligne 1, colonne Blancs : colonne « Blancs » absente : attendu l'une de « Blancs »")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "le fichier est vide"),
        (b"  \r\n\r\n", "le fichier est vide"),
        (gzip.compress(b""), "le fichier est vide une fois décompressé"),
        (b"\x1f\x8b\x08\x00garbage", "archive gzip illisible ou tronquée : le fichier n'a pas pu être décompressé"),
    ],
    ids=["empty", "blank-lines", "empty-gzip", "broken-gzip"],
)
def test_an_empty_or_broken_file_is_refused_in_french(tmp_path, content, expected):
    path = tmp_path / "vide.csv"
    path.write_bytes(content)

    assert _refused(path) == [expected]


def test_random_bytes_are_refused_as_not_text(tmp_path):
    generator = random.Random(10)
    with_nul = tmp_path / "aleatoire.csv"
    with_nul.write_bytes(generator.randbytes(20_000))
    without_nul = tmp_path / "aleatoire-sans-nul.csv"
    without_nul.write_bytes(bytes(generator.randrange(1, 256) for _ in range(20_000)))

    binary = _refused(with_nul)
    controls = _refused(without_nul)

    assert "octets nuls (NUL)" in binary[0] and "ce n'est pas un fichier CSV texte" in binary[0]
    assert re.fullmatch(
        r"le fichier n'est pas un fichier texte CSV : \d+ caractères de contrôle dans son premier Mo "
        r"\(fichier binaire ou aléatoire \?\)",
        controls[0],
    ), controls


def test_a_header_only_file_is_refused_instead_of_succeeding_with_no_row(tmp_path):
    header = tmp_path / "en-tete.csv"
    header.write_text(_lines()[0], encoding="utf-8")

    assert _refused(header) == ["ligne 2 : aucune ligne de résultats : le fichier n'a que son en-tête"]


def test_an_unclosed_quote_is_refused_in_french(tmp_path):
    lines = _lines()
    lines[7] = lines[7].replace(";Brest;", ';"Brest;', 1)
    broken = tmp_path / "guillemet.csv"
    broken.write_text("".join(lines), encoding="utf-8")

    problems = _refused(broken)

    assert problems == ["ligne 8 : guillemet ouvert et jamais fermé à partir de cette ligne"]


# ------------------------------------------------------------------ formula injection and code shapes


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (
            "Code BV",
            "=2+3",
            "ligne 8, colonne Code BV : valeur commençant par « = », refusée (elle serait lue comme une formule par "
            "un tableur) (valeur « =2+3 »)",
        ),
        ("Code BV", "-1", "ligne 8, colonne Code BV : valeur commençant par « - »"),
        ("Code BV", "1 bis", "ligne 8, colonne Code BV : forme inattendue : numéro de bureau, 1 à 8 lettres"),
        (
            "Nuance candidat 1",
            "@SUM(1,1)",
            "ligne 8, colonne Nuance candidat 1 : valeur commençant par « @ »",
        ),
        ("Nuance candidat 1", "+UG", "ligne 8, colonne Nuance candidat : valeur commençant par « + »"),
        ("Nuance candidat 1", "U G", "ligne 8, colonne Nuance candidat : forme inattendue : code de nuance"),
        ("Code commune", "=2+3", "ligne 8, colonne Code commune : valeur commençant par « = »"),
        ("Nom candidat 1", "BRÉ\x07HIER", "ligne 8, colonne Nom candidat 1 : caractère de contrôle dans la valeur"),
    ],
    ids=[
        "formula-bureau",
        "minus-bureau",
        "bureau-shape",
        "at-nuance",
        "plus-nuance",
        "nuance-shape",
        "commune",
        "bell",
    ],
)
def test_formulas_control_characters_and_odd_codes_are_refused(tmp_path, column, value, expected):
    broken = _edit_line(LG24_BUREAUX, tmp_path / "formule.csv", 8, column, value)

    problems = _refused(broken)

    assert any(p.startswith(expected) for p in problems), problems


def test_a_formula_in_the_circonscription_of_a_city_export_is_refused(tmp_path):
    source = ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-02.csv"
    broken = _edit_line(source, tmp_path / "lg2022-t1-bureaux-brest-circo-29-02.csv", 3, "Circo", "=1+1")

    problems = _refused(broken, "legislatives-2022-1")

    assert any(p.startswith("ligne 3, colonne Circo : valeur commençant par « = »") for p in problems), problems
    assert any(p.startswith("ligne 3, colonne Circo : numéro de circonscription illisible") for p in problems)


# ------------------------------------------------------------------ re-imports that would change what is loaded


def _brest_bureau_1_renamed(tmp_path, code: str = "999"):
    # Line 8 is Brest bureau 1 (29019, circonscription 2903).
    return _edit_line(LG24_BUREAUX, tmp_path / LG24_BUREAUX.name, 8, "Code BV", code)


def test_a_changed_bureau_code_is_refused_with_the_changes_listed(tmp_path):
    results_import(path=LG24_BUREAUX, election_slug=SLUG)
    before = _snapshot()

    problems = _refused(_brest_bureau_1_renamed(tmp_path))

    assert problems == [
        "Ce fichier changerait ce qui est chargé pour legislatives-2024-1 : 1 bureau(x) perdrai(en)t son résultat ; "
        "1 bureau(x) serai(en)t créé(s) dans une commune dont les bureaux sont connus. Si c'est voulu (bureaux "
        "renumérotés, fichier corrigé), relancez avec --accept-changes, ou cochez « Accepter les changements » "
        "dans le formulaire d'import ; sinon, vérifiez les codes de bureau du fichier.",
        "Brest (29019), bureau 1 : son résultat serait retiré (bureau absent du fichier)",
        "ligne 8, colonne Code BV : bureau inconnu dans une commune dont les bureaux sont chargés pour cette "
        "élection : il serait créé (valeur « 999 »)",
    ]
    assert _snapshot() == before


def test_the_changes_are_applied_when_accepted(tmp_path):
    results_import(path=LG24_BUREAUX, election_slug=SLUG)

    outcome = results_import(path=_brest_bureau_1_renamed(tmp_path), election_slug=SLUG, accept_changes=True)

    assert outcome.summary["results_removed"] == 1 and outcome.summary["polling_stations_created"] == 1
    assert outcome.summary["changes_accepted"]["results_removed"] == [
        "Brest (29019), bureau 1 : son résultat serait retiré (bureau absent du fichier)"
    ]
    results = PollingStationResult.objects.filter(election__slug=SLUG, polling_station__commune__code="29019")
    assert results.filter(polling_station__code="999").exists()
    assert not results.filter(polling_station__code="1").exists()


def test_a_refusal_lists_the_first_twenty_changes_then_counts_the_others(tmp_path):
    results_import(path=LG24_BUREAUX, election_slug=SLUG)
    lines = _lines()
    header = lines[0].rstrip("\n").split(";")
    station = header.index("Code BV")
    for number in range(8, 33):  # 25 Brest bureaux renumbered 901…925
        cells = lines[number - 1].rstrip("\n").split(";")
        cells[station] = str(893 + number)
        lines[number - 1] = ";".join(cells) + "\n"
    changed = tmp_path / LG24_BUREAUX.name
    changed.write_text("".join(lines), encoding="utf-8")

    problems = _refused(changed)

    assert problems[0].startswith(
        "Ce fichier changerait ce qui est chargé pour legislatives-2024-1 : 25 bureau(x) perdrai(en)t son résultat ; "
        "25 bureau(x) serai(en)t créé(s)"
    )
    assert len(problems) == 1 + 20 + 1 and problems[-1] == "… et 30 autre(s) changement(s)."


def test_the_command_needs_accept_changes(tmp_path, capsys):
    results_import(path=LG24_BUREAUX, election_slug=SLUG)
    renamed = _brest_bureau_1_renamed(tmp_path)

    with pytest.raises(CommandError) as refused:
        call_command("import_results", str(renamed), election=SLUG, verbosity=0)
    call_command("import_results", str(renamed), election=SLUG, accept_changes=True, verbosity=0)

    assert "relancez avec --accept-changes" in str(refused.value)
    assert "1 retirés" in capsys.readouterr().out


def test_a_second_file_of_the_same_commune_in_another_circonscription_needs_no_confirmation():
    # Brest lies in two circonscriptions; the city publishes one file for each.
    results_import(path=ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-02.csv", election_slug="legislatives-2022-1")

    outcome = results_import(
        path=ELECTIONS / "lg2022-t1-bureaux-brest-circo-29-03.csv", election_slug="legislatives-2022-1"
    )

    assert outcome.summary["results_removed"] == 0 and "changes_accepted" not in outcome.summary
