"""Reads of observations: queryset methods and the rows the aggregates are computed from.

None of these decide who may see what: callers scope the queryset first
(hq.scoping.scope_queryset), then filter and aggregate it.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from circonscriptions.stations import station_label
from observations import aggregates


class ObservationQuerySet(QuerySet):
    def for_listing(self) -> "ObservationQuerySet":
        from hq.models import Cause

        return self.select_related("method", "commune", "departement", "circonscription", "filed_by").prefetch_related(
            Prefetch("themes", queryset=Cause.objects.only("id", "name")),
            Prefetch("concerns", queryset=Cause.objects.only("id", "name")),
        )

    def filtered(
        self,
        *,
        departement_code: str | None = None,
        circonscription_code: str | None = None,
        commune_code: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        method_id: int | None = None,
        theme_id: int | None = None,
        polling_station_id: int | None = None,
    ) -> "ObservationQuerySet":
        qs = self
        if departement_code:
            qs = qs.filter(departement__code=departement_code)
        if circonscription_code:
            qs = qs.filter(circonscription__code=circonscription_code)
        if commune_code:
            qs = qs.filter(commune__code=commune_code)
        if date_from:
            qs = qs.filter(held_on__gte=date_from)
        if date_to:
            qs = qs.filter(held_on__lte=date_to)
        if method_id:
            qs = qs.filter(method_id=method_id)
        if polling_station_id:
            stations = self.model.polling_stations.through.objects.filter(pollingstation_id=polling_station_id)
            qs = qs.filter(pk__in=stations.values("observation_id"))
        if theme_id:
            # A theme of the action or a concern people raised: both say the place cares about it.
            themes = self.model.themes.through.objects.filter(cause_id=theme_id).values("observation_id")
            concerns = self.model.concerns.through.objects.filter(cause_id=theme_id).values("observation_id")
            qs = qs.filter(Q(pk__in=themes) | Q(pk__in=concerns))
        return qs


def observations_recent_for(circonscription, limit: int = 5) -> list:
    """The latest observations made in a circonscription, for its fiche militante (newest first).

    Not scoped: a fiche is composed by HQ for the activists of that circonscription.
    """
    from observations.models import Observation

    return list(Observation.objects.filter(circonscription=circonscription).for_listing()[:limit])


def concern_rows(qs: QuerySet) -> list[tuple[date, str]]:
    """(date, concern) for each concern raised in the observations of `qs`, standard and free."""
    from observations.models import Observation

    rows: list[tuple[date, str]] = list(
        Observation.concerns.through.objects.filter(observation__in=qs.values("pk")).values_list(
            "observation__held_on", "cause__name"
        )
    )
    for day, others in qs.exclude(concerns_other=[]).values_list("held_on", "concerns_other"):
        rows.extend((day, other) for other in others)
    return rows


def contact_rows_by_method(qs: QuerySet) -> list[tuple[str, int, int, int, int]]:
    return list(
        qs.filter(doors_knocked__gt=0).values_list(
            "method__name", "doors_knocked", "doors_opened", "conversations", "interested"
        )
    )


def contact_rows_by_station(qs: QuerySet) -> list[tuple[str, int, int, int, int]]:
    """Contact rows per polling station, for the observations made in exactly one station
    (counts of an action over several stations cannot be split between them)."""
    from django.db.models import Count, Max, Min

    single = (
        qs.filter(doors_knocked__gt=0)
        .annotate(n_stations=Count("polling_stations"), station=Min("polling_stations"))
        .filter(n_stations=1)
        .annotate(
            label_commune=Max("polling_stations__commune__name"),
            label_code=Max("polling_stations__code"),
            label_name=Max("polling_stations__name"),
            label_place=Max("polling_stations__place"),
        )
    )
    return [
        (station_label(commune=commune, code=code, name=name, place=place), knocked, opened, conversations, interested)
        for commune, code, name, place, knocked, opened, conversations, interested in single.values_list(
            "label_commune",
            "label_code",
            "label_name",
            "label_place",
            "doors_knocked",
            "doors_opened",
            "conversations",
            "interested",
        )  # fmt: skip
    ]


MIXED = gettext_lazy("several profiles")


def contact_rows_by_profile(qs: QuerySet, *, by: str = "profile_type") -> list[tuple[str, int, int, int, int]]:
    """Contact rows grouped by the profil-type (by='profile_type') or the leaning (by='leaning')
    of the observation's polling stations in the current profile run.

    An observation counts for a profile when all its polling stations share it; one
    spanning stations of several profiles goes to the group "several profiles" (its
    counts cannot be split between them); one without polling station, or whose
    stations have no current profile, is left out.
    """
    from circonscriptions.models import PollingStationProfile
    from circonscriptions.profiles.leanings import leaning_label
    from observations.models import Observation

    field = "profile_type__name" if by == "profile_type" else "leaning"
    door_qs = qs.filter(doors_knocked__gt=0)
    station_ids = Observation.polling_stations.through.objects.filter(observation__in=door_qs.values("pk"))
    links = defaultdict(set)
    pairs = station_ids.values_list("observation_id", "pollingstation_id")
    by_station: dict[int, list[int]] = defaultdict(list)
    for observation_id, station_id in pairs:
        by_station[station_id].append(observation_id)
    if not by_station:
        return []
    for station_id, value in PollingStationProfile.objects.filter(
        run__is_current=True, polling_station_id__in=list(by_station)
    ).values_list("polling_station_id", field):
        if value is None:
            continue
        # The five classes' labels from the one table (profiles/leanings.py).
        label = leaning_label(value) if by == "leaning" else value
        for observation_id in by_station[station_id]:
            links[observation_id].add(label)
    rows = []
    for pk, knocked, opened, conversations, interested in door_qs.filter(pk__in=list(links)).values_list(
        "pk", "doors_knocked", "doors_opened", "conversations", "interested"
    ):
        groups = links[pk]
        group = next(iter(groups)) if len(groups) == 1 else str(MIXED)
        rows.append((group, knocked, opened, conversations, interested))
    return rows


def observation_summary(qs: QuerySet) -> dict:
    """What a circonscription page or a fiche shows: top concerns and contact rates."""
    concerns = concern_rows(qs)
    return {
        "top_concerns": aggregates.top_concerns(concerns),
        "top_concerns_by_month": aggregates.top_concerns_by_month(concerns, limit=3)[:6],
        "by_method": aggregates.contact_rates(contact_rows_by_method(qs)),
        "by_station": aggregates.contact_rates(contact_rows_by_station(qs)),
        "by_profile_type": aggregates.contact_rates(contact_rows_by_profile(qs, by="profile_type")),
        "by_leaning": aggregates.contact_rates(contact_rows_by_profile(qs, by="leaning")),
    }


def observation_summary_for(circonscription) -> dict:
    """The aggregates of a circonscription's observations, for its fiche (not scoped, like the fiche)."""
    from observations.models import Observation

    return observation_summary(Observation.objects.filter(circonscription=circonscription))


def mobilisable_people(qs: QuerySet) -> dict:
    """The people who took part in the observations of `qs`, with their skills: activists
    (members) and sympathisers (every hq.Supporter row carries its consent).

    An activist took part in an action when they filed its report or were named in it: the
    member who fills in the form was there (a report naming nobody else was still someone's
    action). Each activist carries `actions` (how many observations) and `last` (latest date).
    """
    from django.db.models import Count, Max

    from hq.models import Supporter, User
    from observations.models import Observation

    observation_ids = qs.values("pk")
    took_part: dict[int, dict[int, date]] = defaultdict(dict)
    for user_id, observation_id, day in qs.order_by().values_list("filed_by_id", "pk", "held_on"):
        if user_id is not None:
            took_part[user_id][observation_id] = day
    named = Observation.activists.through.objects.filter(observation__in=observation_ids)
    for user_id, observation_id, day in named.values_list("user_id", "observation_id", "observation__held_on"):
        took_part[user_id][observation_id] = day
    activists = list(User.objects.filter(pk__in=list(took_part)).select_related("membership__section"))
    for user in activists:
        user.actions, user.last = len(took_part[user.pk]), max(took_part[user.pk].values())
    activists.sort(key=lambda u: (-u.last.toordinal(), u.full_name))
    supporters = (
        Supporter.objects.filter(observations__in=observation_ids)
        .annotate(actions=Count("observations", distinct=True), last=Max("observations__held_on"))
        .prefetch_related("skills")
        .order_by("-last", "name")
    )
    return {"activists": activists, "supporters": supporters}


def contact_rate_observed() -> tuple[float | None, int]:
    """Doors opened ÷ doors knocked over every observation that knocked doors, and how many reports that is.

    The profiles use it instead of the national setting once enough reports exist
    (circonscriptions.profiles.services.parameters_resolve; registered in apps.py).
    """
    from observations.models import Observation  # models imports this module: read it late

    totals = Observation.objects.filter(doors_knocked__gt=0).aggregate(
        knocked=Sum("doors_knocked"), opened=Sum("doors_opened"), reports=Count("pk")
    )
    if not totals["knocked"]:
        return None, 0
    return totals["opened"] / totals["knocked"], totals["reports"]


# --- Quotes (observations.models.Quote) ---------------------------------------------------


def quotes_to_review(qs: QuerySet) -> QuerySet:
    """The observations of `qs` holding at least one free text on which HQ has not decided yet,
    oldest report first (a queue). `qs` is already scoped by the caller."""
    from observations.models import Quote, QuoteField

    waiting = Q()
    for field in QuoteField.values:
        decided = Quote.objects.filter(observation=OuterRef("pk"), field=field)
        waiting |= ~Q(**{field: ""}) & ~Exists(decided)
    return qs.filter(waiting).order_by("created_at", "pk")


def quotes_waiting_count(qs: QuerySet) -> int:
    """How many free texts of `qs` wait for HQ's decision (an observation may hold three)."""
    from observations.models import Quote, QuoteField

    total = 0
    for field in QuoteField.values:
        decided = Quote.objects.filter(observation=OuterRef("pk"), field=field)
        total += qs.exclude(**{field: ""}).filter(~Exists(decided)).count()
    return total


def approved_quotes(observation_ids: list[int]) -> dict[int, dict[str, str]]:
    """{observation id: {field: approved text}}: the only free texts a fiche may print."""
    from observations.models import Quote

    quotes: dict[int, dict[str, str]] = defaultdict(dict)
    rows = Quote.objects.filter(observation_id__in=observation_ids, status=Quote.Status.APPROVED).values_list(
        "observation_id", "field", "text"
    )
    for observation_id, field, text in rows:
        quotes[observation_id][field] = text
    return dict(quotes)
