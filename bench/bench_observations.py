"""Observations benchmark: concurrent logged-in submissions of the phone form under gunicorn.

Run: .venv/bin/python bench/run.py observations

What it does, on its own database (QG_BENCH_OBSERVATIONS_DB, default
qg_bench_observations, dropped and created afresh: neither the dev database nor a
test database is touched):
1. creates a commune with four polling stations and QG_BENCH_OBS_USERS activists,
   each with a session in the database (as after logging in) and a CSRF cookie;
2. serves QG with gunicorn (the project's gunicorn.conf.py, 4 workers, bound to
   127.0.0.1 on a free port; worker recycling off during the measure, so that a
   worker restart does not land in the window);
3. drives it with wrk (Debian package) from 127.0.0.1: QG_BENCH_OBS_CONNECTIONS
   connections, for at most QG_BENCH_OBS_SECONDS seconds and at most
   QG_BENCH_OBS_REQUESTS requests. Each request is the form a phone sends (the same
   fields as the page, with a new idempotency key, JSON answer), from a random one of
   the logged-in activists;
4. compares the keys of the successful answers with the rows stored: `lost` counts
   successful answers whose observation is not in PostgreSQL (must be 0);
   `unacknowledged` counts rows stored for requests still in flight when wrk stopped
   (their answer was never read: not a loss);
5. before that, serves and drives the same way the issue's reference — a minimal
   Django view validating an 8-field form and saving one row, without session, log-in
   or CSRF — so that `ratio_to_reference` compares both under the same load — and
   the same view behind session, log-in and CSRF (`reference_login_per_s`), to tell
   what the session costs from what the observation form costs; `cpu_ratio_to_reference`
   compares the server CPU per request of both (the reference's ÷ the submission's), a
   figure that the other loads of a shared machine shift much less than the rates;
6. times bare single-row INSERTs (autocommit, 4 connections like the 4 workers) into
   a copy of the observations table on the same database: `insert_ratio` is the
   submissions' rate divided by that rate.

The machine is shared (other processes may be using the two cores): the figures say
so with `load_before`, the 1-minute load average when the measure started, and
`cpu_ms_per_submission` (CPU time of the gunicorn workers and of their PostgreSQL
backends per request) gives `cpu_bound_capacity_per_s`, the rate the cores would allow
if the server had them to itself (the load tool's own CPU not counted).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCH_DB = os.environ.get("QG_BENCH_OBSERVATIONS_DB", "qg_bench_observations")
USERS = int(os.environ.get("QG_BENCH_OBS_USERS", "200"))
CONNECTIONS = int(os.environ.get("QG_BENCH_OBS_CONNECTIONS", "8"))
SECONDS = int(os.environ.get("QG_BENCH_OBS_SECONDS", "15"))
MAX_REQUESTS = int(os.environ.get("QG_BENCH_OBS_REQUESTS", "20000"))
WORKERS = 4
THREADS = 2
CSRF = "benchCsrfSecret0123456789abcdefX"  # 32 letters and digits, the format of Django's CSRF secret

LUA = r"""
-- One POST per request: a random logged-in activist, a new idempotency key.
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local sessions, keys, failures, body, quota, answered = {}, nil, nil, nil, 0, 0

function init(args)
  local dir = args[1]
  quota = tonumber(args[2])
  for line in io.lines(dir .. "/sessions.txt") do sessions[#sessions + 1] = line end
  body = io.open(dir .. "/body.txt"):read("*a")
  keys = io.open(dir .. "/keys-" .. id .. ".txt", "w")
  keys:setvbuf("no")
  failures = io.open(dir .. "/failures-" .. id .. ".txt", "w")
  failures:setvbuf("no")
  math.randomseed(os.time() * 1000 + id * 7919)
end

local function r16() return math.random(0, 0xffff) end

local function uuid4()
  return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x",
    r16(), r16(), r16(), math.random(0, 0xfff), 0x8000 + math.random(0, 0x3fff), r16(), r16(), r16())
end

function request()
  local headers = {
    ["Cookie"] = "sessionid=" .. sessions[math.random(#sessions)] .. "; csrftoken=@CSRF@",
    ["X-CSRFToken"] = "@CSRF@",
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  local filled = body:gsub("KEYKEY", uuid4())
  return wrk.format("POST", "/observations/nouvelle/", headers, filled)
end

function response(status, headers, text)
  answered = answered + 1
  if status == 200 or status == 201 then
    keys:write(text:match('"key": "([%x%-]+)"') or "?", "\n")
  else
    failures:write(status, " ", (text:sub(1, 200):gsub("\n", " ")), "\n")
  end
  if answered >= quota then wrk.thread:stop() end
end

function done(summary, latency, requests)
  io.write(string.format("wrk requests %d\n", summary.requests))
  io.write(string.format("wrk duration_us %d\n", summary.duration))
  io.write(string.format("wrk status_errors %d\n", summary.errors.status))
  io.write(string.format("wrk socket_errors %d\n",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("wrk p50_us %d\n", latency:percentile(50)))
  io.write(string.format("wrk p99_us %d\n", latency:percentile(99)))
  io.write(string.format("wrk max_us %d\n", latency.max))
end
""".replace("@CSRF@", CSRF)


def say(name: str, value, unit: str) -> None:
    print(f"bench observations {name} {value} {unit}", flush=True)


def note(text: str) -> None:
    print(f"# observations: {text}", file=sys.stderr, flush=True)


def _use_fresh_database() -> dict:
    """Point Django at a newly created, migrated bench database; returns its connection parameters."""
    from django.db import connections

    fresh_database(BENCH_DB)
    return {**connections["default"].get_connection_params(), "dbname": BENCH_DB}


def _people_and_place(workdir: Path) -> None:
    """Activists with sessions, a commune with stations; writes sessions.txt and body.txt."""
    from urllib.parse import urlencode

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from circonscriptions.models import Circonscription, Commune, Departement, PollingStation
    from hq.models import Cause, Federation, Membership, Method, Role, User

    dept = Departement.objects.create(code="29", name="Finistère")
    circo = Circonscription.objects.create(code="2902", departement=dept, number=2, name="2e circonscription")
    commune = Commune.objects.create(code="29019", name="Brest", departement=dept)
    commune.circonscriptions.add(circo)
    stations = [
        PollingStation.objects.create(commune=commune, code=str(n), name=f"École {n}", circonscription=circo)
        for n in range(1, 5)
    ]
    federation = Federation.objects.create(departement=dept, name="Fédération du Finistère")
    # An unusable password: nobody logs in with these accounts, their sessions are made here.
    users = User.objects.bulk_create(
        [User(email=f"bench-{i}@example.org", full_name=f"Militant {i}", password="!bench") for i in range(USERS)]  # noqa: S106
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        [
            Membership(user=u, role=Role.ACTIVIST, federation=federation, consent_text="J'accepte.", consent_at=now)
            for u in users
        ]
    )
    keys = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    (workdir / "sessions.txt").write_text("\n".join(keys) + "\n")

    causes = {c.slug: c.pk for c in Cause.objects.all()}
    method = Method.objects.get(slug="porte-a-porte")
    fields = [
        ("idempotency_key", "KEYKEY"),
        ("action", "Porte-à-porte du samedi"),
        ("held_on", timezone.localdate().isoformat()),
        ("commune", commune.pk),
        ("polling_stations", stations[0].pk),
        ("method", method.pk),
        ("themes", causes["logement"]),
        ("themes", causes["services-publics"]),
        ("doors_knocked", 40),
        ("doors_opened", 18),
        ("conversations", 11),
        ("interested", 4),
        ("leaflets", 35),
        ("reaction", 4),
        ("reaction_text", "Accueil plutôt chaleureux dans les tours, méfiance dans les pavillons."),
        ("concerns", causes["sante"]),
        ("concerns_other", "fermeture du bureau de poste"),
        ("worked", "Commencer par la santé."),
        ("did_not_work", "Sonner après 20 h."),
        ("supporters-TOTAL_FORMS", 1),
        ("supporters-INITIAL_FORMS", 0),
        ("supporters-MIN_NUM_FORMS", 0),
        ("supporters-MAX_NUM_FORMS", 10),
        ("supporters-0-name", ""),
        ("supporters-0-phone", ""),
        ("supporters-0-email", ""),
    ]
    (workdir / "body.txt").write_text(urlencode(fields))


# --- The reference: the issue's "minimal Django view that validates an 8-field form and
# saves one row", served by the same gunicorn, middleware and database, without session,
# log-in, CSRF or scope. Measured in the same run, under the same load of the machine.

REFERENCE_TABLE = "bench_reference_row"
_reference_wsgi: dict = {}


def reference_app(environ, start_response):
    """gunicorn entry point (bench_observations:reference_app) of the reference server."""
    if "plain" not in _reference_wsgi:
        _reference_wsgi["plain"] = _reference_build(login=False)
    return _reference_wsgi["plain"](environ, start_response)


def reference_login_app(environ, start_response):
    """The same view behind the session, the log-in and the CSRF check that QG's form has."""
    if "login" not in _reference_wsgi:
        _reference_wsgi["login"] = _reference_build(login=True)
    return _reference_wsgi["login"](environ, start_response)


def _reference_build(*, login: bool):
    import types

    import django

    django.setup()
    from django import forms
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.http import JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    class ReferenceForm(forms.Form):
        idempotency_key = forms.UUIDField()
        held_on = forms.DateField()
        action = forms.CharField(max_length=200)
        doors_knocked = forms.IntegerField(min_value=0)
        doors_opened = forms.IntegerField(min_value=0)
        conversations = forms.IntegerField(min_value=0)
        interested = forms.IntegerField(min_value=0)
        worked = forms.CharField()

    @csrf_exempt
    def reference(request):
        form = ReferenceForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"ok": False, "errors": form.errors}, status=400)
        d = form.cleaned_data
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {REFERENCE_TABLE} (key, held_on, action, doors_knocked, doors_opened, "  # noqa: S608
                "conversations, interested, worked) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [d[name] for name in ReferenceForm.base_fields],
            )
        return JsonResponse({"ok": True, "key": str(d["idempotency_key"])}, status=201)

    from django.contrib.auth.decorators import login_required

    view = login_required(reference.__wrapped__) if login else reference  # __wrapped__: without csrf_exempt
    urls = types.ModuleType("bench_reference_urls")
    urls.urlpatterns = [path("observations/nouvelle/", view)]  # type: ignore[attr-defined]
    sys.modules["bench_reference_urls"] = urls
    settings.ROOT_URLCONF = "bench_reference_urls"
    return get_wsgi_application()


def _reference_table(db_params: dict) -> None:
    import psycopg

    with psycopg.connect(**db_params, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE {REFERENCE_TABLE} (id bigserial PRIMARY KEY, key uuid UNIQUE NOT NULL, held_on date, "
            "action varchar(200), doors_knocked int, doors_opened int, conversations int, interested int, worked text)"
        )


def _measure(server_app: str, port: int, db_params: dict, workdir: Path) -> dict:
    """Serves `server_app` with gunicorn, warms it up, drives it with wrk; stops it."""
    server = _gunicorn(port, db_params, workdir / f"gunicorn-{server_app.replace(':', '-')}.log", app=server_app)
    try:
        # Warm-up: every worker imports the code on its first request (3–5 s here, the
        # URLconf pulls in the whole project) and opens its database connection.
        _warm_up(port, workdir)
        run_stored_before = _stored(db_params, [])[1]
        load_before = os.getloadavg()[0]
        workers, backends = _server_pids(server, db_params)
        app_before, db_before = _cpu_seconds(workers), _cpu_seconds(backends)
        run = _wrk(port, workdir, connections=CONNECTIONS, seconds=SECONDS, max_requests=MAX_REQUESTS)
        run["app_cpu"] = _cpu_seconds(workers) - app_before
        run["db_cpu"] = _cpu_seconds(backends) - db_before
        run["load_before"] = load_before
        run["stored_before"] = run_stored_before
        return run
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gunicorn(port: int, db_params: dict, log: Path, app: str = "config.wsgi") -> subprocess.Popen:
    auth = db_params["user"] + (f":{db_params['password']}" if db_params.get("password") else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{auth}@{db_params['host']}:{db_params['port']}/{BENCH_DB}",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn), app, "-c", "gunicorn.conf.py", "--workers", str(WORKERS), "--pythonpath", str(ROOT / "bench"),
        "--bind", f"127.0.0.1:{port}", "--max-requests", "0", "--access-logfile", str(log.with_suffix(".access")),
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        raise RuntimeError("gunicorn did not listen after 60 s")
    return process


def _wrk(port: int, workdir: Path, *, connections: int, seconds: int, max_requests: int) -> dict:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian package wrk)")
    for old in workdir.glob("keys-*.txt"):
        old.unlink()
    for old in workdir.glob("failures-*.txt"):
        old.unlink()
    script = workdir / "submit.lua"
    script.write_text(LUA)
    threads = min(THREADS, connections)
    command = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
        f"http://127.0.0.1:{port}", "--", str(workdir), str(max_requests // threads),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    figures = {k: int(v) for k, v in re.findall(r"^wrk (\w+) (\d+)$", output, re.MULTILINE)}
    keys = [line for f in workdir.glob("keys-*.txt") for line in f.read_text().split()]
    failures = [line for f in workdir.glob("failures-*.txt") for line in f.read_text().splitlines()]
    return {**figures, "keys": keys, "failures": failures}


def _warm_up(port: int, workdir: Path) -> None:
    """Sends the form from 2×WORKERS threads until each got 5 answers, so that every worker
    has loaded the project before the measure (the first answer may take seconds)."""
    import urllib.request
    import uuid

    sessions = (workdir / "sessions.txt").read_text().split()
    body = (workdir / "body.txt").read_text()
    errors: list[str] = []

    def send(n: int) -> None:
        for _ in range(5):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/observations/nouvelle/",
                data=body.replace("KEYKEY", str(uuid.uuid4())).encode(),
                headers={
                    "Cookie": f"sessionid={sessions[n]}; csrftoken={CSRF}",
                    "X-CSRFToken": CSRF,
                    "Accept": "application/json",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (127.0.0.1)
                    response.read()
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(repr(exc))
                return

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2 * WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"warm-up failed: {errors[:3]}")


def _bare_insert_rate(db_params: dict, seconds: float = 3.0) -> float:
    """Single-row INSERTs, autocommit, from 4 connections at once, into a copy of the table."""
    import uuid

    import psycopg

    with psycopg.connect(**db_params, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_observation")
        conn.execute(
            "CREATE TABLE bench_bare_observation "
            "(LIKE observations_observation INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"
        )
        conn.execute("ALTER TABLE bench_bare_observation ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        template = conn.execute(
            "SELECT departement_id, commune_id, circonscription_id, method_id, filed_by_id "
            "FROM observations_observation LIMIT 1"
        ).fetchone()
    counts = [0] * WORKERS
    stop = time.monotonic() + seconds
    sql = (
        "INSERT INTO bench_bare_observation (idempotency_key, filed_by_id, created_at, action, held_on, "
        "departement_id, commune_id, circonscription_id, method_id, doors_knocked, doors_opened, conversations, "
        "interested, leaflets, reaction, reaction_text, concerns_other, worked, did_not_work) "
        "VALUES (%s, %s, now(), 'Porte-à-porte', current_date, %s, %s, %s, %s, 40, 18, 11, 4, 35, 4, "
        "'Accueil chaleureux.', '{}', 'La santé.', 'Après 20 h.')"
    )
    dept, commune, circo, method, user = template

    def insert(n: int) -> None:
        with psycopg.connect(**db_params, autocommit=True) as conn:
            while time.monotonic() < stop:
                conn.execute(sql, (uuid.uuid4(), user, dept, commune, circo, method))
                counts[n] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=insert, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    with psycopg.connect(**db_params, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_bare_observation")
    return sum(counts) / elapsed


def _server_pids(server: subprocess.Popen, db_params: dict) -> tuple[list[int], list[int]]:
    """(gunicorn's workers, the PostgreSQL backends serving them: persistent connections)."""
    import psutil
    import psycopg

    workers = [p.pid for p in psutil.Process(server.pid).children()]
    with psycopg.connect(**db_params) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (BENCH_DB,)
        ).fetchall()
    return workers, [pid for (pid,) in rows]


def _cpu_seconds(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _stored(db_params: dict, keys: list[str]) -> tuple[int, int]:
    """(rows whose key had a successful answer, all rows)."""
    import psycopg

    with psycopg.connect(**db_params) as conn:
        acked = conn.execute(
            "SELECT count(*) FROM observations_observation WHERE idempotency_key::text = ANY(%s)", (keys,)
        ).fetchone()[0]
        total = conn.execute("SELECT count(*) FROM observations_observation").fetchone()[0]
    return acked, total


def main() -> None:
    db_params = _use_fresh_database()
    from django.db import connections

    workdir = Path(tempfile.mkdtemp(prefix="qg-bench-observations-"))
    try:
        _people_and_place(workdir)
        connections["default"].close()
        _reference_table(db_params)
        reference = _measure("bench_observations:reference_app", _free_port(), db_params, workdir)
        reference_login = _measure("bench_observations:reference_login_app", _free_port(), db_params, workdir)
        run = _measure("config.wsgi", _free_port(), db_params, workdir)
        before = run["stored_before"]
        load_before = run["load_before"]
        app_cpu, db_cpu = run["app_cpu"], run["db_cpu"]
        acked, total = _stored(db_params, run["keys"])
        successes = len(run["keys"])
        stored_in_run = total - before
        seconds = run["duration_us"] / 1e6
        rate = successes / seconds
        insert_rate = _bare_insert_rate(db_params)
        if run["failures"]:
            note(f"{len(run['failures'])} failed answers, e.g. {run['failures'][:3]}")
        note(
            f"{WORKERS} gunicorn workers, wrk {min(THREADS, CONNECTIONS)} threads × {CONNECTIONS} connections, "
            f"{seconds:.1f} s, {USERS} activists; load average before: {load_before:.2f} on {os.cpu_count()} cores"
        )
        reference_rate = len(reference["keys"]) / (reference["duration_us"] / 1e6)
        say("reference_per_s", round(reference_rate, 1), "req/s")
        say("reference_p99_ms", round(reference["p99_us"] / 1000, 1), "ms")
        say("reference_load_before", round(reference["load_before"], 2), "load")
        for name, measured in (("reference", reference), ("reference_login", reference_login)):
            per_request = 1000 / max(1, measured["requests"])
            say(f"{name}_cpu_ms_app", round(measured["app_cpu"] * per_request, 2), "ms")
            say(f"{name}_cpu_ms_db", round(measured["db_cpu"] * per_request, 2), "ms")
        # The goal (issue 12): submitted_per_s ≥ 0.3 × the reference of this run, p99 ≤ 150 ms, 0 lost.
        say("ratio_to_reference", round(rate / reference_rate, 3), "ratio")
        # The same comparison in CPU per request (server side): what each costs the cores,
        # whatever else the shared machine runs during one measure and not the other.
        reference_cpu = (reference["app_cpu"] + reference["db_cpu"]) / max(1, reference["requests"])
        run_cpu = (run["app_cpu"] + run["db_cpu"]) / max(1, run["requests"])
        say("cpu_ratio_to_reference", round(reference_cpu / run_cpu, 3) if run_cpu else 0, "ratio")
        login_rate = len(reference_login["keys"]) / (reference_login["duration_us"] / 1e6)
        say("reference_login_per_s", round(login_rate, 1), "req/s")
        say("reference_login_p99_ms", round(reference_login["p99_us"] / 1000, 1), "ms")
        say("ratio_to_reference_login", round(rate / login_rate, 3), "ratio")
        say("connections", CONNECTIONS, "connections")
        say("load_before", round(load_before, 2), "load")
        say("requests", run["requests"], "requests")
        say("successes", successes, "responses")
        say("failed", run["status_errors"] + run["socket_errors"], "responses")
        say("submitted_per_s", round(rate, 1), "obs/s")
        say("p50_ms", round(run["p50_us"] / 1000, 1), "ms")
        say("p99_ms", round(run["p99_us"] / 1000, 1), "ms")
        say("max_ms", round(run["max_us"] / 1000, 1), "ms")
        say("stored", stored_in_run, "rows")
        say("lost", successes - acked, "observations")
        say("unacknowledged", stored_in_run - acked, "rows")
        # CPU time of the server side (gunicorn workers + their PostgreSQL backends) per
        # submission: what the two cores cost per observation, whatever else runs on them.
        requests = max(1, run["requests"])
        cpu_ms = 1000 * (app_cpu + db_cpu) / requests
        say("cpu_ms_per_submission", round(cpu_ms, 2), "ms")
        say("cpu_ms_app", round(1000 * app_cpu / requests, 2), "ms")
        say("cpu_ms_db", round(1000 * db_cpu / requests, 2), "ms")
        say("cpu_bound_capacity_per_s", round(1000 * (os.cpu_count() or 1) / cpu_ms, 1), "obs/s")
        say("bare_insert_per_s", round(insert_rate, 1), "rows/s")
        say("insert_ratio", round(rate / insert_rate, 3), "ratio")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
