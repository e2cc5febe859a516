"""Production configuration: `check --deploy` is clean, and bad environments stop with a sentence.

Each test runs manage.py in a subprocess, because settings are read once per process.
"""

import os
import secrets
import subprocess
import sys
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
    return text.strip().splitlines()[-1]


def test_check_deploy_reports_no_issue_with_a_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_a_required_variable(variable):
    result = manage("check", env=production_environment(**{variable: None}))
    assert result.returncode != 0
    assert last_line(result.stderr) == (
        f"django.core.exceptions.ImproperlyConfigured: The environment variable {variable} is required."
    )


def test_production_refuses_a_short_secret_key():
    result = manage("check", env=production_environment(SECRET_KEY="too-short"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be at least 50 random characters." in last_line(result.stderr)


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
    assert last_line(result.stderr) == f"django.core.exceptions.ImproperlyConfigured: {message}"
