"""« Missions pour moi »: which open missions fit an activist best, and why, in words.

The fit of a mission for an activist is a product of five factors (1 = neutral):

- skills: the mission asks for skills and the activist has one of them → × 2 (« vous êtes
  infirmière : campagne pour l'hôpital de Carhaix »); it asks for skills they lack → × 0.8;
  it asks for none → × 1;
- causes: the mission's theme is a cause the activist follows → × 1.5;
- priority of the place: from the bureaux of the mission in the current profile run, the
  best `priority_score` (votes won for the left by the run's hours of door-to-door) s gives
  × (1 + s / (s + 5)): a bureau worth 5 votes counts × 1.5, the best ones tend to × 2; a
  mission at a point without bureaux counts × 1. The reason names the bureau's rank in its
  circonscription (« bureau prioritaire n° 3 de la circonscription »);
- distance: d km from the activist's home to the place (PostGIS, on the sphere), within the
  distance D they said they would travel, gives × (1 − d / 2D): next door counts × 1, at
  the limit of their radius × 0.5. Within the radius they chose, distance costs at most
  half: a nurse's hospital campaign 70 km away still beats an ordinary canvass next door.
  Missions beyond D are not proposed at all. Without a home on the map, distance does not
  count;
- availability: the slot (weekday evening from 18:00, weekday daytime, Saturday, Sunday,
  Paris time) is one the activist said they are free → × 1; otherwise × 0.4 (still shown:
  people make exceptions). An activist who gave no availability is free for all.

A mission is « outside your section » when none of its bureaux is in the section's communes
(for a mission at a point, when the point is in none of their contours). A full mission
(waiting list only) counts half. Missions outside the activist's section,
and those of another federation opened to outside volunteers, are ranked like the others:
the founding text wants activists sent where they are most useful.

Everything but `candidate_missions` is a pure function of plain values: tests and the
bench check the arithmetic without a database.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.measure import D
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from circonscriptions.models import CommuneShape, PollingStation, PollingStationProfile
from hq.models import ActivistProfile, Availability, Membership, Mission, MissionSignup, MissionStatus

PARIS = ZoneInfo("Europe/Paris")
SKILL_MATCH = 2.0
SKILL_MISSING = 0.8
CAUSE_MATCH = 1.5
PRIORITY_HALF_VOTES = 5.0
OUT_OF_AVAILABILITY = 0.4
FULL = 0.5
# How far ahead « Missions pour moi » looks.
HORIZON_DAYS = 60

SLOT_WORDS = {
    Availability.WEEKDAY_EVENING: "un soir de semaine",
    Availability.WEEKDAY_DAY: "un jour de semaine",
    Availability.SATURDAY: "un samedi",
    Availability.SUNDAY: "un dimanche",
}


@dataclass(frozen=True)
class ActivistFacts:
    skills: dict[int, str] = field(default_factory=dict)  # id → name
    causes: set[int] = field(default_factory=set)
    availability: frozenset[str] = frozenset()
    federation_id: int | None = None
    section_commune_ids: frozenset[int] = frozenset()
    has_home: bool = False
    max_distance_km: float = 20.0


@dataclass(frozen=True)
class MissionFacts:
    id: int
    title: str
    federation_id: int
    federation_name: str
    starts_at: datetime
    cause_id: int | None = None
    cause_name: str = ""
    skill_ids: tuple[int, ...] = ()
    distance_m: float | None = None
    priority_score: float | None = None
    priority_rank: int | None = None
    commune_ids: tuple[int, ...] = ()
    full: bool = False


@dataclass(frozen=True)
class Recommendation:
    mission_id: int
    score: float
    reasons: tuple[str, ...]
    outside_section: bool
    distance_km: float | None


def slot_kind(starts_at: datetime) -> str:
    """Weekday evening (from 18:00), weekday daytime, Saturday or Sunday, in Paris time."""
    local = starts_at.astimezone(PARIS)
    if local.weekday() == 5:
        return Availability.SATURDAY
    if local.weekday() == 6:
        return Availability.SUNDAY
    return Availability.WEEKDAY_EVENING if local.hour >= 18 else Availability.WEEKDAY_DAY


def _skill_word(name: str) -> str:
    return name[:1].lower() + name[1:]


def recommend(mission: MissionFacts, activist: ActivistFacts) -> Recommendation:
    """The fit of one mission for one activist, with its reasons (see the module docstring)."""
    score = 1.0
    reasons: list[str] = []

    if mission.skill_ids:
        matched = [activist.skills[s] for s in mission.skill_ids if s in activist.skills]
        if matched:
            score *= SKILL_MATCH
            reasons.append(f"vous êtes {_skill_word(matched[0])} : {mission.title}")
        else:
            score *= SKILL_MISSING

    if mission.cause_id is not None and mission.cause_id in activist.causes:
        score *= CAUSE_MATCH
        reasons.append(f"vous suivez la cause « {mission.cause_name} »")

    if mission.priority_score is not None:
        votes = max(mission.priority_score, 0.0)
        score *= 1 + votes / (votes + PRIORITY_HALF_VOTES)
        if mission.priority_rank is not None:
            reasons.append(f"bureau prioritaire n° {mission.priority_rank} de la circonscription")

    distance_km = None
    if mission.distance_m is not None and activist.has_home:
        distance_km = mission.distance_m / 1000
        score *= 1 - 0.5 * min(distance_km / max(activist.max_distance_km, 1), 1)
        reasons.append("près de chez vous" if distance_km < 1 else f"à {distance_km:.0f} km de chez vous")

    kind = slot_kind(mission.starts_at)
    if activist.availability and kind not in activist.availability:
        score *= OUT_OF_AVAILABILITY
        reasons.append(f"{SLOT_WORDS[kind]}, en dehors de vos disponibilités")
    elif activist.availability:
        reasons.append(f"{SLOT_WORDS[kind]}, quand vous êtes disponible")

    if mission.full:
        score *= FULL
        reasons.append("complet : vous serez sur la liste d'attente")

    if activist.federation_id is not None and mission.federation_id != activist.federation_id:
        reasons.append(f"mission de la {mission.federation_name}, ouverte aux volontaires d'ailleurs")

    outside = bool(mission.commune_ids) and not set(mission.commune_ids) & activist.section_commune_ids
    return Recommendation(
        mission_id=mission.id,
        score=round(score, 4),
        reasons=tuple(reasons),
        outside_section=outside,
        distance_km=distance_km,
    )


def rank(missions: list[MissionFacts], activist: ActivistFacts, *, limit: int = 20) -> list[Recommendation]:
    """The `limit` best missions, best first; ties go to the earliest (smaller id)."""
    recommendations = [recommend(mission, activist) for mission in missions]
    recommendations.sort(key=lambda r: (-r.score, r.mission_id))
    return recommendations[:limit]


def activist_facts(profile: ActivistProfile | None, membership: Membership | None) -> ActivistFacts:
    if profile is None:
        return ActivistFacts(federation_id=membership.federation_id if membership else None)
    section = profile.home_section or (membership.section if membership else None)
    return ActivistFacts(
        skills={skill.pk: skill.name for skill in profile.skills.all()},
        causes={cause.pk for cause in profile.causes.all()},
        availability=frozenset(profile.availability),
        federation_id=membership.federation_id if membership else None,
        section_commune_ids=frozenset(section.communes.values_list("pk", flat=True)) if section else frozenset(),
        has_home=profile.home_location is not None,
        max_distance_km=profile.max_distance_km,
    )


def candidate_missions(
    *, federation_id: int | None, home=None, max_distance_km: int | None = None, user_id: int | None = None
) -> list[MissionFacts]:
    """The one query: open missions of the coming weeks that the activist may join, with their facts.

    Scoping: missions of the activist's federation and missions of other federations opened to
    outside volunteers. Missions they already signed up to (and not cancelled) are left out:
    they are on their page already. With a home, only missions within their distance.
    """
    now = timezone.now()
    current = PollingStationProfile.objects.filter(
        run__is_current=True, polling_station__missions=OuterRef("pk"), priority_score__isnull=False
    ).order_by("-priority_score")
    qs = Mission.objects.filter(
        Q(federation_id=federation_id) | Q(open_to_other_federations=True),
        status=MissionStatus.OPEN,
        starts_at__gt=now,
        starts_at__lt=now + timedelta(days=HORIZON_DAYS),
    )
    if user_id is not None:
        qs = qs.exclude(
            pk__in=MissionSignup.objects.filter(user_id=user_id).exclude(status="cancelled").values("mission_id")
        )
    if home is not None:
        qs = qs.annotate(distance=Distance("location", home))
        if max_distance_km:
            qs = qs.filter(location__dwithin=(home, D(km=max_distance_km)))
    qs = qs.annotate(
        skill_ids=ArraySubquery(
            Mission.skills_wanted.through.objects.filter(mission_id=OuterRef("pk")).values("skill_id")
        ),
        commune_ids=ArraySubquery(
            PollingStation.objects.filter(missions=OuterRef("pk")).values("commune_id").distinct()
        ),
        best_score=Subquery(current.values("priority_score")[:1]),
        best_rank=Subquery(current.values("rank_circonscription")[:1]),
    )
    fields = [
        "pk",
        "title",
        "federation_id",
        "federation__name",
        "starts_at",
        "cause_id",
        "cause__name",
        "skill_ids",
        "commune_ids",
        "best_score",
        "best_rank",
        "seats_taken",
        "capacity_max",
    ]
    if home is not None:
        fields.append("distance")
    return [
        MissionFacts(
            id=row["pk"],
            title=row["title"],
            federation_id=row["federation_id"],
            federation_name=row["federation__name"],
            starts_at=row["starts_at"],
            cause_id=row["cause_id"],
            cause_name=row["cause__name"] or "",
            skill_ids=tuple(row["skill_ids"] or ()),
            commune_ids=tuple(row["commune_ids"] or ()),
            distance_m=row["distance"].m if home is not None and row["distance"] is not None else None,
            priority_score=row["best_score"],
            priority_rank=row["best_rank"],
            full=row["seats_taken"] >= row["capacity_max"],
        )
        for row in qs.values(*fields)
    ]


def missions_for(user, *, limit: int = 20) -> list[tuple[Recommendation, MissionFacts]]:
    """The best missions for `user`, with their facts, best first."""
    membership = Membership.objects.select_related("section").filter(user=user).first()
    profile = (
        ActivistProfile.objects.select_related("home_section")
        .prefetch_related("skills", "causes")
        .filter(user=user)
        .first()
    )
    facts = activist_facts(profile, membership)
    home = profile.home_location if profile else None
    candidates = candidate_missions(
        federation_id=membership.federation_id if membership else None,
        home=home,
        max_distance_km=profile.max_distance_km if profile else None,
        user_id=user.pk,
    )
    by_id = {mission.id: mission for mission in candidates}
    best = rank(candidates, facts, limit=limit)
    at_points = [rec.mission_id for rec in best if not by_id[rec.mission_id].commune_ids]
    if at_points and facts.section_commune_ids:
        inside = _inside_communes(at_points, facts.section_commune_ids)
        best = [
            replace(rec, outside_section=rec.mission_id not in inside) if rec.mission_id in at_points else rec
            for rec in best
        ]
    return [(rec, by_id[rec.mission_id]) for rec in best]


def _inside_communes(mission_ids: list[int], commune_ids: frozenset[int]) -> set[int]:
    """Of missions placed at a point (no bureaux), those whose point lies in one of these communes."""
    shapes = CommuneShape.objects.filter(
        commune_id__in=commune_ids,
        geom__intersects=Cast(OuterRef("location"), output_field=PointField(srid=4326)),
    )
    return set(Mission.objects.filter(pk__in=mission_ids).filter(Exists(shapes)).values_list("pk", flat=True))
