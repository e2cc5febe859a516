"""Gunicorn's settings for production; `gunicorn config.wsgi` reads this file from the
working directory. Each value can be changed by an environment variable.

Run several web processes behind the load balancer (one gunicorn per machine or
container, WEB_CONCURRENCY workers each); they share nothing but PostgreSQL, Redis
and the file storage, so any of them can answer any request.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Pages are mostly database-bound: a couple of workers per core.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
# PDF batches go through Celery, so a request never needs long; a stuck one is killed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak never takes a machine down.
max_requests = 2000
max_requests_jitter = 200
# The load balancer terminates TLS and says so in X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
