"""An uploaded file is imported by a real Celery worker (the project's Redis, the test database)."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from circonscriptions.importers.uploads import import_upload_start
from circonscriptions.models import Election, ImportRun, IndicatorValue

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_imports_an_uploaded_indicator_file(celery_worker_queue, data_dir):
    content = (data_dir / "insee" / "bretagne-communes-unite-urbaine-2022.csv").read_bytes()
    upload = SimpleUploadedFile("bretagne-communes-unite-urbaine-2022.csv", content)
    runs_before = list(ImportRun.objects.values_list("pk", "kind", "status", "options"))
    run = import_upload_start(
        kind="indicators", upload=upload, options={}, by="analyste@example.org", queue=celery_worker_queue
    )
    try:
        deadline = time.monotonic() + 60
        while run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING) and time.monotonic() < deadline:
            time.sleep(0.2)
            run.refresh_from_db()
        assert run.status == ImportRun.Status.SUCCEEDED, (run.status, run.errors, run.summary, runs_before)
        assert run.rows == 847 and run.started_by == "analyste@example.org"
        values = IndicatorValue.objects.filter(variable__code="unite_urbaine")
        assert values.count() == 846
        # Source and vintage come from the uploaded file's name, as on the command line.
        assert set(values.values_list("variable__source", "vintage")) == {("bretagne-communes-unite-urbaine", "2022")}
    finally:
        run.upload.delete(save=False)


def test_a_worker_ends_a_run_whose_file_holds_nul_bytes_refused_in_french(celery_worker_queue, data_dir):
    # Such runs used to stay « en cours » at 0 %: their error, quoting the NUL bytes, could not be saved.
    raw = (data_dir / "elections" / "lg2024-t1-bureaux-29-circos-02-03.csv").read_bytes()
    upload = SimpleUploadedFile("resultats.csv", raw[:5000] + b"\x00\x00" + raw[5000:])
    run = import_upload_start(
        kind="results",
        upload=upload,
        options={"election": "legislatives-2024-1"},
        by="analyste@example.org",
        queue=celery_worker_queue,
    )
    try:
        deadline = time.monotonic() + 60
        while run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING) and time.monotonic() < deadline:
            time.sleep(0.2)
            run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED, (run.status, run.errors)
        assert run.errors[0]["message"].startswith("le fichier contient des octets nuls (NUL) dès cette ligne")
        assert run.errors[0]["line"] == raw[:5000].count(b"\n") + 1
        assert not Election.objects.filter(slug="legislatives-2024-1").exists()
    finally:
        run.upload.delete(save=False)
