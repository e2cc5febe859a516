"""Celery tasks have time limits: a task over its soft limit is stopped, one that will not stop is killed.

The worker is a real one with the prefork pool, as `make run` and production start it
(time limits are the pool's work: the solo pool of the other worker tests ignores them).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery.exceptions import TimeLimitExceeded
from django.conf import settings

from conftest import ROOT, _forget_queue, _test_database_url

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def prefork_worker_queue(django_db_setup, tmp_path_factory):
    queue = f"qg-test-limits-{uuid.uuid4().hex[:12]}"
    logfile = tmp_path_factory.mktemp("celery-limits") / "worker.log"
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    celery = Path(sys.executable).with_name("celery")
    process = subprocess.Popen(
        [str(celery), "-A", "config", "worker", "--pool=prefork", "--concurrency=1", "-Q", queue,
         "-n", f"{queue}@%h", "-I", "hq.tests.time_limit_tasks", "--without-gossip", "--without-mingle",
         "--loglevel=INFO", f"--logfile={logfile}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 45
        while " ready." not in (logfile.read_text(errors="replace") if logfile.exists() else ""):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the prefork worker did not start:\n{logfile.read_text(errors='replace')}")
            time.sleep(0.2)
        yield queue
    finally:
        # The worker and its pool child share a session: stop them together.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stderr:
            process.stderr.close()
        _forget_queue(queue)


def test_a_task_over_its_soft_limit_is_stopped(prefork_worker_queue):
    from hq.tests.time_limit_tasks import sleep_past_the_soft_limit_task

    result = sleep_past_the_soft_limit_task.apply_async((30,), queue=prefork_worker_queue)
    assert result.get(timeout=25) == "stopped at the soft limit"
    result.forget()


def test_a_task_that_ignores_its_soft_limit_is_killed_at_the_hard_limit(prefork_worker_queue):
    from hq.tests.time_limit_tasks import ignore_the_soft_limit_task

    result = ignore_the_soft_limit_task.apply_async((30,), queue=prefork_worker_queue)
    with pytest.raises(TimeLimitExceeded):
        result.get(timeout=25)
    result.forget()


def test_every_task_has_limits_and_the_long_ones_their_own():
    from circonscriptions.profiles.tasks import profiles_recompute_task
    from circonscriptions.tasks import import_file_task
    from config.celery import app
    from fiches.tasks import batch_print_task, fiches_after_experiment_launch_task, fiches_refresh_task

    assert app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT < app.conf.task_time_limit
    for task in (
        import_file_task,
        profiles_recompute_task,
        batch_print_task,
        fiches_refresh_task,
        fiches_after_experiment_launch_task,
    ):
        assert task.soft_time_limit < task.time_limit, task.name
    # A national import and the national recompute get longer than the default.
    assert import_file_task.soft_time_limit > settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert profiles_recompute_task.soft_time_limit > settings.CELERY_TASK_SOFT_TIME_LIMIT
