"""Election law that QG applies by itself: the electoral silence of the Code électoral, art. L49.

L49: « Il est interdit de distribuer ou faire distribuer, le jour du scrutin, des bulletins,
circulaires et autres documents. À partir de la veille du scrutin à zéro heure, il est
interdit de diffuser ou de faire diffuser par tout moyen de communication au public par
voie électronique tout message ayant le caractère de propagande électorale. »

What QG does with it. For a département and a moment, the silence holds from 00:00 on the
day before a polling day (the Saturday, for a Sunday vote) until the polls close on the
polling day (20:00 by default), in the département's own time. During the silence QG
refuses to publish a fiche of that département and to print its fiches in batch, and says
why. The polling day is the election's `date` (one Election row per round, so each round
has its own date); an election without a date is ignored.

Which elections apply to a département (kept simple on purpose):
- presidential, legislative and European elections are national: they apply everywhere;
- the other kinds (municipal, regional, departmental) apply to the départements where
  results of that election are loaded, or everywhere while none are loaded anywhere (a
  general renewal still to come is held across the country on one day). A by-election
  should therefore be entered with at least one result row of its territory (or it is
  taken as national, which only errs on the side of silence).

Overseas. For the national elections, Guadeloupe (971), Martinique (972), Guyane (973) and
Saint-Pierre-et-Miquelon (975) vote on the Saturday, the day before mainland France: their
polling day is the election's date minus one day, and their silence starts on the Friday at
00:00, local time. Each overseas département has its own time zone (below). Polls are
taken to close at 20:00 local time everywhere, which is the latest closing time: where a
prefect closes them earlier, the silence lasts a little longer than the law requires, never
shorter. Not handled: French people abroad (code 99), whose consulates in the Americas also
vote a day early: they are treated as Paris.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
POLLS_CLOSE = dt.time(20, 0)

NATIONAL_KINDS = frozenset({"presidentielle", "legislatives", "europeennes"})

# Départements whose local time is not Paris's.
TIME_ZONES = {
    "971": ZoneInfo("America/Guadeloupe"),
    "972": ZoneInfo("America/Martinique"),
    "973": ZoneInfo("America/Cayenne"),
    "974": ZoneInfo("Indian/Reunion"),
    "975": ZoneInfo("America/Miquelon"),
    "976": ZoneInfo("Indian/Mayotte"),
}
# Départements of the Americas, which vote on the Saturday in national elections.
VOTE_A_DAY_EARLY = frozenset({"971", "972", "973", "975"})

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]  # fmt: skip
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
KIND_LABELS = {
    "presidentielle": "Présidentielle",
    "legislatives": "Législatives",
    "europeennes": "Européennes",
    "municipales": "Municipales",
    "regionales": "Régionales",
    "departementales": "Départementales",
}


@dataclass(frozen=True)
class ElectionDay:
    """What the rule needs of an election: its polling date and where it is held."""

    slug: str
    label: str
    kind: str
    date: dt.date
    # None: everywhere (national kinds, or no result loaded yet); otherwise the département codes.
    departement_codes: frozenset[str] | None = None

    def applies_to(self, departement_code: str) -> bool:
        return self.departement_codes is None or departement_code in self.departement_codes

    def polling_date(self, departement_code: str) -> dt.date:
        if self.kind in NATIONAL_KINDS and departement_code in VOTE_A_DAY_EARLY:
            return self.date - dt.timedelta(days=1)
        return self.date


@dataclass(frozen=True)
class Silence:
    election: ElectionDay
    polling_date: dt.date  # in the département's own calendar
    starts_at: dt.datetime  # aware, in the département's time zone
    ends_at: dt.datetime

    def message(self, action: str) -> str:
        """Why `action` (« publier cette fiche ») is refused, in French, citing the law."""
        de = "d'" if action[:1].lower() in "aeéèêiîouy" else "de "
        return (
            f"Impossible {de}{action} : le Code électoral (art. L49) interdit toute propagande électorale "
            f"à partir de la veille du scrutin à zéro heure. Scrutin : {self.election.label}, "
            f"{french_date(self.polling_date)} ; c'est de nouveau possible après la fermeture des bureaux "
            f"de vote, le {french_date(self.ends_at.date(), weekday=False)} à {self.ends_at:%H} h {self.ends_at:%M}."
        )


def time_zone(departement_code: str) -> ZoneInfo:
    return TIME_ZONES.get(departement_code, PARIS)


def silence_at(at: dt.datetime, departement_code: str, elections: Iterable[ElectionDay]) -> Silence | None:
    """The electoral silence in force in the département at the aware moment `at`, if any (pure)."""
    zone = time_zone(departement_code)
    for election in sorted(elections, key=lambda e: e.date):
        if not election.applies_to(departement_code):
            continue
        polling = election.polling_date(departement_code)
        starts = dt.datetime.combine(polling - dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
        ends = dt.datetime.combine(polling, POLLS_CLOSE, tzinfo=zone)
        if starts <= at < ends:
            return Silence(election=election, polling_date=polling, starts_at=starts, ends_at=ends)
    return None


def next_polling_at(at: dt.datetime, departement_code: str, elections: Iterable[ElectionDay]):
    """(election, local polling date) of the next vote in the département whose polls are not closed at `at`."""
    zone = time_zone(departement_code)
    upcoming = []
    for election in elections:
        if not election.applies_to(departement_code):
            continue
        polling = election.polling_date(departement_code)
        if at < dt.datetime.combine(polling, POLLS_CLOSE, tzinfo=zone):
            upcoming.append((polling, election))
    if not upcoming:
        return None
    polling, election = min(upcoming, key=lambda pair: pair[0])
    return election, polling


def election_label(kind: str, year: int, round_: int) -> str:
    """« Législatives 2027, 1er tour »; the European elections have a single round."""
    label = f"{KIND_LABELS.get(kind, kind.capitalize())} {year}"
    if kind == "europeennes":
        return label
    return f"{label}, {'1er' if round_ == 1 else f'{round_}d'} tour"


def french_date(day: dt.date, *, weekday: bool = True) -> str:
    first = "1er" if day.day == 1 else str(day.day)
    text = f"{first} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


# --- Reading the elections from the database ---------------------------------------------


def election_days(*, from_date: dt.date, to_date: dt.date | None = None) -> list[ElectionDay]:
    """The dated elections whose date lies in [from_date, to_date] (open-ended without to_date)."""
    from circonscriptions.models import CirconscriptionResult, Election, PollingStationResult

    elections = Election.objects.filter(date__gte=from_date, simulated=False)
    if to_date is not None:
        elections = elections.filter(date__lte=to_date)
    days = []
    for election in elections.order_by("date"):
        codes: frozenset[str] | None = None
        if election.kind not in NATIONAL_KINDS:
            found = set(
                PollingStationResult.objects.filter(election=election)
                .values_list("polling_station__commune__departement__code", flat=True)
                .distinct()
            ) | set(
                CirconscriptionResult.objects.filter(election=election)
                .values_list("circonscription__departement__code", flat=True)
                .distinct()
            )
            codes = frozenset(found) or None
        days.append(
            ElectionDay(
                slug=election.slug,
                label=election_label(election.kind, election.year, election.round),
                kind=election.kind,
                date=election.date,
                departement_codes=codes,
            )
        )
    return days


def electoral_silence(at: dt.datetime, departement_code: str) -> Silence | None:
    """The silence in force in the département at `at` (reads the elections dated around it)."""
    day = at.astimezone(PARIS).date()
    # A silence that holds at `at` belongs to a vote within two days of it, whatever the time zone.
    nearby = election_days(from_date=day - dt.timedelta(days=1), to_date=day + dt.timedelta(days=3))
    return silence_at(at, departement_code, nearby)


def next_polling(at: dt.datetime, departement_code: str):
    """(election, local polling date) of the next vote in the département, or None."""
    day = at.astimezone(PARIS).date()
    return next_polling_at(at, departement_code, election_days(from_date=day - dt.timedelta(days=1)))


class ElectoralSilenceError(Exception):
    """An action refused during the electoral silence; str() is the French sentence to show."""

    def __init__(self, silence: Silence, action: str):
        self.silence = silence
        super().__init__(silence.message(action))
