"""Missions benchmark: « Missions pour moi » at federation scale, and simultaneous sign-ups.

Run: .venv/bin/python bench/run.py missions

It uses its own database (QG_BENCH_MISSIONS_DB, default qg_bench_missions), dropped and
created afresh: the dev database and the test databases are not touched.

The generated federation (seeded, the same every run): 2,000 polling stations with a
current profile run (priority scores and ranks), 10,000 open missions in the coming 50
days scattered over a 100 km × 100 km square of Finistère (70 % on one or two bureaux, 30 %
asking for a skill, half with a cause), and 50,000 activists with a home in the same square,
two skills, two causes, some availability and a travel radius of 10, 20, 30 or 50 km.

1. recommend_p95_ms: `hq.matching.missions_for(user)` (the one query, the scoring in Python,
   the ranking) for QG_BENCH_MISSIONS_RUNS (200) activists drawn at random; 95th percentile
   of wall time. bare_query_p95_ms, in the same run over the same activists: one bare SQL
   query returning the same candidate rows (open missions of the coming 60 days of the
   federation or open to others, within the activist's radius, with the distance, both on
   the sphere as hq.matching measures them), without
   skills, priorities or scoring: the floor any ranking pays. recommend_cpu_p95_ms is the
   CPU time of this process alone for the same calls (the Python side: building the
   queries, reading 20 rows, explaining them), less sensitive to the other work of a shared
   machine than wall time (`load_before`, `load_after`).
2. concurrent_confirmed / concurrent_waiting: 200 threads, each with its own database
   connection, sign 200 different activists up to one mission of capacity 20 at the same
   moment (a barrier releases them together) through `hq.missions.signup_create`. The
   cluster accepts 100 connections shared with other work: at most
   QG_BENCH_MISSIONS_CONNECTIONS (60) threads hold a connection at once, the others wait
   their turn, so that the race is real but no sign-up fails for want of a connection.
"""

import os
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCH_DB = os.environ.get("QG_BENCH_MISSIONS_DB", "qg_bench_missions")
RUNS = int(os.environ.get("QG_BENCH_MISSIONS_RUNS", "200"))
CONNECTIONS = int(os.environ.get("QG_BENCH_MISSIONS_CONNECTIONS", "60"))
ACTIVISTS = 50_000
MISSIONS = 10_000
STATIONS = 2_000
BATCH = 5_000
# A 100 km × 100 km square of Finistère (longitude, latitude).
WEST, SOUTH, EAST, NORTH = -4.75, 47.85, -3.40, 48.75


def say(name: str, value, unit: str) -> None:
    print(f"bench missions {name} {value} {unit}", flush=True)


def note(text: str) -> None:
    print(f"# missions: {text}", file=sys.stderr, flush=True)


def _use_fresh_database() -> str:
    return fresh_database(BENCH_DB)


def _point(rng: random.Random):
    from django.contrib.gis.geos import Point

    return Point(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), srid=4326)


def _generate(rng: random.Random) -> dict:
    from django.utils import timezone

    from circonscriptions.models import (
        Circonscription,
        Commune,
        Departement,
        Leaning,
        PollingStation,
        PollingStationProfile,
        ProfileRun,
    )
    from hq.models import (
        ActivistProfile,
        Availability,
        Cause,
        Federation,
        Membership,
        Method,
        Mission,
        Role,
        Skill,
        Transport,
        User,
    )

    started = time.perf_counter()
    dep, _ = Departement.objects.get_or_create(code="29", defaults={"name": "Finistère"})
    federation, _ = Federation.objects.get_or_create(departement=dep, defaults={"name": "Fédération du Finistère"})
    other_dep, _ = Departement.objects.get_or_create(code="22", defaults={"name": "Côtes-d'Armor"})
    other, _ = Federation.objects.get_or_create(
        departement=other_dep, defaults={"name": "Fédération des Côtes-d'Armor"}
    )
    circos = [
        Circonscription.objects.create(code=f"29{n:02d}", departement=dep, number=n, name=f"{n}e circonscription")
        for n in range(1, 9)
    ]
    communes = Commune.objects.bulk_create(
        Commune(code=f"29{n:03d}", name=f"Commune {n}", departement=dep) for n in range(1, 201)
    )
    stations = PollingStation.objects.bulk_create(
        PollingStation(
            commune=communes[i % len(communes)],
            code=str(i // len(communes) + 1),
            location=_point(rng),
            circonscription=circos[i % len(circos)],
        )
        for i in range(STATIONS)
    )
    run = ProfileRun.objects.create(status=ProfileRun.Status.SUCCEEDED, is_current=True)
    scores = sorted(((rng.uniform(0, 30), s) for s in stations), key=lambda item: -item[0])
    ranks: dict[int, int] = {}
    rows = []
    for score, station in scores:
        ranks[station.circonscription_id] = ranks.get(station.circonscription_id, 0) + 1
        rows.append(
            PollingStationProfile(
                run=run,
                polling_station=station,
                circonscription_id=station.circonscription_id,
                n_elections=3,
                first_year=2019,
                last_year=2024,
                leaning=rng.choice(list(Leaning.values)),
                confidence=0.8,
                abstention_hotspot=False,
                left_abstention_hotspot=False,
                priority_score=score,
                rank_circonscription=ranks[station.circonscription_id],
            )
        )
    PollingStationProfile.objects.bulk_create(rows, batch_size=BATCH)

    skills = list(Skill.objects.all())
    causes = list(Cause.objects.all())
    methods = list(Method.objects.all())
    now = timezone.now()
    missions = []
    for first in range(0, MISSIONS, BATCH):
        missions += Mission.objects.bulk_create(
            Mission(
                federation=federation if i % 20 else other,
                open_to_other_federations=i % 40 == 0,
                method=methods[i % len(methods)],
                title=f"Mission {i}",
                cause=causes[i % len(causes)] if i % 2 else None,
                location=_point(rng),
                starts_at=(start := now + timedelta(hours=rng.randint(2, 50 * 24))),
                ends_at=start + timedelta(hours=2),
                capacity_min=2,
                capacity_max=8,
            )
            for i in range(first, min(MISSIONS, first + BATCH))
        )
    Mission.polling_stations.through.objects.bulk_create(
        (
            Mission.polling_stations.through(mission_id=m.pk, pollingstation_id=station.pk)
            for i, m in enumerate(missions)
            if i % 10 < 7
            for station in rng.sample(stations, 1 + i % 2)
        ),
        batch_size=BATCH,
    )
    Mission.skills_wanted.through.objects.bulk_create(
        (
            Mission.skills_wanted.through(mission_id=m.pk, skill_id=rng.choice(skills).pk)
            for i, m in enumerate(missions)
            if i % 10 < 3
        ),
        batch_size=BATCH,
    )

    kinds = list(Availability.values)
    users = []
    for first in range(0, ACTIVISTS, BATCH):
        users += User.objects.bulk_create(
            User(email=f"militant{i}@bench.example", full_name=f"Militant {i}", password="!")  # noqa: S106
            for i in range(first, min(ACTIVISTS, first + BATCH))
        )
    Membership.objects.bulk_create(
        (
            Membership(user=u, role=Role.ACTIVIST, federation=federation, consent_text="ok", consent_at=now)
            for u in users
        ),
        batch_size=BATCH,
    )
    profiles = ActivistProfile.objects.bulk_create(
        (
            ActivistProfile(
                user=u,
                home_location=_point(rng),
                availability=rng.sample(kinds, rng.randint(1, 3)),
                transport=rng.choice(list(Transport.values)),
                max_distance_km=rng.choice([10, 20, 30, 50]),
                consent_text="ok",
                consent_at=now,
            )
            for u in users
        ),
        batch_size=BATCH,
    )
    ActivistProfile.skills.through.objects.bulk_create(
        (
            ActivistProfile.skills.through(activistprofile_id=p.pk, skill_id=s.pk)
            for p in profiles
            for s in rng.sample(skills, 2)
        ),
        batch_size=BATCH,
    )
    ActivistProfile.causes.through.objects.bulk_create(
        (
            ActivistProfile.causes.through(activistprofile_id=p.pk, cause_id=c.pk)
            for p in profiles
            for c in rng.sample(causes, 2)
        ),
        batch_size=BATCH,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    note(f"generated {MISSIONS} missions, {ACTIVISTS} activists in {time.perf_counter() - started:.0f} s")
    return {"federation": federation, "users": users, "methods": methods}


def _p95(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20)[-1], 1)


BARE_SQL = """
SELECT m.id, m.title, m.starts_at, ST_Distance(m.location, %(home)s::geography, false) AS distance
FROM hq_mission m
WHERE (m.federation_id = %(federation)s OR m.open_to_other_federations)
  AND m.status = 'open' AND m.starts_at > now() AND m.starts_at < now() + interval '60 days'
  AND ST_DWithin(m.location, %(home)s::geography, %(metres)s, false)
"""


def _recommendations(data: dict, rng: random.Random) -> None:
    from django.db import connection

    from hq.matching import missions_for
    from hq.models import ActivistProfile

    chosen = rng.sample(data["users"], RUNS)
    profiles = {
        p.user_id: p
        for p in ActivistProfile.objects.filter(user__in=chosen).only("user_id", "home_location", "max_distance_km")
    }
    sizes = []
    with connection.cursor() as cursor:
        for user in chosen[:10]:  # warm the caches of both paths alike
            missions_for(user)
            p = profiles[user.pk]
            cursor.execute(
                BARE_SQL,
                {"home": p.home_location.ewkt, "federation": data["federation"].pk, "metres": p.max_distance_km * 1000},
            )
            cursor.fetchall()
        ranked, bare, ranked_cpu = [], [], []
        # Alternate the two in pairs so that both see the same load of the shared machine.
        for user in chosen:
            p = profiles[user.pk]
            t0, c0 = time.perf_counter(), time.process_time()
            results = missions_for(user)
            ranked.append((time.perf_counter() - t0) * 1000)
            ranked_cpu.append((time.process_time() - c0) * 1000)
            t0 = time.perf_counter()
            cursor.execute(
                BARE_SQL,
                {"home": p.home_location.ewkt, "federation": data["federation"].pk, "metres": p.max_distance_km * 1000},
            )
            rows = cursor.fetchall()
            bare.append((time.perf_counter() - t0) * 1000)
            sizes.append(len(rows))
            assert len(results) == min(20, len(rows)), (len(results), len(rows))
    say("recommend_p95_ms", _p95(ranked), "ms")
    say("recommend_median_ms", round(statistics.median(ranked), 1), "ms")
    say("recommend_cpu_p95_ms", _p95(ranked_cpu), "ms")
    say("bare_query_p95_ms", _p95(bare), "ms")
    say("bare_query_median_ms", round(statistics.median(bare), 1), "ms")
    say("candidates_median", int(statistics.median(sizes)), "missions")


def _concurrent_signups(data: dict) -> None:
    from django.db import connection
    from django.utils import timezone

    from hq.missions import signup_create
    from hq.models import Mission, MissionSignup

    start = timezone.now() + timedelta(days=3)
    mission = Mission.objects.create(
        federation=data["federation"],
        method=data["methods"][0],
        title="Mission de capacité 20",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity_min=2,
        capacity_max=20,
    )
    users = data["users"][:200]
    barrier = threading.Barrier(len(users))
    slots = threading.Semaphore(CONNECTIONS)
    errors: list[str] = []

    def sign_up(user) -> None:
        barrier.wait()
        with slots:
            try:
                signup_create(mission=mission, user=user)
            except Exception as error:  # noqa: BLE001 — counted and printed below
                errors.append(f"{error.__class__.__name__}: {error}")
            finally:
                connection.close()

    threads = [threading.Thread(target=sign_up, args=(u,)) for u in users]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    mission.refresh_from_db()
    signups = MissionSignup.objects.filter(mission=mission)
    say("concurrent_confirmed", signups.filter(status="confirmed").count(), "")
    say("concurrent_waiting", signups.filter(status="waiting").count(), "")
    say("concurrent_errors", len(errors), "")
    say("concurrent_seats_taken", mission.seats_taken, "")
    say("concurrent_total_s", round(elapsed, 2), "s")
    if errors:
        note("; ".join(errors[:3]))


def main() -> None:
    say("load_before", round(os.getloadavg()[0], 2), "")
    original = _use_fresh_database()
    from django.conf import settings
    from django.db import connections

    settings.QG_MFA_REQUIRED_ROLES = []
    try:
        rng = random.Random(11)  # noqa: S311 — generated data, not secrets
        data = _generate(rng)
        _recommendations(data, rng)
        _concurrent_signups(data)
        say("load_after", round(os.getloadavg()[0], 2), "")
    finally:
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = original


if __name__ == "__main__":
    main()
