"""Election results: the official layouts, read as published, checked, then loaded in bulk.

Layouts, recognised from the header:

- `ministry_wide`: the Interior Ministry's file by bureau de vote, one line per bureau
  and repeated candidate blocks (`Nuance candidat 1`, `Voix 1`…; présidentielle
  exports have no nuance and blocks suffixed `.1`/`_1`; the raw ministry files do not
  repeat the block headers at all, the extra fields are then read as further blocks);
- `ministry_circo`: the ministry's one-line-per-candidate file by circonscription
  (`CodCirElec` '0101', 'ZA01', 'ZZ01');
- `long_2017`: the long 2017 layout by circonscription (no `nuls`: nuls = votants −
  blancs − exprimés);
- `city_brest`: the City of Brest's export (one commune, candidates named in the
  headers, no nuance: see `blocs.CANDIDATE_NUANCES`);
- `paris_long`: the City of Paris file, one line per (bureau, candidate), several
  elections in one file (see `read_paris_long`).

Rules (what an analyst can check):

- A bureau de vote is (commune, number without leading zeros). A code that INSEE has
  retired is mapped to the current commune (FormerCommuneCode); its bureaux then keep
  the old commune's number in front, '152-1' for bureau 1 of former commune 69152 now
  in 69149, because the merged communes each had a bureau 1.
- A bureau's circonscription is its contour's (set when contours are imported), else
  the file's, else its commune's when the commune lies in a single circonscription.
- Candidates of a présidentielle get the nuance of their party (`blocs`); a name the
  table does not know gets DIV and keeps its name.
- Every problem of the file is collected before anything is written, and the file is
  refused whole. The only exceptions are `--tolerate votes_sum` and `--tolerate
  voters_sum`, for sources that do not add up as published: candidate votes ≠ exprimés
  (the ministry's 2024 file by circonscription, in 1602, 2704, 3404 and 7502, by 1 or 2
  votes; Paris, présidentielle 2017 T1, bureaux 12-8 and 13-21) and exprimés + blancs +
  nuls ≠ votants (Paris, présidentielle 2017 T1, bureaux 13-34, 12-62, 12-63, 12-8,
  13-21). Refusing would make these real files unimportable, and correcting them would
  be inventing figures: the published figures are kept as they are and each mismatch
  is recorded as a warning in the import run (and printed by the command).
- A corrected file replaces the election's earlier data for the territories it covers:
  the communes of the file (only its circonscriptions there, when the file names
  them), or its circonscriptions for a file by circonscription. Unchanged rows are
  left untouched, so re-importing the same data changes nothing.
"""

import io
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from django import forms
from django.db import connection

from circonscriptions import blocs
from circonscriptions.importers import registry
from circonscriptions.importers.base import ImportOutcome, ImportRefused, Problem, Progress, run_import
from circonscriptions.importers.codes import circonscription_code, circonscription_normalise, departement_normalise
from circonscriptions.importers.detect import SourceText, detect_number_format, read_int_column, read_source
from circonscriptions.models import (
    Circonscription,
    CirconscriptionResult,
    CirconscriptionVotes,
    Commune,
    Election,
    FormerCommuneCode,
    ImportRun,
    Nuance,
    PollingStation,
    PollingStationResult,
    PollingStationVotes,
)

KIND = "results"
COUNTS = ("registered", "voters", "abstentions", "blank", "null", "expressed")
# Checks that `--tolerate` may turn into warnings, for sources that are inconsistent as
# published (see the module docstring): the candidates' votes against exprimés, and
# exprimés + blancs + nuls against votants.
TOLERABLE = {"votes_sum", "voters_sum"}

# French column names of the counts, by layout family (first match wins).
COUNT_COLUMNS = {
    "registered": ("Inscrits", "inscrits", "nb_inscr"),
    "voters": ("Votants", "votants", "nb_votant"),
    "abstentions": ("Abstentions", "abstentions"),
    "blank": ("Blancs", "blancs", "nb_bl"),
    "null": ("Nuls", "nuls", "nb_nul"),
    "expressed": ("Exprimés", "Exprimes", "exprimes", "nb_exprim"),
}
FRENCH = {
    "registered": "Inscrits",
    "voters": "Votants",
    "abstentions": "Abstentions",
    "blank": "Blancs",
    "null": "Nuls",
    "expressed": "Exprimés",
}

# Candidate block fields of the ministry's wide files, by base column name.
BLOCK_FIELDS = {
    "panel": ("Numéro de panneau", "N°Panneau", "N° Panneau", "Numéro de dépôt de la liste", "N°Liste"),
    "nuance": ("Nuance candidat", "Nuance liste", "Nuance", "Code Nuance"),
    "surname": ("Nom candidat", "Nom", "Nom Tête de Liste"),
    "first_name": ("Prénom candidat", "Prénom", "Prénom Tête de Liste"),
    "list": ("Libellé de liste", "Libellé Abrégé Liste", "Libellé abrégé de liste"),
    "votes": ("Voix",),
}
_BLOCK_SUFFIX = re.compile(r"^(?P<base>.+?)(?:(?: |_|\.)(?P<i>\d+))?$")


@dataclass
class Evidence:
    """What the file says about its election, and where it says it."""

    kind: str | None = None
    years: set[int] | None = None
    round: int | None = None
    where: str = ""


@dataclass
class Table:
    """The file read into one row per territory and one row per (territory, candidate)."""

    layout: str
    level: str  # "polling_station" | "circonscription"
    lines: np.ndarray
    counts: dict[str, np.ndarray]
    count_columns: dict[str, str | None]
    votes: pd.DataFrame  # tidx, line, panel, nuance, candidate, votes, column
    commune: np.ndarray | None = None  # INSEE code as written (5 chars)
    commune_column: str = ""
    station: np.ndarray | None = None  # normalised number
    station_column: str = ""
    circo: np.ndarray | None = None  # canonical 'DDCC' or '' when the file does not say
    circo_column: str = ""
    place: np.ndarray | None = None
    labels: dict[str, str] = field(default_factory=dict)  # nuance code → label given by the file
    evidence: Evidence = field(default_factory=Evidence)
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)


def _first(header: list[str], names: tuple[str, ...]) -> str | None:
    present = set(header)
    return next((name for name in names if name in present), None)


def _read(source: SourceText, *, names: list[str] | None = None, usecols=None, str_columns=()) -> pd.DataFrame:
    kwargs = {}
    if names is not None:
        kwargs = {"header": 0, "names": names}
    frame = pd.read_csv(
        io.BytesIO(source.raw),
        encoding=source.encoding,
        sep=source.separator,
        usecols=usecols,
        dtype={name: object for name in str_columns},
        keep_default_na=False,
        na_values=[""],
        skipinitialspace=False,
        **kwargs,
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _clean(values: np.ndarray, transform=str.strip) -> np.ndarray:
    """`transform` applied to each distinct value only (a national file repeats a few
    hundred names and codes hundreds of thousands of times); missing values become ''."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = np.array([transform(str(u)) for u in uniques] + [""], dtype=object)
    return cleaned[codes]


def _text(frame: pd.DataFrame, column: str) -> np.ndarray:
    return _clean(frame[column].to_numpy(object))


def _station_code(raw: str) -> str:
    return raw.strip().upper().lstrip("0") or "0"


def normalise_station_codes(raw: np.ndarray) -> np.ndarray:
    """'0076' → '76', '054A' → '54A' (PollingStation.normalise_code, on distinct values)."""
    cleaned = _clean(np.asarray(raw, dtype=object), _station_code)
    return np.where(pd.isna(raw) | (np.asarray(raw, dtype=object) == ""), "", cleaned).astype(object)


# ---------------------------------------------------------------------------- layouts


def detect_layout(header: list[str]) -> str | None:
    names = set(header)
    if "CodCirElec" in names and "NbVoix" in names:
        return "ministry_circo"
    if {"departement", "circonscription", "inscrits", "votants", "exprimes", "voix"} <= names:
        return "long_2017"
    if "Numéro" in names and "Scrutin" in names and any(h.endswith(" - votes") for h in header):
        return "city_brest"
    if "id_bvote" in names and "scrutin" in names:
        return "paris_long"
    has_station = _first(header, ("Code BV", "Code du b.vote", "Code B.Vote")) is not None
    has_votes = any(_BLOCK_SUFFIX.match(h).group("base") == "Voix" for h in header)
    if has_station and has_votes:
        return "ministry_wide"
    return None


def _counts_from(frame: pd.DataFrame, header: list[str], lines: np.ndarray, table_problems: list[Problem]):
    counts, columns = {}, {}
    for name, candidates in COUNT_COLUMNS.items():
        column = _first(header, candidates)
        columns[name] = column
        if column is None:
            continue
        parsed = read_int_column(frame[column])
        for i in np.flatnonzero(parsed.bad | parsed.missing):
            why = parsed.reason[i] or "valeur manquante"
            table_problems.append(Problem(why, line=int(lines[i]), column=column, value=str(parsed.raw.iloc[i])))
        counts[name] = parsed.values
    return counts, columns


def _complete_counts(counts: dict, columns: dict) -> None:
    """Counts a layout does not publish are derived: abstentions = inscrits − votants,
    nuls = votants − blancs − exprimés (the 2017 layout)."""
    if "abstentions" not in counts:
        counts["abstentions"] = counts["registered"] - counts["voters"]
    if "null" not in counts:
        counts["null"] = counts["voters"] - counts["blank"] - counts["expressed"]


def _widest_line(source: SourceText) -> int:
    """The largest number of fields on a line (separators inside quotes do not count)."""
    raw = re.sub(rb'"[^"]*"', b"", source.raw) if b'"' in source.raw else source.raw
    separator = source.separator.encode("ascii")
    return max(line.count(separator) for line in raw.splitlines() if line) + 1


def read_ministry_wide(source: SourceText, election: Election) -> Table:
    header = list(source.header)
    # Raw ministry files name only the first candidate block; the extra fields of each
    # line are the next blocks, with the same width.
    repeated = sum(_BLOCK_SUFFIX.match(h).group("base") == "Voix" for h in header) > 1
    widest = len(header) if repeated else _widest_line(source)
    first_block = next(
        (i for i, h in enumerate(header) if _BLOCK_SUFFIX.match(h).group("base") in BLOCK_FIELDS["panel"]), None
    )
    if widest > len(header) and first_block is not None:
        width = len(header) - first_block
        base = header[first_block:]
        extra = widest - len(header)
        for k in range((extra + width - 1) // width):
            header += [f"{b} #{k + 1}" for b in base][: extra - k * width]
    blocks: dict[int, dict[str, str]] = {}
    for column in header:
        if " #" in column:
            base, _, k = column.rpartition(" #")
            index = 1000 + int(k)
        else:
            match = _BLOCK_SUFFIX.match(column)
            base, index = match.group("base"), int(match.group("i") or 0)
        for fname, bases in BLOCK_FIELDS.items():
            if base in bases:
                blocks.setdefault(index, {})[fname] = column
    blocks = {i: b for i, b in sorted(blocks.items()) if "votes" in b}
    dept_col = _first(header, ("Code département", "Code du département", "Code departement"))
    commune_col = _first(header, ("Code commune", "Code de la commune"))
    station_col = _first(header, ("Code BV", "Code du b.vote", "Code B.Vote"))
    circo_col = _first(header, ("Code de la circonscription", "Code circonscription"))
    count_cols = [c for c in (_first(header, names) for names in COUNT_COLUMNS.values()) if c]
    text_cols = [c for c in (dept_col, commune_col, station_col, circo_col) if c]
    text_cols += [b[f] for b in blocks.values() for f in ("nuance", "surname", "first_name", "list") if f in b]
    number_cols = count_cols + [b[f] for b in blocks.values() for f in ("panel", "votes") if f in b]
    provenance = "source_file_name" if "source_file_name" in header else None
    wanted = [c for c in header if c in set(text_cols + number_cols + ([provenance] if provenance else []))]
    frame = _read(
        source,
        names=header if header != source.header else None,
        usecols=wanted,
        str_columns=text_cols + ([provenance] if provenance else []),
    )
    n = len(frame)
    lines = np.arange(2, n + 2)
    problems: list[Problem] = []
    counts, columns = _counts_from(frame, header, lines, problems)
    _complete_counts(counts, columns)

    # Communes: 5-character codes as they are; 3-character codes get the département.
    commune_raw = _text(frame, commune_col)
    dept_raw = _text(frame, dept_col) if dept_col else np.full(n, "", dtype=object)
    pairs = pd.DataFrame({"d": dept_raw, "c": commune_raw})
    uniques = pairs.drop_duplicates()
    mapping = {}
    for d, c in zip(uniques["d"], uniques["c"], strict=True):
        if len(c) == 5:
            mapping[(d, c)] = c.upper()
        else:
            dep = departement_normalise(d) or ""
            prefix = dep[:2] if len(dep) == 3 else dep
            mapping[(d, c)] = f"{prefix}{c.zfill(3)}" if dep and c else ""
    commune = np.array([mapping[(d, c)] for d, c in zip(dept_raw, commune_raw, strict=True)], dtype=object)
    for i in np.flatnonzero(commune == ""):
        problems.append(Problem("code commune illisible", line=int(lines[i]), column=commune_col, value=commune_raw[i]))
    station_raw = _text(frame, station_col)
    for i in np.flatnonzero(station_raw == ""):
        problems.append(Problem("numéro de bureau manquant", line=int(lines[i]), column=station_col, value=""))
    circo = np.full(n, "", dtype=object)
    if circo_col and dept_col:
        circo_raw = _text(frame, circo_col)
        cache: dict[tuple[str, str], str] = {}
        for i, (d, c) in enumerate(zip(dept_raw, circo_raw, strict=True)):
            key = (d, c)
            if key not in cache:
                parsed = circonscription_normalise(c, departement=d) if c else None
                cache[key] = circonscription_code(*parsed) if parsed else ""
            circo[i] = cache[key]

    # Candidate blocks → one row per (bureau, candidate) that has a name or votes.
    presidential = not any("nuance" in b for b in blocks.values())
    year = election.year
    fields = ("tidx", "panel", "nuance", "surname", "first", "label", "votes", "column")
    parts: dict[str, list[np.ndarray]] = {name: [] for name in fields}
    empty = np.full(n, np.nan, dtype=object)
    for k, block in enumerate(blocks.values()):
        votes = read_int_column(frame[block["votes"]])
        # Raw cells first; names and codes are cleaned once on the long table, per distinct value.
        raw = {
            field: frame[block[field]].to_numpy(object) if field in block else empty
            for field in ("surname", "first_name", "list", "nuance")
        }
        present = ~votes.missing | ~pd.isna(raw["surname"]) | ~pd.isna(raw["list"])
        if "panel" in block:
            panel_col = read_int_column(frame[block["panel"]])
            panel = np.where(panel_col.missing | panel_col.bad, k + 1, panel_col.values)
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
            votes_frame[name] = _clean(votes_frame[name].to_numpy(object))
        label = votes_frame.pop("label").to_numpy(object)
        names = _join_names(votes_frame.pop("first").to_numpy(object), votes_frame["surname"].to_numpy(object))
        votes_frame["candidate"] = np.where(label != "", label, names)
    else:
        votes_frame = _empty_votes()
    evidence = Evidence(kind=None, where="candidats")
    if presidential:
        surnames = sorted(_distinct(votes_frame["surname"]))
        evidence = Evidence(kind="presidentielle", years=blocs.presidential_years_of(surnames) or None, where="noms")
        if len(blocks) == 2:
            evidence.round = 2
        votes_frame["nuance"] = _clean(
            votes_frame["surname"].to_numpy(object), lambda surname: blocs.presidential_nuance(year, surname)
        )
    else:
        evidence = _legislative_evidence(votes_frame, "Nuance candidat")
        evidence.kind = (
            "legislatives" if any("Nuance candidat" in b.get("nuance", "") for b in blocks.values()) else None
        )
        votes_frame["nuance"] = votes_frame["nuance"].where(votes_frame["nuance"] != "", blocs.UNKNOWN_NUANCE)
        if evidence.kind == "legislatives":
            evidence.round = _round_from_candidates(votes_frame, evidence.kind)
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
        evidence=evidence,
        rows_read=n,
        problems=problems,
    )


def _join_names(first: np.ndarray, surname: np.ndarray) -> np.ndarray:
    """'Pierre' + 'SMOLARZ' → 'Pierre SMOLARZ' (computed once per distinct pair)."""
    first_code, firsts = pd.factorize(np.asarray(first, dtype=object))
    surname_code, surnames = pd.factorize(np.asarray(surname, dtype=object))
    pair_code, pairs = pd.factorize(first_code.astype(np.int64) * (len(surnames) + 1) + surname_code)
    names = [" ".join(f"{firsts[p // (len(surnames) + 1)]} {surnames[p % (len(surnames) + 1)]}".split()) for p in pairs]
    return np.array(names, dtype=object)[pair_code]


def _empty_votes() -> pd.DataFrame:
    return pd.DataFrame(
        {"tidx": [], "panel": [], "nuance": [], "surname": [], "candidate": [], "votes": [], "column": []}
    )


def _legislative_evidence(votes: pd.DataFrame, where: str) -> Evidence:
    """The législatives years whose nuance codes include every known code of the file."""
    codes = _distinct(votes["nuance"])
    known = {code for code in codes if code in blocs.NUANCES}
    years = {year for year, table in blocs.LEGISLATIVES_CODES.items() if known <= table}
    return Evidence(kind="legislatives", years=years if known else None, where=where)


def _round_from_candidates(votes: pd.DataFrame, kind: str | None) -> int | None:
    per_territory = votes.groupby("tidx").size()
    if per_territory.empty:
        return None
    if kind == "presidentielle":
        return 2 if per_territory.max() == 2 else 1
    # Législatives: a first round has many candidates everywhere, a second round two or three.
    median = per_territory.median()
    return 2 if median <= 3 else (1 if median >= 5 else None)


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
    frame = _read(source, str_columns=text_cols)
    n = len(frame)
    lines = np.arange(2, n + 2)
    problems: list[Problem] = []
    counts, columns = _counts_from(frame, header, lines, problems)
    _complete_counts(counts, columns)

    dept_raw, circo_raw = _text(frame, dept_col), _text(frame, cols["circo"])
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
    keys = pd.Series(circo_all)
    first_pos = ~keys.duplicated().to_numpy()
    territory_of = pd.factorize(keys)[0]
    for name, values in counts.items():
        column = columns.get(name)
        if column is None:
            continue
        reference = values[first_pos][territory_of]
        for i in np.flatnonzero(values != reference):
            problems.append(
                Problem(
                    f"{values[i]} ≠ {reference[i]} sur la première ligne de la même circonscription",
                    line=int(lines[i]),
                    column=column,
                    value=str(values[i]),
                )
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
    surname = _text(frame, cols["surname"])
    first = _text(frame, cols["first"]) if "first" in cols else np.full(n, "", dtype=object)
    votes = pd.DataFrame(
        {
            "tidx": territory_of,
            "panel": panel_col.values,
            "nuance": _text(frame, cols["nuance"]) if "nuance" in cols else "",
            "surname": surname,
            "candidate": _join_names(first, surname),
            "votes": votes_col.values,
            "column": cols["votes"],
            "line": lines,
        }
    )
    labels = {}
    if "label" in cols:
        labels = dict(zip(_text(frame, "CodNuaCand"), _text(frame, cols["label"]), strict=True))
    if "nuance" in cols:
        evidence = _legislative_evidence(votes, cols["nuance"])
        votes["nuance"] = votes["nuance"].where(votes["nuance"] != "", blocs.UNKNOWN_NUANCE)
    else:
        surnames = sorted(_distinct(surname))
        evidence = Evidence(kind="presidentielle", years=blocs.presidential_years_of(surnames) or None, where="nom")
        votes["nuance"] = [blocs.presidential_nuance(election.year, s) for s in surname]
    evidence.round = _round_from_candidates(votes, evidence.kind)
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
        labels=labels,
        evidence=evidence,
        rows_read=n,
        problems=problems,
    )


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
    frame = _read(source, str_columns=["Numéro", "Circo", "Scrutin", "Bureau"])
    n = len(frame)
    lines = np.arange(2, n + 2)
    problems: list[Problem] = []
    counts, columns = _counts_from(frame, header, lines, problems)
    _complete_counts(counts, columns)
    station_raw = _text(frame, "Numéro")
    for i in np.flatnonzero(station_raw == ""):
        problems.append(Problem("numéro de bureau manquant", line=int(lines[i]), column="Numéro", value=""))
    dept = commune_code[:3] if commune_code.startswith(("97", "98")) else commune_code[:2]
    circo = np.array(
        [circonscription_code(dept, int(c)) if c.isdigit() and int(c) > 0 else "" for c in _text(frame, "Circo")],
        dtype=object,
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
                    "nuance": blocs.candidate_nuance(election.slug, surname),
                    "surname": surname,
                    "candidate": full,
                    "votes": votes.values,
                    "column": column,
                }
            )
        )
    votes_frame = pd.concat(parts, ignore_index=True) if parts else _empty_votes()
    votes_frame["line"] = lines[votes_frame["tidx"].to_numpy()]
    scrutins = sorted(set(_text(frame, "Scrutin")) - {""})
    evidence = scrutin_evidence(scrutins[0]) if scrutins else Evidence()
    # The export does not say its year: the candidates do, when a name table knows them.
    surnames = {blocs.name_key(split_candidate_header(c)[0]) for c in candidates}
    known_in = {slug for slug, table in blocs.CANDIDATE_NUANCES.items() if surnames & set(table)}
    if election.slug in blocs.CANDIDATE_NUANCES and election.slug not in known_in:
        evidence.years, evidence.where = set(), "noms des candidats"
    elif known_in and election.slug not in known_in:
        evidence.years = {int(slug.split("-")[1]) for slug in known_in}
        evidence.where = "noms des candidats"
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
        place=_text(frame, "Bureau"),
        evidence=evidence,
        rows_read=n,
        problems=problems,
    )


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
        return _station_code(text.rpartition("_")[2])
    arrondissement, _, bureau = text.partition("-")
    if not (arrondissement.isdigit() and bureau.isdigit()):
        return ""
    return str(int(arrondissement) * 100 + int(bureau))


def read_paris_long(source: SourceText, election: Election) -> Table:
    """The City of Paris file, one line per (bureau, candidate or list), several elections
    in one file: only the lines of the election named are read (`scrutin`, `annee`, `tour`).

    Bureaux belong to commune 75056 (as in the ministry's files), numbered AABB. Candidates
    have no panel number: they are numbered in the order of their first line. Présidentielle
    candidates get their party's nuance (`blocs`), municipal lists the file's nuance, the
    lists of européennes and régionales that of their head (`blocs.LIST_HEADS`), any other
    DIV (the file gives none) for the analyst to set in the admin.
    """
    text_cols = ["id_bvote", "scrutin", "annee", "tour", "num_circ", "candidate", "nom", "prenom", "nuance", "liste"]
    text_cols = [c for c in text_cols if c in source.header]
    number_cols = [c for names in COUNT_COLUMNS.values() for c in names if c in source.header] + ["votes"]
    frame = _read(source, usecols=text_cols + number_cols, str_columns=text_cols)
    all_lines = np.arange(2, len(frame) + 2)
    scrutin = _clean(frame["scrutin"].to_numpy(object), blocs.name_key)
    wanted = (
        (scrutin == _PARIS_SCRUTINS.get(election.kind, "?"))
        & (_text(frame, "annee") == str(election.year))
        & (_text(frame, "tour") == str(election.round))
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
            votes=_empty_votes().assign(line=[]),
            commune=np.zeros(0, dtype=object),
            station=np.zeros(0, dtype=object),
            circo=np.zeros(0, dtype=object),
            rows_read=n,
            problems=problems,
        )
    counts, columns = _counts_from(frame, source.header, lines, problems)
    _complete_counts(counts, columns)
    station_all = _clean(frame["id_bvote"].to_numpy(object), paris_station_code)
    for i in np.flatnonzero(station_all == ""):
        problems.append(Problem("bureau illisible", line=int(lines[i]), column="id_bvote", value=frame["id_bvote"][i]))
    # One territory per bureau (its first line); the counts repeated on its lines must agree.
    keys = pd.Series(station_all)
    first_pos = ~keys.duplicated().to_numpy()
    territory_of = pd.factorize(keys)[0]
    for name, values in counts.items():
        column = columns.get(name)
        if column is None:
            continue
        reference = values[first_pos][territory_of]
        for i in np.flatnonzero(values != reference):
            problems.append(
                Problem(
                    f"{values[i]} ≠ {reference[i]} sur la première ligne du même bureau",
                    line=int(lines[i]),
                    column=column,
                    value=str(values[i]),
                )
            )
    slug = _text(frame, "candidate")
    panel = pd.factorize(slug)[0] + 1
    surname, first, label = _text(frame, "nom"), _text(frame, "prenom"), _text(frame, "liste")
    names = np.where(surname != "", _join_names(first, surname), np.where(label != "", label, slug))
    if election.kind == "presidentielle":
        nuance = _clean(slug, lambda s: blocs.presidential_nuance_from_slug(election.year, s))
    else:
        nuance = _text(frame, "nuance")
        by_head = _clean(slug, lambda s: blocs.list_head_nuance(election.slug, s))
        nuance = np.where(nuance != "", nuance, by_head)
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
        circo_raw = _text(frame, "num_circ")[first_pos]
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


# ---------------------------------------------------------------------------- checks


def check_counts(table: Table, tolerate: set[str]) -> tuple[list[Problem], list[Problem]]:
    """The arithmetic of each result line. Returns (problems, tolerated warnings)."""
    c = table.counts
    col = {name: table.count_columns.get(name) or FRENCH[name] for name in COUNTS}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    lines = table.lines
    for i in np.flatnonzero(c["voters"] > c["registered"]):
        problems.append(
            Problem(
                f"{c['voters'][i]} > Inscrits {c['registered'][i]}",
                line=int(lines[i]),
                column=col["voters"],
                value=str(c["voters"][i]),
            )
        )
    if table.count_columns.get("abstentions"):
        expected = c["registered"] - c["voters"]
        for i in np.flatnonzero(c["abstentions"] != expected):
            problems.append(
                Problem(
                    f"{c['abstentions'][i]} ≠ Inscrits − Votants = {expected[i]}",
                    line=int(lines[i]),
                    column=col["abstentions"],
                    value=str(c["abstentions"][i]),
                )
            )
    if table.count_columns.get("null"):
        total = c["expressed"] + c["blank"] + c["null"]
        for i in np.flatnonzero(total != c["voters"]):
            problem = Problem(
                f"Exprimés + Blancs + Nuls = {total[i]} ≠ Votants {c['voters'][i]}",
                line=int(lines[i]),
                column=col["voters"],
                value=str(c["voters"][i]),
            )
            (warnings if "voters_sum" in tolerate else problems).append(problem)
    else:
        # Nuls were derived from the other counts: they must not come out negative.
        for i in np.flatnonzero(c["null"] < 0):
            problems.append(
                Problem(
                    f"Exprimés {c['expressed'][i]} + Blancs {c['blank'][i]} > Votants {c['voters'][i]}",
                    line=int(lines[i]),
                    column=col["voters"],
                    value=str(c["voters"][i]),
                )
            )
    sums = np.bincount(
        table.votes["tidx"].to_numpy(np.int64), weights=table.votes["votes"].to_numpy(np.float64), minlength=len(lines)
    ).astype(np.int64)
    for i in np.flatnonzero(sums != c["expressed"]):
        problem = Problem(
            f"somme des voix des candidats {sums[i]} ≠ Exprimés {c['expressed'][i]}",
            line=int(lines[i]),
            column=col["expressed"],
            value=str(c["expressed"][i]),
        )
        (warnings if "votes_sum" in tolerate else problems).append(problem)
    return problems, warnings


def check_election(table: Table, election: Election) -> list[Problem]:
    ev = table.evidence
    problems = []
    where = f"d'après {ev.where}" if ev.where else ""
    if ev.kind and ev.kind != election.kind:
        problems.append(
            Problem(
                f"ce fichier est une élection « {ev.kind} » {where}, pas « {election.kind} » ({election.slug})",
                line=1,
                column=ev.where or None,
            )
        )
    if ev.years is not None and election.year not in ev.years:
        known_years = blocs.LEGISLATIVES_CODES if election.kind == "legislatives" else blocs.PRESIDENTIAL_CANDIDATES
        if election.year in known_years or ev.where not in ("candidats", "nom", "noms"):
            seen = ", ".join(str(y) for y in sorted(ev.years)) or "une autre"
            problems.append(
                Problem(
                    f"ce fichier est de l'année {seen} {where}, pas de {election.year} ({election.slug})",
                    line=1,
                    column=ev.where or None,
                )
            )
    if ev.round is not None and ev.round != election.round:
        problems.append(
            Problem(
                f"ce fichier est un tour {ev.round} {where}, pas le tour {election.round} ({election.slug})", line=1
            )
        )
    return problems


def _distinct(values) -> set[str]:
    return set(pd.unique(np.asarray(values, dtype=object))) - {""}


def resolve_communes(table: Table) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Commune ids for the file's codes (current, then former codes) and the station codes
    of bureaux filed under a former code; unknown codes are problems."""
    codes = sorted(_distinct(table.commune))
    commune_table, former_table = Commune._meta.db_table, FormerCommuneCode._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT code, id, kind, parent_id FROM {commune_table} WHERE code = ANY(%s)",  # noqa: S608
            [codes],
        )
        communes = cursor.fetchall()
        cursor.execute(f"SELECT code, commune_id FROM {former_table} WHERE code = ANY(%s)", [codes])  # noqa: S608
        former = dict(cursor.fetchall())
    lookup: dict[str, tuple[int, bool]] = {}  # code → (current commune id, is a former code)
    for code, pk, kind, parent in communes:
        if kind in (Commune.Kind.COMMUNE, Commune.Kind.ARRONDISSEMENT) or parent is None:
            lookup[code] = (pk, False)
    for code, pk in former.items():
        lookup.setdefault(code, (pk, True))
    for code, _pk, _kind, parent in communes:
        if parent is not None:
            lookup.setdefault(code, (parent, True))  # a delegated/associated commune: its parent's bureaux
    position, uniques = pd.factorize(table.commune)
    ids = np.array([lookup.get(code, (0, False))[0] for code in uniques] + [0], dtype=np.int64)[position]
    is_former = np.array([lookup.get(code, (0, False))[1] for code in uniques] + [False], dtype=bool)[position]
    station = table.station.copy()
    for i in np.flatnonzero(is_former):
        station[i] = f"{table.commune[i][-3:]}-{station[i]}"
    problems = []
    for i in np.flatnonzero((ids == 0) & (table.commune != "")):
        problems.append(
            Problem(
                "commune inconnue (ni code actuel ni ancien code du COG)",
                line=int(table.lines[i]),
                column=table.commune_column,
                value=table.commune[i],
            )
        )
    return ids, station, problems


def check_duplicates(keys: pd.DataFrame, lines: np.ndarray, column: str, what: str) -> list[Problem]:
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return []
    first_line = keys.assign(line=lines).groupby(list(keys.columns))["line"].transform("min").to_numpy()
    problems = []
    later = keys.duplicated(keep="first").to_numpy()
    for i in np.flatnonzero(later):
        problems.append(
            Problem(
                f"{what} déjà présent ligne {first_line[i]}",
                line=int(lines[i]),
                column=column,
                value=str(keys.iloc[i, -1]),
            )
        )
    return problems


# ---------------------------------------------------------------------------- load


def _copy_frame(cursor, table: str, frame: pd.DataFrame, *, not_null: tuple[str, ...] = ()) -> None:
    """COPY a frame as CSV; an empty cell is NULL, except in the `not_null` text columns."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False)
    options = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
    with cursor.copy(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv{options})") as copy:
        copy.write(buffer.getvalue())


def _nuances_ensure(cursor, election: Election, codes: set[str], labels: dict[str, str]) -> int:
    """Create the election's missing nuances with their default bloc; never touch existing ones
    (an analyst may have changed their bloc in the admin)."""
    rows = [
        (election.pk, code, labels.get(code) or blocs.default_label(code), blocs.default_bloc(code))
        for code in sorted(codes)
    ]
    if not rows:
        return 0
    cursor.execute(
        f"INSERT INTO {Nuance._meta.db_table} (election_id, code, label, bloc) "  # noqa: S608
        "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) "
        "ON CONFLICT (election_id, code) DO NOTHING",
        [list(col) for col in zip(*rows, strict=True)],
    )
    return max(cursor.rowcount, 0)


def load_results(
    path: Path,
    run: ImportRun,
    progress: Progress,
    *,
    election: Election,
    commune: str | None = None,
    tolerate: set[str] | None = None,
    file_name: str | None = None,
) -> dict:
    started = time.monotonic()
    tolerate = set(tolerate or ())
    progress(2, "lecture")
    source = read_source(path)
    layout = detect_layout(source.header)
    name = file_name or path.name
    if layout is None:
        raise ImportRefused(
            name,
            [Problem("format de fichier non reconnu : en-tête inattendu", line=1, value=";".join(source.header[:8]))],
        )
    if layout in ("ministry_circo", "long_2017"):
        table = read_long_circo(source, election, layout)
    elif layout == "city_brest":
        commune = commune or infer_commune(Path(file_name or path.name))
        if not commune:
            raise ImportRefused(
                name, [Problem("le fichier ne dit pas sa commune : précisez --commune CODE_INSEE", line=1)]
            )
        table = read_city_brest(source, election, commune)
    elif layout == "ministry_wide":
        table = read_ministry_wide(source, election)
    elif layout == "paris_long":
        try:
            table = read_paris_long(source, election)
        except ImportRefused as exc:
            raise ImportRefused(name, exc.problems) from None
    else:
        raise ImportRefused(name, [Problem(f"le format « {layout} » n'est pas encore pris en charge", line=1)])
    progress(30, "vérification")
    problems = list(table.problems)
    problems += check_election(table, election)
    count_problems, warnings = check_counts(table, tolerate)
    problems += count_problems

    if table.level == "polling_station":
        commune_ids, station_codes, commune_problems = resolve_communes(table)
        problems += commune_problems
        known = commune_ids != 0  # an unknown commune is reported once, not as duplicates of other unknown ones
        keys = pd.DataFrame({"c": commune_ids[known], "s": station_codes[known]})
        problems += check_duplicates(keys, table.lines[known], table.station_column, "bureau")
        circo_codes = sorted(set(table.circo) - {""}) if table.circo is not None else []
    else:
        keys = pd.DataFrame({"c": table.circo})
        problems += check_duplicates(keys, table.lines, table.circo_column, "circonscription")
        circo_codes = sorted(set(table.circo) - {""})
    circo_ids = dict(Circonscription.objects.filter(code__in=circo_codes).values_list("code", "pk"))
    for code in circo_codes:
        if code not in circo_ids:
            i = int(np.flatnonzero(table.circo == code)[0])
            problems.append(
                Problem("circonscription inconnue", line=int(table.lines[i]), column=table.circo_column, value=code)
            )
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise ImportRefused(name, problems)

    progress(50, "écriture")
    circo_id = (
        np.array([circo_ids.get(code, 0) for code in table.circo], dtype=np.int64) if table.circo is not None else None
    )
    with connection.cursor() as cursor:
        nuances_created = _nuances_ensure(cursor, election, _distinct(table.votes["nuance"]), table.labels)
        cursor.execute(f"SELECT code, id FROM {Nuance._meta.db_table} WHERE election_id = %s", [election.pk])  # noqa: S608
        with ThreadPoolExecutor(max_workers=1) as pool:
            prepared = pool.submit(prepare_votes, table, dict(cursor.fetchall()))
            if table.level == "polling_station":
                written = _write_polling_stations(
                    cursor, table, election, run, commune_ids, station_codes, circo_id, progress, prepared
                )
            else:
                written = _write_circonscriptions(cursor, table, election, run, circo_id, progress, prepared)
    progress(95, "résumé")
    summary = {
        "rows": table.rows_read,
        "layout": table.layout,
        "level": table.level,
        "encoding": source.encoding,
        "separator": source.separator,
        **detect_number_format(source),
        "territories": len(table.lines),
        "candidates": len(table.votes),
        "nuances_created": nuances_created,
        "seconds": round(time.monotonic() - started, 2),
        **written,
    }
    if warnings:
        summary["warnings"] = [str(w) for w in warnings]
    return summary


def _counts_frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame({name: table.counts[name] for name in COUNTS}).rename(columns={"null": '"null"'})


def _temp(cursor, name: str, columns: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")


def _copy_ints(cursor, table: str, columns: dict[str, tuple[np.ndarray, int]]) -> None:
    """COPY whole-number columns in PostgreSQL's binary format, built by numpy in one go.
    Each column is (values, 4 for an int column or 8 for a bigint one); 0 stands for NULL
    where the SQL reading the table says NULLIF."""
    n = len(next(iter(columns.values()))[0])
    layout = [("fields", ">i2")]
    for j, (_values, size) in enumerate(columns.values()):
        layout += [(f"size{j}", ">i4"), (f"value{j}", f">i{size}")]
    records = np.empty(n, dtype=layout)
    records["fields"] = len(columns)
    for j, (values, size) in enumerate(columns.values()):
        records[f"size{j}"] = size
        records[f"value{j}"] = values
    payload = b"PGCOPY\n\xff\r\n\x00" + bytes(8) + records.tobytes() + b"\xff\xff"
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)") as copy:
        copy.write(payload)


_COUNT_DDL = 'registered int, voters int, abstentions int, blank int, "null" int, expressed int'
_COUNT_LIST = 'registered, voters, abstentions, blank, "null", expressed'


def _results_upsert_sql(result_table: str, territory: str, source: str, *, replacing: bool = True) -> str:
    """Insert the file's results; a result already there is updated only when a count differs.
    When the election has no result yet, a plain insert (no conflict to look for)."""
    if not replacing:
        return f"INSERT INTO {result_table} (election_id, {territory}, {_COUNT_LIST}, import_run_id) {source}"  # noqa: S608
    return f"""
        INSERT INTO {result_table} (election_id, {territory}, {_COUNT_LIST}, import_run_id)
        {source}
        ON CONFLICT (election_id, {territory}) DO UPDATE
        SET registered = EXCLUDED.registered, voters = EXCLUDED.voters, abstentions = EXCLUDED.abstentions,
            blank = EXCLUDED.blank, "null" = EXCLUDED."null", expressed = EXCLUDED.expressed,
            import_run_id = EXCLUDED.import_run_id
        WHERE ({result_table}.registered, {result_table}.voters, {result_table}.abstentions,
               {result_table}.blank, {result_table}."null", {result_table}.expressed)
              IS DISTINCT FROM (EXCLUDED.registered, EXCLUDED.voters, EXCLUDED.abstentions,
                                EXCLUDED.blank, EXCLUDED."null", EXCLUDED.expressed)
    """  # noqa: S608


@dataclass
class PreparedVotes:
    """The votes as arrays in insertion order: by territory then panel, which is result
    order for new results (their ids are handed out in territory order)."""

    order: np.ndarray
    tidx: np.ndarray
    panel: np.ndarray
    nuance: np.ndarray
    candidate: np.ndarray
    votes: np.ndarray
    names: list[str]


def prepare_votes(table: Table, nuance_ids: dict[str, int]) -> PreparedVotes:
    """Everything about the votes that does not need the result ids (it runs in a thread
    while PostgreSQL writes the bureaux and the results)."""
    votes = table.votes
    tidx = votes["tidx"].to_numpy(np.int64)
    panel = votes["panel"].to_numpy(np.int64)
    nuance_code, nuance_codes = pd.factorize(votes["nuance"].to_numpy(object))
    nuance = np.array([nuance_ids.get(code, 0) for code in nuance_codes], dtype=np.int64)[nuance_code]
    candidate_idx, candidates = pd.factorize(votes["candidate"].to_numpy(object))
    order = np.lexsort((panel, tidx))
    return PreparedVotes(
        order=order,
        tidx=tidx[order],
        panel=panel[order],
        nuance=nuance[order],
        candidate=candidate_idx[order],
        votes=votes["votes"].to_numpy(np.int64)[order],
        names=[str(name)[:200] for name in candidates],
    )


_VOTE_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("result_size", ">i4"),
        ("result_id", ">i8"),
        ("panel_size", ">i4"),
        ("panel", ">i2"),
        ("nuance_size", ">i4"),
        ("nuance_id", ">i8"),
        ("votes_size", ">i4"),
        ("votes", ">i4"),
        ("candidate_size", ">i4"),
    ]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)


def _copy_votes(cursor, votes_table: str, *, result_id, panel, nuance, votes, candidate, names: list[str]) -> int:
    """COPY votes straight into their table, in PostgreSQL's binary format built by numpy
    (COPY writes rows in batches, where INSERT … SELECT logs them one by one). A row is a
    fixed part followed by its candidate's name: rows are laid out padded to the longest
    name, then the padding is masked out, chunk by chunk."""
    encoded = [name.encode("utf-8") for name in names]
    name_size = np.array([len(b) for b in encoded], dtype=np.int64)
    longest = int(name_size.max()) if len(encoded) else 0
    padded = np.zeros((max(len(encoded), 1), longest), dtype=np.uint8)
    for i, name in enumerate(encoded):
        padded[i, : len(name)] = np.frombuffer(name, dtype=np.uint8)
    width = _VOTE_ROW.itemsize
    columns = np.arange(width + longest)
    n = len(result_id)
    with cursor.copy(
        f"COPY {votes_table} (result_id, panel, nuance_id, votes, candidate) FROM STDIN WITH (FORMAT binary)"
    ) as copy:
        copy.write(_COPY_HEADER)
        for lo in range(0, n, 1 << 16):
            hi = min(n, lo + (1 << 16))
            cidx = candidate[lo:hi]
            fixed = np.empty(hi - lo, dtype=_VOTE_ROW)
            fixed["fields"] = 5
            fixed["result_size"], fixed["result_id"] = 8, result_id[lo:hi]
            fixed["panel_size"], fixed["panel"] = 2, panel[lo:hi]
            fixed["nuance_size"], fixed["nuance_id"] = 8, nuance[lo:hi]
            fixed["votes_size"], fixed["votes"] = 4, votes[lo:hi]
            fixed["candidate_size"] = name_size[cidx]
            rows = np.empty((hi - lo, width + longest), dtype=np.uint8)
            rows[:, :width] = fixed.view(np.uint8).reshape(hi - lo, width)
            rows[:, width:] = padded[cidx]
            copy.write(rows[columns < (width + name_size[cidx])[:, None]].tobytes())
        copy.write(b"\xff\xff")
    return n


def _write_votes(cursor, *, votes_table: str, prepared: Future, result_ids, existed, progress) -> dict:
    """Votes of new results are copied in; those of results that were already there are
    upserted (unchanged rows untouched) and their candidates no longer in the file removed."""
    p: PreparedVotes = prepared.result()
    result_id = result_ids[p.tidx]
    # The votes tables have no foreign-key constraints (see models.Votes): the same check,
    # on whole arrays. Result ids were just read back from the results table and nuance
    # ids from the nuance table, in this transaction: a zero means one was not found.
    if (result_id == 0).any() or (p.nuance == 0).any():
        raise RuntimeError("votes without their result or nuance")  # a bug of this module, not a bad file
    progress(80, "voix : insertion")
    old = existed[p.tidx]
    new = ~old
    written = _copy_votes(
        cursor,
        votes_table,
        result_id=result_id[new],
        panel=p.panel[new],
        nuance=p.nuance[new],
        votes=p.votes[new],
        candidate=p.candidate[new],
        names=p.names,
    )
    removed = 0
    if old.any():
        _temp(cursor, "_votes_in", "result_id bigint, panel int, nuance_id bigint, cidx int, votes int")
        _copy_ints(
            cursor,
            "_votes_in",
            {
                "result_id": (result_id[old], 8),
                "panel": (p.panel[old], 4),
                "nuance_id": (p.nuance[old], 8),
                "cidx": (p.candidate[old], 4),
                "votes": (p.votes[old], 4),
            },
        )
        # Candidate names travel once, as an array parameter indexed by each row's number.
        cursor.execute(
            f"""
            INSERT INTO {votes_table} (result_id, panel, nuance_id, candidate, votes)
            SELECT v.result_id, v.panel, v.nuance_id, (%s::text[])[v.cidx + 1], v.votes FROM _votes_in v
            ON CONFLICT (result_id, panel) DO UPDATE
            SET nuance_id = EXCLUDED.nuance_id, candidate = EXCLUDED.candidate, votes = EXCLUDED.votes
            WHERE ({votes_table}.nuance_id, {votes_table}.candidate, {votes_table}.votes)
                  IS DISTINCT FROM (EXCLUDED.nuance_id, EXCLUDED.candidate, EXCLUDED.votes)
            """,  # noqa: S608
            [p.names],
        )
        written += max(cursor.rowcount, 0)
        cursor.execute(
            f"""
            DELETE FROM {votes_table} o
            WHERE o.result_id = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM _votes_in v WHERE v.result_id = o.result_id AND v.panel = o.panel)
            """,  # noqa: S608
            [result_ids[existed].tolist()],
        )
        removed = max(cursor.rowcount, 0)
    return {"votes_written": written, "votes_removed": removed}


def _result_ids(cursor, n: int, sql: str, params: list) -> tuple[np.ndarray, np.ndarray]:
    """(result id, existed before this import) for each territory of the file, by its index."""
    cursor.execute(sql, params)
    rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 3)
    ids, existed = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    ids[rows[:, 0]] = rows[:, 1]
    existed[rows[:, 0]] = rows[:, 2].astype(bool)
    return ids, existed


def _station_ids(cursor, ps_table: str, communes: list[int]) -> pd.DataFrame:
    cursor.execute(
        f"SELECT commune_id, code, id, circonscription_id FROM {ps_table} WHERE commune_id = ANY(%s)",  # noqa: S608
        [communes],
    )
    return pd.DataFrame(cursor.fetchall(), columns=["commune_id", "code", "ps_id", "ps_circ"])


def _write_polling_stations(
    cursor, table, election, run, commune_ids, station_codes, circo_id, progress, prepared
) -> dict:
    """Bureaux, then results, each looked up in Python and the new ones COPYed in (a national
    file creates 70,000 of each); rows that already exist go through set-based updates."""
    ps_table = PollingStation._meta.db_table
    result_table = PollingStationResult._meta.db_table
    votes_table = PollingStationVotes._meta.db_table
    m2m = Commune.circonscriptions.through._meta.db_table
    n = len(table.lines)
    communes = sorted({int(c) for c in pd.unique(commune_ids)})
    rows = pd.DataFrame(
        {
            "tidx": np.arange(n),
            "commune_id": commune_ids,
            "code": station_codes,
            "file_circ": circo_id if circo_id is not None else np.zeros(n, np.int64),
        }
    )
    # A commune in a single circonscription gives it to its bureaux the file does not place.
    cursor.execute(
        f"SELECT commune_id, min(circonscription_id) FROM {m2m} WHERE commune_id = ANY(%s) "  # noqa: S608
        "GROUP BY commune_id HAVING count(*) = 1",
        [communes],
    )
    single = dict(cursor.fetchall())
    commune_circ = rows["commune_id"].map(single).fillna(0).to_numpy(np.int64)
    rows["circ"] = np.where(rows["file_circ"] > 0, rows["file_circ"], commune_circ)
    progress(55, "bureaux de vote")
    rows = rows.merge(_station_ids(cursor, ps_table, communes), on=["commune_id", "code"], how="left")
    new = rows["ps_id"].isna().to_numpy()
    created = int(new.sum())
    if created:
        place = table.place[rows["tidx"].to_numpy()[new]] if table.place is not None else ""
        stations = pd.DataFrame(
            {
                "commune_id": rows["commune_id"].to_numpy()[new],
                "code": rows["code"].to_numpy()[new],
                "name": "",
                "place": pd.Series(place, dtype=object).fillna("").astype(str).str.slice(0, 200).to_numpy()
                if table.place is not None
                else "",
                "address": "",
                "circonscription_id": pd.array(
                    np.where(rows["circ"].to_numpy()[new] > 0, rows["circ"].to_numpy()[new], 0)
                ).astype("Int64"),
            }
        )
        stations["circonscription_id"] = stations["circonscription_id"].mask(stations["circonscription_id"] == 0)
        # COPY fails if another import creates the same bureau at the same time: the whole
        # import is then refused by PostgreSQL, and can simply be started again.
        _copy_frame(cursor, ps_table, stations, not_null=("name", "place", "address"))
        rows = rows.drop(columns=["ps_id", "ps_circ"]).merge(
            _station_ids(cursor, ps_table, communes), on=["commune_id", "code"], how="left"
        )
    rows = rows.sort_values("tidx", kind="stable").reset_index(drop=True)
    ps_id = rows["ps_id"].to_numpy(np.int64)
    # The contour's circonscription (set by the boundaries import) wins; the file's or
    # the commune's only fills a blank.
    blank = (~new) & rows["ps_circ"].isna().to_numpy() & (rows["circ"].to_numpy() > 0)
    if blank.any():
        cursor.execute(
            f"UPDATE {ps_table} ps SET circonscription_id = v.circ "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, circ) "
            "WHERE ps.id = v.id AND ps.circonscription_id IS NULL",
            [ps_id[blank].tolist(), rows["circ"].to_numpy()[blank].tolist()],
        )
    progress(65, "résultats")
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {result_table} WHERE election_id = %s)", [election.pk])  # noqa: S608
    replacing = cursor.fetchone()[0]
    removed_results = 0
    result_of: dict[int, int] = {}
    if replacing:
        # The election's results are at most one per bureau of France: read them all, and keep
        # those of the file's communes.
        cursor.execute(
            f"SELECT r.polling_station_id, r.id FROM {result_table} r JOIN {ps_table} ps "  # noqa: S608
            "ON ps.id = r.polling_station_id WHERE r.election_id = %s AND ps.commune_id = ANY(%s)",
            [election.pk, communes],
        )
        before = dict(cursor.fetchall())
        result_of = {station: before[station] for station in ps_id.tolist() if station in before}
        # Results of the file's communes (its circonscriptions there, when it names them)
        # that the file no longer has: the corrected file replaces them.
        file_circos = sorted({int(c) for c in circo_id if c > 0}) if circo_id is not None else []
        cursor.execute(
            f"SELECT id, circonscription_id FROM {ps_table} WHERE id = ANY(%s)",  # noqa: S608
            [list(before)],
        )
        in_scope = {station for station, circ in cursor.fetchall() if not file_circos or circ in set(file_circos)}
        stale = [before[station] for station in in_scope if station not in set(ps_id.tolist())]
        if stale:
            cursor.execute(f"DELETE FROM {votes_table} WHERE result_id = ANY(%s)", [stale])  # noqa: S608
            cursor.execute(f"DELETE FROM {result_table} WHERE id = ANY(%s)", [stale])  # noqa: S608
            removed_results = max(cursor.rowcount, 0)
    existed = np.array([station in result_of for station in ps_id.tolist()], dtype=bool)
    counts = {name: table.counts[name] for name in COUNTS}
    results_written = int((~existed).sum())
    if results_written:
        _copy_ints(
            cursor,
            result_table,
            {
                "election_id": (np.full(results_written, election.pk), 8),
                "polling_station_id": (ps_id[~existed], 8),
                **{(f'"{k}"' if k == "null" else k): (v[~existed], 4) for k, v in counts.items()},
                "import_run_id": (np.full(results_written, run.pk), 8),
            },
        )
    if existed.any():
        _temp(cursor, "_res_in", f"polling_station_id bigint, {_COUNT_DDL}")
        _copy_ints(
            cursor,
            "_res_in",
            {
                "polling_station_id": (ps_id[existed], 8),
                **{(f'"{k}"' if k == "null" else k): (v[existed], 4) for k, v in counts.items()},
            },
        )
        cursor.execute(
            _results_upsert_sql(
                result_table,
                "polling_station_id",
                f"SELECT %s, polling_station_id, {_COUNT_LIST}, %s FROM _res_in",  # noqa: S608
            ),
            [election.pk, run.pk],
        )
        results_written += max(cursor.rowcount, 0)
    progress(72, "voix")
    cursor.execute(
        f"SELECT polling_station_id, id FROM {result_table} WHERE election_id = %s",  # noqa: S608
        [election.pk],
    )
    now = dict(cursor.fetchall())
    result_ids = np.array([now.get(station, 0) for station in ps_id.tolist()], dtype=np.int64)
    votes = _write_votes(
        cursor,
        votes_table=votes_table,
        prepared=prepared,
        result_ids=result_ids,
        existed=existed,
        progress=progress,
    )
    return {
        "polling_stations_created": created,
        "polling_stations_matched": n - created,
        "results_written": results_written,
        "results_removed": removed_results,
        **votes,
    }


def _write_circonscriptions(cursor, table, election, run, circo_id, progress, prepared) -> dict:
    result_table = CirconscriptionResult._meta.db_table
    votes_table = CirconscriptionVotes._meta.db_table
    n = len(table.lines)
    _temp(cursor, "_res_in", f"tidx int, circonscription_id bigint, {_COUNT_DDL}, result_id bigint")
    frame = pd.concat(
        [pd.DataFrame({"tidx": np.arange(n), "circonscription_id": circo_id}), _counts_frame(table)], axis=1
    )
    _copy_frame(cursor, "_res_in", frame)
    cursor.execute(
        f"UPDATE _res_in t SET result_id = r.id FROM {result_table} r "  # noqa: S608
        "WHERE r.election_id = %s AND r.circonscription_id = t.circonscription_id",
        [election.pk],
    )
    cursor.execute(
        _results_upsert_sql(
            result_table,
            "circonscription_id",
            f"SELECT %s, circonscription_id, {_COUNT_LIST}, %s FROM _res_in",  # noqa: S608
        ),
        [election.pk, run.pk],
    )
    results_written = max(cursor.rowcount, 0)
    result_ids, existed = _result_ids(
        cursor,
        n,
        f"SELECT t.tidx, r.id, (t.result_id IS NOT NULL)::int FROM _res_in t JOIN {result_table} r "  # noqa: S608
        "ON r.election_id = %s AND r.circonscription_id = t.circonscription_id",
        [election.pk],
    )
    votes = _write_votes(
        cursor,
        votes_table=votes_table,
        prepared=prepared,
        result_ids=result_ids,
        existed=existed,
        progress=progress,
    )
    return {"results_written": results_written, "results_removed": 0, **votes}


# ---------------------------------------------------------------------------- service


def election_for_slug(slug: str) -> Election:
    """'legislatives-2024-1' → the Election row, created when missing."""
    match = re.fullmatch(r"([a-z]+)-(\d{4})-(\d)", slug.strip())
    kinds = {k for k, _ in Election.Kind.choices}
    if not match or match.group(1) not in kinds:
        raise ValueError(
            f"« {slug} » n'est pas un identifiant d'élection : attendu genre-année-tour, "
            f"genre parmi {', '.join(sorted(kinds))} "
            "(ex. legislatives-2024-1)."
        )
    kind, year, round_ = match.group(1), int(match.group(2)), int(match.group(3))
    election, _ = Election.objects.get_or_create(slug=slug, defaults={"kind": kind, "year": year, "round": round_})
    return election


def results_import(
    *,
    path: Path,
    election_slug: str,
    commune: str | None = None,
    tolerate: set[str] | None = None,
    by: str = "",
    run: ImportRun | None = None,
    on_progress=None,
) -> ImportOutcome:
    """Import one results file for one election (see the module docstring for the rules)."""
    tolerate = set(tolerate or ())
    unknown = tolerate - TOLERABLE
    if unknown:
        raise ValueError(
            f"contrôle non tolérable : {', '.join(sorted(unknown))} (seul {', '.join(sorted(TOLERABLE))} l'est)"
        )
    election = election_for_slug(election_slug)
    commune = commune.strip().upper() if commune else None
    # The file's name is part of the import's identity: the same file imported again, even
    # after other files of the same election, is recognised and changes nothing.
    options = {"election": election.slug, "file": run.file_name if run is not None else Path(path).name}
    if commune:
        options["commune"] = commune
    if tolerate:
        options["tolerate"] = sorted(tolerate)

    def load(p: Path, run: ImportRun, progress: Progress) -> dict:
        # An upload is stored under a neutral name: the commune is inferred from the original one.
        return load_results(
            p, run, progress, election=election, commune=commune, tolerate=tolerate, file_name=run.file_name
        )

    return run_import(
        kind=KIND,
        path=Path(path),
        load=load,
        options=options,
        election=election,
        by=by,
        run=run,
        on_progress=on_progress,
    )


def _registered_run(*, path: Path, options: dict, by: str, run: ImportRun | None, on_progress=None) -> ImportOutcome:
    return results_import(
        path=path,
        election_slug=options["election"],
        commune=options.get("commune") or None,
        tolerate=TOLERABLE if options.get("tolerate_inconsistent_source") else None,
        by=by,
        run=run,
        on_progress=on_progress,
    )


def _fields() -> dict[str, forms.Field]:
    return {
        "election": forms.RegexField(
            label="Élection (genre-année-tour, ex. legislatives-2024-1)",
            regex=r"^(presidentielle|legislatives|europeennes|municipales|regionales|departementales)-\d{4}-\d$",
            error_messages={"invalid": "Écrivez genre-année-tour, par exemple legislatives-2024-1."},
        ),
        "commune": forms.CharField(
            label="Commune INSEE (exports de ville sans colonne commune, ex. 29019)", required=False, max_length=5
        ),
        "tolerate_inconsistent_source": forms.BooleanField(
            label="Garder les chiffres publiés quand la source ne s'additionne pas (voix ≠ exprimés, "
            "exprimés + blancs + nuls ≠ votants) : les écarts sont notés comme avertissements",
            required=False,
        ),
    }


registry.register("results", label="Résultats électoraux", run=_registered_run, fields=_fields)
