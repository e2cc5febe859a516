"""People's rights over their data (GDPR art. 15, 17, 20): export and erasure.

A person is a member (an hq.User with its Membership) or a sympathiser (an hq.Supporter,
who has no login). What QG holds about them is spread over the apps: hq holds the
identity, contact data and consent; observations hold the actions they took part in and
the reports they filed; fiches hold the published quotes of those reports. hq asks the
other apps through signals (hq.signals), so that each app answers for its own data.

Export: everything QG holds about the person — and nothing about anyone else (the
other participants of an action, the sympathisers a member added, are left out) — as
JSON and as CSV (one line per value: section, row, field, value), both in one ZIP.

Erasure, in one transaction:
- the person's identity, contact data and consent records are deleted (the User with its
  Membership, e-mail addresses and the invitations sent to their address, or the
  Supporter row), and the admin's history entries that name them;
- their participant links on observations are removed; the observations keep their counts;
- observations they filed keep their counts but lose their free texts, HQ's quotes of
  those texts (observations.models.Quote), and their link to the person (filed_by becomes
  empty: no placeholder account, nothing to maintain);
- published fiche versions that quoted those free texts have the quotes replaced by a
  notice, their PDF deleted (printed again from the redacted HTML when next asked for)
  and the redaction recorded (fiches.FicheVersionRedaction); batch-print files of the
  département are deleted, since they may contain the quote.
Only national HQ, or the federal HQ of the person's federation, may export for HQ or
erase; a member exports their own data from their « Mes données » page and asks for
their erasure there (an ErasureRequest their HQ executes). Every export and erasure is
written to the audit log with its reason.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hq.audit import audit_write, person_ref
from hq.models import (
    ActivistProfile,
    AuditAction,
    AuditEntry,
    ErasureRequest,
    Invitation,
    Membership,
    MissionSignup,
    Supporter,
    User,
)
from hq.scoping import get_for_user, scope_for
from hq.signals import person_erasing, person_export_requested

KINDS = ("member", "supporter")


def person_for_hq(user, kind: str, pk) -> User | Supporter:
    """The person an HQ member may export or erase: 403 for anyone but national or federal HQ,
    404 for a person outside their federation (or who does not exist)."""
    if not scope_for(user).can_write_territory:
        raise PermissionDenied
    if kind == "member":
        return get_for_user(User.objects.select_related("membership__federation__departement"), user, pk=pk)
    if kind == "supporter":
        return get_for_user(Supporter.objects.select_related("federation__departement"), user, pk=pk)
    raise ValueError(kind)


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _hq_sections(person: User | Supporter) -> dict[str, list[dict]]:
    kind, pk = person_ref(person)
    if isinstance(person, User):
        sections: dict[str, list[dict]] = {
            "identité": [
                {
                    "e-mail": person.email,
                    "nom": person.full_name,
                    "inscrit le": person.date_joined,
                    "dernière connexion": person.last_login,
                    "compte actif": person.is_active,
                }
            ]
        }
        membership = Membership.objects.filter(user=person).select_related("federation", "section").first()
        if membership is not None:
            sections["adhésion et consentement"] = [
                {
                    "rôle": membership.get_role_display(),
                    "fédération": membership.federation.name if membership.federation else "",
                    "section": membership.section.name if membership.section else "",
                    "consentement (texte)": membership.consent_text,
                    "consentement donné le": membership.consent_at,
                }
            ]
        sections["invitations reçues"] = [
            {"rôle": i.get_role_display(), "envoyée le": i.created_at, "acceptée le": i.accepted_at}
            for i in Invitation.objects.filter(email__iexact=person.email)
        ]
        sections["demandes d'effacement"] = [
            {"demandée le": r.requested_at, "motif": r.reason, "état": r.get_status_display()}
            for r in ErasureRequest.objects.filter(user=person)
        ]
        profile = ActivistProfile.objects.filter(user=person).first()
        if profile is not None:
            sections["profil militant"] = [
                {
                    "compétences": ", ".join(s.name for s in profile.skills.all()),
                    "autres compétences": ", ".join(profile.free_skills),
                    "causes": ", ".join(c.name for c in profile.causes.all()),
                    "section de rattachement": profile.home_section.name if profile.home_section else "",
                    "commune": profile.home_commune.name if profile.home_commune else "",
                    "lieu de départ": profile.home_location.wkt if profile.home_location else "",
                    "disponibilités": ", ".join(profile.availability),
                    "transport": profile.get_transport_display(),
                    "places libres": profile.car_seats,
                    "distance maximale (km)": profile.max_distance_km,
                    "consentement (texte)": profile.consent_text,
                    "consentement donné le": profile.consent_at,
                }
            ]
        sections["inscriptions aux missions"] = [
            {
                "mission": s.mission.title,
                "début": s.mission.starts_at,
                "état": s.get_status_display(),
                "le": s.created_at,
            }
            for s in MissionSignup.objects.filter(user=person).select_related("mission")
        ]
        # What the person did themselves in QG is theirs too (not whom it was about).
        sections["actions de la personne dans QG"] = [
            {"date": e.at, "action": e.get_action_display(), "page": e.page}
            for e in AuditEntry.objects.filter(actor_id=person.pk).order_by("at")
        ]
    else:
        sections = {
            "identité et contact": [
                {
                    "nom": person.name,
                    "e-mail": person.email,
                    "téléphone": person.phone,
                    "fédération": person.federation.name,
                    "enregistré le": person.created_at,
                    "compétences": ", ".join(s.name for s in person.skills.all()),
                }
            ],
            "consentement": [
                {
                    "texte": person.consent_text,
                    "donné le": person.consent_at,
                    "renouvelé le": person.consent_renewed_at,
                }
            ],
            "suivi du recrutement": [
                {"étape": person.get_followup_status_display(), "depuis le": person.followup_changed_at}
            ],
        }
    # Who consulted or exported the person's data, and when (the actors' roles, not their names).
    sections["consultations de ces données"] = [
        {"date": e.at, "action": e.get_action_display(), "rôle de qui l'a fait": e.actor_role, "motif": e.reason}
        for e in AuditEntry.objects.filter(person_kind=kind, person_id=pk).order_by("at")
    ]
    return sections


@dataclass
class PersonExport:
    kind: str
    person_id: int
    made_at: datetime
    sections: dict[str, list[dict]]

    def as_dict(self) -> dict:
        return {
            "personne": {"type": "adhérent" if self.kind == "member" else "sympathisant", "id": self.person_id},
            "exporté le": _plain(self.made_at),
            "données": {
                name: [{key: _plain(value) for key, value in row.items()} for row in rows]
                for name, rows in self.sections.items()
            },
        }

    def json_bytes(self) -> bytes:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2).encode()

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["rubrique", "ligne", "champ", "valeur"])
        for name, rows in self.as_dict()["données"].items():
            for n, row in enumerate(rows, start=1):
                for key, value in row.items():
                    writer.writerow([name, n, key, _csv_cell(value)])
        # UTF-8 with a byte-order mark: spreadsheets then read the accents right.
        return ("\ufeff" + out.getvalue()).encode()

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("donnees.json", self.json_bytes())
            archive.writestr("donnees.csv", self.csv_bytes())
        return buffer.getvalue()

    @property
    def filename(self) -> str:
        return f"qg-donnees-{self.kind}-{self.person_id}-{self.made_at:%Y%m%d}.zip"


def _csv_cell(value) -> str:
    text = (
        ""
        if value is None
        else (json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value))
    )
    # A spreadsheet would run a cell starting with these as a formula: keep it text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def person_export(*, person: User | Supporter, by, reason: str) -> PersonExport:
    """Everything QG holds about `person`, from every app; written to the audit log with `reason`."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Indiquez le motif de l'export.")
    kind, pk = person_ref(person)
    sections = _hq_sections(person)
    for _receiver, answer in person_export_requested.send(sender=type(person), person=person, kind=kind):
        sections.update(answer or {})
    audit_write(actor=by, action=AuditAction.EXPORT, page="export", target=f"{kind} {pk}", person=person, reason=reason)
    return PersonExport(kind=kind, person_id=pk, made_at=timezone.now(), sections=sections)


def person_erase(*, person: User | Supporter, by, reason: str) -> dict[str, int]:
    """Erase `person` (see the module's docstring); returns what was removed, by kind. One transaction."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Indiquez le motif de l'effacement.")
    if isinstance(person, User) and by is not None and person.pk == by.pk:
        raise ValidationError("Vous ne pouvez pas effacer votre propre compte : demandez-le depuis « Mes données ».")
    kind, pk = person_ref(person)
    counts: dict[str, int] = {}
    with transaction.atomic():
        for _receiver, answer in person_erasing.send(
            sender=type(person), person=person, kind=kind, by=by, reason=reason
        ):
            for key, value in (answer or {}).items():
                counts[key] = counts.get(key, 0) + value
        now = timezone.now()
        if isinstance(person, User):
            ErasureRequest.objects.filter(user=person, status=ErasureRequest.Status.PENDING).update(
                status=ErasureRequest.Status.DONE, handled_at=now, handled_by=by
            )
            content_types = [ContentType.objects.get_for_model(User), ContentType.objects.get_for_model(Membership)]
            membership_pk = Membership.objects.filter(user=person).values_list("pk", flat=True).first()
            object_ids = [str(pk)] + ([str(membership_pk)] if membership_pk else [])
            counts["consent records"] = 1 if membership_pk else 0
            # The invitations sent to their address hold it: they go too.
            counts["invitations"] = Invitation.objects.filter(email__iexact=person.email).delete()[0]
            # Their places on missions go to the first in line (the deletion alone would leave them counted).
            from hq.missions import signup_cancel

            signups = list(MissionSignup.objects.filter(user=person).exclude(status="cancelled"))
            for signup in signups:
                signup_cancel(signup=signup, by=person)
            counts["mission sign-ups"] = len(signups)
        else:
            content_types = [ContentType.objects.get_for_model(Supporter)]
            object_ids = [str(pk)]
            counts["consent records"] = 1
        # The admin's history names the object (its e-mail address or name): it goes too.
        LogEntry.objects.filter(content_type__in=content_types, object_id__in=object_ids).delete()
        # Deleting the row deletes what hangs on it in the database: the membership and
        # its consent, e-mail addresses, participant links (also removed by their receivers).
        person.delete()
        counts["people"] = 1
        audit_write(
            actor=by,
            action=AuditAction.ERASE,
            page="erase",
            target=f"{kind} {pk}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
            person_key=(kind, pk),
            reason=reason,
        )
    return counts


def erasure_request_create(*, user: User, reason: str) -> ErasureRequest:
    """A member asks, from their own page, to be erased: their HQ sees the request and executes it."""
    membership = Membership.objects.filter(user=user).first()
    with transaction.atomic():
        pending = ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.PENDING).first()
        if pending is not None:
            return pending
        request = ErasureRequest.objects.create(
            user=user, federation=membership.federation if membership else None, reason=reason.strip()[:500]
        )
        audit_write(
            actor=user,
            action=AuditAction.ERASURE_REQUEST,
            page="mes-donnees",
            target=f"request {request.pk}",
            person=user,
            reason=reason.strip(),
        )
    return request
