"""A run whose worker was killed (hard time limit, restart) does not stay « en cours » forever."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from circonscriptions.importers.uploads import ABANDONED_MESSAGE
from circonscriptions.models import ImportRun

pytestmark = pytest.mark.django_db


def _run(status: str, age: timedelta) -> ImportRun:
    run = ImportRun.objects.create(kind="results", file_name="resultats.csv", checksum="0" * 64, status=status)
    # started_at is set on creation: age it as a worker killed that long ago would have left it.
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - age)
    return run


def test_the_sweep_ends_only_runs_left_running_past_every_time_limit():
    killed = _run(ImportRun.Status.RUNNING, timedelta(hours=3))
    stuck_in_queue = _run(ImportRun.Status.QUEUED, timedelta(hours=5))
    working = _run(ImportRun.Status.RUNNING, timedelta(minutes=20))
    done = _run(ImportRun.Status.SUCCEEDED, timedelta(days=2))

    out = StringIO()
    call_command("close_abandoned_imports", stdout=out)

    assert "Imports interrompus clos : 2." in out.getvalue()
    for run in (killed, stuck_in_queue):
        run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED
        assert run.errors == [{"message": ABANDONED_MESSAGE}]
        assert run.finished_at is not None
    working.refresh_from_db()
    done.refresh_from_db()
    assert working.status == ImportRun.Status.RUNNING and working.finished_at is None
    assert done.status == ImportRun.Status.SUCCEEDED

    # A second sweep finds nothing left to close.
    out = StringIO()
    call_command("close_abandoned_imports", stdout=out)
    assert "Imports interrompus clos : 0." in out.getvalue()
