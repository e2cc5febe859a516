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
