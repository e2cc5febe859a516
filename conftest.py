import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# that unless told it is safe (it is: one thread, one test at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts"


def pytest_sessionstart(session):
    # Importer tests read the real files; without them the run would end in a hundred
    # FileNotFoundErrors. Say it once, first.
    from django.conf import settings

    if not Path(settings.DATA_DIR).is_dir():
        pytest.exit(
            f"DATA_DIR={settings.DATA_DIR} n'existe pas : les tests lisent les fichiers officiels. "
            "Donnez le chemin du dossier des données partagées, p. ex. DATA_DIR=/chemin/vers/shared/data make test",
            returncode=4,
        )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher takes ~0.3 s per password by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_of_the_thread_restored():
    # A request with the English cookie activates English in the thread that served it,
    # which in tests is the test's own thread: each test starts and ends in QG's language.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _second_factor_not_required(settings):
    # HQ members must have a second factor (hq.middleware.SecondFactorRequiredMiddleware);
    # the tests of other features log HQ members in without one. The tests of the rule
    # itself put settings.QG_MFA_REQUIRED_ROLES back (hq/tests/test_second_factor.py).
    settings.QG_MFA_REQUIRED_ROLES = []


@pytest.fixture
def departements(db):
    """Finistère and Paris; they may already be there (a module's `territory` commits them)."""
    from circonscriptions.models import Departement

    return {
        code: Departement.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in (("29", "Finistère"), ("75", "Paris"))
    }


# --- Each test module builds its own data ---------------------------------------------
#
# Tests run in a shuffled order (pytest-randomly: the seed is printed at the top of the
# run, `--randomly-seed=N` replays it). So that no test depends on what ran before it:
# - a module that needs real data (the territory, Brest's bureaux, results and profiles)
#   loads it through `committed_data`, once for the module and committed, and the whole
#   database is emptied when the module ends: the next module starts from the
#   migrations' state, whatever it is;
# - a transactional test (browser, live server, real Celery worker) empties every table
#   when it ends, the migrations' seeds included (pytest-django's flush): the seeds are
#   put back at once, and the data its module committed before the next test that needs it.

_db_blocker = None
# The loaders this module committed (run again after a transactional test's flush).
_module_loaders: list[Callable[[], None]] = []


@pytest.fixture(scope="session", autouse=True)
def _remember_db_blocker(django_db_blocker):
    global _db_blocker
    _db_blocker = django_db_blocker


def seeds_put_back() -> None:
    """The rows the migrations seed (causes, methods, skills, their legal warnings), with
    the migrations' own functions: each fills only what is missing."""
    from django.apps import apps

    importlib.import_module("hq.migrations.0005_seed_causes_methods_skills").seed(apps, None)
    importlib.import_module("hq.migrations.0006_seed_methods").seed(apps, None)
    importlib.import_module("hq.migrations.0009_method_legal_warnings").apply(apps, None)
    # The rows come back with new ids: the observation form's per-process copy of the
    # catalogue must not offer the old ones.
    from observations.forms import catalogue_forget

    catalogue_forget()


def database_empty() -> None:
    """Every table emptied (Django's `flush`, as pytest-django does after a transactional
    test), then the migrations' seeds put back."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    seeds_put_back()


@pytest.fixture(scope="module")
def committed_data(django_db_setup, django_db_blocker):
    """`committed_data(load)` runs `load()` (an importer, say) once for this module, outside
    any test's transaction, so that every test of the module (and a live server or a Celery
    worker) sees its rows. When the module ends, the database is emptied again."""
    loaded: list[Callable[[], None]] = []

    def ensure(load: Callable[[], None]) -> None:
        if load in loaded:
            return
        with django_db_blocker.unblock():
            load()
        loaded.append(load)
        _module_loaders.append(load)

    yield ensure
    _module_loaders.clear()
    if loaded:
        with django_db_blocker.unblock():
            database_empty()


def _flushes_database(item) -> bool:
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and bool(marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    return by_marker or "transactional_db" in names or "live_server" in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # After every fixture of the test is torn down (pytest-django's flush included).
    result = yield
    # After the last test the session's fixtures are gone too (the test database with
    # them): there is nothing left to put back.
    if nextitem is not None and _db_blocker is not None and _flushes_database(item):
        with _db_blocker.unblock():
            seeds_put_back()
            same_module = nextitem is not None and getattr(nextitem, "module", None) is getattr(item, "module", None)
            if same_module and "committed_data" in getattr(nextitem, "fixturenames", ()):
                for load in list(_module_loaders):
                    load()
    return result


# --- A real Celery worker -------------------------------------------------------------

# Several test runs (and `make run`'s own worker) may share one Redis: every task this
# run sends goes to a queue of its own, which only the worker started below consumes.
TEST_QUEUE = f"qg-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session", autouse=True)
def _tasks_go_to_this_runs_queue():
    from config.celery import app

    app.conf.task_default_queue = TEST_QUEUE
    yield
    _forget_queue(TEST_QUEUE)


def _test_database_url() -> str:
    """The URL of the database this test run really uses (pytest-django renamed it)."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgis://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="module")
def celery_worker_queue(django_db_setup, tmp_path_factory):
    """Starts `celery -A config worker` on the project's Redis and the TEST database.

    Yields the name of the queue it consumes, this run's own (TEST_QUEUE): several test
    runs may share one Redis, and none may take another's tasks. Tasks sent by the tests
    go there by default; `task.apply_async(..., queue=celery_worker_queue)` says it outright.
    """
    queue = TEST_QUEUE
    # Tasks that earlier tests sent when no worker was listening (an import's recompute,
    # sent after its commit) would run first, on this module's data: the worker starts
    # with an empty queue, whatever ran before.
    _forget_queue(queue)
    logfile = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    celery = Path(sys.executable).with_name("celery")
    # --pool=solo: one process, so SIGTERM stops everything and nothing outlives the test.
    # No gossip/mingle: the worker does not talk to the other workers on the same Redis.
    process = subprocess.Popen(
        [str(celery), "-A", "config", "worker", "--pool=solo", "-Q", queue, "-n", f"{queue}@%h",
         "--without-gossip", "--without-mingle", "--loglevel=INFO", f"--logfile={logfile}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 45
        while True:
            log = logfile.read_text(errors="replace") if logfile.exists() else ""
            if " ready." in log:
                break
            if process.poll() is not None:
                stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
                pytest.fail(f"the Celery worker exited ({process.returncode}) before it was ready:\n{stderr}\n{log}")
            if time.monotonic() > deadline:
                pytest.fail(f"the Celery worker was not ready after 45 s; its log:\n{log}")
            time.sleep(0.2)
        yield queue
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
        _forget_queue(queue)


def _forget_queue(queue: str) -> None:
    """Removes the routing keys kombu left in Redis for a queue nobody will use again."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    except redis.RedisError:
        pass  # Redis is down (a test of that, or the end of the world): nothing to tidy.


# --- Browser tests: Debian's chromium through Playwright ------------------------------

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # chromium refuses to run as root otherwise
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium, driven by Playwright (never `playwright install`: offline machine)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: scripts/setup.sh installs the Debian package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(request, chromium, live_server):
    """A fresh browser context per test; `request.param` may give a viewport (width, height)."""
    width, height = getattr(request, "param", None) or (1280, 800)
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}, locale="fr-FR"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Every browser test also checks that QG's Content-Security-Policy refused nothing the
    # page needed (an inline script or style, an outside resource): chromium says so on the console.
    page.csp_violations = []
    page.on(
        "console",
        lambda message: page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_.[]" else "_" for c in request.node.name)
        page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)
    context.close()
    if report is not None and report.passed and not getattr(request.node, "csp_violations_expected", False):
        assert not page.csp_violations, f"the Content-Security-Policy refused: {page.csp_violations}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item, so that the `page` fixture knows at
    # teardown whether the test failed and a screenshot is worth taking.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
