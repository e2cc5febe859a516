"""Writes of observations.

An observation is stored in PostgreSQL within the request, in one transaction with its
links and the sympathisers it names, and nothing in this path touches Redis,
Celery or the cache: an outage of either must never lose what an activist reported
from the street. The aggregates are computed from the rows when a page asks for them
(observations/queries.py), so no task has to update anything later.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from circonscriptions.models import Commune, PollingStation
from hq.models import Federation, Skill, Supporter, User
from observations.models import FREE_TEXT_MAX, Observation, Quote, QuoteField

log = logging.getLogger(__name__)


@dataclass
class NewSupporter:
    name: str
    email: str
    phone: str
    skills: list[Skill]
    consent_text: str


@dataclass
class ObservationData:
    idempotency_key: uuid.UUID
    held_on: date
    method_id: int
    reaction: int
    commune: Commune | None = None
    polling_stations: list[PollingStation] = field(default_factory=list)
    action: str = ""
    theme_ids: list[int] = field(default_factory=list)
    doors_knocked: int = 0
    doors_opened: int = 0
    conversations: int = 0
    interested: int = 0
    leaflets: int = 0
    activists: list[User] = field(default_factory=list)
    supporters: list[NewSupporter] = field(default_factory=list)
    reaction_text: str = ""
    concern_ids: list[int] = field(default_factory=list)
    concerns_other: list[str] = field(default_factory=list)
    worked: str = ""
    did_not_work: str = ""
    mission_id: int | None = None


class ObservationKeyTaken(Exception):
    """The submission key is already used by an observation of someone else."""


class NoFederation(Exception):
    """Sympathisers are kept by a federation, and there is none for this place or filer."""


def _place(data: ObservationData) -> tuple[Commune | None, int, int | None]:
    """(commune, département id, circonscription id) of the place the observation names."""
    stations = data.polling_stations
    commune = data.commune
    if commune is None and stations and len({s.commune_id for s in stations}) == 1:
        commune = stations[0].commune
    departement_id = commune.departement_id if commune is not None else stations[0].commune.departement_id
    circonscription_ids = {s.circonscription_id for s in stations}
    if stations and len(circonscription_ids) == 1:
        circonscription_id = circonscription_ids.pop()
    elif not stations and commune is not None:
        # A commune split between circonscriptions gives none: the aggregates would lie.
        ids = list(
            Commune.circonscriptions.through.objects.filter(commune=commune).values_list(
                "circonscription_id", flat=True
            )[:2]
        )
        circonscription_id = ids[0] if len(ids) == 1 else None
    else:
        circonscription_id = None
    return commune, departement_id, circonscription_id


def observation_submit(*, data: ObservationData, by: User) -> tuple[Observation, bool]:
    """Stores an observation and its participants; returns (observation, created).

    The same idempotency key sent again (double tap, resend after a timeout, offline
    draft) returns the observation already stored, with created=False: concurrent
    sends are serialised by the unique index, never by a lock held in Redis.
    """
    commune, departement_id, circonscription_id = _place(data)
    fields = {
        "filed_by": by,
        "action": data.action,
        "held_on": data.held_on,
        "departement_id": departement_id,
        "commune": commune,
        "circonscription_id": circonscription_id,
        "method_id": data.method_id,
        "doors_knocked": data.doors_knocked,
        "doors_opened": data.doors_opened,
        "conversations": data.conversations,
        "interested": data.interested,
        "leaflets": data.leaflets,
        "reaction": data.reaction,
        "reaction_text": data.reaction_text,
        "concerns_other": data.concerns_other,
        "worked": data.worked,
        "did_not_work": data.did_not_work,
        "mission_id": data.mission_id,
    }
    try:
        with transaction.atomic():
            observation = Observation.objects.create(idempotency_key=data.idempotency_key, **fields)
            supporters = _supporters_create(
                data.supporters, departement_id=departement_id, by=by, mission_id=data.mission_id
            )
            # add() is one INSERT per list when nothing listens to m2m_changed on these tables.
            for relation, linked in (
                (observation.polling_stations, data.polling_stations),
                (observation.themes, data.theme_ids),
                (observation.concerns, data.concern_ids),
                (observation.activists, data.activists),
                (observation.supporters, supporters),
            ):
                if linked:
                    relation.add(*linked)
    except IntegrityError:
        # The key is taken (a resend; one racing the first send waits on the unique index
        # until the first commits), and nothing of this send was kept. Any other refusal
        # (a method deleted meanwhile) finds no observation and goes up to the view.
        existing = Observation.objects.filter(idempotency_key=data.idempotency_key).first()
        if existing is None:
            raise
        if existing.filed_by_id != by.pk:
            raise ObservationKeyTaken from None
        log.info("observation %s sent again (key %s): kept once", existing.pk, data.idempotency_key)
        return existing, False
    return observation, True


def _supporters_create(
    new: list[NewSupporter], *, departement_id: int, by: User, mission_id: int | None = None
) -> list[Supporter]:
    """Sympathisers join the federation of the place where they were met (else the filer's).
    Met during a mission (the report is that mission's), they keep it: the recruitment
    follow-up says where each one was met."""
    if not new:
        return []
    federation = Federation.objects.filter(departement_id=departement_id).first()
    if federation is None:
        federation = Federation.objects.filter(memberships__user=by).first()
    if federation is None:
        raise NoFederation
    now = timezone.now()
    created = []
    for person in new:
        supporter = Supporter.objects.create(
            name=person.name,
            email=person.email,
            phone=person.phone,
            federation=federation,
            consent_text=person.consent_text,
            consent_at=now,
            added_by=by,
            met_on_mission_id=mission_id,
        )
        if person.skills:
            supporter.skills.add(*person.skills)
        created.append(supporter)
    return created


# --- Quotes: HQ's review of the free texts before a fiche may print them ----------------


class QuoteRefused(ValueError):
    """The decision cannot be recorded; the message is a French sentence for HQ."""


class QuoteDecision:
    APPROVE = "approve"  # the text as reported
    EDIT = "edit"  # HQ's edited text
    REJECT = "reject"
    ALL = (APPROVE, EDIT, REJECT)


def quote_review(*, observation: Observation, field: str, decision: str, text: str = "", by: User) -> Quote:
    """Record HQ's decision on one free text of `observation` (a new decision replaces the former one).

    approve: the text as reported becomes the quote; edit: `text` (HQ's edit) does;
    reject: the text never appears in a fiche. The caller checks that `by` may write on the
    observation's territory (hq.scoping).
    """
    if field not in QuoteField.values:
        raise QuoteRefused("Ce texte n'existe pas dans une observation.")
    if decision not in QuoteDecision.ALL:
        raise QuoteRefused("Décision inconnue : approuver, modifier et approuver, ou rejeter.")
    original = getattr(observation, field)
    if not original:
        raise QuoteRefused("Ce texte est vide ou a été effacé : il n'y a rien à relire.")
    if decision == QuoteDecision.REJECT:
        status, quoted = Quote.Status.REJECTED, ""
    else:
        status = Quote.Status.APPROVED
        # A textarea sends "\r\n": the quote keeps plain line breaks, counted once.
        quoted = original if decision == QuoteDecision.APPROVE else text.replace("\r\n", "\n").strip()
        if not quoted:
            raise QuoteRefused("La citation modifiée est vide : rejetez le texte plutôt que de l'approuver vide.")
        if len(quoted) > FREE_TEXT_MAX:
            raise QuoteRefused(f"La citation fait {len(quoted)} caractères : {FREE_TEXT_MAX} au plus.")
    quote, _created = Quote.objects.update_or_create(
        observation=observation,
        field=field,
        defaults={"status": status, "text": quoted, "reviewed_by": by, "reviewed_at": timezone.now()},
    )
    return quote
