"""Imports started from the admin: the uploaded file is kept through Django's storage
API, and a Celery task runs the importer of its kind (see `registry`) after commit."""

import re
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from circonscriptions.importers import registry
from circonscriptions.importers.base import ImportRefused, json_safe, unexpected_error_message
from circonscriptions.importers.guards import upload_size_refusal
from circonscriptions.models import ImportRun


def import_upload_start(
    *, kind: str, upload: UploadedFile | None, options: dict, by: str, queue: str | None = None
) -> ImportRun:
    """Record the run (queued), store the file, and enqueue the import once committed
    (on Celery's default queue, or on `queue`). A file over the size cap is refused before
    it is stored (the upload form says so first; this is the service's own guard)."""
    spec = registry.get(kind)
    if upload is not None:
        refusal = upload_size_refusal(upload.size)
        if refusal:
            raise ValueError(refusal)
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
    """Run the import of a queued run; returns its final status. A refusal is recorded, not
    raised; any other failure (a bug, a missing file, Celery's soft time limit) ends the run
    « refusé » with a French sentence the admin's progress page shows, then a bug is raised
    again for the worker's log, while a time limit is only recorded."""
    run = ImportRun.objects.get(pk=run_id)
    try:
        spec = registry.get(run.kind)
        with tempfile.TemporaryDirectory(prefix="qg-import-") as folder:
            # The original name matters: formats are told by their suffix, and the INSEE files'
            # source and vintage by their name.
            name = re.sub(r"[^\w.-]+", "_", Path(run.file_name).name) or "upload"
            path = Path(folder) / name
            if run.upload:
                with run.upload.open("rb") as source, open(path, "wb") as target:
                    shutil.copyfileobj(source, target)
            spec.run(path=path, options=dict(run.options), by=run.started_by, run=run, on_progress=None)
    except ImportRefused:
        pass  # run_import has recorded the problems on the run
    except SoftTimeLimitExceeded as exc:
        _mark_failed(run_id, exc, overwrite=True)
    except ValueError as exc:
        # The service's own French refusals of options (an election slug, a tolerance).
        _mark_failed(run_id, exc, message=str(exc))
    except BaseException as exc:
        _mark_failed(run_id, exc)
        raise
    return ImportRun.objects.get(pk=run_id).status


def _mark_failed(run_id: int, exc: BaseException, *, message: str | None = None, overwrite: bool = False) -> None:
    """End the run « refusé » with `message` (or the French sentence for `exc`), unless
    run_import already ended it (it keeps its own record, except a time limit's)."""
    run = ImportRun.objects.get(pk=run_id)
    if overwrite or run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
        run.status = ImportRun.Status.FAILED
        run.finished_at = run.finished_at or timezone.now()
        run.errors = json_safe([{"message": message or unexpected_error_message(exc)}])
        run.save(update_fields=["status", "finished_at", "errors"])


# Celery's hard time limit of an import (circonscriptions/tasks.py) is 50 minutes from the
# moment a worker takes it; a run still « en cours » long after that was killed with its
# worker (hard limit, out of memory, a restart) and will never end by itself.
ABANDONED_AFTER = timedelta(hours=2)
ABANDONED_MESSAGE = (
    "L'import a été interrompu (travailleur arrêté ou limite de temps dépassée) ; "
    "rien n'a été enregistré : relancez-le."
)


def import_runs_abandoned_close(*, now: datetime | None = None) -> int:
    """End « refusé » the runs queued or running for longer than ABANDONED_AFTER, with a French
    sentence; an import is one transaction, so a killed run saved nothing. Returns how many."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    return ImportRun.objects.filter(
        status__in=(ImportRun.Status.QUEUED, ImportRun.Status.RUNNING), started_at__lt=cutoff
    ).update(
        status=ImportRun.Status.FAILED,
        finished_at=now or timezone.now(),
        errors=[{"message": ABANDONED_MESSAGE}],
    )
