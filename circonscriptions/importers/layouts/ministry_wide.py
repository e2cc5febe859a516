"""The Interior Ministry's file by bureau de vote (`ministry_wide`): one line per bureau,
then repeated candidate or list blocks.

Candidate blocks (`Nuance candidat 1`, `Voix 1`…); présidentielle exports have no nuance
and blocks suffixed `.1`/`_1`; the raw ministry files do not repeat the block headers at
all, the extra fields of a line are then read as further blocks of the same width. The
européennes file has list blocks instead (`Numéro de panneau N`, `Nuance liste N`,
`Libellé abrégé de liste N`, `Libellé de liste N`, `Voix N`…): a list is stored under its
label (the full one when given, else the short one) with its L-code nuance, and the
codes are checked against the européennes list grid (`blocs.EUROPEENNES_CODES`).

Communes are 5-character INSEE codes, or 3 characters completed by the département.
"""

import numpy as np
import pandas as pd

from circonscriptions import blocs
from circonscriptions.importers.base import Problem
from circonscriptions.importers.codes import circonscription_code, circonscription_normalise, departement_normalise
from circonscriptions.importers.detect import SourceText, read_int_column
from circonscriptions.importers.guards import visible
from circonscriptions.importers.layouts.common import (
    BLOCK_FIELDS,
    COUNT_COLUMNS,
    Evidence,
    Table,
    block_base,
    clean,
    complete_counts,
    counts_from,
    distinct_values,
    empty_votes,
    first_of,
    join_names,
    legislative_evidence,
    list_evidence,
    names_by_votes,
    normalise_station_codes,
    read_frame,
    round_from_candidates,
    text_of,
    unsafe_cells,
    widest_line,
)
from circonscriptions.models import Election


def read_ministry_wide(source: SourceText, election: Election) -> Table:
    header = list(source.header)
    # Raw ministry files name only the first candidate block; the extra fields of each
    # line are the next blocks, with the same width.
    repeated = sum(block_base(h)[0] == "Voix" for h in header) > 1
    widest = len(header) if repeated else widest_line(source)
    first_block = next((i for i, h in enumerate(header) if block_base(h)[0] in BLOCK_FIELDS["panel"]), None)
    if widest > len(header) and first_block is not None:
        width = len(header) - first_block
        first_names = header[first_block:]
        extra = widest - len(header)
        for k in range((extra + width - 1) // width):
            header += [f"{b} #{k + 1}" for b in first_names][: extra - k * width]
    blocks: dict[int, dict[str, str]] = {}
    for column in header:
        if " #" in column:
            base, _, repeat = column.rpartition(" #")
            index = 1000 + int(repeat)
        else:
            base, index = block_base(column)
        for fname, bases in BLOCK_FIELDS.items():
            if base in bases:
                blocks.setdefault(index, {})[fname] = column
    # A candidate or list block without its votes column: the file lost a column, and
    # its votes would be silently missing (the sum check would only say « ≠ Exprimés »).
    voteless = [
        Problem(
            f"colonne « Voix{'' if i == 0 else f' {i}'} » absente : le bloc de « {next(iter(b.values()))} » "
            "n'a pas de voix",
            line=1,
            column=next(iter(b.values())),
        )
        for i, b in sorted(blocks.items())
        if "votes" not in b and i < 1000
    ]
    blocks = {i: b for i, b in sorted(blocks.items()) if "votes" in b}
    dept_col = first_of(header, ("Code département", "Code du département", "Code departement"))
    # missing_columns made sure of the commune and bureau columns.
    commune_col = first_of(header, ("Code commune", "Code de la commune")) or "Code commune"
    station_col = first_of(header, ("Code BV", "Code du b.vote", "Code B.Vote")) or "Code BV"
    circo_col = first_of(header, ("Code de la circonscription", "Code circonscription"))
    count_cols = [c for c in (first_of(header, names) for names in COUNT_COLUMNS.values()) if c]
    text_cols = [c for c in (dept_col, commune_col, station_col, circo_col) if c]
    text_cols += [
        b[f] for b in blocks.values() for f in ("nuance", "surname", "first_name", "list", "short_list") if f in b
    ]
    number_cols = count_cols + [b[f] for b in blocks.values() for f in ("panel", "votes") if f in b]
    provenance = "source_file_name" if "source_file_name" in header else None
    wanted = [c for c in header if c in set(text_cols + number_cols + ([provenance] if provenance else []))]
    frame = read_frame(
        source,
        names=header if header != source.header else None,
        usecols=wanted,
        str_columns=text_cols + ([provenance] if provenance else []),
    )
    n = len(frame)
    lines = np.arange(2, n + 2)
    problems: list[Problem] = list(voteless)
    unsafe_cells(frame, lines, problems)
    counts, columns = counts_from(frame, header, lines, problems)
    complete_counts(counts, columns)

    # Communes: 5-character codes as they are; 3-character codes get the département.
    commune_raw = text_of(frame, commune_col)
    dept_raw = text_of(frame, dept_col) if dept_col else np.full(n, "", dtype=object)
    pairs = pd.DataFrame({"d": dept_raw, "c": commune_raw})
    uniques = pairs.drop_duplicates()
    mapping = {}
    for d, c in zip(uniques["d"], uniques["c"], strict=True):
        if not c.isalnum():
            mapping[(d, c)] = ""  # '=2+3', '29 019': not a commune code
        elif len(c) == 5:
            mapping[(d, c)] = c.upper()
        else:
            dep = departement_normalise(d) or ""
            prefix = dep[:2] if len(dep) == 3 else dep
            mapping[(d, c)] = f"{prefix}{c.zfill(3)}" if dep and c else ""
    commune = np.array([mapping[(d, c)] for d, c in zip(dept_raw, commune_raw, strict=True)], dtype=object)
    for i in np.flatnonzero(commune == ""):
        problems.append(Problem("code commune illisible", line=int(lines[i]), column=commune_col, value=commune_raw[i]))
    station_raw = text_of(frame, station_col)
    for i in np.flatnonzero(station_raw == ""):
        problems.append(Problem("numéro de bureau manquant", line=int(lines[i]), column=station_col, value=""))
    circo = np.full(n, "", dtype=object)
    if circo_col and dept_col:
        circo_raw = text_of(frame, circo_col)
        cache: dict[tuple[str, str], str] = {}
        for row, (d, c) in enumerate(zip(dept_raw, circo_raw, strict=True)):
            key = (d, c)
            if key not in cache:
                parsed = circonscription_normalise(c, departement=d) if c else None
                cache[key] = circonscription_code(*parsed) if parsed else ""
            circo[row] = cache[key]
            if c and not circo[row]:
                problems.append(
                    Problem(
                        "code de circonscription illisible", line=int(lines[row]), column=circo_col, value=visible(c)
                    )
                )

    # Candidate blocks → one row per (bureau, candidate) that has a name or votes.
    presidential = not any("nuance" in b for b in blocks.values())
    fields = ("tidx", "panel", "nuance", "surname", "first", "label", "votes", "column")
    parts: dict[str, list[np.ndarray]] = {name: [] for name in fields}
    empty = np.full(n, np.nan, dtype=object)
    for k, block in enumerate(blocks.values()):
        votes = read_int_column(frame[block["votes"]])
        # Raw cells first; names and codes are cleaned once on the long table, per distinct value.
        raw = {
            field: frame[block[field]].to_numpy(object) if field in block else empty
            for field in ("surname", "first_name", "list", "short_list", "nuance")
        }
        # A list block's name: the full label when the file gives it, else the short one.
        raw["list"] = np.where(pd.isna(raw["list"]), raw["short_list"], raw["list"])
        present = ~votes.missing | ~pd.isna(raw["surname"]) | ~pd.isna(raw["list"])
        if "panel" in block:
            panel_col = read_int_column(frame[block["panel"]])
            panel: np.ndarray = np.where(panel_col.missing | panel_col.bad, k + 1, panel_col.values)
        else:
            panel = np.full(n, k + 1)
        for i in np.flatnonzero(present & (votes.bad | votes.missing)):
            why = votes.reason[i] or "valeur manquante"
            problems.append(Problem(why, line=int(lines[i]), column=block["votes"], value=str(votes.raw.iloc[i])))
        idx = np.flatnonzero(present)
        for name, values in (
            ("tidx", idx),
            ("panel", panel[idx]),
            ("nuance", raw["nuance"][idx]),
            ("surname", raw["surname"][idx]),
            ("first", raw["first_name"][idx]),
            ("label", raw["list"][idx]),
            ("votes", votes.values[idx]),
            ("column", np.full(len(idx), k, dtype=np.int16)),
        ):
            parts[name].append(values)
    if parts["tidx"]:
        votes_frame = pd.DataFrame({name: np.concatenate(arrays) for name, arrays in parts.items()})
        votes_frame["column"] = pd.Categorical.from_codes(
            votes_frame["column"].to_numpy(), categories=[b["votes"] for b in blocks.values()]
        )
        for name in ("nuance", "surname", "first", "label"):
            votes_frame[name] = clean(votes_frame[name].to_numpy(object))
        label = votes_frame.pop("label").to_numpy(object)
        names = join_names(votes_frame.pop("first").to_numpy(object), votes_frame["surname"].to_numpy(object))
        votes_frame["candidate"] = np.where(label != "", label, names)
    else:
        votes_frame = empty_votes()
    evidence = Evidence(kind=None, where="candidats")
    if presidential:
        surnames = sorted(distinct_values(votes_frame["surname"]))
        evidence = Evidence(
            kind="presidentielle",
            years=blocs.presidential_years_of(surnames) or None,
            where="noms",
            codes=names_by_votes(votes_frame),
        )
        if len(blocks) == 2:
            evidence.round = 2
    else:
        nuance_columns = " ".join(b.get("nuance", "") for b in blocks.values())
        if "Nuance liste" in nuance_columns:
            # Lists (européennes, régionales, municipales): the kind is not in the columns,
            # but the codes must be of a list grid, and of the européennes' year when it is one.
            evidence = list_evidence(votes_frame, "Nuance liste")
            evidence.grid = "listes"
        else:
            evidence = legislative_evidence(votes_frame, "Nuance candidat")
            evidence.kind = "legislatives" if "Nuance candidat" in nuance_columns else None
            if "Nuance candidat" in nuance_columns:
                evidence.grid = "candidats"
        if evidence.kind == "legislatives":
            evidence.round = round_from_candidates(votes_frame, evidence.kind)
    if provenance:
        # '2022_burvot_t1_france_entiere.xlsx': the export names the ministry file it came from.
        match = frame[provenance].dropna().astype(str).str.extract(r"(20\d\d)\D*?_t(\d)").dropna()
        if len(match):
            evidence.years = {int(match.iloc[0, 0])}
            evidence.round = int(match.iloc[0, 1])
            evidence.where = provenance
    votes_frame["line"] = lines[votes_frame["tidx"].to_numpy()]
    return Table(
        layout="ministry_wide",
        level="polling_station",
        lines=lines,
        counts=counts,
        count_columns=columns,
        votes=votes_frame,
        commune=commune,
        commune_column=commune_col,
        station=normalise_station_codes(station_raw),
        station_column=station_col,
        circo=circo,
        circo_column=circo_col or "",
        nuance_column=next((b["nuance"].rstrip(" 0123456789") for b in blocks.values() if "nuance" in b), "nuance"),
        evidence=evidence,
        rows_read=n,
        problems=problems,
    )
