"""After an import commits, a real Celery worker recomputes the profiles (through the project's Redis).

The worker reads committed rows, so this test is transactional, and Django empties the
tables after it (the root conftest puts the migrations' seeds back).
"""

import time

import pytest
from django.db import transaction

from circonscriptions.models import PollingStationProfile, ProfileRun
from circonscriptions.profiles.services import profiles_recompute_later
from circonscriptions.tests.profile_data import lg2024_rows, store_results

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_recompute_is_enqueued_after_commit_and_run_by_the_worker(celery_worker_queue):
    with transaction.atomic():
        ids = store_results(lg2024_rows({("29019", "40"), ("29019", "1"), ("29011", "1")}))
        profiles_recompute_later(queue=celery_worker_queue)
        # Inside the import's transaction nothing has been sent: the worker could not see the rows.
        time.sleep(0.5)
        assert not ProfileRun.objects.exists()
    deadline = time.monotonic() + 30
    while ProfileRun.objects.current() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    run = ProfileRun.objects.current()
    assert run is not None and run.started_by == "celery" and run.stations == 3
    assert PollingStationProfile.objects.get(run=run, polling_station_id=ids["29019_40"]).leaning == "left"
