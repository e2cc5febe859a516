"""Toulouse Métropole's export by bureau (`city_toulouse`), whose header is only
`column_1`…`column_N`: fixed columns, then (list number, votes) pairs; see
`read_city_toulouse`.
"""

import io

import numpy as np
import pandas as pd

from circonscriptions.importers.base import ImportRefused, Problem
from circonscriptions.importers.codes import departement_normalise
from circonscriptions.importers.detect import SourceText, read_int_column
from circonscriptions.importers.layouts.common import (
    FRENCH,
    Evidence,
    Table,
    clean,
    empty_votes,
    normalise_station_codes,
    text_of,
    unsafe_cells,
    widest_line,
)
from circonscriptions.models import Election

_SCRUTIN_CODES = {
    "MN": "municipales",
    "LG": "legislatives",
    "PR": "presidentielle",
    "ER": "europeennes",
    "EU": "europeennes",
    "RG": "regionales",
    "DP": "departementales",
    "CD": "departementales",
}
# Toulouse's export by bureau, column by column (its Parquet lost the names: see SOURCES.md).
_TOULOUSE = {
    "scrutin": "column_2",
    "year": "column_3",
    "round": "column_4",
    "departement": "column_5",
    "commune": "column_6",
    "station": "column_7",
    "lists": "column_16",
}
_TOULOUSE_COUNTS = {
    "registered": "column_9",
    "abstentions": "column_10",
    "voters": "column_11",
    "blank": "column_13",
    "null": "column_14",
    "expressed": "column_15",
}
_TOULOUSE_FIRST_PAIR = 17  # column_17 = number of the first list, column_18 = its votes, and so on


def _toulouse_label(column: str) -> str:
    """'column_11' → 'column_11 (Votants)': the file's own name, and what it holds."""
    meaning = {c: FRENCH[name] for name, c in _TOULOUSE_COUNTS.items()}
    meaning.update(
        {
            "column_2": "scrutin",
            "column_3": "année",
            "column_4": "tour",
            "column_5": "département",
            "column_6": "commune",
            "column_7": "bureau",
            "column_16": "nombre de listes",
        }
    )
    if column in meaning:
        return f"{column} ({meaning[column]})"
    k = int(column.removeprefix("column_")) - _TOULOUSE_FIRST_PAIR
    return f"{column} ({'numéro' if k % 2 == 0 else 'voix'} de la liste {k // 2 + 1})" if k >= 0 else column


def read_city_toulouse(source: SourceText, election: Election) -> Table:
    """Toulouse Métropole's export by bureau (municipales 2026): a header of `column_1`…
    `column_N`, then per bureau the scrutin code ('MN'), year, round, département ('31'),
    commune within it ('555'), bureau ('0005'; '054A' for a split bureau, kept as bureau
    '54A' of its own), the counts, the number of lists and a (list number, votes) pair per
    list.

    The file names no list: a list is stored as « Liste 003 » with its number as panel and
    no nuance; `nuances.resolve` gives it NC (« non renseignée »), because neither the file
    nor `blocs` knows the Toulouse 2026 lists: analysts name them and set their nuance in
    the admin. The scrutin, year and round columns must be those of the election named, on
    every line.
    """
    header = list(source.header)
    widest = widest_line(source)
    if widest > len(header):  # lines longer than the header: more list pairs
        header += [f"column_{k}" for k in range(len(header) + 1, widest + 1)]
    frame = pd.read_csv(
        io.BytesIO(source.raw),
        encoding=source.encoding,
        sep=source.separator,
        header=0,
        names=header,
        dtype=object,
        keep_default_na=False,
        na_values=[""],
    )
    n = len(frame)
    lines = np.arange(2, n + 2)
    problems: list[Problem] = []
    absent = [c for c in [*_TOULOUSE.values(), *_TOULOUSE_COUNTS.values()] if c not in frame]
    if absent:
        raise ImportRefused(
            "",
            [Problem(f"colonne absente : {_toulouse_label(c)}", line=1, column=c) for c in absent],
        )
    unsafe_cells(frame, lines, problems)

    # The election: every line must be of the one named.
    expected = {
        "scrutin": (election.kind, lambda v: _SCRUTIN_CODES.get(v.upper(), f"« {v} »")),
        "year": (str(election.year), str),
        "round": (str(election.round), lambda v: v.lstrip("0")),
    }
    for what, (want, meaning) in expected.items():
        column = _TOULOUSE[what]
        values = text_of(frame, column)
        read = clean(values, meaning)
        wrong = pd.Series(read[read != want])
        # One problem per wrong value, at its first line (a whole file of another election
        # would otherwise give one per bureau).
        for got, how_many in wrong.value_counts(sort=False).items():
            first = int(np.flatnonzero(read == got)[0])
            got = got or "vide"
            message = {
                "scrutin": f"ce fichier est une élection {got}, pas « {election.kind} » ({election.slug})",
                "year": f"ce fichier est de l'année {got}, pas de {election.year} ({election.slug})",
                "round": f"ce fichier est un tour {got}, pas le tour {election.round} ({election.slug})",
            }[what]
            if how_many > 1:
                message += f", sur {how_many} lignes à partir de celle-ci"
            problems.append(
                Problem(message, line=int(lines[first]), column=_toulouse_label(column), value=values[first])
            )

    counts: dict[str, np.ndarray] = {}
    columns: dict[str, str | None] = {}
    for name, column in _TOULOUSE_COUNTS.items():
        parsed = read_int_column(frame[column])
        columns[name] = _toulouse_label(column)
        for i in np.flatnonzero(parsed.bad | parsed.missing):
            why = parsed.reason[i] or "valeur manquante"
            problems.append(Problem(why, line=int(lines[i]), column=columns[name], value=str(parsed.raw.iloc[i])))
        counts[name] = parsed.values

    dept_raw, commune_raw = text_of(frame, _TOULOUSE["departement"]), text_of(frame, _TOULOUSE["commune"])
    mapping = {}
    for d, c in set(zip(dept_raw, commune_raw, strict=True)):
        dep = departement_normalise(d) or ""
        prefix = dep[:2] if len(dep) == 3 else dep
        mapping[(d, c)] = f"{prefix}{c.zfill(3)}" if dep and c.isalnum() and len(c) <= 3 else ""
    commune = np.array([mapping[(d, c)] for d, c in zip(dept_raw, commune_raw, strict=True)], dtype=object)
    for i in np.flatnonzero(commune == ""):
        problems.append(
            Problem(
                "code commune illisible",
                line=int(lines[i]),
                column=_toulouse_label(_TOULOUSE["commune"]),
                value=f"{dept_raw[i]} {commune_raw[i]}".strip(),
            )
        )
    station_raw = text_of(frame, _TOULOUSE["station"])
    for i in np.flatnonzero(station_raw == ""):
        problems.append(
            Problem("numéro de bureau manquant", line=int(lines[i]), column=_toulouse_label(_TOULOUSE["station"]))
        )

    # Lists: `column_16` pairs on each line, and nothing after them.
    n_lists = read_int_column(frame[_TOULOUSE["lists"]])
    for i in np.flatnonzero(n_lists.bad | n_lists.missing):
        why = n_lists.reason[i] or "valeur manquante"
        problems.append(
            Problem(why, line=int(lines[i]), column=_toulouse_label(_TOULOUSE["lists"]), value=str(n_lists.raw.iloc[i]))
        )
    pair_columns = header[_TOULOUSE_FIRST_PAIR - 1 :]
    room = len(pair_columns) // 2
    for i in np.flatnonzero(n_lists.values > room):
        problems.append(
            Problem(
                f"{n_lists.values[i]} listes annoncées, le fichier n'a de place que pour {room}",
                line=int(lines[i]),
                column=_toulouse_label(_TOULOUSE["lists"]),
                value=str(n_lists.values[i]),
            )
        )
    parts = []
    for k in range(room):
        number_col, votes_col = pair_columns[2 * k], pair_columns[2 * k + 1]
        announced = n_lists.values > k
        number = read_int_column(frame[number_col])
        votes = read_int_column(frame[votes_col])
        for column, parsed in ((number_col, number), (votes_col, votes)):
            for i in np.flatnonzero(announced & (parsed.bad | parsed.missing)):
                why = parsed.reason[i] or "valeur manquante"
                problems.append(
                    Problem(why, line=int(lines[i]), column=_toulouse_label(column), value=str(parsed.raw.iloc[i]))
                )
            for i in np.flatnonzero(~announced & ~parsed.missing):
                problems.append(
                    Problem(
                        f"valeur au-delà des {n_lists.values[i]} listes annoncées en column_16",
                        line=int(lines[i]),
                        column=_toulouse_label(column),
                        value=str(parsed.raw.iloc[i]),
                    )
                )
        idx = np.flatnonzero(announced & ~number.missing & ~number.bad)
        raw_number = text_of(frame, number_col)[idx]
        parts.append(
            pd.DataFrame(
                {
                    "tidx": idx,
                    "panel": number.values[idx],
                    "nuance": "",  # the export gives none
                    "surname": "",
                    # The file's own spelling of the number ('003'), as the lists are known in Toulouse.
                    "candidate": clean(raw_number, lambda v: f"Liste {v}"),
                    "votes": votes.values[idx],
                    "column": votes_col,
                }
            )
        )
    votes_frame = pd.concat(parts, ignore_index=True) if parts else empty_votes()
    votes_frame["line"] = lines[votes_frame["tidx"].to_numpy(np.int64)]
    panel_columns = {pair_columns[2 * k + 1]: pair_columns[2 * k] for k in range(room)}
    for i in np.flatnonzero(votes_frame.duplicated(["tidx", "panel"]).to_numpy()):
        row = votes_frame.iloc[i]
        problems.append(
            Problem(
                "liste déjà présente sur la ligne de ce bureau",
                line=int(row["line"]),
                column=_toulouse_label(panel_columns[row["column"]]),
                value=str(row["panel"]),
            )
        )
    return Table(
        layout="city_toulouse",
        level="polling_station",
        lines=lines,
        counts=counts,
        count_columns=columns,
        votes=votes_frame,
        commune=commune,
        commune_column=_toulouse_label(_TOULOUSE["commune"]),
        station=normalise_station_codes(station_raw),
        station_column=_toulouse_label(_TOULOUSE["station"]),
        circo=np.full(n, "", dtype=object),
        evidence=Evidence(),  # the election was checked line by line above
        rows_read=n,
        problems=problems,
    )
