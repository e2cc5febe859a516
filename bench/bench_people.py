"""People's data benchmark: the audit log's cost on the people-to-mobilise page, and the
retention purge on 100,000 sympathisers.

Run: .venv/bin/python bench/run.py people

It uses its own database (QG_BENCH_PEOPLE_DB, default qg_bench_people), dropped and
created afresh: the dev database and the test databases are not touched.

1. audit_overhead_pct: a federation with QG_BENCH_PEOPLE_OBSERVATIONS observations, each
   with 3 of 150 activists and 2 of 400 sympathisers; its federal HQ reads « Personnes à
   mobiliser » (/observations/participants/, every participant listed) through Django's test
   client in this process, QG_BENCH_PEOPLE_RUNS (100) times with the audit entry written
   and as many times with the write replaced by nothing, in pairs whose order alternates
   (same run, same data, same warm caches). The figure is (median with − median without) /
   median without, in wall time; `audit_overhead_cpu_pct` is the same in this process's
   CPU time, less sensitive to the other work of a shared machine (`load_before`).
2. free_text_attack_ms: the hostile report of issue 10 (texts of 102,000 and 60,000
   letters) posted by an activist, refused in French; `valid_report_ms`, the same report
   with ordinary texts, stored (same run).
3. purge_100k_s: 100,000 sympathisers whose consent is 4 years old, each a participant of
   an observation; `personal_data_purge` (the service of the command and the beat task)
   deletes them with their links and logs the run. Baseline, on the same rows created
   again: the two bare DELETE statements (links, then rows) in one transaction
   (`bare_delete_100k_s`).
"""

import os
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCH_DB = os.environ.get("QG_BENCH_PEOPLE_DB", "qg_bench_people")
OBSERVATIONS = int(os.environ.get("QG_BENCH_PEOPLE_OBSERVATIONS", "300"))
RUNS = int(os.environ.get("QG_BENCH_PEOPLE_RUNS", "100"))
PURGE_SUPPORTERS = 100_000
BATCH = 10_000


def say(name: str, value, unit: str) -> None:
    print(f"bench people {name} {value} {unit}", flush=True)


def note(text: str) -> None:
    print(f"# people: {text}", file=sys.stderr, flush=True)


def _use_fresh_database() -> str:
    return fresh_database(BENCH_DB)


def _federation():
    from circonscriptions.models import Departement
    from hq.models import Federation, Method

    dep, _ = Departement.objects.get_or_create(code="29", defaults={"name": "Finistère"})
    federation, _ = Federation.objects.get_or_create(departement=dep, defaults={"name": "Fédération du Finistère"})
    method, _ = Method.objects.get_or_create(slug="porte-a-porte", defaults={"name": "Porte-à-porte"})
    return federation, method


def _observations(federation, method, n: int) -> list:
    from django.utils import timezone

    from observations.models import Observation

    today = timezone.localdate()
    return Observation.objects.bulk_create(
        Observation(
            idempotency_key=uuid.uuid4(),
            held_on=today - timedelta(days=i % 200),
            departement=federation.departement,
            method=method,
            reaction=3,
            doors_knocked=30,
            doors_opened=12,
            conversations=8,
            interested=2,
        )
        for i in range(n)
    )


def _supporters(federation, n: int, *, consent_at, start: int = 0) -> list:
    from hq.models import Supporter

    made = []
    for first in range(0, n, BATCH):
        made += Supporter.objects.bulk_create(
            Supporter(
                name=f"Sympathisant {start + i}",
                email=f"s{start + i}@example.org",
                federation=federation,
                consent_text="J'accepte d'être recontacté.",
                consent_at=consent_at,
            )
            for i in range(first, min(n, first + BATCH))
        )
    return made


def _audit_overhead() -> None:
    from django.test import Client
    from django.utils import timezone

    import hq.audit
    from hq.models import AuditEntry, Membership, Role, User
    from observations.models import Observation

    federation, method = _federation()
    observations = _observations(federation, method, OBSERVATIONS)
    activists = []
    for i in range(150):
        user = User.objects.create_user(f"militant{i}@example.org", None, full_name=f"Militant {i}")
        Membership.objects.create(
            user=user, role=Role.ACTIVIST, federation=federation, consent_text="ok", consent_at=timezone.now()
        )
        activists.append(user)
    supporters = _supporters(federation, 400, consent_at=timezone.now())
    Observation.activists.through.objects.bulk_create(
        Observation.activists.through(observation_id=o.pk, user_id=activists[(i * 3 + k) % 150].pk)
        for i, o in enumerate(observations)
        for k in range(3)
    )
    Observation.supporters.through.objects.bulk_create(
        Observation.supporters.through(observation_id=o.pk, supporter_id=supporters[(i * 2 + k) % 400].pk)
        for i, o in enumerate(observations)
        for k in range(2)
    )
    hq_user = User.objects.create_user("qg-federal@example.org", None, full_name="QG fédéral")
    Membership.objects.create(
        user=hq_user, role=Role.FEDERAL_HQ, federation=federation, consent_text="ok", consent_at=timezone.now()
    )
    client = Client()
    client.force_login(hq_user)
    url = "/observations/participants/"
    for _ in range(5):  # warm-up: templates, prepared statements, caches
        assert client.get(url).status_code == 200

    real_write = hq.audit.audit_write

    def no_write(**kwargs):
        return None

    timings = {"with": [], "without": []}
    cpu = {"with": [], "without": []}
    for n in range(RUNS):
        # A-B then B-A: neither way always follows the other (caches, the machine's other work).
        pair = [("with", real_write), ("without", no_write)]
        for name, write in pair if n % 2 == 0 else pair[::-1]:
            hq.audit.audit_write = write
            try:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                timings[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - started_cpu)
            finally:
                hq.audit.audit_write = real_write
            assert response.status_code == 200
    entries = AuditEntry.objects.filter(page="people to mobilise").count()
    assert entries == RUNS + 5, entries  # exactly one entry per audited request
    with_audit, without = timings["with"], timings["without"]
    page = response.content.decode()
    note(
        f"participants page: {OBSERVATIONS} observations, 150 activists and 400 sympathisers listed, "
        f"{len(page)} characters; {RUNS} requests each way, alternated"
    )
    m_with, m_without = statistics.median(with_audit), statistics.median(without)
    say("participants_ms_with_audit", round(1000 * m_with, 2), "ms")
    say("participants_ms_without_audit", round(1000 * m_without, 2), "ms")
    say("audit_overhead_pct", round(100 * (m_with - m_without) / m_without, 1), "%")
    # The same in CPU time of this process (Django's share; PostgreSQL's is not counted):
    # less sensitive to the machine's other work than wall time.
    c_with, c_without = statistics.median(cpu["with"]), statistics.median(cpu["without"])
    say("audit_overhead_cpu_pct", round(100 * (c_with - c_without) / c_without, 1), "%")


def _free_text_attack() -> None:
    """3. The hostile report of issue 10: a 102,000-letter « Ce qui a marché » (and 60,000 in
    « En quelques mots »), posted by an activist as the phone's script does. It must be refused
    with a French error at once (it once held a web thread for hours). Baseline, same run: the
    same report with ordinary texts, which is stored (`valid_report_ms`)."""
    from django.test import Client
    from django.utils import timezone

    from circonscriptions.models import Commune, PollingStation
    from hq.models import Membership, Role, User

    federation, method = _federation()
    commune, _ = Commune.objects.get_or_create(
        code="29019", defaults={"name": "Brest", "departement": federation.departement}
    )
    station, _ = PollingStation.objects.get_or_create(commune=commune, code="1")
    user = User.objects.create_user("militant-hostile@example.org", None, full_name="Militant")
    Membership.objects.create(
        user=user, role=Role.ACTIVIST, federation=federation, consent_text="ok", consent_at=timezone.now()
    )
    client = Client()
    client.force_login(user)

    def post(**texts) -> tuple[float, int]:
        data = {
            "idempotency_key": str(uuid.uuid4()),
            "held_on": timezone.localdate().isoformat(),
            "commune": str(commune.pk),
            "polling_stations": [str(station.pk)],
            "method": str(method.pk),
            "doors_knocked": "40",
            "doors_opened": "18",
            "conversations": "11",
            "reaction": "4",
            "supporters-TOTAL_FORMS": "0",
            "supporters-INITIAL_FORMS": "0",
            **texts,
        }
        started = time.perf_counter()
        response = client.post("/observations/nouvelle/", data, HTTP_ACCEPT="application/json")
        return time.perf_counter() - started, response.status_code

    for _ in range(3):  # warm-up
        post(worked="Commencer par la santé.")
    attack = [post(worked="a" * 102_000, reaction_text="b" * 60_000) for _ in range(20)]
    valid = [post(worked="Commencer par la santé.", reaction_text="Accueil chaleureux.") for _ in range(20)]
    assert {code for _s, code in attack} == {400} and {code for _s, code in valid} == {201}
    say("free_text_attack_ms", round(1000 * statistics.median(s for s, _c in attack), 1), "ms")
    say("valid_report_ms", round(1000 * statistics.median(s for s, _c in valid), 1), "ms")


def _purge() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from hq.models import Supporter
    from hq.retention import personal_data_purge
    from observations.models import Observation

    federation, method = _federation()
    old = timezone.now() - timedelta(days=4 * 366)
    observations = _observations(federation, method, 1000)
    through = Observation.supporters.through

    def expired_rows(start: int) -> None:
        started = time.perf_counter()
        made = _supporters(federation, PURGE_SUPPORTERS, consent_at=old, start=start)
        for first in range(0, len(made), BATCH):
            through.objects.bulk_create(
                through(observation_id=observations[i % 1000].pk, supporter_id=made[i].pk)
                for i in range(first, min(len(made), first + BATCH))
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE hq_supporter; ANALYZE observations_observation_supporters")
        note(f"{len(made)} expired sympathisers and their links created in {time.perf_counter() - started:.1f} s")

    kept = Supporter.objects.count()  # the 400 of the first part, consent of today: they stay
    expired_rows(0)
    started = time.perf_counter()
    run = personal_data_purge(trigger="bench")
    elapsed = time.perf_counter() - started
    assert run.supporters_deleted == PURGE_SUPPORTERS, run.supporters_deleted
    assert Supporter.objects.count() == kept
    say("purge_100k_s", round(elapsed, 2), "s")

    expired_rows(PURGE_SUPPORTERS)
    cutoff = timezone.now() - timedelta(days=3 * 366)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM observations_observation_supporters WHERE supporter_id IN "
            "(SELECT id FROM hq_supporter WHERE consent_at < %s)",
            [cutoff],
        )
        cursor.execute("DELETE FROM hq_supporter WHERE consent_at < %s", [cutoff])
        deleted = cursor.rowcount
    elapsed = time.perf_counter() - started
    assert deleted == PURGE_SUPPORTERS, deleted
    say("bare_delete_100k_s", round(elapsed, 2), "s")


def main() -> None:
    say("load_before", round(os.getloadavg()[0], 2), "")
    original = _use_fresh_database()
    from django.conf import settings
    from django.db import connections

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # bench accounts only
    # The bench HQ account logs in without a second factor: the figures are the pages' own cost
    # (the second-factor check is one cached query per session, the same in both runs).
    settings.QG_MFA_REQUIRED_ROLES = []
    try:
        _audit_overhead()
        _free_text_attack()
        _purge()
    finally:
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = original


if __name__ == "__main__":
    main()
