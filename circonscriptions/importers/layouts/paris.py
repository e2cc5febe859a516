"""The City of Paris file (`paris_long`): one line per (bureau, candidate or list), several
elections in one file, bureaux numbered '14-20' (arrondissement-bureau).
"""

import numpy as np
import pandas as pd

from circonscriptions import blocs
from circonscriptions.importers.base import ImportRefused, Problem
from circonscriptions.importers.codes import circonscription_code
from circonscriptions.importers.detect import SourceText, read_int_column
from circonscriptions.importers.layouts.common import (
    COUNT_COLUMNS,
    COUNTS,
    FRENCH,
    Evidence,
    Table,
    check_repeated_counts,
    clean,
    complete_counts,
    counts_from,
    empty_votes,
    join_names,
    read_frame,
    station_code,
    text_of,
    unsafe_cells,
)
from circonscriptions.models import Election

_PARIS_SCRUTINS = {
    "europeennes": "EUROPEENNES",
    "legislatives": "LEGISLATIVE",
    "municipales": "MUNICIPALES",
    "presidentielle": "PRESIDENTIELLE",
    "regionales": "REGIONALES",
}


def paris_station_code(raw: str) -> str:
    """'14-20' (arrondissement-bureau) and '75056_1420' both → '1420': the ministry's AABB number."""
    text = str(raw).strip()
    if "_" in text:
        return station_code(text.rpartition("_")[2])
    arrondissement, _, bureau = text.partition("-")
    if not (arrondissement.isdigit() and bureau.isdigit()):
        return ""
    return str(int(arrondissement) * 100 + int(bureau))


def read_paris_long(source: SourceText, election: Election) -> Table:
    """The City of Paris file, one line per (bureau, candidate or list), several elections
    in one file: only the lines of the election named are read (`scrutin`, `annee`, `tour`).

    Bureaux belong to commune 75056 (as in the ministry's files), numbered AABB. Candidates
    have no panel number: they are numbered in the order of their first line. The file gives
    a nuance for municipal lists only; each line keeps the file's identifier of its candidate
    or list (`slug`, 'bardella_jordan'), by which `nuances.resolve` finds présidentielle
    candidates and the heads of européennes and régionales lists.
    """
    text_cols = ["id_bvote", "scrutin", "annee", "tour", "num_circ", "candidate", "nom", "prenom", "nuance", "liste"]
    text_cols = [c for c in text_cols if c in source.header]
    number_cols = [c for names in COUNT_COLUMNS.values() for c in names if c in source.header] + ["votes"]
    frame = read_frame(source, usecols=text_cols + number_cols, str_columns=text_cols)
    all_lines = np.arange(2, len(frame) + 2)
    scrutin = clean(frame["scrutin"].to_numpy(object), blocs.name_key)
    wanted = (
        (scrutin == _PARIS_SCRUTINS.get(election.kind, "?"))
        & (text_of(frame, "annee") == str(election.year))
        & (text_of(frame, "tour") == str(election.round))
    )
    if not wanted.any():
        present = sorted(
            {f"{s} {a} tour {t}" for s, a, t in zip(frame["scrutin"], frame["annee"], frame["tour"], strict=True)}
        )
        raise ImportRefused(
            "", [Problem(f"aucune ligne de l'élection {election.slug} ; le fichier contient : {', '.join(present)}")]
        )
    frame = frame[wanted].reset_index(drop=True)
    lines = all_lines[wanted]
    n = len(frame)
    problems: list[Problem] = []
    unsafe_cells(frame, lines, problems)
    for name, column in (("voters", "nb_votant"), ("blank", "nb_bl"), ("null", "nb_nul")):
        if frame[column].isna().all():
            # Municipales 2020: the source publishes neither votants nor blancs nor nuls.
            problems.append(
                Problem(
                    f"colonne vide pour toute l'élection {election.slug} : ce fichier ne publie pas les "
                    f"{FRENCH[name].lower()}, le résultat ne peut pas être enregistré",
                    line=int(lines[0]),
                    column=column,
                )
            )
    if problems:
        return Table(
            layout="paris_long",
            level="polling_station",
            lines=lines[:0],
            counts={k: np.zeros(0, np.int64) for k in COUNTS},
            count_columns={},
            votes=empty_votes().assign(line=[]),
            commune=np.zeros(0, dtype=object),
            station=np.zeros(0, dtype=object),
            circo=np.zeros(0, dtype=object),
            rows_read=n,
            problems=problems,
        )
    counts, columns = counts_from(frame, source.header, lines, problems)
    complete_counts(counts, columns)
    station_all = clean(frame["id_bvote"].to_numpy(object), paris_station_code)
    for i in np.flatnonzero(station_all == ""):
        problems.append(Problem("bureau illisible", line=int(lines[i]), column="id_bvote", value=frame["id_bvote"][i]))
    # One territory per bureau (its first line); the counts repeated on its lines must agree.
    first_pos, territory_of = check_repeated_counts(station_all, counts, columns, lines, problems, "du même bureau")
    slug = text_of(frame, "candidate")
    panel = pd.factorize(slug)[0] + 1
    surname, first, label = text_of(frame, "nom"), text_of(frame, "prenom"), text_of(frame, "liste")
    names = np.where(surname != "", join_names(first, surname), np.where(label != "", label, slug))
    # The file's nuance column, as written (empty for présidentielles, européennes and
    # régionales); a file without the column is refused unless it is a présidentielle's.
    if "nuance" in frame or election.kind != "presidentielle":
        nuance = text_of(frame, "nuance")
    else:
        nuance = np.full(len(frame), "", dtype=object)
    votes_col = read_int_column(frame["votes"])
    for i in np.flatnonzero(votes_col.bad | votes_col.missing):
        why = votes_col.reason[i] or "valeur manquante"
        problems.append(Problem(why, line=int(lines[i]), column="votes", value=str(votes_col.raw.iloc[i])))
    votes = pd.DataFrame(
        {
            "tidx": territory_of,
            "panel": panel,
            "nuance": nuance,
            "surname": surname,
            "slug": slug,  # the file's own name of the candidate or list ('bardella_jordan')
            "candidate": names,
            "votes": votes_col.values,
            "column": "votes",
            "line": lines,
        }
    )
    for i in np.flatnonzero(votes.duplicated(["tidx", "panel"]).to_numpy()):
        problems.append(
            Problem("candidat déjà présent pour ce bureau", line=int(lines[i]), column="candidate", value=slug[i])
        )
    circo = np.full(int(first_pos.sum()), "", dtype=object)
    if "num_circ" in frame:  # the bureau's législatives circonscription, given for every election
        circo_raw = text_of(frame, "num_circ")[first_pos]
        circo = np.array(
            [circonscription_code("75", int(float(c))) if c.replace(".", "", 1).isdigit() else "" for c in circo_raw],
            dtype=object,
        )
    n_territories = int(first_pos.sum())
    return Table(
        layout="paris_long",
        level="polling_station",
        lines=lines[first_pos],
        counts={k: v[first_pos] for k, v in counts.items()},
        count_columns=columns,
        votes=votes,
        commune=np.full(n_territories, "75056", dtype=object),
        commune_column="id_bvote",
        station=station_all[first_pos],
        station_column="id_bvote",
        circo=circo,
        circo_column="num_circ",
        evidence=Evidence(kind=election.kind, where="scrutin"),
        rows_read=n,
        problems=problems,
    )
