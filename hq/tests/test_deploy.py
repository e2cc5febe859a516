"""Production configuration: `check --deploy` is clean, and bad environments stop with a sentence.

Each test runs manage.py in a subprocess, because settings are read once per process.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Variables the settings read: none leaks from the developer's shell into these tests.
SETTINGS_VARIABLES = {
    "QG_ENV", "DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD",
    "EMAIL_BACKEND", "EMAIL_PORT", "EMAIL_USE_TLS", "QG_PG_PORT", "QG_REDIS_PORT", "DB_CONN_MAX_AGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by conftest.py for Playwright, never in production
}  # fmt: skip


def production_environment(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        QG_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL="postgis://qg:secret@db.internal:5432/qg",
        REDIS_URL="redis://redis.internal:6379/0",
        ALLOWED_HOSTS="qg.example.org",
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def last_line(text: str) -> str:
    assert "Traceback" not in text  # a sentence for the operator, never a stack trace
    return text.strip().splitlines()[-1]


REFUSED = "Configuration de QG refusée : "


def test_check_deploy_reports_no_issue_with_a_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_a_required_variable(variable):
    result = manage("check", env=production_environment(**{variable: None}))
    assert result.returncode != 0
    assert last_line(result.stderr) == f"{REFUSED}The environment variable {variable} is required."


def test_production_refuses_a_short_secret_key():
    result = manage("check", env=production_environment(SECRET_KEY="too-short"))
    assert result.returncode != 0
    assert last_line(result.stderr) == f"{REFUSED}SECRET_KEY must be at least 50 random characters."


def test_production_requires_allowed_hosts():
    result = manage("check", env=production_environment(ALLOWED_HOSTS=None))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required in production" in last_line(result.stderr)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false, not 'maybe'."),
        ("EMAIL_USE_TLS", "oui", "EMAIL_USE_TLS must be true or false, not 'oui'."),
        ("EMAIL_PORT", "vingt-cinq", "EMAIL_PORT must be a whole number, not 'vingt-cinq'."),
        ("QG_PG_PORT", "55432x", "QG_PG_PORT must be a whole number, not '55432x'."),
    ],
)
def test_a_bad_boolean_or_number_is_reported_by_name(variable, value, message):
    result = manage("check", env=production_environment(QG_ENV="development", **{variable: value}))
    assert result.returncode != 0
    assert last_line(result.stderr) == f"{REFUSED}{message}"


def test_production_refuses_debug():
    result = manage("check", env=production_environment(DEBUG="true"))
    assert result.returncode != 0
    assert last_line(result.stderr) == f"{REFUSED}DEBUG must be false in production (QG_ENV=production)."


def test_the_wsgi_entry_point_refuses_a_bad_environment_with_a_sentence():
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=production_environment(SECRET_KEY=None),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert last_line(result.stderr) == f"{REFUSED}The environment variable SECRET_KEY is required."


@pytest.fixture(scope="module")
def gunicorn_url(django_db_setup):
    """Gunicorn serving `config.wsgi` with production settings, on the test database and real Redis."""
    from django.conf import settings
    from django.db import connection

    s = connection.settings_dict
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = production_environment(
        DATABASE_URL=f"postgis://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"gunicorn did not start:\n{process.communicate()[1]}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": "qg.example.org", **headers})  # noqa: S310 — local URL
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_gunicorn_serves_healthz_to_the_load_balancer_over_plain_http(gunicorn_url):
    # The load balancer probes the web processes directly, without TLS: no redirect to https.
    status, _, body = get(gunicorn_url + "/healthz")
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"


def test_gunicorn_sends_plain_http_to_https_and_answers_https_with_hsts(gunicorn_url):
    status, headers, _ = get(gunicorn_url + "/comptes/login/")
    assert status == 301
    assert headers["Location"] == "https://qg.example.org/comptes/login/"
    # Behind the load balancer, which terminated TLS and says so.
    status, headers, _ = get(gunicorn_url + "/healthz", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_gunicorn_refuses_an_unknown_host(gunicorn_url):
    status, _, _ = get(gunicorn_url + "/healthz", Host="evil.example.com")
    assert status == 400
