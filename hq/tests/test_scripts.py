"""Misconfigurations that `make run` / `make test` meet give one sentence, not a stack trace."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def busy_port():
    """A local port some other program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_script(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "QG_STATE_DIR": str(tmp_path / "state"), **env}
    return subprocess.run(
        [str(ROOT / "scripts" / args[0]), *args[1:]],
        cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_services_refuse_a_postgresql_port_already_taken(busy_port, tmp_path):
    result = run_script(
        "services.sh", "start", tmp_path=tmp_path, QG_PG_PORT=str(busy_port), QG_REDIS_PORT=str(free_port())
    )
    assert result.returncode == 1
    assert f"le port {busy_port} (PostgreSQL) est déjà pris" in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing was half-created.
    assert not (tmp_path / "state" / "pg").exists()


def test_services_refuse_a_redis_port_already_taken(busy_port, tmp_path):
    result = run_script(
        "services.sh", "start", tmp_path=tmp_path, QG_PG_PORT=str(free_port()), QG_REDIS_PORT=str(busy_port)
    )
    assert result.returncode == 1
    assert f"le port {busy_port} (Redis) est déjà pris" in result.stderr
    assert not (tmp_path / "state" / "pg").exists()


def test_serve_refuses_a_web_port_already_taken(busy_port, tmp_path):
    result = run_script("serve.sh", tmp_path=tmp_path, QG_PORT=str(busy_port))
    assert result.returncode == 1
    assert f"le port {busy_port} est déjà pris" in result.stderr
    assert "QG_PORT=" in result.stderr
    assert not list((tmp_path / "state" / "run").glob("*.pid"))


def doctor(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "doctor"],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_doctor_says_redis_does_not_answer(busy_port):
    # Something listens there, but it is not Redis: it never answers PING.
    result = doctor(REDIS_URL=f"redis://127.0.0.1:{busy_port}/0")
    assert result.returncode == 1
    assert "Redis unreachable" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def database_without_postgis():
    """A real database on the project's cluster, created from template0: no PostGIS in it."""
    s = connection.settings_dict
    name = f"qg_nopostgis_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"] or None, dbname="postgres",
        autocommit=True,
    )  # fmt: skip
    with admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        try:
            yield f"postgis://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_doctor_says_the_postgis_extension_is_missing(database_without_postgis):
    result = doctor(DATABASE_URL=database_without_postgis)
    assert result.returncode == 1
    assert "the PostGIS extension is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_test_run_that_collects_nothing_fails_with_a_sentence(tmp_path):
    result = run_script("pytest.sh", "-q", "-k", "no_test_has_this_name", "hq/tests/test_health.py", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "pytest n'a exécuté aucun test (code 5)" in result.stderr


def test_make_reports_a_bad_setting_in_one_sentence():
    result = subprocess.run(
        [sys.executable, "scripts/check_settings.py"],
        cwd=ROOT, env={**os.environ, "DEBUG": "peut-être"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "configuration : DEBUG must be true or false, not 'peut-être'." in result.stderr
    assert "Traceback" not in result.stderr
