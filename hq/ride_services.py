"""Rides to a mission: offering and asking (writes), matching and HQ's assignments, and the
transport sheet (reads). The matching rule itself is in hq/rides.py.

Who may do what:
- a member with a confirmed place on the mission offers seats or asks for one (their own row);
- federal HQ (write scope on the mission) runs the matching and assigns a rider to a driver;
- the transport sheet names people: it is shown to the mission's HQ (national, federal,
  secretary of its federation) and to the mission's own participants, nobody else.

A rider is « without a way to get there » when they have a confirmed place, do not drive
(no offer, no car in their profile), are not carried by a driver, and live farther from the
mission than the distance they said they would go by public transport, bike or on foot
(or QG does not know where they live: HQ should ask).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import Distance as Length
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from circonscriptions.models import CommuneShape
from hq.models import (
    ActivistProfile,
    Mission,
    MissionSignup,
    MissionStatus,
    Ride,
    RideKind,
    Role,
    SignupStatus,
    Transport,
    User,
)
from hq.rides import Driver, Rider, distance_km, match_rides
from hq.scoping import get_for_user, scope_for, scope_queryset

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

OUTSIDE_FRANCE = "Ce point de départ n'est pas en France : vérifiez la latitude et la longitude."
TOO_MANY_RIDERS = "Plus de passagers que de places : la voiture de {driver} a {seats} place(s), toutes prises."
NOT_A_PARTICIPANT = "Seuls les inscrits confirmés de la mission proposent ou demandent un trajet."

HQ_ROLES = (Role.NATIONAL_HQ, Role.FEDERAL_HQ, Role.SECRETARY)


def point_in_france(point: Point) -> bool:
    """A point is in France when it lies in one of the communes QG holds (their contours,
    loaded from the IGN's files): a point abroad, at sea or with latitude and longitude
    swapped lies in none."""
    return CommuneShape.objects.filter(geom__covers=point).exists()


# --- Access ---------------------------------------------------------------------------


def is_participant(user: User, mission: Mission) -> bool:
    return MissionSignup.objects.filter(mission=mission, user=user, status=SignupStatus.CONFIRMED).exists()


def mission_for_transport(user: User, pk: int) -> tuple[Mission, bool]:
    """(mission, user may manage its rides) for the transport sheet; 404 for anyone who is
    neither HQ in the mission's scope nor one of its confirmed participants."""
    qs = Mission.objects.select_related("method", "federation__departement")
    scope = scope_for(user)
    if scope.role in HQ_ROLES:
        mission = get_for_user(qs, user, pk=pk)
        return mission, scope_queryset(qs.filter(pk=pk), user, write=True).exists()
    found = qs.filter(pk=pk).first()
    if found is None or not (is_participant(user, found) or Ride.objects.filter(mission=found, user=user).exists()):
        raise Http404
    return found, False


# --- Writes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RideData:
    kind: str
    place: str
    location: Point
    leaves_at: datetime
    latest_at: datetime | None = None
    seats: int = 0
    detour_km: int = 10


def ride_save(*, mission: Mission, user: User, data: RideData) -> Ride:
    """Stores the member's offer or request for the mission (replacing their previous one).

    An offer whose new seat count is below the riders already assigned to it is refused;
    a changed request loses its driver (the driver's plan no longer holds)."""
    if not is_participant(user, mission):
        raise ValidationError({"kind": NOT_A_PARTICIPANT})
    if not point_in_france(data.location):
        raise ValidationError({"point": OUTSIDE_FRANCE})
    with transaction.atomic():
        ride = Ride.objects.select_for_update().filter(mission=mission, user=user).first()
        if ride is not None and ride.kind == RideKind.OFFER:
            carried = ride.passengers.count()
            if data.kind == RideKind.REQUEST and carried:
                raise ValidationError(
                    {"kind": f"{carried} passager(s) comptent sur votre voiture : prévenez le QG avant d'y renoncer."}
                )
            if data.kind == RideKind.OFFER and data.seats < carried:
                raise ValidationError(
                    {"seats": f"{carried} passagers sont déjà prévus : pas moins de {carried} places."}
                )
        if ride is None:
            ride = Ride(mission=mission, user=user)
        ride.kind = data.kind
        ride.place = data.place
        ride.location = data.location
        ride.leaves_at = data.leaves_at
        ride.latest_at = data.latest_at if data.kind == RideKind.REQUEST else None
        ride.seats = data.seats if data.kind == RideKind.OFFER else 0
        ride.detour_km = data.detour_km
        if data.kind == RideKind.OFFER or ride.pk is not None:
            ride.driver = None
            ride.assigned_by = None
        ride.save()
    return ride


def _seats_left(driver: Ride) -> int:
    return driver.seats - driver.passengers.count()


def ride_assign(*, mission: Mission, rider: User, driver: Ride, by: User) -> Ride:
    """Federal HQ puts `rider` in `driver`'s car. The offer's row is locked while its seats
    are counted: two assignments at once cannot both take its last seat."""
    if driver.mission_id != mission.pk or driver.kind != RideKind.OFFER:
        raise ValidationError({"driver": "Ce conducteur ne va pas à cette mission."})
    if not is_participant(rider, mission):
        raise ValidationError({"rider": "Cette personne n'est pas inscrite à la mission."})
    if rider.pk == driver.user_id:
        raise ValidationError({"rider": "Le conducteur est déjà dans sa voiture."})
    with transaction.atomic():
        locked = Ride.objects.select_for_update().get(pk=driver.pk)
        already = Ride.objects.filter(mission=mission, user=rider, driver=locked).first()
        if already is not None:
            # The same assignment sent twice (a double tap): the rider keeps their seat, no error.
            return already
        if _seats_left(locked) <= 0:
            raise ValidationError({"driver": TOO_MANY_RIDERS.format(driver=locked.user, seats=locked.seats)})
        ride = Ride.objects.select_for_update().filter(mission=mission, user=rider).first()
        if ride is not None and ride.kind == RideKind.OFFER:
            raise ValidationError({"rider": "Cette personne conduit elle-même."})
        if ride is None:
            profile = ActivistProfile.objects.filter(user=rider).select_related("home_commune").first()
            ride = Ride(
                mission=mission,
                user=rider,
                kind=RideKind.REQUEST,
                place=str(profile.home_commune) if profile and profile.home_commune_id else locked.place,
                location=(profile.home_location if profile and profile.home_location else locked.location),
                leaves_at=locked.leaves_at,
            )
        ride.driver = locked
        ride.assigned_by = by
        ride.save()
    return ride


def rides_match(*, mission: Mission) -> int:
    """Matches the mission's waiting requests to its offers' free seats (hq.rides rule);
    returns how many riders got a seat. Offers are locked for the whole step."""
    with transaction.atomic():
        offers = list(Ride.objects.select_for_update().filter(mission=mission, kind=RideKind.OFFER).order_by("pk"))
        carried = dict(
            Ride.objects.filter(mission=mission, driver__isnull=False)
            .values("driver_id")
            .annotate(n=Count("pk"))
            .values_list("driver_id", "n")
        )
        requests = list(Ride.objects.filter(mission=mission, kind=RideKind.REQUEST, driver__isnull=True))
        pickups = match_rides(
            [Driver(o.pk, o.location.x, o.location.y, o.leaves_at, o.seats, o.detour_km) for o in offers],
            [Rider(r.pk, r.location.x, r.location.y, r.leaves_at, r.latest_at) for r in requests],
            seats_taken=carried,
        )
        by_driver: dict[int, list[int]] = {}
        for p in pickups:
            by_driver.setdefault(p.driver_id, []).append(p.rider_id)
        for driver_id, rider_ids in by_driver.items():
            Ride.objects.filter(pk__in=rider_ids).update(driver_id=driver_id, assigned_by=None)
    return len(pickups)


# --- Reads ----------------------------------------------------------------------------


class _PickupDistance(TypedDict):
    pickup_m: Length  # a passenger has a driver, so a pick-up distance


def transport_sheet(mission: Mission) -> dict:
    """Who picks up whom, where and when; the requests still waiting; who has no way there."""
    rides = list(
        Ride.objects.filter(mission=mission)
        .select_related("user")
        .annotate(pickup_m=Distance("location", "driver__location"))
        .order_by("leaves_at", "pk")
    )
    offers = [r for r in rides if r.kind == RideKind.OFFER]
    passengers: dict[int, list[WithAnnotations[Ride, _PickupDistance]]] = {o.pk: [] for o in offers}
    waiting = []
    for r in rides:
        if r.kind == RideKind.REQUEST:
            if r.driver_id in passengers:
                passengers[r.driver_id].append(r)
            else:
                waiting.append(r)
    cars = [
        {
            "offer": o,
            "passengers": sorted(passengers[o.pk], key=lambda r: r.pickup_m.m if r.pickup_m else 0),
            "free": o.seats - len(passengers[o.pk]),
        }
        for o in offers
    ]
    return {"cars": cars, "waiting": waiting, "stranded": stranded(mission)}


def stranded(mission: Mission) -> list[dict]:
    """The confirmed participants with no way to get there (rule in the module docstring), with the reason."""
    covered = Ride.objects.filter(mission=mission).filter(Q(kind=RideKind.OFFER) | Q(driver__isnull=False))
    users = (
        User.objects.filter(mission_signups__mission=mission, mission_signups__status=SignupStatus.CONFIRMED)
        .exclude(pk__in=covered.values("user_id"))
        .select_related("activist_profile")
        .order_by("full_name", "email")
    )
    where = mission.location or mission.meeting_location
    result = []
    for user in users:
        profile = getattr(user, "activist_profile", None)
        if profile is not None and profile.transport == Transport.CAR:
            continue
        if profile is None or profile.home_location is None:
            result.append({"user": user, "reason": "Domicile inconnu : demandez-lui comment il ou elle vient."})
            continue
        if where is None:
            continue
        km = _km(profile.home_location, where)
        if km > profile.max_distance_km:
            how = profile.get_transport_display()
            result.append(
                {"user": user, "reason": f"À {km:.0f} km, sans voiture ({how}, {profile.max_distance_km} km au plus)."}
            )
    return result


def _km(a: Point, b: Point) -> float:
    return distance_km(a.x, a.y, b.x, b.y)


def transport_overview(user: User, *, limit: int = 50) -> dict:
    """The « Transport » page of the menu: the missions to come whose transport sheet `user`
    may open, with how many seats are offered and how many riders still wait for one.

    `mine`: (mission, ride) for the missions they have a confirmed place on, with their own ride
    (None when they have not said how they come). `hq`: for HQ (national, federal, secretary), the open missions
    to come in their scope, soonest first."""
    now = timezone.now()
    counts = {
        "offers": Count("rides", filter=Q(rides__kind=RideKind.OFFER), distinct=True),
        "waiting": Count("rides", filter=Q(rides__kind=RideKind.REQUEST, rides__driver__isnull=True), distinct=True),
    }
    upcoming = Mission.objects.filter(ends_at__gte=now, status=MissionStatus.OPEN).order_by("starts_at", "pk")
    mine = list(
        upcoming.filter(signups__user=user, signups__status=SignupStatus.CONFIRMED)
        .select_related("federation")
        .annotate(**counts)[:limit]
    )
    rides = {
        r.mission_id: r
        for r in Ride.objects.filter(user=user, mission__in=[m.pk for m in mine]).select_related("driver__user")
    }
    hq = []
    if scope_for(user).role in HQ_ROLES:
        hq = list(scope_queryset(upcoming, user).select_related("federation").annotate(**counts)[:limit])
    return {"mine": [(mission, rides.get(mission.pk)) for mission in mine], "hq": hq}
