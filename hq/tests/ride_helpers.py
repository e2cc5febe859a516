"""Missions, sign-ups and places for the tests of rides, reports and campaigns (made with the ORM)."""

from datetime import timedelta

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from circonscriptions.models import Commune, CommuneShape
from hq.models import ActivistProfile, Method, Mission, MissionSignup, SignupStatus, Transport


def brest_commune(departement) -> Commune:
    """A commune whose contour covers Brest and its surroundings (a square of ~40 km)."""
    commune, _ = Commune.objects.get_or_create(code="29019", defaults={"name": "Brest", "departement": departement})
    CommuneShape.objects.get_or_create(
        commune=commune, defaults={"geom": MultiPolygon(Polygon.from_bbox((-4.8, 48.2, -4.2, 48.6)), srid=4326)}
    )
    return commune


def mission(federation, *, title: str = "Porte-à-porte à Bellevue", hours: int = 48, **fields) -> Mission:
    method, _ = Method.objects.get_or_create(slug="porte-a-porte", defaults={"name": "Porte-à-porte"})
    start = timezone.now() + timedelta(hours=hours)
    return Mission.objects.create(
        federation=federation,
        method=method,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity_max=20,
        location=Point(-4.49, 48.39, srid=4326),
        **fields,
    )


def confirm(mission_: Mission, *users) -> None:
    for user in users:
        MissionSignup.objects.create(mission=mission_, user=user, status=SignupStatus.CONFIRMED)
    Mission.objects.filter(pk=mission_.pk).update(seats_taken=mission_.signups.filter(status="confirmed").count())


def profile(user, *, lon: float, lat: float, transport: str = Transport.PUBLIC, max_km: int = 5) -> ActivistProfile:
    return ActivistProfile.objects.create(
        user=user,
        home_location=Point(lon, lat, srid=4326),
        transport=transport,
        max_distance_km=max_km,
        consent_text="J'accepte.",
        consent_at=timezone.now(),
    )
