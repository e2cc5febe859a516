"""Writes of observations.

An observation is stored in PostgreSQL within the request, in one transaction, and
nothing in this path touches Redis or Celery: a broker or cache outage must never lose
what an activist reported from the street. The aggregates are computed from the rows
when a page asks for them (observations/queries.py), so nothing has to be updated later.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from circonscriptions.models import Commune, PollingStation
from hq.models import Cause, Federation, Method, Skill, Supporter, User
from observations.models import Observation

log = logging.getLogger(__name__)

IDEMPOTENCY_CONSTRAINT = "observations_observation_idempotency_key_key"


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
    method: Method
    reaction: int
    commune: Commune | None = None
    polling_stations: list[PollingStation] = field(default_factory=list)
    action: str = ""
    themes: list[Cause] = field(default_factory=list)
    doors_knocked: int = 0
    doors_opened: int = 0
    conversations: int = 0
    interested: int = 0
    leaflets: int = 0
    activists: list[User] = field(default_factory=list)
    supporters: list[NewSupporter] = field(default_factory=list)
    reaction_text: str = ""
    concerns: list[Cause] = field(default_factory=list)
    concerns_other: list[str] = field(default_factory=list)
    worked: str = ""
    did_not_work: str = ""


class ObservationKeyTaken(Exception):
    """The submission key is already used by an observation of someone else."""


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
    try:
        with transaction.atomic():
            observation = Observation.objects.create(
                idempotency_key=data.idempotency_key,
                filed_by=by,
                action=data.action,
                held_on=data.held_on,
                departement_id=departement_id,
                commune=commune,
                circonscription_id=circonscription_id,
                method=data.method,
                doors_knocked=data.doors_knocked,
                doors_opened=data.doors_opened,
                conversations=data.conversations,
                interested=data.interested,
                leaflets=data.leaflets,
                reaction=data.reaction,
                reaction_text=data.reaction_text,
                concerns_other=data.concerns_other,
                worked=data.worked,
                did_not_work=data.did_not_work,
            )
            if data.polling_stations:
                observation.polling_stations.add(*data.polling_stations)
            if data.themes:
                observation.themes.add(*data.themes)
            if data.concerns:
                observation.concerns.add(*data.concerns)
            if data.activists:
                observation.activists.add(*data.activists)
            if data.supporters:
                observation.supporters.add(*_supporters_create(data.supporters, departement_id=departement_id, by=by))
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) != IDEMPOTENCY_CONSTRAINT:
            raise
        existing = Observation.objects.get(idempotency_key=data.idempotency_key)
        if existing.filed_by_id != by.pk:
            raise ObservationKeyTaken from exc
        log.info("observation %s sent again (key %s): kept once", existing.pk, data.idempotency_key)
        return existing, False
    return observation, True


def _supporters_create(new: list[NewSupporter], *, departement_id: int, by: User) -> list[Supporter]:
    """Sympathisers join the federation of the place where they were met (else the filer's)."""
    federation = Federation.objects.filter(departement_id=departement_id).first()
    if federation is None:
        federation = Federation.objects.filter(memberships__user=by).first()
    if federation is None:
        raise ValueError("no federation to attach the sympathisers to")
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
        )
        if person.skills:
            supporter.skills.add(*person.skills)
        created.append(supporter)
    return created
