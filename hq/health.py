"""Checks of the real components QG needs: PostgreSQL with PostGIS, and Redis.

/healthz answers 200 only when both answer, 503 naming the one that does not: a load
balancer takes a web process out of rotation on 503. The age of the last Celery
worker heartbeat is reported too, but never changes the status code: a web process
serves pages fine while the workers restart, and taking it out would make things worse.
"""

import logging
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.utils import timezone

logger = logging.getLogger(__name__)


def check_database() -> str | None:
    """None when PostgreSQL answers and has PostGIS, else what is wrong."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            row = cursor.fetchone()
    except DatabaseError as exc:
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return f"PostgreSQL unreachable: {exc.__class__.__name__}: {first_line}"
    if row is None:
        return "PostgreSQL answers but the PostGIS extension is missing (CREATE EXTENSION postgis)"
    return None


def check_redis() -> str | None:
    """None when Redis answers PING, else what is wrong."""
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError as exc:
        return f"Redis unreachable at {settings.REDIS_URL}: {exc}"
    return None


def last_heartbeat_age() -> int | None:
    """Seconds since any Celery worker last recorded a heartbeat; None if never (or unreadable)."""
    from hq.models import WorkerHeartbeat

    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except DatabaseError:
        return None
    if latest is None:
        return None
    return max(0, int((timezone.now() - latest).total_seconds()))


def health_report() -> tuple[dict[str, Any], int]:
    """The body and status code of /healthz.

    The endpoint is public (load balancers call it without logging in): it says which
    component is down, never how it is reached or what it answered (a Redis URL may carry
    a password, a database error names hosts and roles). The details go to the log, and
    `manage.py doctor` prints them to whoever runs it on the server.
    """
    problems = {name: msg for name, msg in (("postgresql", check_database()), ("redis", check_redis())) if msg}
    for name, msg in problems.items():
        logger.error("healthz: %s: %s", name, msg)
    body: dict[str, Any] = {"status": "ok" if not problems else "error", "postgresql": "ok", "redis": "ok"}
    body.update({name: "unreachable" for name in problems})
    body["worker_heartbeat_age_seconds"] = last_heartbeat_age() if "postgresql" not in problems else None
    return body, 200 if not problems else 503
