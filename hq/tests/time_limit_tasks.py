"""Test-only Celery tasks that outlast their time limits (loaded by the worker of test_task_time_limits.py)."""

import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded


@shared_task(soft_time_limit=1, time_limit=20)
def sleep_past_the_soft_limit_task(seconds: int) -> str:
    try:
        for _ in range(seconds * 10):
            time.sleep(0.1)
    except SoftTimeLimitExceeded:
        return "stopped at the soft limit"
    return "ran to the end"


@shared_task(soft_time_limit=1, time_limit=3)
def ignore_the_soft_limit_task(seconds: int) -> str:
    # A task stuck where it cannot stop (a C call, a lost connection): only the hard limit ends it.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            time.sleep(0.1)
        except SoftTimeLimitExceeded:
            continue
    return "ran to the end"
