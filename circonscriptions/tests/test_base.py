import pytest
from django.core.cache import cache

from circonscriptions.importers.base import ImportRefused, Problem, progress_key, run_import
from circonscriptions.models import ImportRun, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("code;nom\nZ1;Région d'essai\n", encoding="utf-8")
    return path


def _load(path, run, progress):
    progress(50, "à mi-chemin")
    Region.objects.create(code="Z1", name="Région d'essai")
    return {"rows": 1}


def test_a_problem_names_line_column_and_value_in_french():
    problem = Problem("1203 > Inscrits 1187", line=57, column="Votants", value="1203")
    assert str(problem) == "ligne 57, colonne Votants : 1203 > Inscrits 1187 (valeur « 1203 »)"
    refused = ImportRefused("fichier.csv", [problem, Problem("fichier vide")])
    assert str(refused).splitlines() == [
        "fichier.csv : fichier refusé, 2 problème(s), rien n'a été importé.",
        "  fichier.csv, ligne 57, colonne Votants : 1203 > Inscrits 1187 (valeur « 1203 »)",
        "  fichier.csv, fichier vide",
    ]


def test_a_successful_import_is_recorded_with_its_progress(source):
    outcome = run_import(kind="test-kind", path=source, load=_load, by="analyste@example.org")
    run = outcome.run
    assert run.status == ImportRun.Status.SUCCEEDED and run.rows == 1 and run.progress == 100
    assert run.file_name == "regions.csv" and len(run.checksum) == 64 and run.started_by == "analyste@example.org"
    assert cache.get(progress_key(run.pk)) == {"percent": 100, "step": "terminé"}
    assert Region.objects.filter(code="Z1").exists()


def test_the_same_file_again_is_recorded_as_unchanged_unless_forced(source):
    first = run_import(kind="test-kind", path=source, load=_load)
    calls = []

    def load_again(path, run, progress):
        calls.append(run.pk)
        return {"rows": 1}

    again = run_import(kind="test-kind", path=source, load=load_again)
    assert again.unchanged and again.run.status == ImportRun.Status.UNCHANGED
    assert again.summary == {"same_as_run": first.run.pk} and calls == []
    # Other options (another scope) are another import.
    assert not run_import(kind="test-kind", path=source, load=load_again, options={"level": "x"}).unchanged
    assert not run_import(kind="test-kind", path=source, load=load_again, force=True).unchanged
    assert len(calls) == 2


def test_a_refused_file_writes_nothing_and_keeps_its_problems(source):
    def refuse(path, run, progress):
        Region.objects.create(code="Z2", name="écrite puis annulée")
        raise ImportRefused(path.name, [Problem("valeur non numérique", line=3, column="valeur", value="x")])

    with pytest.raises(ImportRefused):
        run_import(kind="test-kind", path=source, load=refuse)
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert run.errors == [{"message": "valeur non numérique", "line": 3, "column": "valeur", "value": "x"}]
    assert not Region.objects.filter(code="Z2").exists()


def test_an_unexpected_error_is_recorded_and_raised(source):
    def crash(path, run, progress):
        raise RuntimeError("disque plein")

    with pytest.raises(RuntimeError):
        run_import(kind="test-kind", path=source, load=crash)
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert run.errors == [
        {
            "message": "Erreur inattendue pendant l'import (RuntimeError : disque plein) : rien n'a été importé ; "
            "signalez-la avec le fichier."
        }
    ]


def test_an_error_quoting_nul_bytes_still_ends_the_run(source):
    # A UTF-16 file read as 8-bit text put NUL bytes into the error: PostgreSQL's JSON
    # refused them, the run could not be saved and stayed « en cours » forever.
    def crash(path, run, progress):
        raise ImportRefused("f.csv", [Problem("en-tête inattendu", line=1, value="\xff\xfeC\x00o\x00d\x00e")])

    with pytest.raises(ImportRefused):
        run_import(kind="test-kind", path=source, load=crash)
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.FAILED
    assert run.errors[0]["value"] == "\xff\xfeC\\x00o\\x00d\\x00e"


def test_an_interruption_ends_the_run_and_rolls_the_load_back(source):
    def interrupted(path, run, progress):
        Region.objects.create(code="Z1", name="Région d'essai")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_import(kind="test-kind", path=source, load=interrupted)
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.FAILED
    assert run.errors == [{"message": "L'import a été interrompu : rien n'a été importé."}]
    assert not Region.objects.filter(code="Z1").exists()


def test_a_run_created_beforehand_is_the_one_followed(source):
    queued = ImportRun.objects.create(kind="test-kind", file_name="regions.csv", status=ImportRun.Status.QUEUED)
    outcome = run_import(kind="test-kind", path=source, load=_load, run=queued, checksum="c" * 64)
    queued.refresh_from_db()
    assert outcome.run.pk == queued.pk and queued.status == ImportRun.Status.SUCCEEDED
    assert queued.checksum == "c" * 64
