"""Ride matching benchmark (issue 11, item 5): 2,000 riders and 500 drivers to one mission.

Run: .venv/bin/python bench/run.py rides

It uses its own database (QG_BENCH_RIDES_DB, default qg_bench_rides), dropped and created
afresh: the dev database and the test databases are not touched.

The federation-scale set: 500 drivers (1 to 4 seats, detours of 5, 10 or 20 km, leaving
between 7:00 and 9:00) and 2,000 riders (ready between 6:30 and 9:00, half of them with a
latest time), spread at random (fixed seed) over Finistère's extent, all for one mission.

1. ride_matching_s: `rides_match` (hq/ride_services.py), the service behind HQ's button: it
   locks the offers, reads the requests, runs the rule of hq/rides.py (a grid of cells as
   wide as the largest detour, nearest pick-up first) and writes every rider's driver.
   Median of QG_BENCH_RIDES_RUNS (5) runs, each on the same rows with the drivers cleared.
2. Baselines, same run, same rows:
   - all_pairs_matrix_s: the same rule over the full 2,000 × 500 distance matrix in Python
     (hq.rides.match_rides_all_pairs), on the rows already read;
   - bare_knn_query_s: the bare nearest-neighbour query PostgreSQL answers for the same
     rows — for every rider, its nearest driver (`ORDER BY location <-> rider LIMIT 1`,
     geography distance) — without seats, windows or writes.
   `pickups` is how many riders got a seat (the rule's result, identical in 1 and 2).
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCH_DB = os.environ.get("QG_BENCH_RIDES_DB", "qg_bench_rides")
RUNS = int(os.environ.get("QG_BENCH_RIDES_RUNS", "5"))
DRIVERS = 500
RIDERS = 2000


def say(name: str, value, unit: str) -> None:
    print(f"bench missions {name} {value} {unit}", flush=True)


def _use_fresh_database() -> str:
    return fresh_database(BENCH_DB)


def _data():
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from circonscriptions.models import Departement
    from hq.models import Federation, Membership, Method, Mission, MissionSignup, Ride, RideKind, Role, User

    dep, _ = Departement.objects.get_or_create(code="29", defaults={"name": "Finistère"})
    federation, _ = Federation.objects.get_or_create(departement=dep, defaults={"name": "Fédération du Finistère"})
    method, _ = Method.objects.get_or_create(slug="porte-a-porte", defaults={"name": "Porte-à-porte"})
    day = (timezone.now() + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    mission = Mission.objects.create(
        federation=federation,
        method=method,
        title="Journée de campagne",
        starts_at=day,
        ends_at=day + timedelta(hours=4),
        capacity_max=3000,
        location=Point(-4.1, 48.2, srid=4326),
    )
    users = User.objects.bulk_create(User(email=f"r{i}@bench.example.org") for i in range(DRIVERS + RIDERS))
    Membership.objects.bulk_create(
        Membership(user=u, role=Role.ACTIVIST, federation=federation, consent_text="Oui", consent_at=timezone.now())
        for u in users
    )
    MissionSignup.objects.bulk_create(MissionSignup(mission=mission, user=u, status="confirmed") for u in users)
    rng = random.Random(11)

    def where():
        return Point(rng.uniform(-4.8, -3.4), rng.uniform(47.7, 48.75), srid=4326)

    rides = []
    for i, user in enumerate(users):
        if i < DRIVERS:
            rides.append(
                Ride(
                    mission=mission, user=user, kind=RideKind.OFFER, place=f"Départ {i}", location=where(),
                    leaves_at=day - timedelta(minutes=rng.randint(60, 180)), seats=rng.randint(1, 4),
                    detour_km=rng.choice((5, 10, 20)),
                )
            )  # fmt: skip
        else:
            ready = day - timedelta(minutes=rng.randint(60, 210))
            rides.append(
                Ride(
                    mission=mission, user=user, kind=RideKind.REQUEST, place=f"Domicile {i}", location=where(),
                    leaves_at=ready, latest_at=ready + timedelta(minutes=90) if i % 2 else None,
                )
            )  # fmt: skip
    Ride.objects.bulk_create(rides, batch_size=1000)
    return mission


def _bare_knn(mission) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.id, (SELECT d.id FROM hq_ride d
                          WHERE d.mission_id = %s AND d.kind = 'offer'
                          ORDER BY d.location <-> r.location LIMIT 1)
            FROM hq_ride r WHERE r.mission_id = %s AND r.kind = 'request'
            """,
            [mission.pk, mission.pk],
        )
        cursor.fetchall()


def main() -> None:
    say("ride_load_before", round(os.getloadavg()[0], 2), "")
    original = _use_fresh_database()
    from django.conf import settings
    from django.db import connections

    settings.QG_MFA_REQUIRED_ROLES = []
    try:
        from hq.models import Ride, RideKind
        from hq.ride_services import rides_match
        from hq.rides import Driver, Rider, match_rides_all_pairs

        mission = _data()
        service, matrix, knn = [], [], []
        pickups = 0
        for _ in range(RUNS):
            Ride.objects.filter(mission=mission).update(driver=None)
            start = time.perf_counter()
            pickups = rides_match(mission=mission)
            service.append(time.perf_counter() - start)

            offers = list(Ride.objects.filter(mission=mission, kind=RideKind.OFFER))
            requests = list(Ride.objects.filter(mission=mission, kind=RideKind.REQUEST))
            drivers = [Driver(o.pk, o.location.x, o.location.y, o.leaves_at, o.seats, o.detour_km) for o in offers]
            riders = [Rider(r.pk, r.location.x, r.location.y, r.leaves_at, r.latest_at) for r in requests]
            start = time.perf_counter()
            baseline = match_rides_all_pairs(drivers, riders)
            matrix.append(time.perf_counter() - start)
            if len(baseline) != pickups:
                raise AssertionError(f"the grid gave {pickups} pick-ups, the full matrix {len(baseline)}")

            start = time.perf_counter()
            _bare_knn(mission)
            knn.append(time.perf_counter() - start)
        say("ride_matching_s", round(statistics.median(service), 3), "s")
        say("ride_all_pairs_matrix_s", round(statistics.median(matrix), 3), "s")
        say("ride_bare_knn_query_s", round(statistics.median(knn), 3), "s")
        say("ride_pickups", pickups, f"of {RIDERS} riders, {DRIVERS} drivers")
    finally:
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = original


if __name__ == "__main__":
    main()
