"""Demo rides for `make run` (issue 11: the demo has missions and rides in Finistère).

Called after the demo missions and sign-ups exist (hq/demo.py, missions' part): for each
open, future mission of the Finistère federation, each confirmed participant whose profile
says where they live either offers the seats of their car from home (car owners) or asks
for a seat from home (everyone else), an hour before the start; then QG matches them
(hq.ride_services.rides_match). Idempotent: a participant who already has a ride keeps it.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hq.models import ActivistProfile, Mission, MissionStatus, Ride, RideKind, SignupStatus, Transport
from hq.ride_services import rides_match

DEMO_DEPARTEMENT = "29"


@transaction.atomic
def demo_rides_load() -> list[str]:
    missions = Mission.objects.filter(
        federation__departement__code=DEMO_DEPARTEMENT, status=MissionStatus.OPEN, starts_at__gt=timezone.now()
    )
    created = matched = 0
    for mission in missions:
        profiles = ActivistProfile.objects.filter(
            user__mission_signups__mission=mission,
            user__mission_signups__status=SignupStatus.CONFIRMED,
            home_location__isnull=False,
        ).select_related("home_commune", "user")
        for profile in profiles:
            if Ride.objects.filter(mission=mission, user=profile.user).exists():
                continue
            drives = profile.transport == Transport.CAR
            Ride.objects.create(
                mission=mission,
                user=profile.user,
                kind=RideKind.OFFER if drives else RideKind.REQUEST,
                place=profile.home_commune.name if profile.home_commune_id else "Domicile",
                location=profile.home_location,
                leaves_at=mission.starts_at - timedelta(hours=1),
                latest_at=None if drives else mission.starts_at - timedelta(minutes=30),
                seats=(profile.car_seats or 3) if drives else 0,
                detour_km=15,
            )
            created += 1
        matched += rides_match(mission=mission)
    return [f"trajets de démo : {created} créés, {matched} passager(s) placé(s)."] if created else []
