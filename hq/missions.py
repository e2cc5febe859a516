"""Writes of the missions: activists' profiles, missions, sign-ups, reminders, recruitment follow-up.

The rules an organiser can check:
- A mission is created by national HQ or by the federal HQ of its federation, open at
  once; an activist may propose one for their own federation, which waits (« proposée »)
  until their federal HQ approves it. A mission's slot is in the future and ends after it
  starts; its team has at least one person and a maximum not below its minimum; its
  meeting point, when placed on the map, is in France (metropolitan France, Corsica or the
  overseas départements). A refused mission leaves nothing saved. The same mission sent twice
  (a double tap: same federation, author, title, slot, meeting point and bureaux) is created once.
- Bulk creation from the priorities takes the N best bureaux of a circonscription in the
  current profile run, groups those whose polling places are within `group_m` metres of
  the group's first bureau (neighbours canvassed by one team), and gives each group the
  catalogue method suited to its best bureau: one aimed at abstention where left voters
  abstain, otherwise one suited to the bureau's leaning, otherwise the first of the catalogue.
  The control bureaux of a running campaign experiment (hq.experiments) are skipped: no
  mission is created there, in bulk or one by one, nor approved there, until the campaign ends.
- Sign-up: a member may join an open mission of their federation, or of another federation
  that opened it to outside volunteers. While confirmed places remain they are confirmed,
  then they join the waiting list in order. The mission row is locked during the sign-up
  (SELECT … FOR UPDATE), so that simultaneous sign-ups are counted one after the other:
  capacity is never exceeded. A cancellation frees the place for the first in line, who is
  told by e-mail; once the mission has started a member can no longer cancel, and nobody is
  moved up.
- The day before a mission, each confirmed member gets one e-mail reminder (`reminded_at`
  makes the command safe to run again).
- Follow-up of sympathisers: to contact → contacted → came to an event or a mission →
  member; each change is dated, so that HQ sees who has waited too long.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from circonscriptions.models import Circonscription, PollingStationProfile
from circonscriptions.profiles.formats import counted
from hq.electoral_law import electoral_silence
from hq.experiments import control_lines, control_reasons, control_station_ids
from hq.models import (
    ActivistProfile,
    Federation,
    FollowupStatus,
    Membership,
    Method,
    Mission,
    MissionSignup,
    MissionStatus,
    Role,
    SignupStatus,
    Skill,
    Supporter,
    User,
)
from hq.scoping import can_write, scope_for

PARIS = ZoneInfo("Europe/Paris")

# The largest team a mission takes: far above any canvassing team, well within the column
# (a typing slip such as 10 000 000 must be a sentence next to the field, not an error page).
MAX_TEAM = 1000

# Rough boxes (longitude min, latitude min, longitude max, latitude max) around the parts of
# France where the party's federations act; a point outside all of them is a typing error
# (latitude and longitude swapped, a sign lost).
FRANCE_BOXES = {
    "France métropolitaine et Corse": (-5.3, 41.3, 9.7, 51.2),
    "Guadeloupe": (-61.9, 15.8, -60.9, 16.6),
    "Martinique": (-61.3, 14.3, -60.8, 14.9),
    "Guyane": (-54.7, 2.0, -51.5, 5.9),
    "La Réunion": (55.2, -21.4, 55.9, -20.8),
    "Mayotte": (44.9, -13.1, 45.4, -12.6),
}

CONSENT_WORDING_PROFILE = (
    "J'accepte que le parti conserve mes compétences, les causes que je suis, mon lieu de départ, "
    "mes disponibilités et mes moyens de transport (ce qui révèle un engagement politique) pour me "
    "proposer des missions, tant que je suis adhérent·e. Je peux les modifier ou les effacer à tout moment."
)


def one_line(text: str) -> str:
    """A title or a place on one line: the form's text box still lets a line break through,
    and a line break in an e-mail subject makes the mail refused (the reminders and the
    « une place s'est libérée » message would fail)."""
    return " ".join(text.split())


def in_france(point: Point) -> bool:
    return any(
        west <= point.x <= east and south <= point.y <= north for west, south, east, north in FRANCE_BOXES.values()
    )


# --- The activist's profile -------------------------------------------------------------


@transaction.atomic
def activist_profile_save(
    *,
    user: User,
    skills,
    free_skills: list[str],
    causes,
    home_section,
    home_commune,
    home_location: Point | None,
    availability: list[str],
    transport: str,
    car_seats: int,
    max_distance_km: int,
    consent_text: str,
) -> ActivistProfile:
    """Creates or updates the member's own profile; the consent wording they saw is stored with the date."""
    if not consent_text.strip():
        raise ValidationError("Votre accord est nécessaire pour enregistrer ce profil.")
    if home_location is not None and not in_france(home_location):
        raise ValidationError(
            {"home_coordinates": "Ce point n'est pas en France : vérifiez la latitude et la longitude."}
        )
    profile = ActivistProfile.objects.filter(user=user).first() or ActivistProfile(user=user)
    profile.free_skills = sorted({name.strip() for name in free_skills if name.strip()})[:10]
    profile.home_section = home_section
    profile.home_commune = home_commune
    profile.home_location = home_location
    profile.availability = sorted(set(availability))
    profile.transport = transport
    profile.car_seats = car_seats if transport == "car" else 0
    profile.max_distance_km = max_distance_km
    profile.consent_text = consent_text
    profile.consent_at = timezone.now()
    profile.save()
    profile.skills.set(skills)
    profile.causes.set(causes)
    return profile


@transaction.atomic
def free_skill_merge(*, name: str, into: Skill, by: User) -> int:
    """HQ turns a skill typed by members into a catalogue entry: each profile in its scope that
    lists `name` (case ignored) gets `into` instead. Returns the number of profiles changed."""
    scope = scope_for(by)
    if not scope.can_write_territory:
        raise PermissionDenied("Seul le QG peut fusionner des compétences.")
    profiles = ActivistProfile.objects.select_for_update().filter(free_skills__icontains=name)
    if not scope.is_national:
        profiles = profiles.filter(user__membership__federation__departement__code=scope.departement_code)
    changed = 0
    for profile in profiles:
        kept = [entry for entry in profile.free_skills if entry.casefold() != name.casefold()]
        if len(kept) == len(profile.free_skills):
            continue
        profile.free_skills = kept
        profile.save(update_fields=["free_skills"])
        profile.skills.add(into)
        changed += 1
    return changed


def free_skills_pending(user: User) -> list[tuple[str, int]]:
    """The skills members typed, with how many members typed each, within `user`'s scope."""
    profiles = ActivistProfile.objects.exclude(free_skills=[])
    scope = scope_for(user)
    if not scope.is_national:
        profiles = profiles.filter(user__membership__federation__departement__code=scope.departement_code)
    counts: dict[str, tuple[str, int]] = {}
    for names in profiles.values_list("free_skills", flat=True):
        for name in names:
            shown, n = counts.get(name.casefold(), (name, 0))
            counts[name.casefold()] = (shown, n + 1)
    return sorted(counts.values(), key=lambda item: (-item[1], item[0]))


# --- Missions ---------------------------------------------------------------------------


def mission_errors(
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    capacity_min: int | None,
    capacity_max: int | None,
    meeting_location: Point | None,
    departement_code: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """What is wrong with a mission's slot, team and meeting point, each named next to its field.

    A slot that starts or ends during the electoral silence of the mission's département (from
    00:00 on the eve of a vote until the polls close, Code électoral L49) is refused: no
    leafleting or door-to-door may be scheduled then.
    """
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if starts_at is not None and starts_at <= now:
        errors["starts_at"] = "Ce créneau est déjà passé : choisissez une date à venir."
    elif departement_code and starts_at is not None:
        silence = next(
            (s for s in (electoral_silence(t, departement_code) for t in (starts_at, ends_at) if t) if s), None
        )
        if silence is not None:
            errors["starts_at"] = silence.message("programmer une action à ce moment")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "La fin doit venir après le début."
    if capacity_min is not None and capacity_min < 1:
        errors["capacity_min"] = "Il faut au moins une personne : une équipe de zéro ne fait pas de mission."
    elif capacity_min is not None and capacity_min > MAX_TEAM:
        errors["capacity_min"] = f"Au plus {MAX_TEAM} personnes par mission."
    if capacity_max is not None and capacity_max < 1:
        errors["capacity_max"] = "La capacité maximale doit être d'au moins une personne."
    elif capacity_max is not None and capacity_max > MAX_TEAM:
        errors["capacity_max"] = f"Au plus {MAX_TEAM} personnes par mission."
    elif capacity_min is not None and capacity_max is not None and capacity_max < capacity_min:
        errors["capacity_max"] = (
            f"Le maximum ({capacity_max}) est inférieur au minimum ({capacity_min}) : corrigez l'un des deux."
        )
    if meeting_location is not None and not in_france(meeting_location):
        errors["meeting_coordinates"] = (
            "Ce point de rendez-vous n'est pas en France : vérifiez la latitude et la longitude (dans cet ordre)."
        )
    return errors


def _place_of(stations, meeting_location: Point | None) -> Point | None:
    """Where the mission happens: the centre of its bureaux' polling places, or the meeting point."""
    points = [station.location for station in stations if station.location is not None]
    if points:
        return Point(sum(p.x for p in points) / len(points), sum(p.y for p in points) / len(points), srid=4326)
    return meeting_location


def _same_mission(
    *,
    federation: Federation,
    by: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    meeting_point: str,
    station_ids: set[int],
) -> Mission | None:
    """The mission `by` already created with this title, slot, meeting point and bureaux (a form
    sent twice), if any; two teams at two places at the same time stay two missions.

    The federation's row is locked first: two copies of one request sent at once wait for
    each other, and the second finds the first's mission."""
    Federation.objects.select_for_update().filter(pk=federation.pk).exists()
    candidates = (
        Mission.objects.filter(
            federation=federation,
            created_by=by,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            meeting_point=meeting_point.strip(),
        )
        .exclude(status=MissionStatus.CANCELLED)
        .prefetch_related("polling_stations")
    )
    return next((m for m in candidates if {s.pk for s in m.polling_stations.all()} == station_ids), None)


def may_create_missions(user: User, federation: Federation) -> bool:
    return can_write(user, federation)


@transaction.atomic
def mission_create(
    *,
    by: User,
    federation: Federation,
    method: Method,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity_min: int = 1,
    capacity_max: int = 6,
    description: str = "",
    cause=None,
    skills_wanted=(),
    polling_stations=(),
    circonscription: Circonscription | None = None,
    meeting_point: str = "",
    meeting_location: Point | None = None,
    fiche_id: int | None = None,
    open_to_other_federations: bool = False,
    organiser: User | None = None,
    now: datetime | None = None,
) -> Mission:
    """A mission created by HQ (open) or proposed by an activist of the federation (awaiting approval)."""
    scope = scope_for(by)
    if can_write(by, federation):
        status = MissionStatus.OPEN
    elif scope.role == Role.ACTIVIST and scope.departement_code == federation.departement.code:
        status = MissionStatus.PROPOSED
    else:
        raise PermissionDenied("Vous ne pouvez pas créer de mission pour cette fédération.")
    errors = mission_errors(
        starts_at=starts_at,
        ends_at=ends_at,
        capacity_min=capacity_min,
        capacity_max=capacity_max,
        meeting_location=meeting_location,
        departement_code=federation.departement.code,
        now=now,
    )
    if errors:
        raise ValidationError(errors)
    stations = list(polling_stations)
    held_back = control_reasons([station.pk for station in stations])
    if held_back:
        # Only HQ can reach this: activists are never offered a control bureau.
        station = next(s for s in stations if s.pk in held_back)
        raise ValidationError(
            {
                "polling_stations": f"Pas de mission à {station} : {held_back[station.pk]}, "
                "pour mesurer l'effet de la campagne."
            }
        )
    title, meeting_point = one_line(title), one_line(meeting_point)
    same = _same_mission(
        federation=federation,
        by=by,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        meeting_point=meeting_point,
        station_ids={station.pk for station in stations},
    )
    if same is not None:
        return same
    if circonscription is None and stations:
        circonscription = stations[0].circonscription
    mission = Mission.objects.create(
        federation=federation,
        method=method,
        title=title.strip(),
        description=description.strip(),
        cause=cause,
        circonscription=circonscription,
        location=_place_of(stations, meeting_location),
        meeting_point=meeting_point.strip(),
        meeting_location=meeting_location,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity_min=capacity_min,
        capacity_max=capacity_max,
        fiche_id=fiche_id,
        organiser=organiser or by,
        status=status,
        open_to_other_federations=open_to_other_federations,
        created_by=by,
    )
    mission.skills_wanted.set(skills_wanted)
    mission.polling_stations.set(stations)
    return mission


def method_for_profile(profile: PollingStationProfile, methods: list[Method]) -> Method:
    """The catalogue method suited to a bureau (see the module docstring)."""
    if profile.left_abstention_hotspot or profile.abstention_hotspot:
        for method in methods:
            if "abstention" in method.suited_kinds():
                return method
    for method in methods:
        if profile.leaning in method.suited_kinds():
            return method
    return methods[0]


def _group_neighbours(profiles: list[PollingStationProfile], group_m: float) -> list[list[PollingStationProfile]]:
    groups: list[list[PollingStationProfile]] = []
    for profile in profiles:
        here = profile.polling_station.location
        for group in groups:
            first = group[0].polling_station.location
            if group_m > 0 and here is not None and first is not None and _metres(first, here) <= group_m:
                group.append(profile)
                break
        else:
            groups.append([profile])
    return groups


def _metres(a: Point, b: Point) -> float:
    # Two polling places of one town: a flat projection around their latitude is exact to a metre.
    from math import cos, radians, sqrt

    dx = (b.x - a.x) * 111_320 * cos(radians((a.y + b.y) / 2))
    dy = (b.y - a.y) * 110_540
    return sqrt(dx * dx + dy * dy)


def priority_profiles(circonscription: Circonscription, top: int) -> list[PollingStationProfile]:
    """The `top` best bureaux of a circonscription in the current profiles, best first (control bureaux included)."""
    return list(
        PollingStationProfile.objects.current()
        .filter(circonscription=circonscription)
        .filter(rank_circonscription__isnull=False)
        .select_related("polling_station__commune")
        .order_by("rank_circonscription")[:top]
    )


@transaction.atomic
def missions_create_from_priorities(
    *,
    by: User,
    circonscription: Circonscription,
    top: int,
    starts_at: datetime,
    ends_at: datetime,
    capacity_min: int = 2,
    capacity_max: int = 6,
    group_m: float = 0,
    cause=None,
    open_to_other_federations: bool = False,
    now: datetime | None = None,
) -> list[Mission]:
    """One mission per top-priority bureau (or group of neighbouring bureaux) of a circonscription.

    Returns the missions created: a group that already has its mission from `by` at this
    slot (the form sent twice) gets no second one."""
    federation = (
        Federation.objects.select_related("departement").filter(departement=circonscription.departement).first()
    )
    if federation is None or not can_write(by, federation):
        raise PermissionDenied("Vous ne pouvez pas créer de missions dans cette circonscription.")
    errors = mission_errors(
        starts_at=starts_at,
        ends_at=ends_at,
        capacity_min=capacity_min,
        capacity_max=capacity_max,
        meeting_location=None,
        departement_code=circonscription.departement.code,
        now=now,
    )
    if top < 1 or top > 50:
        errors["top"] = "Choisissez entre 1 et 50 bureaux."
    if errors:
        raise ValidationError(errors)
    profiles = priority_profiles(circonscription, top)
    if not profiles:
        raise ValidationError({"circonscription": "Cette circonscription n'a pas encore de priorités calculées."})
    controls = control_station_ids()
    profiles = [p for p in profiles if p.polling_station_id not in controls]
    if not profiles:
        raise ValidationError(
            {"top": "Ces bureaux prioritaires sont tous témoins d'une expérience en cours : aucune mission à créer."}
        )
    methods = list(Method.objects.all())
    if not methods:
        raise ValidationError({"circonscription": "Le catalogue des méthodes est vide."})
    missions = []
    for group in _group_neighbours(profiles, group_m):
        best = group[0]
        method = method_for_profile(best, methods)
        station = best.polling_station
        others = f" (+{counted(len(group) - 1, 'bureau voisin', 'bureaux voisins')})"
        # The bureau with its polling place, as everywhere in QG (circonscriptions.stations):
        # « bureau 32 » alone does not tell an activist where to go.
        where = station.name or station.place
        title = (
            f"{method.name} — {station.commune.name}, bureau {station.code}"
            + (f" ({where})" if where else "")
            + (others if len(group) > 1 else "")
        )
        title = one_line(title[:200])
        meeting_point = one_line(station.place or station.address or station.commune.name)
        stations = [p.polling_station for p in group]
        if _same_mission(
            federation=federation,
            by=by,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            meeting_point=meeting_point,
            station_ids={s.pk for s in stations},
        ):
            continue
        missions.append(
            mission_create(
                by=by,
                federation=federation,
                method=method,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity_min=capacity_min,
                capacity_max=capacity_max,
                cause=cause,
                polling_stations=stations,
                circonscription=circonscription,
                meeting_point=meeting_point,
                # A polling place misplaced by its import (outside France) is no meeting point on the map.
                meeting_location=station.location if station.location and in_france(station.location) else None,
                open_to_other_federations=open_to_other_federations,
                now=now,
            )
        )
    return missions


def mission_approve(*, mission: Mission, by: User) -> Mission:
    if not can_write(by, mission):
        raise PermissionDenied("Seul le QG de la fédération approuve une mission proposée.")
    if mission.status != MissionStatus.PROPOSED:
        raise ValidationError("Cette mission n'attend pas d'approbation.")
    if mission.starts_at <= timezone.now():
        # A proposal left waiting past its date would open a mission nobody can join.
        raise ValidationError("Le créneau de cette mission est déjà passé : elle ne peut plus être approuvée.")
    # Proposed before a campaign was launched, it may now send activists to a control bureau.
    held_back = control_lines(mission.polling_stations.values_list("pk", flat=True))
    if held_back:
        raise ValidationError(f"Pas d'approbation — {held_back[0]}, pour mesurer l'effet de la campagne.")
    mission.status = MissionStatus.OPEN
    mission.save(update_fields=["status"])
    return mission


def mission_cancel(*, mission: Mission, by: User) -> Mission:
    if not can_write(by, mission):
        raise PermissionDenied("Seul le QG de la fédération annule une mission.")
    if mission.status == MissionStatus.DONE or mission.has_ended:
        # What took place stays on record: its report and participants are counted.
        raise ValidationError("Cette mission a déjà eu lieu : elle ne s'annule plus.")
    mission.status = MissionStatus.CANCELLED
    mission.save(update_fields=["status"])
    return mission


# --- Sign-ups ---------------------------------------------------------------------------


def may_join(user: User, mission: Mission) -> bool:
    """Members of the mission's federation, and of any federation when it is open to outside volunteers."""
    membership = Membership.objects.filter(user=user).only("federation_id", "role").first()
    if membership is None:
        return False
    return mission.open_to_other_federations or membership.federation_id == mission.federation_id


@transaction.atomic
def signup_create(*, mission: Mission, user: User) -> MissionSignup:
    """Signs `user` up: confirmed while places remain, else on the waiting list. See the module docstring."""
    # The lock makes simultaneous sign-ups wait for each other: each sees the seats the last one took.
    mission = Mission.objects.select_for_update().get(pk=mission.pk)
    if mission.status == MissionStatus.CANCELLED:
        raise ValidationError("Cette mission est annulée : l'inscription n'est plus possible.")
    if mission.status != MissionStatus.OPEN:
        raise ValidationError("Cette mission n'est pas ouverte aux inscriptions.")
    if mission.starts_at <= timezone.now():
        raise ValidationError("Cette mission a déjà commencé : l'inscription est close.")
    if not may_join(user, mission):
        raise PermissionDenied("Cette mission est réservée aux militants de sa fédération.")
    now = timezone.now()
    signup = MissionSignup.objects.filter(mission=mission, user=user).first()
    if signup is not None and signup.status != SignupStatus.CANCELLED:
        return signup
    if mission.seats_taken < mission.capacity_max:
        status, position = SignupStatus.CONFIRMED, None
        mission.seats_taken += 1
        mission.save(update_fields=["seats_taken"])
    else:
        last = MissionSignup.objects.filter(mission=mission).aggregate(last=Max("position"))["last"] or 0
        status, position = SignupStatus.WAITING, last + 1
    if signup is None:
        signup = MissionSignup.objects.create(
            mission=mission, user=user, status=status, position=position, created_at=now, changed_at=now
        )
    else:
        signup.status, signup.position, signup.changed_at, signup.reminded_at = status, position, now, None
        signup.save(update_fields=["status", "position", "changed_at", "reminded_at"])
    return signup


@transaction.atomic
def signup_cancel(*, signup: MissionSignup, by: User) -> MissionSignup | None:
    """Cancels a sign-up (by the member or their HQ) before the mission starts; the first on the
    waiting list takes the place.

    Returns the sign-up that moved up, if any.
    """
    if by.pk != signup.user_id and not can_write(by, signup.mission):
        raise PermissionDenied("Vous ne pouvez annuler que votre propre inscription.")
    mission = Mission.objects.select_for_update().get(pk=signup.mission_id)
    signup = MissionSignup.objects.select_for_update().get(pk=signup.pk)
    if signup.status == SignupStatus.CANCELLED:
        return None
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    now = timezone.now()
    signup.status, signup.changed_at = SignupStatus.CANCELLED, now
    signup.save(update_fields=["status", "changed_at"])
    if not was_confirmed:
        return None
    if mission.starts_at <= now:
        # A place on a mission already under way is no use to the next in line: nobody is
        # moved up nor e-mailed (a person's erasure cancels their past sign-ups too).
        mission.seats_taken -= 1
        mission.save(update_fields=["seats_taken"])
        return None
    promoted = (
        MissionSignup.objects.select_for_update()
        .filter(mission=mission, status=SignupStatus.WAITING)
        .order_by("position", "created_at")
        .first()
    )
    if promoted is None:
        mission.seats_taken -= 1
        mission.save(update_fields=["seats_taken"])
        return None
    promoted.status, promoted.changed_at = SignupStatus.CONFIRMED, now
    promoted.save(update_fields=["status", "changed_at"])
    email = promoted.user.email
    transaction.on_commit(lambda: _send_promoted(email, mission))
    return promoted


def _when(mission: Mission) -> str:
    start = mission.starts_at.astimezone(PARIS)
    end = mission.ends_at.astimezone(PARIS)
    return f"le {start:%d/%m/%Y} de {start:%H:%M} à {end:%H:%M}"


def _send_promoted(email: str, mission: Mission) -> None:
    send_mail(
        f"Une place s'est libérée : {mission.title}",
        f"Bonjour,\n\nUne place s'est libérée : vous êtes inscrit·e à « {mission.title} », {_when(mission)}.\n"
        f"Rendez-vous : {mission.meeting_point or 'voir la mission dans QG'}.\n"
        # As in the reminder: the link is where to cancel, find a ride and the fiche.
        f"Mission : {settings.SITE_URL.rstrip('/')}/missions/{mission.pk}/\n\n"
        "Si vous ne pouvez plus venir, annulez dans QG pour laisser la place à quelqu'un d'autre.",
        None,
        [email],
    )


def reminders_send(*, now: datetime | None = None) -> int:
    """E-mails each confirmed member of tomorrow's missions (Paris dates), once. Returns how many were sent."""
    now = now or timezone.now()
    tomorrow = now.astimezone(PARIS).date() + timedelta(days=1)
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=PARIS)
    sent = 0
    ids = list(
        MissionSignup.objects.filter(
            status=SignupStatus.CONFIRMED,
            reminded_at__isnull=True,
            mission__status=MissionStatus.OPEN,
            mission__starts_at__gte=start,
            mission__starts_at__lt=start + timedelta(days=1),
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            # Locked and checked again: two runs at once send one reminder, not two.
            signup = (
                MissionSignup.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("mission", "user")
                .filter(pk=pk, reminded_at__isnull=True, status=SignupStatus.CONFIRMED)
                .first()
            )
            if signup is None:
                continue
            mission = signup.mission
            send_mail(
                f"Demain : {mission.title}",
                f"Bonjour,\n\nRappel : vous êtes inscrit·e à « {mission.title} », {_when(mission)}.\n"
                f"Rendez-vous : {mission.meeting_point or 'voir la mission dans QG'}.\n"
                f"Mission : {settings.SITE_URL.rstrip('/')}/missions/{mission.pk}/\n\n"
                "Si vous ne pouvez plus venir, annulez dans QG pour laisser la place à quelqu'un d'autre.",
                None,
                [signup.user.email],
            )
            signup.reminded_at = now
            signup.save(update_fields=["reminded_at"])
            sent += 1
    return sent


def _ics_text(value: str) -> str:
    # RFC 5545 TEXT: a line break is written « \n »; a carriage return alone is not allowed.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def mission_ics(mission: Mission) -> str:
    """The mission as an iCalendar event (RFC 5545), times in UTC."""

    def stamp(moment: datetime) -> str:
        return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//QG//Missions//FR",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:mission-{mission.pk}@qg",
        f"DTSTAMP:{stamp(timezone.now())}",
        f"DTSTART:{stamp(mission.starts_at)}",
        f"DTEND:{stamp(mission.ends_at)}",
        f"SUMMARY:{_ics_text(mission.title)}",
        f"LOCATION:{_ics_text(mission.meeting_point)}",
        f"DESCRIPTION:{_ics_text(mission.method.name + (' — ' + mission.description if mission.description else ''))}",
    ]
    if mission.meeting_location is not None:
        lines.append(f"GEO:{mission.meeting_location.y:.6f};{mission.meeting_location.x:.6f}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    # Lines end with CRLF; long lines are folded at 75 octets.
    folded = []
    for line in lines:
        raw = line.encode()
        while len(raw) > 75:
            cut = 75
            while (raw[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
                cut -= 1
            folded.append(raw[:cut].decode())
            raw = b" " + raw[cut:]
        folded.append(raw.decode())
    return "\r\n".join(folded) + "\r\n"


# --- Recruitment follow-up ----------------------------------------------------------------


def supporter_followup_set(*, supporter: Supporter, status: str, by: User) -> Supporter:
    if not can_write(by, supporter):
        raise PermissionDenied("Seul le QG de la fédération suit ses sympathisants.")
    if status not in FollowupStatus.values:
        raise ValidationError("Étape de suivi inconnue.")
    if supporter.followup_status != status:
        supporter.followup_status = status
        supporter.followup_changed_at = timezone.now()
        supporter.save(update_fields=["followup_status", "followup_changed_at"])
    return supporter


def funnel(federation: Federation) -> list[tuple[str, str | Promise, int]]:
    """(status, label, count) of the federation's consenting sympathisers at each step, in order."""
    counts = dict(
        Supporter.objects.filter(federation=federation)
        .values_list("followup_status")
        .annotate(n=Count("pk"))
        .values_list("followup_status", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in FollowupStatus.choices]


def supporters_waiting(federation: Federation, *, days: int, now: datetime | None = None) -> QuerySet:
    """Sympathisers still « to contact » for more than `days` days, longest wait first."""
    now = now or timezone.now()
    return Supporter.objects.filter(
        federation=federation,
        followup_status=FollowupStatus.TO_CONTACT,
        followup_changed_at__lt=now - timedelta(days=days),
    ).order_by("followup_changed_at")


def members_idle(federation: Federation, *, weeks: int, now: datetime | None = None) -> QuerySet:
    """Members of the federation who joined no mission (confirmed) in the last `weeks` weeks."""
    now = now or timezone.now()
    since = now - timedelta(weeks=weeks)
    recent = Q(
        mission_signups__status=SignupStatus.CONFIRMED,
        mission_signups__mission__starts_at__gte=since,
        mission_signups__mission__status__in=[MissionStatus.OPEN, MissionStatus.DONE],
    )
    return (
        User.objects.filter(membership__federation=federation, is_active=True, date_joined__lt=since)
        .annotate(recent=Count("mission_signups", filter=recent))
        .filter(recent=0)
        .order_by("full_name", "email")
    )
