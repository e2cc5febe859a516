"""Territory, priorities and missions of Finistère for the missions' tests (each test builds its own)."""

from datetime import timedelta

from django.contrib.gis.geos import Point
from django.utils import timezone

from circonscriptions.models import (
    Circonscription,
    Commune,
    Leaning,
    PollingStation,
    PollingStationProfile,
    ProfileRun,
)
from hq.models import ActivistProfile, Cause, Method, Mission, Skill

BREST = Point(-4.486, 48.390, srid=4326)
CARHAIX = Point(-3.573, 48.276, srid=4326)
QUIMPER = Point(-4.097, 47.996, srid=4326)


def finistere_place(departements) -> dict:
    dep = departements["29"]
    circo = Circonscription.objects.create(code="2906", departement=dep, number=6, name="6e circonscription")
    brest = Commune.objects.create(code="29019", name="Brest", departement=dep)
    carhaix = Commune.objects.create(code="29024", name="Carhaix-Plouguer", departement=dep)
    stations = {}
    for commune, code, point in (
        (carhaix, "1", CARHAIX),
        (carhaix, "2", Point(CARHAIX.x + 0.002, CARHAIX.y, srid=4326)),
        (carhaix, "3", Point(CARHAIX.x + 0.05, CARHAIX.y, srid=4326)),
        (brest, "1", BREST),
    ):
        stations[f"{commune.name}-{code}"] = PollingStation.objects.create(
            commune=commune, code=code, location=point, circonscription=circo, place=f"École {code}"
        )
    ProfileRun.objects.filter(is_current=True).update(is_current=False)
    run = ProfileRun.objects.create(status=ProfileRun.Status.SUCCEEDED, is_current=True)
    scores = {"Carhaix-Plouguer-1": 20.0, "Carhaix-Plouguer-2": 12.0, "Carhaix-Plouguer-3": 8.0, "Brest-1": 2.0}
    for rank, (key, score) in enumerate(sorted(scores.items(), key=lambda item: -item[1]), start=1):
        PollingStationProfile.objects.create(
            run=run,
            polling_station=stations[key],
            circonscription=circo,
            n_elections=2,
            first_year=2022,
            last_year=2024,
            leaning=Leaning.SWING if rank != 1 else Leaning.LEFT,
            confidence=0.9,
            abstention_hotspot=False,
            left_abstention_hotspot=rank == 1,
            priority_score=score,
            rank_circonscription=rank,
            rank_departement=rank,
        )
    return {"circonscription": circo, "brest": brest, "carhaix": carhaix, "stations": stations, "run": run}


def catalogue() -> dict:
    door, _ = Method.objects.get_or_create(
        slug="test-porte-a-porte", defaults={"name": "Porte-à-porte ciblé", "suits": ["swing"], "position": 0}
    )
    abstention, _ = Method.objects.get_or_create(
        slug="test-relance", defaults={"name": "Relance des abstentionnistes", "suits": ["abstention"], "position": 1}
    )
    nurse, _ = Skill.objects.get_or_create(slug="test-infirmiere", defaults={"name": "Infirmière"})
    teacher, _ = Skill.objects.get_or_create(slug="test-enseignant", defaults={"name": "Enseignant"})
    health, _ = Cause.objects.get_or_create(slug="test-sante", defaults={"name": "Santé"})
    return {"door": door, "abstention": abstention, "nurse": nurse, "teacher": teacher, "health": health}


def mission(federation, method, *, days: int = 3, hour: int = 10, capacity_max: int = 5, **fields) -> Mission:
    start = (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    stations = fields.pop("stations", [])
    skills = fields.pop("skills", [])
    fields.setdefault("title", "Porte-à-porte")
    fields.setdefault("location", CARHAIX)
    m = Mission.objects.create(
        federation=federation,
        method=method,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity_min=1,
        capacity_max=capacity_max,
        **fields,
    )
    m.polling_stations.set(stations)
    m.skills_wanted.set(skills)
    return m


def profile(user, *, home=BREST, skills=(), causes=(), availability=(), max_distance_km=100, **fields):
    p = ActivistProfile.objects.create(
        user=user,
        home_location=home,
        availability=list(availability),
        max_distance_km=max_distance_km,
        consent_text="J'accepte.",
        consent_at=timezone.now(),
        **fields,
    )
    p.skills.set(skills)
    p.causes.set(causes)
    return p
