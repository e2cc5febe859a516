"""Imports started from the admin: the uploaded file is kept through Django's storage
API, and a Celery task runs the importer of its kind (see `registry`) after commit."""

import re
import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from circonscriptions.importers import registry
from circonscriptions.importers.base import ImportRefused
from circonscriptions.models import ImportRun


def import_upload_start(
    *, kind: str, upload: UploadedFile | None, options: dict, by: str, queue: str | None = None
) -> ImportRun:
    """Record the run (queued), store the file, and enqueue the import once committed
    (on Celery's default queue, or on `queue`)."""
    spec = registry.get(kind)
    run = ImportRun(
        kind=kind,
        file_name=(upload.name if upload else spec.label)[:300],
        options=options,
        started_by=by,
        status=ImportRun.Status.QUEUED,
    )
    if upload is not None:
        run.upload.save(Path(upload.name).name, upload, save=False)
    run.save()
    from circonscriptions.tasks import import_file_task

    transaction.on_commit(lambda: import_file_task.apply_async(args=[run.pk], queue=queue))
    return run


def import_upload_execute(*, run_id: int) -> str:
    """Run the import of a queued run; returns its final status (a refusal is recorded, not raised)."""
    run = ImportRun.objects.get(pk=run_id)
    spec = registry.get(run.kind)
    with tempfile.TemporaryDirectory(prefix="qg-import-") as folder:
        # The original name matters: formats are told by their suffix, and the INSEE files'
        # source and vintage by their name.
        name = re.sub(r"[^\w.-]+", "_", Path(run.file_name).name) or "upload"
        path = Path(folder) / name
        if run.upload:
            with run.upload.open("rb") as source, open(path, "wb") as target:
                shutil.copyfileobj(source, target)
        try:
            spec.run(path=path, options=dict(run.options), by=run.started_by, run=run, on_progress=None)
        except ImportRefused:
            pass  # run_import has recorded the problems on the run
        except Exception as exc:
            run.refresh_from_db()
            if run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
                run.status = ImportRun.Status.FAILED
                run.errors = [{"message": f"{exc.__class__.__name__}: {exc}"}]
                run.save(update_fields=["status", "errors"])
            raise
    run.refresh_from_db()
    return run.status
