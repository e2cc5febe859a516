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
- distance: d km from the activist's home to the place (PostGIS, great circle), within the
  distance D they said they would travel, gives × (1 − d / 2D): next door counts × 1, at
  the limit of their radius × 0.5. Within the radius they chose, distance costs at most
  half: a nurse's hospital campaign 70 km away still beats an ordinary canvass next door.
  Missions beyond D are not proposed at all. Without a home on the map, distance does not
  count;
- availability: the slot (weekday evening from 18:00, weekday daytime, Saturday, Sunday,
  Paris time) is one the activist said they are free → × 1; otherwise × 0.4 (still shown:
  people make exceptions). An activist who gave no availability is free for all.

Missions whose bureaux are all control bureaux of a running campaign experiment are never
proposed (hq.experiments: the effect is measured against bureaux nobody visited); the page
does not say so.

A mission is « outside your section » when none of its bureaux is in the section's communes
(for a mission at a point, when the point is in none of their contours); an activist in no
section, or in one without communes yet, has no « outside ». A full mission
(waiting list only) counts half. Missions outside the activist's section,
and those of another federation opened to outside volunteers, are ranked like the others:
the founding text wants activists sent where they are most useful.

`fit`, `recommend` and `rank` are pure functions of plain values: tests check the arithmetic
without a database. `ranked_missions` is the one query: PostgreSQL computes the same product
for every candidate (thousands within a wide radius) and returns the 20 best, which `fit`
orders again and `recommend` explains; `with_details` then reads their titles, names and
ranks. A test checks that the database and the pure function give the same order.
"""

import heapq
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.gis.db.models import PointField
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Exists, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, ExtractHour, ExtractIsoWeekDay, Greatest, JSONObject, Least
from django.utils import timezone

from circonscriptions.models import CommuneShape, PollingStation, PollingStationProfile, ProfileRun
from hq.experiments import control_stations
from hq.models import (
    ActivistProfile,
    Availability,
    Membership,
    Mission,
    MissionSignup,
    MissionStatus,
    Section,
    Skill,
)

PARIS = ZoneInfo("Europe/Paris")
SKILL_MATCH = 2.0
SKILL_MISSING = 0.8
CAUSE_MATCH = 1.5
PRIORITY_HALF_VOTES = 5.0
OUT_OF_AVAILABILITY = 0.4
FULL = 0.5
# How far ahead « Missions pour moi » looks.
HORIZON_DAYS = 60

SLOT_WORDS: dict[str, str] = {
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


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made building
# the 2,000 candidates of a wide radius cost more than the query that reads them.
@dataclass(slots=True)
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


def fit(mission: MissionFacts, activist: ActivistFacts) -> float:
    """The fit of one mission for one activist: the product of the factors of the module docstring."""
    score = 1.0
    if mission.skill_ids:
        score *= SKILL_MATCH if any(s in activist.skills for s in mission.skill_ids) else SKILL_MISSING
    if mission.cause_id is not None and mission.cause_id in activist.causes:
        score *= CAUSE_MATCH
    if mission.priority_score is not None:
        votes = max(mission.priority_score, 0.0)
        score *= 1 + votes / (votes + PRIORITY_HALF_VOTES)
    if mission.distance_m is not None and activist.has_home:
        score *= 1 - 0.5 * min(mission.distance_m / 1000 / max(activist.max_distance_km, 1), 1)
    if activist.availability and slot_kind(mission.starts_at) not in activist.availability:
        score *= OUT_OF_AVAILABILITY
    if mission.full:
        score *= FULL
    return round(score, 4)


def recommend(mission: MissionFacts, activist: ActivistFacts) -> Recommendation:
    """The fit of one mission for one activist, with its reasons in words."""
    reasons: list[str] = []
    if mission.skill_ids:
        matched = [activist.skills[s] for s in mission.skill_ids if s in activist.skills]
        if matched:
            reasons.append(f"vous êtes {_skill_word(matched[0])} : {mission.title}")
    if mission.cause_id is not None and mission.cause_id in activist.causes:
        reasons.append(f"vous suivez la cause « {mission.cause_name} »")
    if mission.priority_score is not None and mission.priority_rank is not None:
        reasons.append(f"bureau prioritaire n° {mission.priority_rank} de la circonscription")
    distance_km = None
    if mission.distance_m is not None and activist.has_home:
        distance_km = mission.distance_m / 1000
        reasons.append("près de chez vous" if distance_km < 1 else f"à {distance_km:.0f} km de chez vous")
    if activist.availability:
        kind = slot_kind(mission.starts_at)
        free = kind in activist.availability
        reasons.append(
            f"{SLOT_WORDS[kind]}, {'quand vous êtes disponible' if free else 'en dehors de vos disponibilités'}"
        )
    if mission.full:
        reasons.append("complet : vous serez sur la liste d'attente")
    if activist.federation_id is not None and mission.federation_id != activist.federation_id:
        reasons.append(f"mission de la {mission.federation_name}, ouverte aux volontaires d'ailleurs")
    # Only an activist whose section has communes can be outside it: one placed in no section
    # yet (or in one without communes) is not told that every bureau is « hors de votre section ».
    outside = (
        bool(mission.commune_ids)
        and bool(activist.section_commune_ids)
        and not set(mission.commune_ids) & activist.section_commune_ids
    )
    return Recommendation(
        mission_id=mission.id,
        score=fit(mission, activist),
        reasons=tuple(reasons),
        outside_section=outside,
        distance_km=distance_km,
    )


def best(missions: list[MissionFacts], activist: ActivistFacts, *, limit: int = 20) -> list[MissionFacts]:
    """The `limit` missions that fit best, best first; ties go to the smaller id."""
    return heapq.nsmallest(limit, missions, key=lambda m: (-fit(m, activist), m.id))


def rank(missions: list[MissionFacts], activist: ActivistFacts, *, limit: int = 20) -> list[Recommendation]:
    """The `limit` best missions with their reasons, best first."""
    return [recommend(mission, activist) for mission in best(missions, activist, limit=limit)]


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


def _current_run():
    # Evaluated once by PostgreSQL (an uncorrelated subquery), not per mission.
    return Subquery(ProfileRun.objects.filter(is_current=True).values("pk")[:1])


def _best_profiles():
    """The current profiles of a mission's bureaux (OuterRef = the mission), best priority first."""
    stations = Mission.polling_stations.through.objects.filter(mission_id=OuterRef(OuterRef("pk"))).values(
        "pollingstation_id"
    )
    return PollingStationProfile.objects.filter(
        run_id=_current_run(), polling_station_id__in=stations, priority_score__isnull=False
    ).order_by("-priority_score")


def _candidates(
    *, federation_id: int | None, home=None, max_distance_km: int | None = None, user_id: int | None = None
):
    """The open missions of the coming weeks the activist may join, with what their fit depends on.

    Scoping: missions of the activist's federation and missions of other federations opened to
    outside volunteers. Missions they already signed up to (and not cancelled) are left out:
    they are on their page already. With a home, only missions within their distance.
    """
    now = timezone.now()
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
    # A mission whose bureaux are all controls of a running campaign experiment is never proposed
    # (a subquery: the page keeps its number of queries).
    controls = control_stations()
    bureaux = Mission.polling_stations.through.objects.filter(mission_id=OuterRef("pk"))
    qs = qs.exclude(
        Q(Exists(bureaux.filter(pollingstation_id__in=controls)))
        & ~Q(Exists(bureaux.exclude(pollingstation_id__in=controls)))
    )
    if home is not None:
        # On the sphere rather than the spheroid: 0.3 % apart at most (150 m in 50 km), and
        # PostgreSQL on the spheroid made the radius filter five times slower and the ranking query twice.
        qs = qs.annotate(
            distance=RawSQL(
                "ST_Distance(hq_mission.location, %s::geography, false)", (home.ewkt,), output_field=FloatField()
            )
        )
        if max_distance_km:
            qs = qs.filter(
                RawSQL(
                    "ST_DWithin(hq_mission.location, %s::geography, %s, false)",
                    (home.ewkt, max_distance_km * 1000.0),
                    output_field=BooleanField(),
                )
            )
    return qs.annotate(
        skill_ids=ArraySubquery(
            Mission.skills_wanted.through.objects.filter(mission_id=OuterRef("pk")).values("skill_id")
        ),
        best_score=Subquery(_best_profiles().values("priority_score")[:1]),
    ).order_by()


def _facts(qs, *, home) -> list[MissionFacts]:
    fields = ["pk", "federation_id", "starts_at", "cause_id", "seats_taken", "capacity_max", "skill_ids", "best_score"]
    if home is not None:
        fields.append("distance")
    return [
        MissionFacts(
            id=row[0],
            title="",
            federation_id=row[1],
            federation_name="",
            starts_at=row[2],
            cause_id=row[3],
            full=row[4] >= row[5],
            skill_ids=tuple(row[6] or ()),
            priority_score=row[7],
            distance_m=row[8] if home is not None else None,
        )
        for row in qs.values_list(*fields)
    ]


def candidate_missions(
    *, federation_id: int | None, home=None, max_distance_km: int | None = None, user_id: int | None = None
) -> list[MissionFacts]:
    """Every candidate mission with what its fit depends on (the query `ranked_missions` orders)."""
    qs = _candidates(federation_id=federation_id, home=home, max_distance_km=max_distance_km, user_id=user_id)
    return _facts(qs, home=home)


def _sql_fit(activist: ActivistFacts, *, with_home: bool):
    """`fit` written for PostgreSQL, factor by factor, so that the database ranks thousands of
    candidates and returns the few shown (a test checks that both give the same order)."""
    skills = list(activist.skills)
    wanted = Mission.skills_wanted.through.objects.filter(mission_id=OuterRef("pk"))
    skill = Case(
        When(~Exists(wanted), then=Value(1.0)),
        When(Exists(wanted.filter(skill_id__in=skills)), then=Value(SKILL_MATCH)),
        default=Value(SKILL_MISSING),
        output_field=FloatField(),
    )
    cause = Case(
        When(cause_id__in=list(activist.causes), then=Value(CAUSE_MATCH)), default=Value(1.0), output_field=FloatField()
    )
    # The factor is computed inside the subquery: written on its score, PostgreSQL would run the
    # subquery once per mention of the score.
    votes = Greatest(F("priority_score"), Value(0.0))
    priority = Coalesce(
        Subquery(
            _best_profiles()
            .annotate(factor=Value(1.0) + votes / (votes + Value(PRIORITY_HALF_VOTES)))
            .values("factor")[:1],
            output_field=FloatField(),
        ),
        Value(1.0),
    )
    full = Case(
        When(seats_taken__gte=F("capacity_max"), then=Value(FULL)), default=Value(1.0), output_field=FloatField()
    )
    score = skill * cause * priority * full
    if with_home and activist.has_home:
        radius = max(activist.max_distance_km, 1) * 1000.0
        score = score * (Value(1.0) - Value(0.5) * Least(F("distance") / Value(radius), Value(1.0)))
    if activist.availability:
        weekday = ExtractIsoWeekDay("starts_at", tzinfo=PARIS)
        hour = ExtractHour("starts_at", tzinfo=PARIS)
        kinds: dict[str, Q] = {
            Availability.SATURDAY: Q(slot_weekday=6),
            Availability.SUNDAY: Q(slot_weekday=7),
            Availability.WEEKDAY_EVENING: Q(slot_weekday__lte=5, slot_hour__gte=18),
            Availability.WEEKDAY_DAY: Q(slot_weekday__lte=5, slot_hour__lt=18),
        }
        free = Q(pk__in=[])
        for kind in activist.availability:
            free |= kinds[kind]
        return (
            score,
            {"slot_weekday": weekday, "slot_hour": hour},
            Case(When(free, then=Value(1.0)), default=Value(OUT_OF_AVAILABILITY), output_field=FloatField()),
        )
    return score, {}, Value(1.0)


def ranked_missions(
    activist: ActivistFacts,
    *,
    federation_id: int | None,
    home=None,
    max_distance_km: int | None = None,
    user_id: int | None = None,
    limit: int = 20,
) -> list[MissionFacts]:
    """The one query: the `limit` candidates that fit best, best first (ties: smaller id)."""
    qs = _candidates(federation_id=federation_id, home=home, max_distance_km=max_distance_km, user_id=user_id)
    score, slot, availability = _sql_fit(activist, with_home=home is not None)
    qs = qs.annotate(**slot).annotate(fit=score * availability).order_by("-fit", "pk")[:limit]
    # PostgreSQL compiles a query to machine code (JIT) once its estimated cost passes
    # `jit_above_cost`. The correlated subqueries of a wide radius (thousands of candidates)
    # pass it, and compiling took 25–50 ms for a query that then ran in about 30: the slowest
    # tenth of « Missions pour moi » (bench missions). JIT pays off on long analyses, not here:
    # it is off for this query only (SET LOCAL lasts until the end of this transaction).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        return _facts(qs, home=home)


def with_details(missions: list[MissionFacts]) -> list[MissionFacts]:
    """The same missions with what is shown about them: title, federation, theme, rank, communes."""
    rows = {
        row["pk"]: row
        for row in Mission.objects.filter(pk__in=[m.id for m in missions])
        .annotate(
            commune_ids=ArraySubquery(
                PollingStation.objects.filter(missions=OuterRef("pk")).values("commune_id").distinct()
            ),
            best_rank=Subquery(_best_profiles().values("rank_circonscription")[:1]),
        )
        .values("pk", "title", "federation__name", "cause__name", "commune_ids", "best_rank")
    }
    return [
        replace(
            m,
            title=rows[m.id]["title"],
            federation_name=rows[m.id]["federation__name"],
            cause_name=rows[m.id]["cause__name"] or "",
            commune_ids=tuple(rows[m.id]["commune_ids"] or ()),
            priority_rank=rows[m.id]["best_rank"],
        )
        for m in missions
    ]


def _activist(user) -> tuple[ActivistFacts, object, int | None]:
    """The activist's facts, home and radius, in one query (the page is asked for often)."""

    def ids(through, column: str):
        return ArraySubquery(through.objects.filter(activistprofile_id=OuterRef("pk")).values(column))

    section = Coalesce(OuterRef("home_section_id"), OuterRef("user__membership__section_id"))
    row = (
        ActivistProfile.objects.filter(user=user)
        .annotate(
            skill_pairs=ArraySubquery(
                Skill.objects.filter(activists=OuterRef("pk")).values(pair=JSONObject(id="pk", name="name"))
            ),
            cause_ids=ids(ActivistProfile.causes.through, "cause_id"),
            commune_ids=ArraySubquery(Section.communes.through.objects.filter(section_id=section).values("commune_id")),
        )
        .values(
            "home_location",
            "max_distance_km",
            "availability",
            "user__membership__federation_id",
            "skill_pairs",
            "cause_ids",
            "commune_ids",
        )
        .first()
    )
    if row is None:
        membership = Membership.objects.filter(user=user).first()
        return activist_facts(None, membership), None, None
    facts = ActivistFacts(
        skills={pair["id"]: pair["name"] for pair in row["skill_pairs"] or ()},
        causes=set(row["cause_ids"] or ()),
        availability=frozenset(row["availability"]),
        federation_id=row["user__membership__federation_id"],
        section_commune_ids=frozenset(row["commune_ids"] or ()),
        has_home=row["home_location"] is not None,
        max_distance_km=row["max_distance_km"],
    )
    return facts, row["home_location"], row["max_distance_km"]


def missions_for(user, *, limit: int = 20) -> list[tuple[Recommendation, MissionFacts]]:
    """The best missions for `user`, with their facts, best first."""
    facts, home, radius = _activist(user)
    top = ranked_missions(
        facts, federation_id=facts.federation_id, home=home, max_distance_km=radius, user_id=user.pk, limit=limit
    )
    # Ordered again by the pure function: the order shown is exactly `fit`'s.
    shown = with_details(best(top, facts, limit=limit))
    recommendations = [recommend(mission, facts) for mission in shown]
    at_points = [m.id for m in shown if not m.commune_ids]
    if at_points and facts.section_commune_ids:
        inside = _inside_communes(at_points, facts.section_commune_ids)
        recommendations = [
            replace(rec, outside_section=rec.mission_id not in inside) if rec.mission_id in at_points else rec
            for rec in recommendations
        ]
    return list(zip(recommendations, shown, strict=True))


def _inside_communes(mission_ids: list[int], commune_ids: frozenset[int]) -> set[int]:
    """Of missions placed at a point (no bureaux), those whose point lies in one of these communes."""
    shapes = CommuneShape.objects.filter(
        commune_id__in=commune_ids,
        geom__intersects=Cast(OuterRef("location"), output_field=PointField(srid=4326)),
    )
    return set(Mission.objects.filter(pk__in=mission_ids).filter(Exists(shapes)).values_list("pk", flat=True))
