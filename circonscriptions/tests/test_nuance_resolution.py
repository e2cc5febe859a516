"""The nuance step after reading (importers/nuances.py), on tables as the layouts return them."""

import datetime

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from circonscriptions.importers.layouts import Table
from circonscriptions.importers.nuances import resolve
from circonscriptions.models import CandidateNuance, Election


def _table(rows: list[dict]) -> Table:
    """A table whose vote rows say what a file said: nuance as written, surname, name, identifier."""
    votes = pd.DataFrame(
        [
            {"tidx": 0, "panel": i + 1, "votes": 10, "column": "Voix", "line": 2, "slug": "", **row}
            for i, row in enumerate(rows)
        ]
    )
    return Table(
        layout="test",
        level="polling_station",
        lines=np.array([2]),
        counts={},
        count_columns={},
        votes=votes,
    )


def _election(kind: str, year: int) -> Election:
    return Election.objects.create(
        slug=f"{kind}-{year}-1", kind=kind, year=year, round=1, date=datetime.date(year, 6, 1)
    )


@pytest.mark.django_db
def test_the_files_own_code_wins_and_a_candidate_it_leaves_empty_gets_nc():
    election = _election("legislatives", 2024)
    table = _table(
        [
            {"nuance": "UG", "surname": "DUPONT", "candidate": "Anne DUPONT"},
            {"nuance": "", "surname": "MARTIN", "candidate": "Paul MARTIN"},
        ]
    )
    assert resolve(table, election) == 0
    assert list(table.votes["nuance"]) == ["UG", "NC"]


@pytest.mark.django_db
def test_a_presidential_candidate_gets_the_party_code_by_surname_or_by_the_files_identifier():
    election = _election("presidentielle", 2022)
    table = _table(
        [
            {"nuance": "", "surname": "Mélenchon", "candidate": "Jean-Luc MÉLENCHON"},
            {"nuance": "", "surname": "", "slug": "le_pen_marine", "candidate": "Marine LE PEN"},
            {"nuance": "", "surname": "INCONNU", "candidate": "Jean INCONNU"},
        ]
    )
    resolve(table, election)
    assert list(table.votes["nuance"]) == ["FI", "RN", "NC"]


@pytest.mark.django_db
def test_city_candidates_and_list_heads_get_the_code_of_their_table():
    legislatives = _election("legislatives", 2022)
    brest = _table([{"nuance": "", "surname": "SMOLARZ", "candidate": "Pierre SMOLARZ"}])
    resolve(brest, legislatives)
    assert list(brest.votes["nuance"]) == ["NUP"]

    europeennes = _election("europeennes", 2024)
    paris = _table([{"nuance": "", "surname": "", "slug": "bardella_jordan", "candidate": "La France revient"}])
    resolve(paris, europeennes)
    assert list(paris.votes["nuance"]) == ["LRN"]


@pytest.mark.django_db
def test_an_analysts_choice_by_name_replaces_what_the_file_and_the_tables_say():
    election = _election("legislatives", 2024)
    CandidateNuance.objects.create(election=election, candidate="Paul MARTIN", code="DVG", set_at=timezone.now())
    table = _table(
        [
            {"nuance": "DIV", "surname": "MARTIN", "candidate": "Paul MARTIN"},
            {"nuance": "", "surname": "DURAND", "candidate": "Léa DURAND"},
        ]
    )
    assert resolve(table, election) == 1
    assert list(table.votes["nuance"]) == ["DVG", "NC"]
