"""A Celery task really travels through Redis to a real worker process."""

import socket

import pytest
from django.utils import timezone

from hq.models import WorkerHeartbeat
from hq.tasks import heartbeat_record_task

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_records_its_heartbeat_in_the_test_database(celery_worker_queue):
    hostname = f"{celery_worker_queue}.{socket.gethostname()}"
    result = heartbeat_record_task.apply_async(kwargs={"hostname": hostname}, queue=celery_worker_queue)
    pk = result.get(timeout=30)
    result.forget()
    beat = WorkerHeartbeat.objects.get(pk=pk)
    assert beat.hostname == hostname
    assert (timezone.now() - beat.seen_at).total_seconds() < 60


def test_a_task_sent_without_a_queue_stays_within_this_test_run(celery_worker_queue):
    # `.delay()` as application code does it: it must reach this run's worker (which
    # writes to the test database), never a `make run` worker on the same Redis.
    result = heartbeat_record_task.delay(hostname=f"default-queue.{celery_worker_queue}")
    pk = result.get(timeout=30)
    result.forget()
    assert WorkerHeartbeat.objects.get(pk=pk).hostname == f"default-queue.{celery_worker_queue}"
