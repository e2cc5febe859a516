"""Who drives whom to a mission: matching riders to drivers' seats (pure computation).

The rule, in words an organiser can check:
- a rider can go with a driver when the driver's starting place is within the driver's
  accepted detour (`detour_km`, as the crow flies) of the rider's pick-up place, and the
  driver leaves inside the rider's window (between when they are ready and their latest
  time; a rider without a latest time waits up to RIDER_WINDOW after being ready);
- among every possible (rider, driver) pair, the nearest pick-ups are given first: the
  pair with the shortest pick-up distance is matched, then the next shortest among the
  riders and seats still free, and so on; a driver never takes more riders than seats;
- riders already carried (assigned by federal HQ) keep their seat and are not matched again.

Distances are great-circle distances on a sphere of the Earth's mean radius (haversine),
close enough to a road detour's order of magnitude for pairing; the transport sheet gives
the place in words and the time, and people call each other.

Candidates are found through a grid of cells as wide as the largest detour: a rider is
only compared with the drivers of their cell and the eight around it, so 2,000 riders
and 500 drivers spread over a federation cost far fewer than a million comparisons.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

EARTH_RADIUS_KM = 6371.0088
# A rider who gave no latest time accepts a driver leaving up to an hour after they are ready.
RIDER_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Driver:
    id: int
    lon: float
    lat: float
    leaves_at: datetime
    seats: int
    detour_km: float


@dataclass(frozen=True)
class Rider:
    id: int
    lon: float
    lat: float
    ready_at: datetime
    latest_at: datetime | None = None

    @property
    def window_end(self) -> datetime:
        return self.latest_at or self.ready_at + RIDER_WINDOW


@dataclass(frozen=True)
class Pickup:
    rider_id: int
    driver_id: int
    distance_km: float


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance between two WGS84 points, in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _fits(driver: Driver, rider: Rider) -> float | None:
    """The pick-up distance when `driver` can take `rider`, else None."""
    if not rider.ready_at <= driver.leaves_at <= rider.window_end:
        return None
    d = distance_km(driver.lon, driver.lat, rider.lon, rider.lat)
    return d if d <= driver.detour_km else None


def _greedy(pairs: list[tuple[float, int, int]], seats: dict[int, int]) -> list[Pickup]:
    """Nearest pick-up first: each pair in order of distance, while the rider waits and seats remain."""
    pairs.sort()
    carried: set[int] = set()
    pickups = []
    for d, rider_id, driver_id in pairs:
        if rider_id in carried or seats[driver_id] <= 0:
            continue
        seats[driver_id] -= 1
        carried.add(rider_id)
        pickups.append(Pickup(rider_id=rider_id, driver_id=driver_id, distance_km=round(d, 2)))
    return pickups


def match_rides(
    drivers: Iterable[Driver], riders: Iterable[Rider], *, seats_taken: dict[int, int] | None = None
) -> list[Pickup]:
    """The pick-ups of `riders` by `drivers` under the rule above (seats_taken: driver id → riders
    already assigned to them). Riders nobody can take are simply absent from the result."""
    drivers = [d for d in drivers if d.seats > 0]
    riders = list(riders)
    taken = seats_taken or {}
    seats = {d.id: d.seats - taken.get(d.id, 0) for d in drivers}
    if not drivers or not riders:
        return []
    # Cells of `cell` degrees of latitude; longitude degrees shrink with the cosine of the
    # latitude, so the cells are widened by the smallest cosine of the set (the safe side).
    cell = max(d.detour_km for d in drivers) / 111.0
    points: list[Driver | Rider] = [*drivers, *riders]
    cos_min = max(0.1, min(math.cos(math.radians(p.lat)) for p in points))
    cell_lon = cell / cos_min
    grid: dict[tuple[int, int], list[Driver]] = defaultdict(list)
    for d in drivers:
        grid[(math.floor(d.lon / cell_lon), math.floor(d.lat / cell))].append(d)
    pairs = []
    for r in riders:
        cx, cy = math.floor(r.lon / cell_lon), math.floor(r.lat / cell)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for d in grid.get((cx + dx, cy + dy), ()):
                    km = _fits(d, r)
                    if km is not None:
                        pairs.append((km, r.id, d.id))
    return _greedy(pairs, seats)


def match_rides_all_pairs(
    drivers: Iterable[Driver], riders: Iterable[Rider], *, seats_taken: dict[int, int] | None = None
) -> list[Pickup]:
    """The same rule over the full distance matrix (every rider against every driver): the
    bench's baseline, and the tests' check that the grid misses no pair."""
    drivers = [d for d in drivers if d.seats > 0]
    taken = seats_taken or {}
    seats = {d.id: d.seats - taken.get(d.id, 0) for d in drivers}
    pairs = []
    for r in riders:
        for d in drivers:
            km = _fits(d, r)
            if km is not None:
                pairs.append((km, r.id, d.id))
    return _greedy(pairs, seats)
