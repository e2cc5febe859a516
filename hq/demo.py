"""Demo data for `make run`: a few accounts, one per role, in two federations.

Idempotent: accounts and federations are matched by e-mail and département code.
"""

from django.db import transaction

from circonscriptions.models import Departement
from hq.models import Federation, Membership, Role, Section, User
from hq.services import hq_staff_grant

DEMO_PASSWORD = "qg-demo-2026"  # noqa: S105 — a published demo password, development only

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
    if not report:
        report.append("données de démo déjà chargées.")
    return report
