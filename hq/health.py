"""Checks of the real components QG needs: PostgreSQL with PostGIS, and Redis."""

import redis
from django.conf import settings
from django.db import connection
from django.db.utils import Error as DatabaseError


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
