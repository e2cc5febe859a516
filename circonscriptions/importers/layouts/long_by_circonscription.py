"""The two layouts by circonscription with one line per candidate.

- `ministry_circo`: the Interior Ministry's file (`CodCirElec` '0101', 'ZA01', 'ZZ01';
  `CodNuaCand` and its label `LibNuaCand`, kept as the nuance's label);
- `long_2017`: the long 2017 layout (`departement`, `circonscription` as a number; no
  `nuls`: nuls = votants − blancs − exprimés).

The counts of a circonscription repeat on each of its lines and must agree. A file
without a nuance column is a présidentielle's: its candidates' surnames say which one.
"""

import numpy as np
import pandas as pd

from circonscriptions import blocs
from circonscriptions.importers.base import Problem
from circonscriptions.importers.codes import circonscription_code, circonscription_normalise
from circonscriptions.importers.detect import SourceText, read_int_column
from circonscriptions.importers.layouts.common import (
    Evidence,
    Table,
    check_repeated_counts,
    complete_counts,
    counts_from,
    distinct_values,
    join_names,
    legislative_evidence,
    names_by_votes,
    read_frame,
    round_from_candidates,
    text_of,
    unsafe_cells,
)
from circonscriptions.models import Election


def read_long_circo(source: SourceText, election: Election, layout: str) -> Table:
    """The two layouts by circonscription with one line per candidate."""
    header = source.header
    if layout == "ministry_circo":
        cols = {
            "circo": "CodCirElec",
            "panel": "NumPanneauCand",
            "surname": "NomPsn",
            "first": "PrenomPsn",
            "nuance": "CodNuaCand",
            "label": "LibNuaCand",
            "votes": "NbVoix",
        }
        dept_col = "Departement"
    else:
        cols = {
            "circo": "circonscription",
            "panel": "numero_panneau",
            "surname": "nom",
            "first": "prenom",
            "nuance": "nuance",
            "votes": "voix",
        }
        dept_col = "departement"
    cols = {k: v for k, v in cols.items() if v in header}
    text_cols = [dept_col] + [cols[k] for k in ("circo", "surname", "first", "nuance", "label", "elu") if k in cols]
    if "Elu" in header:
        text_cols.append("Elu")
    frame = read_frame(source, str_columns=text_cols)
    n = len(frame)
    lines = np.arange(2, n + 2)
    problems: list[Problem] = []
    unsafe_cells(frame, lines, problems)
    counts, columns = counts_from(frame, header, lines, problems)
    complete_counts(counts, columns)

    dept_raw, circo_raw = text_of(frame, dept_col), text_of(frame, cols["circo"])
    pairs = pd.DataFrame({"d": dept_raw, "c": circo_raw})
    codes = {}
    for d, c in pairs.drop_duplicates().itertuples(index=False):
        parsed = circonscription_normalise(c) if layout == "ministry_circo" else circonscription_normalise(c, d)
        codes[(d, c)] = circonscription_code(*parsed) if parsed else ""
    circo_all = np.array([codes[(d, c)] for d, c in zip(dept_raw, circo_raw, strict=True)], dtype=object)
    for i in np.flatnonzero(circo_all == ""):
        problems.append(
            Problem("circonscription illisible", line=int(lines[i]), column=cols["circo"], value=circo_raw[i])
        )

    # One territory per circonscription: its first line; the counts repeated on every
    # line of a circonscription must agree.
    first_pos, territory_of = check_repeated_counts(
        circo_all, counts, columns, lines, problems, "de la même circonscription"
    )
    votes_col = read_int_column(frame[cols["votes"]])
    for i in np.flatnonzero(votes_col.bad | votes_col.missing):
        why = votes_col.reason[i] or "valeur manquante"
        problems.append(Problem(why, line=int(lines[i]), column=cols["votes"], value=str(votes_col.raw.iloc[i])))
    panel_col = read_int_column(frame[cols["panel"]])
    for i in np.flatnonzero(panel_col.bad | panel_col.missing):
        problems.append(
            Problem(
                "numéro de panneau illisible",
                line=int(lines[i]),
                column=cols["panel"],
                value=str(panel_col.raw.iloc[i]),
            )
        )
    surname = text_of(frame, cols["surname"])
    first = text_of(frame, cols["first"]) if "first" in cols else np.full(n, "", dtype=object)
    votes = pd.DataFrame(
        {
            "tidx": territory_of,
            "panel": panel_col.values,
            "nuance": text_of(frame, cols["nuance"]) if "nuance" in cols else "",
            "surname": surname,
            "candidate": join_names(first, surname),
            "votes": votes_col.values,
            "column": cols["votes"],
            "line": lines,
        }
    )
    labels = {}
    if "label" in cols:
        labels = dict(zip(text_of(frame, "CodNuaCand"), text_of(frame, cols["label"]), strict=True))
    if "nuance" in cols:
        evidence = legislative_evidence(votes, cols["nuance"])
    else:
        surnames = sorted(distinct_values(surname))
        evidence = Evidence(
            kind="presidentielle",
            years=blocs.presidential_years_of(surnames) or None,
            where="nom",
            codes=names_by_votes(votes),
        )
    evidence.round = round_from_candidates(votes, evidence.kind)
    if "Elu" in header and (frame["Elu"].astype(str) == "QUALIF T2").any():
        evidence.round = 1  # only a first round qualifies candidates for the second
    # Duplicates: the same candidate panel twice in one circonscription.
    dup = votes.duplicated(["tidx", "panel"], keep="first").to_numpy()
    for i in np.flatnonzero(dup):
        problems.append(
            Problem(
                f"candidat (panneau {panel_col.values[i]}) déjà présent dans la circonscription {circo_all[i]}",
                line=int(lines[i]),
                column=cols["panel"],
                value=str(panel_col.values[i]),
            )
        )
    return Table(
        layout=layout,
        level="circonscription",
        lines=lines[first_pos],
        counts={k: v[first_pos] for k, v in counts.items()},
        count_columns=columns,
        votes=votes,
        circo=circo_all[first_pos],
        circo_column=cols["circo"],
        nuance_column=cols.get("nuance", "nuance"),
        labels=labels,
        evidence=evidence,
        rows_read=n,
        problems=problems,
    )
