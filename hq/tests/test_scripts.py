"""Misconfigurations that `make run` / `make test` meet give one sentence, not a stack trace."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
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


def _recipe(target: str) -> list[str]:
    """The recipe lines of one Makefile target (read, not run: `make -n` would run $(MAKE) lines)."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"{target}:")))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_make_run_serves_with_gunicorn_and_make_dev_with_the_reloading_server(tmp_path):
    assert _recipe("run")[-1].endswith("&& scripts/serve.sh")
    assert _recipe("dev")[-1].endswith("&& scripts/serve.sh dev")
    assert any("collectstatic --noinput" in line for line in _recipe("setup"))

    served = run_script("serve.sh", "web-command", tmp_path=tmp_path, QG_PORT="8123")
    assert served.returncode == 0, served.stderr
    argv = served.stdout.split()
    assert Path(argv[0]).name == "gunicorn"
    assert argv[argv.index("--config") + 1] == str(ROOT / "gunicorn.conf.py")
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[-1] == "config.wsgi"

    dev = run_script("serve.sh", "web-command", "dev", tmp_path=tmp_path, QG_PORT="8123")
    assert dev.stdout.split()[1:] == ["manage.py", "runserver", "127.0.0.1:8123"]  # auto-reload: no --noreload


def test_gunicorn_runs_several_workers_with_a_request_timeout():
    env = {k: v for k, v in os.environ.items() if k not in ("WEB_CONCURRENCY", "GUNICORN_TIMEOUT")}
    code = "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); print(json.dumps([c['workers'], c['timeout']]))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    workers, timeout = json.loads(result.stdout)
    assert workers >= 3
    assert 0 < timeout <= 120


def test_make_runs_web_server_serves_collected_static_files_through_whitenoise(tmp_path, django_db_setup):
    """The command `make run` serves with, started for real: gunicorn, and a hashed static file from STATIC_ROOT."""
    from django.conf import settings
    from django.db import connection

    s = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "QG_STATE_DIR": str(tmp_path / "state"),
        "QG_PORT": str(port),
        "QG_SERVE_COLLECTED_STATIC": "true",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"postgis://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "WEB_CONCURRENCY": "2",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    # A file only in STATIC_ROOT: found if, as in production, the files come from there.
    (tmp_path / "static" / "only-collected.txt").write_text("collecté")
    argv = run_script("serve.sh", "web-command", tmp_path=tmp_path, QG_PORT=str(port)).stdout.split()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/qg.css"]
        assert hashed != "css/qg.css"
        # Collected with hashed names and compressed copies, served compressed to who accepts it.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/static/{hashed}", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — local URL
            assert response.status == 200
            assert response.headers["Content-Encoding"] == "gzip"
        # Served from STATIC_ROOT, not from the source folders.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/only-collected.txt", timeout=10) as response:  # noqa: S310
            assert response.read().decode() == "collecté"
    finally:
        process.terminate()
        process.wait(timeout=40)


def test_serve_stop_ends_make_devs_reloading_server_and_frees_its_port(tmp_path, django_db_setup):
    """runserver serves from a child process of the reloader whose pid is recorded."""
    from django.db import connection

    s = connection.settings_dict
    port = free_port()
    argv = run_script("serve.sh", "web-command", "dev", tmp_path=tmp_path, QG_PORT=str(port)).stdout.split()
    env = {**os.environ, "DATABASE_URL": f"postgis://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"}
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (tmp_path / "state" / "run").mkdir(parents=True, exist_ok=True)
    (tmp_path / "state" / "run" / "web.pid").write_text(str(process.pid))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "runserver did not start"
                time.sleep(0.2)
        assert run_script("serve.sh", "stop", tmp_path=tmp_path).returncode == 0
        process.wait(timeout=15)
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) != 0:
                    break
            assert time.monotonic() < deadline, "the reloaded server still holds the port"
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            process.kill()
