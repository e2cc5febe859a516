"""Caps on imported files (size, decompressed size, vertices), the admin's confirmation of
a re-import that changes what is loaded, and runs started from the admin that fail.

The caps are lowered in each test's settings so that the files stay small: the rules are
the same at 100 Mo, 500 Mo and 2,000,000 vertices.
"""

import gzip
import json
import math
import zipfile

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from circonscriptions.importers import results as results_module
from circonscriptions.importers.base import ImportRefused
from circonscriptions.importers.boundaries import boundaries_import
from circonscriptions.importers.results import results_import
from circonscriptions.importers.uploads import import_upload_execute, import_upload_start
from circonscriptions.models import Election, ImportRun, PollingStation, PollingStationResult
from circonscriptions.tasks import import_file_task
from circonscriptions.tests.test_results import (  # noqa: F401 — the last two are fixtures
    LG24_BUREAUX,
    _edit_line,
    results_territory,
    territory_db,
)
from hq.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def analyst(client):
    user = User.objects.create_superuser("analyste@example.org", "pw-test-2026")
    client.force_login(user)
    return user


def _refused_boundaries(path, **options) -> list[str]:
    stations = PollingStation.objects.count()
    with pytest.raises(ImportRefused) as caught:
        boundaries_import(path=path, level="polling_station", **options)
    assert PollingStation.objects.count() == stations
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.FAILED and run.errors
    return [str(p) for p in caught.value.problems]


# ------------------------------------------------------------------ vertices


def _ring(x: float, y: float, vertices: int) -> list[list[float]]:
    """A closed ring of `vertices` distinct points (plus the closing one) around (x, y)."""
    points = [
        [x + 0.001 * math.cos(2 * math.pi * k / vertices), y + 0.001 * math.sin(2 * math.pi * k / vertices)]
        for k in range(vertices)
    ]
    return [*points, points[0]]


def _bureaux_geojson(path, sizes: list[int]):
    features = [
        {
            "type": "Feature",
            "properties": {"codeBureauVote": f"29019_09{k:02d}"},
            "geometry": {"type": "Polygon", "coordinates": [_ring(-4.48 + 0.01 * k, 48.39, n)]},
        }
        for k, n in enumerate(sizes)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_a_feature_over_the_vertex_cap_is_refused_before_its_geometry_is_built(territory, settings, tmp_path):
    settings.QG_IMPORT_MAX_VERTICES_PER_FEATURE = 50
    path = _bureaux_geojson(tmp_path / "bureaux.geojson", [30, 60, 30])

    problems = _refused_boundaries(path)

    assert problems == ["ligne 2, colonne geometry : 61 sommets dans cette entité, au-delà des 50 acceptés par entité"]


def test_a_file_over_the_vertex_cap_is_refused(territory, settings, tmp_path):
    settings.QG_IMPORT_MAX_VERTICES = 100
    path = _bureaux_geojson(tmp_path / "bureaux.geojson", [30, 60, 30])

    problems = _refused_boundaries(path)

    assert problems == ["123 sommets dans le fichier, au-delà des 100 acceptés : simplifiez les contours"]


def test_a_file_under_the_vertex_caps_is_imported(territory, settings, tmp_path):
    settings.QG_IMPORT_MAX_VERTICES, settings.QG_IMPORT_MAX_VERTICES_PER_FEATURE = 123, 61
    path = _bureaux_geojson(tmp_path / "bureaux.geojson", [30, 60, 30])

    outcome = boundaries_import(path=path, level="polling_station")

    assert outcome.summary["polling_stations"]["created"] == 3


# ------------------------------------------------------------------ decompressed size


def test_a_gzipped_geojson_over_the_decompressed_cap_is_refused(territory, settings, data_dir, tmp_path):
    settings.QG_IMPORT_MAX_DECOMPRESSED_BYTES = 100_000
    path = tmp_path / "bureaux.geojson.gz"
    path.write_bytes(
        gzip.compress((data_dir / "boundaries" / "bureaux" / "bureaux-de-vote-brest-29019.geojson").read_bytes())
    )

    problems = _refused_boundaries(path)

    assert problems == ["le contenu gzip décompressé dépasse 100000 octets : fichier refusé avant d'être lu en entier"]


def test_a_zip_bomb_is_refused_while_it_is_read(territory, settings, tmp_path):
    settings.QG_IMPORT_MAX_DECOMPRESSED_BYTES = 1 << 20
    path = tmp_path / "contours.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("contours.shp", bytes(8 << 20))  # 8 Mo of zeros, 8 ko once compressed

    problems = _refused_boundaries(path)

    assert path.stat().st_size < 20_000
    assert problems == [
        "le contenu de l'archive zip décompressé dépasse 1 Mo : fichier refusé avant d'être lu en entier"
    ]


@pytest.mark.usefixtures("territory_db")
def test_a_gzipped_results_file_over_the_decompressed_cap_is_refused(settings, tmp_path):
    settings.QG_IMPORT_MAX_DECOMPRESSED_BYTES = 10_000
    path = tmp_path / "lg2024.csv.gz"
    path.write_bytes(gzip.compress(LG24_BUREAUX.read_bytes()))

    with pytest.raises(ImportRefused) as caught:
        results_import(path=path, election_slug="legislatives-2024-1")

    assert [str(p) for p in caught.value.problems] == [
        "le contenu gzip décompressé dépasse 10000 octets : fichier refusé avant d'être lu en entier"
    ]
    assert not Election.objects.filter(slug="legislatives-2024-1").exists()


def test_an_unsafe_polling_place_in_a_boundary_file_is_refused(territory, data_dir, tmp_path):
    data = json.loads((data_dir / "boundaries" / "bureaux" / "bureaux-de-vote-brest-29019.geojson").read_text())
    data["features"][4]["properties"]["llieu"] = '=HYPERLINK("http://exemple.invalid","ECOLE")'
    path = tmp_path / "bureaux.geojson"
    path.write_text(json.dumps(data))

    problems = _refused_boundaries(path)

    assert problems[0].startswith("ligne 5, colonne llieu : valeur commençant par « = »")


# ------------------------------------------------------------------ uploads from the admin


def test_an_upload_over_the_size_cap_is_refused_before_it_is_stored(territory, analyst, client, settings, tmp_path):
    settings.QG_IMPORT_MAX_UPLOAD_BYTES = 1000
    upload = SimpleUploadedFile("gros.csv", b"x" * 2000)
    runs = ImportRun.objects.count()

    response = client.post(
        reverse("admin:circonscriptions_importrun_upload_kind", args=["results"]),
        {"file": upload, "election": "legislatives-2024-1"},
    )

    assert response.status_code == 200
    assert "Le fichier fait 2000 octets, au-delà des 1000 octets acceptés pour un import." in response.content.decode()
    assert ImportRun.objects.count() == runs
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.csv"))
    with pytest.raises(ValueError, match="au-delà des 1000 octets"):
        import_upload_start(kind="results", upload=SimpleUploadedFile("gros.csv", b"x" * 2000), options={}, by="")


def _upload(client, path, **fields):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    client.post(
        reverse("admin:circonscriptions_importrun_upload_kind", args=["results"]),
        {"file": upload, "election": "legislatives-2024-1", **fields},
    )
    return ImportRun.objects.latest("pk")


@pytest.mark.usefixtures("territory_db")
def test_the_admin_asks_for_a_confirmation_before_changing_what_is_loaded(analyst, client, tmp_path):
    results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")
    renamed = _edit_line(LG24_BUREAUX, tmp_path / LG24_BUREAUX.name, 8, "Code BV", "999")
    form = client.get(reverse("admin:circonscriptions_importrun_upload_kind", args=["results"])).content.decode()

    refused = _upload(client, renamed)
    assert import_file_task.apply(args=[refused.pk]).get() == ImportRun.Status.FAILED
    shown = client.get(reverse("admin:circonscriptions_importrun_progress_json", args=[refused.pk])).json()
    confirmed = _upload(client, renamed, accept_changes="on")
    status = import_file_task.apply(args=[confirmed.pk]).get()

    assert 'name="accept_changes"' in form and "Accepter les changements" in form
    assert shown["errors"][0].startswith("Ce fichier changerait ce qui est chargé pour legislatives-2024-1")
    assert "Brest (29019), bureau 1 : son résultat serait retiré (bureau absent du fichier)" in shown["errors"]
    assert status == ImportRun.Status.SUCCEEDED
    assert PollingStationResult.objects.filter(
        election__slug="legislatives-2024-1", polling_station__commune__code="29019", polling_station__code="999"
    ).exists()


def test_a_run_whose_uploaded_file_vanished_ends_refused_instead_of_queued(territory, analyst, client):
    run = import_upload_start(
        kind="results",
        upload=SimpleUploadedFile("lg2024.csv", LG24_BUREAUX.read_bytes()),
        options={"election": "legislatives-2024-1"},
        by="analyste@example.org",
    )
    run.upload.storage.delete(run.upload.name)

    with pytest.raises(FileNotFoundError):
        import_upload_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    shown = client.get(reverse("admin:circonscriptions_importrun_progress_json", args=[run.pk])).json()
    assert shown["finished"] and shown["errors"][0].startswith(
        "Erreur inattendue pendant l'import (FileNotFoundError : "
    )


@pytest.mark.usefixtures("territory_db")
def test_a_run_stopped_by_the_time_limit_is_recorded_and_leaves_nothing(monkeypatch):
    def too_long(*args, **kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(results_module, "load_results", too_long)
    run = import_upload_start(
        kind="results",
        upload=SimpleUploadedFile("lg2024.csv", LG24_BUREAUX.read_bytes()),
        options={"election": "legislatives-2024-1"},
        by="analyste@example.org",
    )

    status = import_upload_execute(run_id=run.pk)

    run.refresh_from_db()
    assert status == run.status == ImportRun.Status.FAILED
    assert run.errors == [
        {"message": "L'import a dépassé le temps accordé à une tâche et a été arrêté : rien n'a été importé."}
    ]
    assert not Election.objects.filter(slug="legislatives-2024-1").exists()


def test_a_run_with_a_bad_option_is_refused_with_its_french_sentence(territory):
    run = import_upload_start(
        kind="results",
        upload=SimpleUploadedFile("lg2024.csv", LG24_BUREAUX.read_bytes()),
        options={"election": "legislatives-2024"},
        by="analyste@example.org",
    )

    status = import_upload_execute(run_id=run.pk)

    run.refresh_from_db()
    assert status == ImportRun.Status.FAILED
    assert run.errors[0]["message"].startswith("« legislatives-2024 » n'est pas un identifiant d'élection")


# ------------------------------------------------------------------ indicator files


def test_an_indicator_csv_exported_in_utf16_is_read_and_one_with_nul_bytes_refused(territory, data_dir, tmp_path):
    from circonscriptions.importers.indicators import indicators_import

    source = data_dir / "insee" / "bretagne-communes-unite-urbaine-2022.csv"
    utf16 = tmp_path / source.name
    utf16.write_bytes(source.read_text(encoding="utf-8").encode("utf-16"))
    raw = source.read_bytes()
    broken = tmp_path / "bretagne-communes-niveau-nul-2022.csv"
    broken.write_bytes(raw[:300] + b"\x00" + raw[300:])

    outcome = indicators_import(path=utf16)
    with pytest.raises(ImportRefused) as refused:
        indicators_import(path=broken)

    assert outcome.summary["rows"] == 847
    assert "octets nuls (NUL)" in str(refused.value.problems[0])
    assert ImportRun.objects.latest("pk").status == ImportRun.Status.FAILED


def test_a_workbook_that_is_a_zip_bomb_is_refused(territory, settings, tmp_path):
    from circonscriptions.importers.indicators import indicators_import

    settings.QG_IMPORT_MAX_DECOMPRESSED_BYTES = 1 << 20
    path = tmp_path / "indicateurs-2022.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", bytes(8 << 20))

    with pytest.raises(ImportRefused) as refused:
        indicators_import(path=path)

    assert [str(p) for p in refused.value.problems] == [
        "le contenu de l'archive zip décompressé dépasse 1 Mo : fichier refusé avant d'être lu en entier"
    ]
