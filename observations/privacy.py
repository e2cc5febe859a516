"""What the observations app holds about a person, for hq's export, erasure and retention purge.

Connected in ObservationsConfig.ready() to hq.signals (see hq/privacy.py for the rules).
An observation's counts are never removed: they are aggregates about the population
met, not about the person. What goes is the link to the person, the free texts they
wrote, and HQ's quotes of those texts (observations.models.Quote, possibly edited).
Before any free text is cleared, `observation_texts_erasing` tells the fiches which texts
and quotes go, so that their published quotes are redacted in the same transaction.
"""

from __future__ import annotations

from django.db.models import Q

from observations.models import Observation, Quote
from observations.queries import approved_quotes
from observations.signals import observation_texts_erasing

FREE_TEXT_FIELDS = ("reaction_text", "worked", "did_not_work")
ERASED_TEXTS = {field: "" for field in FREE_TEXT_FIELDS}


def _row(o: Observation, *, with_texts: bool) -> dict:
    row = {
        "date": o.held_on,
        "lieu": o.place_label,
        "action": o.action,
        "méthode": o.method.name,
        "portes frappées": o.doors_knocked,
        "portes ouvertes": o.doors_opened,
        "conversations": o.conversations,
        "personnes intéressées": o.interested,
        "tracts": o.leaflets,
    }
    if with_texts:
        row.update(
            {
                "réaction (texte)": o.reaction_text,
                "ce qui a marché": o.worked,
                "ce qui n'a pas marché": o.did_not_work,
                "autres préoccupations": ", ".join(o.concerns_other),
            }
        )
    return row


def export_sections(sender, person, kind: str, **kwargs) -> dict[str, list[dict]]:
    """The observations the person filed (with their texts) and those they took part in
    (without the other participants, nor texts someone else wrote)."""
    base = Observation.objects.select_related("method", "commune", "departement").order_by("held_on", "pk")
    if kind == "member":
        return {
            "observations remplies": [_row(o, with_texts=True) for o in base.filter(filed_by=person)],
            "actions auxquelles la personne a participé": [
                _row(o, with_texts=False) for o in base.filter(activists=person)
            ],
            # The decisions are theirs; the texts were written by someone else, and stay out.
            "citations relues pour les fiches": [
                {"date": q.reviewed_at, "texte": q.get_field_display(), "décision": q.get_status_display()}
                for q in Quote.objects.filter(reviewed_by=person).order_by("reviewed_at", "pk")
            ],
        }
    return {
        "actions auxquelles la personne a participé": [
            _row(o, with_texts=False) for o in base.filter(supporters=person)
        ]
    }


# Texts are read and cleared this many observations at a time (the purge may meet many).
CHUNK = 2000


def texts_clear(observations, *, by, reason: str) -> tuple[int, int]:
    """Clear the free texts of `observations` (a queryset), after telling the fiches; returns
    (observations cleared, fiche versions redacted)."""
    with_texts = observations.filter(~Q(reaction_text="") | ~Q(worked="") | ~Q(did_not_work="")).order_by("pk")
    cleared = redacted = 0
    while True:
        # Each pass clears what it read: the next one starts on the observations still holding text.
        rows = with_texts.values("pk", "circonscription_id", "held_on", "created_at", *FREE_TEXT_FIELDS)[:CHUNK]
        ids = [row["pk"] for row in rows]
        if not ids:
            return cleared, redacted
        # HQ's approved quotes are what fiches print (possibly edited): the fiches look for them too.
        quotes = approved_quotes(ids)
        items = [
            {
                "id": row["pk"],
                "circonscription_id": row["circonscription_id"],
                "held_on": row["held_on"].isoformat(),
                "created_at": row["created_at"],
                "texts": {field: row[field] for field in FREE_TEXT_FIELDS if row[field]},
                "quotes": quotes.get(row["pk"], {}),
            }
            for row in rows
        ]
        for _receiver, answer in observation_texts_erasing.send(
            sender=Observation, observations=items, by=by, reason=reason
        ):
            redacted += answer or 0
        # The quotes are copies of the texts (or HQ's edit of them): they go with them.
        Quote.objects.filter(observation_id__in=ids).delete()
        cleared += Observation.objects.filter(pk__in=ids).update(**ERASED_TEXTS)


def person_erasing(sender, person, kind: str, by, reason: str, **kwargs) -> dict[str, int]:
    """Remove the person's participant links; the observations they filed lose their texts and the link."""
    if kind == "supporter":
        links = Observation.supporters.through.objects.filter(supporter=person).delete()[0]
        return {"participant links": links}
    links = Observation.activists.through.objects.filter(user=person).delete()[0]
    filed = Observation.objects.filter(filed_by=person)
    cleared, redacted = texts_clear(filed, by=by, reason=reason)
    unlinked = filed.update(filed_by=None)
    return {
        "participant links": links,
        "observations unlinked": unlinked,
        "observation texts cleared": cleared,
        "fiche versions redacted": redacted,
    }


def retention_purging(sender, text_cutoff, by=None, **kwargs) -> dict[str, int]:
    """Observations held before `text_cutoff` lose their free texts (their counts stay)."""
    cleared, redacted = texts_clear(
        Observation.objects.filter(held_on__lt=text_cutoff), by=by, reason="durée de conservation dépassée"
    )
    return {"observation_texts_cleared": cleared, "fiche_versions_redacted": redacted}
