"""Demo data for `make run`: a few accounts, one per role, in two federations.

Idempotent: accounts and federations are matched by e-mail and département code.
"""

import base64
import hashlib
import hmac
import struct
import time

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.db import transaction

from circonscriptions.models import Departement
from hq.models import Federation, Membership, Role, Section, User
from hq.services import hq_staff_grant

DEMO_PASSWORD = "qg-demo-2026"  # noqa: S105 — a published demo password, development only

# HQ accounts must log in with a second factor (hq.middleware.SecondFactorRequiredMiddleware):
# the demo's HQ accounts have this published authenticator key, to type into any
# authenticator app, or `manage.py demo_code` prints the current code. Development only,
# like the password.
DEMO_TOTP_SECRET = "QGDEMOQGDEMOQGDEMOQGDEMOQGDEMO22"  # noqa: S105
DEMO_TOTP_ROLES = (Role.NATIONAL_HQ, Role.FEDERAL_HQ)

DEMO_DEPARTEMENTS = {"29": "Finistère", "75": "Paris"}
# The home page's <h1> names the federation: browser tests look for these names.
DEMO_FEDERATIONS = {"29": "Fédération du Finistère", "75": "Fédération de Paris"}

DEMO_ACCOUNTS = [
    # e-mail, full name, role, département, section
    ("national@qg.example", "Nadia National", Role.NATIONAL_HQ, None, None),
    ("federation29@qg.example", "Fanch Fédéral", Role.FEDERAL_HQ, "29", None),
    ("secretaire29@qg.example", "Soizic Secrétaire", Role.SECRETARY, "29", None),
    ("militant29@qg.example", "Maël Militant", Role.ACTIVIST, "29", "Brest centre"),
    ("federation75@qg.example", "Paule Parisienne", Role.FEDERAL_HQ, "75", None),
]

DEMO_CONSENT = (
    "J'accepte que le parti conserve mes coordonnées et mon engagement militant "
    "pour organiser des actions, pendant la durée de mon adhésion."
)


@transaction.atomic
def demo_load() -> list[str]:
    from django.utils import timezone

    report = []
    federations = {}
    for code, name in DEMO_DEPARTEMENTS.items():
        departement = Departement.objects.filter(code=code).first()
        if departement is None:
            departement = Departement.objects.create(code=code, name=name)
        federation, _ = Federation.objects.get_or_create(
            departement=departement, defaults={"name": DEMO_FEDERATIONS[code]}
        )
        if federation.name == f"Fédération {departement.name}":
            # Renames the federations of demo data loaded before they had their proper names.
            federation.name = DEMO_FEDERATIONS[code]
            federation.save(update_fields=["name"])
        federations[code] = federation
    for email, full_name, role, code, section_name in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, full_name=full_name, is_staff=role in (Role.NATIONAL_HQ, Role.FEDERAL_HQ)
            )
            if role == Role.NATIONAL_HQ:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
            report.append(f"compte de démo créé : {email} / {DEMO_PASSWORD}")
        federation = federations.get(code) if code else None
        section = None
        if section_name and federation:
            section, _ = Section.objects.get_or_create(federation=federation, name=section_name)
        # HQ accounts use the admin: staff status and the « QG fédéral » / « QG national » group.
        hq_staff_grant(user=user, role=role)
        Membership.objects.get_or_create(
            user=user,
            defaults={
                "role": role,
                "federation": federation,
                "section": section,
                "consent_text": DEMO_CONSENT,
                "consent_at": timezone.now(),
            },
        )
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if role in DEMO_TOTP_ROLES and not has_totp:
            Authenticator.objects.create(
                user=user,
                type=Authenticator.Type.TOTP,
                data={"secret": get_mfa_adapter().encrypt(DEMO_TOTP_SECRET)},
            )
            report.append(f"second facteur de démo pour {email} : clé {DEMO_TOTP_SECRET}")
    if not report:
        report.append("données de démo déjà chargées.")
    return report


def totp_code(secret: str, at: float | None = None, *, period: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows for `secret` at time `at` (RFC 6238, HMAC-SHA1)."""
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


# --- Missions, sign-ups and a recruitment funnel in Finistère (issue 11) ---------------------------

DEMO_HOSPITAL_MISSION = "Campagne pour l'hôpital de Carhaix"
DEMO_FIRST_WAVE_MISSION = "Porte-à-porte à l'hôpital de Carhaix, première vague"
DEMO_VOLUNTEERS = [
    # Accounts without a password (nobody logs in with them): they fill the demo's sign-ups.
    # Each has a profile saying where they live and how they move (Gwen drives, the others
    # ask for a seat), so that hq/ride_demo.py has rides to offer, ask and match.
    ("benevole1-29@qg.example", "Gwen Bénévole"),
    ("benevole2-29@qg.example", "Yann Bénévole"),
    ("benevole3-29@qg.example", "Nolwenn Bénévole"),
]
# Homes a few hundred metres from Brest's centre (lon, lat offsets from DEMO_BREST), and transport.
DEMO_VOLUNTEER_HOMES = [((0.004, 0.003), "car"), ((0.006, 0.001), "public"), ((-0.003, 0.004), "bike")]
DEMO_PROFILE_CONSENT = (
    "J'accepte que le parti conserve mes compétences, les causes que je suis, mon lieu de départ, "
    "mes disponibilités et mes moyens de transport pour me proposer des missions."
)
DEMO_BREST = (-4.486, 48.390)
DEMO_CARHAIX_HOSPITAL = (-3.5745, 48.2790)


def missions_demo_load() -> list[str]:
    """Missions in Finistère (one at Carhaix's hospital for carers, others from Brest's priorities),
    Maël's profile, a few sign-ups, a mission proposed by an activist, a past first wave at the
    hospital (its report still to file) and a funnel of the sympathisers met there.

    Idempotent: nothing is added when the hospital mission exists. Dates are counted from the
    day of loading (next Saturday and Sunday), so that a fresh demo always has missions to come.
    """
    from datetime import timedelta

    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from circonscriptions.models import Commune, PollingStationProfile
    from hq.missions import missions_create_from_priorities, signup_create
    from hq.models import (
        ActivistProfile,
        Availability,
        Cause,
        FollowupStatus,
        Method,
        Mission,
        MissionSignup,
        MissionStatus,
        SignupStatus,
        Skill,
        Supporter,
        Transport,
    )

    federation = Federation.objects.filter(departement__code="29").first()
    hq = User.objects.filter(email="federation29@qg.example").first()
    mael = User.objects.filter(email="militant29@qg.example").first()
    if federation is None or hq is None or mael is None:
        return []
    if Mission.objects.filter(federation=federation, title=DEMO_HOSPITAL_MISSION).exists():
        return ["missions de démo déjà chargées."]

    with transaction.atomic():
        nurse, _ = Skill.objects.get_or_create(slug="infirmiere", defaults={"name": "Infirmière"})
        health = Cause.objects.filter(slug="sante").first()
        public_services = Cause.objects.filter(slug="services-publics").first()
        door = Method.objects.filter(slug="porte-a-porte").first() or Method.objects.first()
        market = Method.objects.filter(slug="marche").first() or door
        brest = Commune.objects.filter(code="29019").first()
        section = Section.objects.filter(federation=federation, name="Brest centre").first()
        if section is not None and brest is not None and not section.communes.exists():
            section.communes.add(brest)

        profile, _ = ActivistProfile.objects.get_or_create(
            user=mael,
            defaults={
                "home_section": section,
                "home_commune": brest,
                "home_location": Point(*DEMO_BREST, srid=4326),
                "availability": [Availability.WEEKDAY_EVENING, Availability.SATURDAY],
                "transport": Transport.CAR,
                "car_seats": 3,
                "max_distance_km": 90,
                "free_skills": ["aide-soignante"],
                "consent_text": DEMO_PROFILE_CONSENT,
                "consent_at": timezone.now(),
            },
        )
        profile.skills.add(nurse)
        profile.causes.add(*[cause for cause in (health, public_services) if cause])

        today = timezone.localtime().replace(minute=0, second=0, microsecond=0)
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        sunday = saturday + timedelta(days=1)

        hospital = Mission.objects.create(
            federation=federation,
            method=door,
            title=DEMO_HOSPITAL_MISSION,
            description=(
                "Porte-à-porte autour de l'hôpital menacé de fermeture de sa maternité : de préférence "
                "des soignants, qui savent de quoi ils parlent."
            ),
            cause=health,
            location=Point(*DEMO_CARHAIX_HOSPITAL, srid=4326),
            meeting_point="Devant l'entrée principale de l'hôpital de Carhaix",
            meeting_location=Point(*DEMO_CARHAIX_HOSPITAL, srid=4326),
            starts_at=saturday.replace(hour=10),
            ends_at=saturday.replace(hour=12, minute=30),
            capacity_min=2,
            capacity_max=4,
            organiser=hq,
            created_by=hq,
            open_to_other_federations=True,
        )
        hospital.skills_wanted.add(nurse, *Skill.objects.filter(slug="hopital"))
        report = [f"mission de démo : {DEMO_HOSPITAL_MISSION}"]

        Mission.objects.create(
            federation=federation,
            method=market,
            title="Marché de Saint-Martin, Brest",
            cause=public_services,
            location=Point(-4.4862, 48.3958, srid=4326),
            meeting_point="Halles Saint-Martin, côté rue Massillon",
            meeting_location=Point(-4.4862, 48.3958, srid=4326),
            starts_at=sunday.replace(hour=9),
            ends_at=sunday.replace(hour=12),
            capacity_min=2,
            capacity_max=6,
            organiser=hq,
            created_by=hq,
        )
        Mission.objects.create(
            federation=federation,
            method=Method.objects.filter(slug="reunion-publique").first() or door,
            title="Réunion publique sur la maternité de Carhaix",
            cause=health,
            location=Point(*DEMO_CARHAIX_HOSPITAL, srid=4326),
            meeting_point="Salle des fêtes de Carhaix",
            starts_at=(saturday + timedelta(days=12)).replace(hour=20),
            ends_at=(saturday + timedelta(days=12)).replace(hour=22),
            capacity_min=3,
            capacity_max=10,
            organiser=mael,
            created_by=mael,
            status=MissionStatus.PROPOSED,
        )

        best = (
            PollingStationProfile.objects.current()
            .filter(polling_station__commune__departement__code="29", rank_departement__isnull=False)
            .select_related("circonscription")
            .order_by("rank_departement")
            .first()
        )
        bulk = []
        if best is not None and best.circonscription is not None:
            bulk = missions_create_from_priorities(
                by=hq,
                circonscription=best.circonscription,
                top=5,
                group_m=400,
                starts_at=saturday.replace(hour=14),
                ends_at=saturday.replace(hour=17),
                capacity_min=2,
                capacity_max=6,
            )
            report.append(f"{len(bulk)} missions de démo tirées des bureaux prioritaires de {best.circonscription}")

        volunteers = []
        for email, name in DEMO_VOLUNTEERS:
            volunteer = User.objects.filter(email=email).first() or User.objects.create_user(
                email, None, full_name=name
            )
            Membership.objects.get_or_create(
                user=volunteer,
                defaults={
                    "role": Role.ACTIVIST,
                    "federation": federation,
                    "consent_text": DEMO_CONSENT,
                    "consent_at": timezone.now(),
                },
            )
            volunteers.append(volunteer)
        for volunteer, ((dx, dy), transport) in zip(volunteers, DEMO_VOLUNTEER_HOMES, strict=True):
            ActivistProfile.objects.get_or_create(
                user=volunteer,
                defaults={
                    # No home section: their membership has none either (the federation's page).
                    "home_commune": brest,
                    "home_location": Point(DEMO_BREST[0] + dx, DEMO_BREST[1] + dy, srid=4326),
                    "availability": [Availability.SATURDAY, Availability.SUNDAY],
                    "transport": transport,
                    "car_seats": 3 if transport == Transport.CAR else 0,
                    "max_distance_km": 90,
                    "consent_text": DEMO_PROFILE_CONSENT,
                    "consent_at": timezone.now(),
                },
            )
        for volunteer in volunteers[:2]:
            signup_create(mission=hospital, user=volunteer)
        for mission in bulk[:2]:
            for volunteer in volunteers:
                signup_create(mission=mission, user=volunteer)

        # A first wave at the hospital, two or three weeks ago, that Maël and two volunteers
        # went on: the sympathisers of the funnel were met there (not on the coming mission,
        # which has not happened yet), and Maël has its report to file, already filled in.
        first_wave = Mission.objects.create(
            federation=federation,
            method=door,
            title=DEMO_FIRST_WAVE_MISSION,
            cause=health,
            location=Point(*DEMO_CARHAIX_HOSPITAL, srid=4326),
            meeting_point="Devant l'entrée principale de l'hôpital de Carhaix",
            meeting_location=Point(*DEMO_CARHAIX_HOSPITAL, srid=4326),
            starts_at=(saturday - timedelta(days=14)).replace(hour=10),
            ends_at=(saturday - timedelta(days=14)).replace(hour=12, minute=30),
            capacity_min=2,
            capacity_max=6,
            organiser=hq,
            created_by=hq,
            status=MissionStatus.DONE,
        )
        # Sign-ups close when a mission starts (hq.missions.signup_create): those of a past
        # mission are written as they stood when it took place.
        for person in (mael, *volunteers[:2]):
            MissionSignup.objects.create(
                mission=first_wave,
                user=person,
                status=SignupStatus.CONFIRMED,
                created_at=first_wave.starts_at - timedelta(days=3),
                changed_at=first_wave.starts_at - timedelta(days=3),
            )
        Mission.objects.filter(pk=first_wave.pk).update(seats_taken=3)

        now = timezone.now()
        met = first_wave.ends_at
        funnel = [
            # name, step, when the step was reached, met on the first wave
            ("Jeanne Le Gall", FollowupStatus.TO_CONTACT, met, True),
            ("Erwan Morvan", FollowupStatus.TO_CONTACT, now - timedelta(days=2), False),
            ("Katell Riou", FollowupStatus.CONTACTED, now - timedelta(days=5), True),
            ("Loïc Tanguy", FollowupStatus.CAME, now - timedelta(days=3), True),
            ("Annaïg Guivarc'h", FollowupStatus.MEMBER, now - timedelta(days=1), True),
        ]
        for i, (name, status, changed_at, on_first_wave) in enumerate(funnel):
            Supporter.objects.get_or_create(
                name=name,
                federation=federation,
                defaults={
                    "phone": f"06 00 00 00 {i:02d}",
                    "consent_text": "J'accepte que le parti me recontacte pour ses actions.",
                    "consent_at": met if on_first_wave else changed_at,
                    "added_by": hq,
                    "met_on_mission": first_wave if on_first_wave else None,
                    "followup_status": status,
                    "followup_changed_at": changed_at,
                },
            )
        report.append("profil de Maël, inscriptions et suivi de recrutement de démo en Finistère")
    return report
