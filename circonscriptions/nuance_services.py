"""An analyst sets the nuance of a candidate or a list, by name, for one election.

Files that give no nuance (city exports, the Paris file for the lists it does not
know, Toulouse's unnamed lists) leave candidates with NC (« nuance non renseignée »),
and the profiles leave an election out of a bureau where such votes exceed the
data-quality threshold. Naming the candidate's nuance here:

- relabels every vote row of that election with that candidate or list name (by
  bureau and by circonscription) with the code chosen, creating the election's nuance
  with its default bloc (`blocs.default_bloc`, by the election's year) when the
  election has none of that code yet — an existing nuance keeps the bloc analysts gave it;
- records the choice (`CandidateNuance`), so that a file of the same election imported
  later gets the same nuance for that name, whatever its own says;
- asks for a recompute of the profiles once the change is committed.

A name is matched exactly as stored (the importers' spelling, e.g. « Marc COATANEA »
or « LA FRANCE REVIENT ! AVEC JORDAN BARDELLA ET MARINE LE PEN »). A code is 1 to 12
letters or digits (the ministry's codes are upper case: it is upper-cased).
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from circonscriptions import blocs
from circonscriptions.models import (
    CandidateNuance,
    CirconscriptionResult,
    CirconscriptionVotes,
    Election,
    Nuance,
    PollingStationResult,
    PollingStationVotes,
)
from circonscriptions.profiles import formats
from circonscriptions.profiles.services import profiles_recompute_later

_CODE = re.compile(r"^[A-Z0-9]{1,12}$")


def nuance_code_clean(code: str) -> str:
    """' lfi ' → 'LFI'; anything but 1 to 12 letters or digits is refused in French."""
    cleaned = (code or "").strip().upper()
    if not cleaned:
        raise ValidationError("Le code de nuance est vide : écrivez par exemple DVG, LFI ou EXG.")
    if len(cleaned) > 12:
        raise ValidationError(f"Le code de nuance « {cleaned} » est trop long : 12 caractères au plus.")
    if not _CODE.match(cleaned):
        raise ValidationError(
            f"Le code de nuance « {cleaned} » n'est pas valable : lettres et chiffres seulement, sans espace ni accent."
        )
    return cleaned


@dataclass(frozen=True)
class NuanceSetOutcome:
    code: str
    nuance_created: bool
    rows_changed: int  # vote rows (bureaux and circonscriptions) whose nuance changed


def _votes_relabel(votes_model, result_model, *, election: Election, candidate: str, nuance_id: int) -> int:
    # One set-based UPDATE: the votes tables are the big ones and have no index but their key.
    votes_table, result_table = votes_model._meta.db_table, result_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {votes_table} v SET nuance_id = %s
            FROM {result_table} r
            WHERE r.id = v.result_id AND r.election_id = %s AND v.candidate = %s
              AND v.nuance_id IS DISTINCT FROM %s
            """,  # noqa: S608
            [nuance_id, election.pk, candidate, nuance_id],
        )
        return max(cursor.rowcount, 0)


def _has_votes(votes_model, result_model, *, election: Election, candidate: str) -> bool:
    votes_table, result_table = votes_model._meta.db_table, result_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {votes_table} v JOIN {result_table} r ON r.id = v.result_id "  # noqa: S608
            "WHERE r.election_id = %s AND v.candidate = %s)",
            [election.pk, candidate],
        )
        return bool(cursor.fetchone()[0])


@transaction.atomic
def candidate_nuance_set(*, election: Election, candidate: str, code: str, by: str) -> NuanceSetOutcome:
    """Give `candidate` (a candidate's or list's name as stored) the nuance `code` in
    `election` (see the module docstring). Raises ValidationError, in French, for a bad
    code or a name with no votes in the election."""
    code = nuance_code_clean(code)
    pairs = ((PollingStationVotes, PollingStationResult), (CirconscriptionVotes, CirconscriptionResult))
    if not any(_has_votes(v, r, election=election, candidate=candidate) for v, r in pairs):
        raise ValidationError(f"Aucun candidat ni liste « {candidate} » n'a de voix dans l'élection {election.slug}.")
    nuance, created = Nuance.objects.get_or_create(
        election=election,
        code=code,
        defaults={
            "label": blocs.default_label(code, election.year),
            "bloc": blocs.default_bloc(code, election.year),
        },
    )
    changed = sum(_votes_relabel(v, r, election=election, candidate=candidate, nuance_id=nuance.pk) for v, r in pairs)
    CandidateNuance.objects.update_or_create(
        election=election, candidate=candidate, defaults={"code": code, "set_by": by, "set_at": timezone.now()}
    )
    profiles_recompute_later()
    return NuanceSetOutcome(code=code, nuance_created=created, rows_changed=changed)


@dataclass(frozen=True)
class CandidateRow:
    """One candidate or list of an election, as the admin page lists them."""

    candidate: str
    codes: list[str]  # the nuance codes its vote rows carry (usually one)
    votes: int
    share: float  # of all the votes cast for candidates in the election
    unlabelled: bool  # its votes have no usable nuance (NC or none)
    chosen: str  # the code an analyst set by name, '' if none

    @property
    def share_label(self) -> str:
        return french_percent(self.share)


@dataclass(frozen=True)
class ElectionCandidates:
    rows: list[CandidateRow]
    total_votes: int
    unlabelled_votes: int

    @property
    def unlabelled_share(self) -> float:
        return self.unlabelled_votes / self.total_votes if self.total_votes else 0.0

    @property
    def unlabelled_label(self) -> str:
        return french_percent(self.unlabelled_share)


def french_percent(share: float) -> str:
    """0.1234 → '12,3 %' (the one French number rule, profiles/formats.py)."""
    return formats.percent(share, 1)


def election_candidates(election: Election, *, search: str = "", limit: int = 500) -> ElectionCandidates:
    """The election's candidates and lists by name, most voted first (by bureau and by
    circonscription together), with their nuance and whether their votes are unlabelled."""
    parts = []
    params: list = []
    for votes_model, result_model in (
        (PollingStationVotes, PollingStationResult),
        (CirconscriptionVotes, CirconscriptionResult),
    ):
        parts.append(
            f"SELECT v.candidate, n.code, v.votes FROM {votes_model._meta.db_table} v "  # noqa: S608
            f"JOIN {result_model._meta.db_table} r ON r.id = v.result_id "
            f"LEFT JOIN {Nuance._meta.db_table} n ON n.id = v.nuance_id WHERE r.election_id = %s"
        )
        params.append(election.pk)
    sql = f"""
        WITH v AS ({" UNION ALL ".join(parts)})
        SELECT candidate, array_agg(DISTINCT coalesce(code, '')), sum(votes),
               sum(votes) FILTER (WHERE code IS NULL OR code = %s)
        FROM v GROUP BY candidate ORDER BY sum(votes) DESC, candidate
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, blocs.UNKNOWN_NUANCE])
        rows = cursor.fetchall()
    total = sum(int(r[2]) for r in rows)
    unlabelled = sum(int(r[3] or 0) for r in rows)
    chosen = dict(CandidateNuance.objects.filter(election=election).values_list("candidate", "code"))
    needle = search.strip().casefold()
    listed = [
        CandidateRow(
            candidate=name,
            codes=sorted(c for c in codes if c) or [""],
            votes=int(votes),
            share=int(votes) / total if total else 0.0,
            unlabelled=bool(unlabelled_votes),
            chosen=chosen.get(name, ""),
        )
        for name, codes, votes, unlabelled_votes in rows
        if not needle or needle in name.casefold()
    ]
    return ElectionCandidates(rows=listed[:limit], total_votes=total, unlabelled_votes=unlabelled)
