"""The campaign team's briefing — « où aller, pour dire quoi, à qui » — for a candidate's visit
or a campaign day in a circonscription, on a given date.

What it holds, in words an organiser can check:
- Places: the circonscription's bureaux with the highest priority score in the current
  profile run (expected votes won by the run's hours of door-to-door), at most
  `PLACES`, each with its profil-type and leaning, control bureaux of a running campaign
  experiment left out (hq.experiments). Without a current run, none (said so).
- Whom to aim at, per place: its mobilisation score against its persuasion score — more
  from mobilisation means « abstainers first », otherwise « swing voters first ».
- The method per place: the catalogue's method whose `suits` (Method.suited_kinds) fits the
  most of the place's kinds — its leaning, and "abstention" when it is an abstention hotspot
  — in catalogue order among equals (as the fiches choose theirs, fiches/compose.py).
- The message per place: the concerns people raised there most (observations of its bureaux
  over the last `RECENT_DAYS` days, else of the circonscription), and the audience's line.
- What people said recently: the circonscription's approved quotes (HQ's words: the free
  texts typed in the street never appear otherwise) and concerns over `RECENT_DAYS` days, and
  its local issues (enjeux locaux, the circonscription's and its communes').
- Who is available that day: the federation's activists whose profile says they are free
  that kind of day (Saturday, Sunday, weekday), those living in the circonscription first,
  with their skills and how they move.

The page and the one-page PDF are made from the same dict (`campaign_briefing`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from circonscriptions.models import Circonscription, PollingStationProfile, ProfileRun
from circonscriptions.profiles.leanings import leaning_label
from fiches.compose import suggested_methods
from hq.experiments import control_station_ids
from hq.models import ActivistProfile, Availability, Federation, LocalIssue, Method
from observations.models import Observation
from observations.queries import approved_quotes

PLACES = 6
RECENT_DAYS = 90
QUOTES = 4
ACTIVISTS = 12


def day_availability(day: date) -> list[str]:
    """The ActivistProfile.availability values that make someone free on `day`."""
    if day.weekday() == 5:
        return [Availability.SATURDAY]
    if day.weekday() == 6:
        return [Availability.SUNDAY]
    return [Availability.WEEKDAY_DAY, Availability.WEEKDAY_EVENING]


def _place_tags(p: PollingStationProfile) -> list[str]:
    tags = [p.leaning] if p.leaning else []
    if p.abstention_hotspot:
        tags.append("abstention")
    return tags


def _concerns(observations: Iterable[Observation]) -> list[str]:
    counts: Counter[str] = Counter()
    for o in observations:
        counts.update(c.name for c in o.concerns.all())
        counts.update(o.concerns_other)
    return [name for name, _n in counts.most_common(3)]


def _audience(p: PollingStationProfile) -> str:
    if (p.mobilisation_score or 0) >= (p.persuasion_score or 0):
        return "D'abord les abstentionnistes : rappeler la date du vote, le bureau, ce que le vote change ici."
    return "D'abord les hésitants : partir de leurs préoccupations, comparer les propositions."


def campaign_briefing(*, circonscription: Circonscription, day: date, federation: Federation | None = None) -> dict:
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    recent = list(
        Observation.objects.filter(circonscription=circonscription, held_on__gte=since)
        .select_related("method", "commune")
        .prefetch_related("concerns", "polling_stations")
    )
    run = ProfileRun.objects.current()
    profiles = []
    if run is not None:
        profiles = list(
            PollingStationProfile.objects.filter(run=run, circonscription=circonscription, priority_score__isnull=False)
            # The control bureaux of a running campaign experiment are nobody's destination.
            .exclude(polling_station_id__in=control_station_ids(on=day))
            .select_related("polling_station__commune", "profile_type")
            .order_by("-priority_score", "polling_station_id")[:PLACES]
        )
    methods = list(Method.objects.order_by("position", "name"))
    circonscription_concerns = _concerns(recent)
    places = []
    for rank, p in enumerate(profiles, start=1):
        station = p.polling_station
        here = [o for o in recent if any(s.pk == station.pk for s in o.polling_stations.all())]
        concerns = _concerns(here) or circonscription_concerns
        fitting = suggested_methods(_place_tags(p))
        method = fitting[0] if fitting else (methods[0] if methods else None)
        places.append(
            {
                "rank": rank,
                "label": f"{station.commune.name} — bureau {station.code}"
                + (f" ({station.name or station.place})" if station.name or station.place else ""),
                "profile_type": p.profile_type.name if p.profile_type else "",
                "leaning": str(leaning_label(p.leaning)) if p.leaning else "",
                "priority": round(p.priority_score or 0, 1),
                "method": method.name if method else "",
                "audience": _audience(p),
                "concerns": concerns,
                "message": (
                    "Parler de " + ", ".join(concerns) + "."
                    if concerns
                    else "Écouter : aucune observation récente ici."
                ),
            }
        )
    quotes_by_obs = approved_quotes([o.pk for o in recent])
    quotes: list[dict[str, object]] = []
    for o in recent:
        for field in ("reaction_text", "worked", "did_not_work"):
            text = quotes_by_obs.get(o.pk, {}).get(field)
            if text and len(quotes) < QUOTES:
                quotes.append({"date": o.held_on, "place": o.place_label, "text": text})
    communes = circonscription.communes.all()
    issues = list(
        LocalIssue.objects.filter(Q(circonscription=circonscription) | Q(commune__in=communes))
        .distinct()
        .order_by("-updated_at")[:4]
    )
    activists = []
    if federation is not None:
        commune_ids = set(circonscription.communes.values_list("pk", flat=True))
        available = (
            ActivistProfile.objects.filter(
                user__membership__federation=federation,
                user__is_active=True,
                availability__overlap=day_availability(day),
            )
            .select_related("user", "home_commune")
            .prefetch_related("skills")
        )
        ranked = sorted(available, key=lambda a: (a.home_commune_id not in commune_ids, str(a.user)))
        activists = [
            {
                "name": str(a.user),
                "home": a.home_commune.name if a.home_commune else "",
                "local": a.home_commune_id in commune_ids,
                "skills": [s.name for s in a.skills.all()] + list(a.free_skills),
                "transport": a.get_transport_display(),
            }
            for a in ranked[:ACTIVISTS]
        ]
    return {
        "circonscription": circonscription,
        "day": day,
        "profiled": run is not None,
        "places": places,
        "concerns": circonscription_concerns,
        "quotes": quotes,
        "issues": issues,
        "activists": activists,
    }
