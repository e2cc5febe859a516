"""A mission's report is its observation (issue 11, item 6).

- After a mission, each of its confirmed participants (and its HQ) opens the fiche
  d'observation from the mission: the place (the mission's bureaux and their commune, or for
  a mission at a point the commune whose contour holds it), the
  method, the title as the action, the date and the other participants come filled in; the
  observation keeps the mission (`Observation.mission`).
- HQ reads, per mission type (the method) and per profil-type of the bureaux, the contact
  rates and outcomes of the reports of missions: conversations per door knocked (Wilson
  interval), people interested.
- The methods catalogue shows, next to each method's published evidence, the same figures
  measured over the missions' reports the reader may see.

Who may report on a mission: its confirmed participants, and HQ (national, federal) in its
scope. Nobody else sees it through this page (a 404, as everywhere in QG).
"""

from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from circonscriptions.models import Commune, CommuneShape
from hq.models import Method, Mission, MissionSignup, Role, SignupStatus, User
from hq.scoping import departement_codes, scope_for, scope_queryset
from observations import aggregates
from observations.queries import contact_rows_by_profile


def mission_for_report(user: User, pk) -> Mission | None:
    """The mission `user` may report on, or None (unknown, or not theirs to report)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    qs = Mission.objects.select_related("method").filter(pk=pk)
    scope = scope_for(user)
    if scope.role in (Role.NATIONAL_HQ, Role.FEDERAL_HQ) and scope_queryset(qs, user, write=True).exists():
        return qs.first()
    if MissionSignup.objects.filter(mission_id=pk, user=user, status=SignupStatus.CONFIRMED).exists():
        return qs.first()
    return None


def report_initial(mission: Mission, user: User) -> dict:
    """The observation form's initial values for a report on `mission` filed by `user`."""
    stations = list(mission.polling_stations.select_related("commune").order_by("commune__name", "code"))
    communes = {s.commune for s in stations}
    initial: dict = {
        "mission": mission.pk,
        "action": mission.title[:200],
        "method": mission.method_id,
        "polling_stations": [s.pk for s in stations],
    }
    if not stations and mission.location is not None:
        # A mission at a point (« devant l'hôpital »), not at bureaux: its commune is the one
        # whose contour holds the point, among those the reporter may file in.
        shape = (
            CommuneShape.objects.filter(
                geom__contains=Point(mission.location.x, mission.location.y, srid=4326),
                commune__in=scope_queryset(Commune.objects.all(), user),
            )
            .select_related("commune")
            .first()
        )
        if shape is not None:
            communes = {shape.commune}
    if len(communes) == 1:
        commune = communes.pop()
        # National HQ types the INSEE code; everyone else picks the commune's id in a list.
        initial["commune"] = commune.code if departement_codes(user) is None else str(commune.pk)
    day = timezone.localtime(mission.starts_at).date()
    if day <= timezone.localdate():
        initial["held_on"] = day
    initial["activists"] = list(
        MissionSignup.objects.filter(mission=mission, status=SignupStatus.CONFIRMED)
        .exclude(user=user)
        .values_list("user_id", flat=True)
    )
    return initial


def missions_to_report(user: User) -> QuerySet:
    """Missions `user` took part in, now over, without a report filed by them (newest first)."""
    return (
        Mission.objects.filter(signups__user=user, signups__status=SignupStatus.CONFIRMED, ends_at__lte=timezone.now())
        .exclude(observations__filed_by=user)
        .select_related("method")
        .order_by("-starts_at")
    )


def contact_rates_by_mission(qs: QuerySet) -> list[aggregates.ContactRate]:
    """Contact rates of the observations of `qs` that report on a mission, per mission type
    (method) and profil-type of their bureaux (« Porte-à-porte · Périurbain ouvrier »); a
    report whose bureaux have no current profile counts under its method alone."""
    reports = qs.filter(mission__isnull=False)
    rows: list[tuple[str, int, int, int, int]] = []
    for method_id, method_name in (
        Method.objects.filter(pk__in=reports.values("method_id")).order_by("position", "name").values_list("pk", "name")
    ):
        of_method = reports.filter(method_id=method_id)
        profiled = contact_rows_by_profile(of_method, by="profile_type")
        rows.extend(
            (f"{method_name} · {group}", knocked, opened, conversations, interested)
            for group, knocked, opened, conversations, interested in profiled
        )
        if not profiled:
            rows.extend(
                (method_name, *counts)
                for counts in of_method.values_list("doors_knocked", "doors_opened", "conversations", "interested")
            )
    return aggregates.contact_rates(rows)


@dataclass(frozen=True)
class MeasuredFigures:
    reports: int
    conversations: int
    interested: int
    contact: aggregates.ContactRate | None  # None when no report knocked doors


def measured_by_method(qs: QuerySet) -> dict[int, MeasuredFigures]:
    """{method id: figures} over the mission reports of `qs` (already scoped by the caller)."""
    reports = qs.filter(mission__isnull=False)
    totals = reports.values("method_id").annotate(
        n=Count("pk"), conversations=Sum("conversations"), interested=Sum("interested")
    )
    rates = {
        r.group: r
        for r in aggregates.contact_rates(
            reports.values_list("method_id", "doors_knocked", "doors_opened", "conversations", "interested")
        )
    }
    return {
        t["method_id"]: MeasuredFigures(
            reports=t["n"],
            conversations=t["conversations"] or 0,
            interested=t["interested"] or 0,
            contact=rates.get(t["method_id"]),
        )
        for t in totals
    }
