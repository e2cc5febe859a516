"""The City of Brest's export by bureau (`city_brest`): one commune (named by `--commune`
or by the file's name), a `Scrutin` column that says the election and round, and one
« M. LE GAC Didier - votes » column per candidate, with no nuance and no panel number.

Candidates are numbered in the order of their columns. The export does not say its
year: when `blocs.CANDIDATE_NUANCES` knows the candidates' names, they tell it (a file
whose candidates are those of another election is refused); their nuances are given by
`nuances.resolve`.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd

from circonscriptions import blocs
from circonscriptions.importers.base import Problem
from circonscriptions.importers.codes import circonscription_code
from circonscriptions.importers.detect import SourceText, read_int_column
from circonscriptions.importers.guards import visible
from circonscriptions.importers.layouts.common import (
    Evidence,
    Table,
    complete_counts,
    counts_from,
    empty_votes,
    names_by_votes,
    normalise_station_codes,
    read_frame,
    text_of,
    unsafe_cells,
)
from circonscriptions.models import Commune, Election

_CIVILITY = re.compile(r"^(M\.|Mme|Mlle|M)\s+")
_SCRUTIN = {
    "LEGISLATIVE": "legislatives",
    "PRESIDENTIELLE": "presidentielle",
    "EUROPEENNE": "europeennes",
    "MUNICIPALE": "municipales",
    "REGIONALE": "regionales",
    "DEPARTEMENTALE": "departementales",
}


def scrutin_evidence(text: str) -> Evidence:
    """'Élections Législatives 1er tour' → législatives, round 1."""
    key = blocs.name_key(text)
    kind = next((kind for word, kind in _SCRUTIN.items() if word in key), None)
    round_ = (
        1
        if re.search(r"\b1(ER)? TOUR|PREMIER TOUR", key)
        else (2 if re.search(r"\b2(E|ND|EME)? TOUR|SECOND TOUR", key) else None)
    )
    return Evidence(kind=kind, round=round_, where="Scrutin")


def split_candidate_header(column: str) -> tuple[str, str]:
    """'M. LE GAC Didier - votes' → ('LE GAC', 'Didier LE GAC'): the surname is the upper-case words."""
    name = _CIVILITY.sub("", column.removesuffix(" - votes").strip())
    words = name.split()
    surname = []
    for word in words:
        if word.upper() == word and any(ch.isalpha() for ch in word):
            surname.append(word)
        else:
            break
    rest = words[len(surname) :]
    return " ".join(surname), " ".join(rest + surname)


def read_city_brest(source: SourceText, election: Election, commune_code: str) -> Table:
    header = source.header
    candidates = [h for h in header if h.endswith(" - votes")]
    frame = read_frame(source, str_columns=["Numéro", "Circo", "Scrutin", "Bureau"])
    n = len(frame)
    lines = np.arange(2, n + 2)
    problems: list[Problem] = []
    unsafe_cells(frame, lines, problems)
    counts, columns = counts_from(frame, header, lines, problems)
    complete_counts(counts, columns)
    station_raw = text_of(frame, "Numéro")
    for i in np.flatnonzero(station_raw == ""):
        problems.append(Problem("numéro de bureau manquant", line=int(lines[i]), column="Numéro", value=""))
    dept = commune_code[:3] if commune_code.startswith(("97", "98")) else commune_code[:2]
    circo_raw = text_of(frame, "Circo")
    circo = np.array(
        [circonscription_code(dept, int(c)) if c.isdigit() and int(c) > 0 else "" for c in circo_raw],
        dtype=object,
    )
    for i in np.flatnonzero((circo == "") & (circo_raw != "")):
        problems.append(
            Problem(
                "numéro de circonscription illisible", line=int(lines[i]), column="Circo", value=visible(circo_raw[i])
            )
        )
    parts = []
    for k, column in enumerate(candidates):
        surname, full = split_candidate_header(column)
        votes = read_int_column(frame[column])
        for i in np.flatnonzero(votes.bad | votes.missing):
            problems.append(
                Problem(
                    votes.reason[i] or "valeur manquante",
                    line=int(lines[i]),
                    column=column,
                    value=str(votes.raw.iloc[i]),
                )
            )
        parts.append(
            pd.DataFrame(
                {
                    "tidx": np.arange(n),
                    # The city export has no panel numbers: candidates are numbered in the order of its columns.
                    "panel": k + 1,
                    "nuance": "",  # the export gives none
                    "surname": surname,
                    "candidate": full,
                    "votes": votes.values,
                    "column": column,
                }
            )
        )
    votes_frame = pd.concat(parts, ignore_index=True) if parts else empty_votes()
    votes_frame["line"] = lines[votes_frame["tidx"].to_numpy()]
    scrutins = sorted(set(text_of(frame, "Scrutin")) - {""})
    evidence = scrutin_evidence(scrutins[0]) if scrutins else Evidence()
    # The export does not say its year: the candidates do, when a name table knows them.
    surnames = {blocs.name_key(split_candidate_header(c)[0]) for c in candidates}
    known_in = {slug for slug, table in blocs.CANDIDATE_NUANCES.items() if surnames & set(table)}
    if election.slug in blocs.CANDIDATE_NUANCES and election.slug not in known_in:
        evidence.years, evidence.where = set(), "noms des candidats"
    elif known_in and election.slug not in known_in:
        evidence.years = {int(slug.split("-")[1]) for slug in known_in}
        evidence.where = "noms des candidats"
    known_names = set().union(*(blocs.CANDIDATE_NUANCES[slug] for slug in known_in)) if known_in else set()
    evidence.codes = [name for name in names_by_votes(votes_frame) if blocs.name_key(name) in known_names]
    return Table(
        layout="city_brest",
        level="polling_station",
        lines=lines,
        counts=counts,
        count_columns=columns,
        votes=votes_frame,
        commune=np.full(n, commune_code, dtype=object),
        commune_column="--commune",
        station=normalise_station_codes(station_raw),
        station_column="Numéro",
        circo=circo,
        circo_column="Circo",
        place=text_of(frame, "Bureau"),
        evidence=evidence,
        rows_read=n,
        problems=problems,
    )


def infer_commune(path: Path) -> str | None:
    """The commune a city export is about: a 5-character INSEE code in the file name, or a
    word of the name that is the name of exactly one commune ('…-brest-…' → 29019)."""
    stem = path.name.lower()
    code = re.search(r"(?<![0-9])(\d{5}|2[ab]\d{3})(?![0-9])", stem)
    if code and Commune.objects.filter(code=code.group(1).upper()).exists():
        return code.group(1).upper()
    for word in re.split(r"[^a-zà-ÿ]+", stem):
        if len(word) < 4:
            continue
        found = list(
            Commune.objects.filter(name__iexact=word, kind=Commune.Kind.COMMUNE).values_list("code", flat=True)[:2]
        )
        if len(found) == 1:
            return found[0]
    return None
