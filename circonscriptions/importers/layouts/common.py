"""What every layout shares: the `Table` a layout reads a file into, the `Evidence` it
finds about its election, and the helpers that read counts, codes and names.

Reading never refuses by itself: each reader collects the problems it meets (line,
column, value) in `Table.problems`, and `results.load_results` adds the checks that
need the whole table or the database before refusing the file.
"""

import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from circonscriptions import blocs
from circonscriptions.importers.base import Problem
from circonscriptions.importers.detect import SourceText, read_int_column
from circonscriptions.importers.guards import unsafe_reason, visible

COUNTS = ("registered", "voters", "abstentions", "blank", "null", "expressed")

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
    "list": ("Libellé de liste",),
    "short_list": ("Libellé Abrégé Liste", "Libellé abrégé de liste"),
    "votes": ("Voix",),
}
BLOCK_SUFFIX = re.compile(r"^(?P<base>.+?)(?:(?: |_|\.)(?P<i>\d+))?$")


def block_base(column: str) -> tuple[str, int]:
    """'Voix 3', 'Voix_3', 'Voix.3' → ('Voix', 3); 'Voix' → ('Voix', 0)."""
    match = BLOCK_SUFFIX.match(column)
    if match is None:  # an empty column name
        return column, 0
    return match.group("base"), int(match.group("i") or 0)


# A header without names, only positions (Toulouse's export).
POSITIONAL = re.compile(r"^column_\d+$")


@dataclass
class Evidence:
    """What the file says about its election, and where it says it."""

    kind: str | None = None
    years: set[int] | None = None
    round: int | None = None
    where: str = ""
    # Whose nuance codes the file carries: 'candidats' (législatives grid), 'listes' (a
    # list grid: européennes, régionales, municipales), or None when it does not say.
    grid: str | None = None
    # The file's nuance codes (or candidate names), most voted first: quoted when refusing.
    codes: list[str] = field(default_factory=list)


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
    nuance_column: str = "nuance"  # where the file gives its nuance codes, for refusals
    labels: dict[str, str] = field(default_factory=dict)  # nuance code → label given by the file
    evidence: Evidence = field(default_factory=Evidence)
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)


def first_of(header: list[str], names: tuple[str, ...]) -> str | None:
    present = set(header)
    return next((name for name in names if name in present), None)


def read_frame(source: SourceText, *, names: list[str] | None = None, usecols=None, str_columns=()) -> pd.DataFrame:
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


_NUMBER = re.compile(r"\s*-?[\d\s\u00a0\u202f]+(?:[.,]\d+)?\s*%?\s*")


def unsafe_cells(frame: pd.DataFrame, lines: np.ndarray, problems: list[Problem]) -> None:
    """Text cells that must not reach the database: a control character, or a start that
    a spreadsheet reads as a formula (« = », « @ »; « + » and « - » are refused in codes,
    whose shapes are checked on the table, and a negative count is refused as such)."""
    for column in frame.columns:
        if frame[column].dtype != object:
            continue
        codes, uniques = pd.factorize(frame[column].to_numpy(object))
        bad = []
        for value in uniques:
            text = str(value)
            bad.append(not _NUMBER.fullmatch(text) and unsafe_reason(text, dash=False) is not None)
        flagged = np.array(bad + [False], dtype=bool)
        for position in np.flatnonzero(flagged[codes])[:50]:
            text = str(uniques[codes[position]])
            reason = unsafe_reason(text, dash=False) or ""  # never empty: the value was flagged for it
            problems.append(Problem(reason, line=int(lines[position]), column=str(column), value=visible(text)))


# Columns each layout reads besides those its detection needs (alternatives in a tuple),


def clean(values: np.ndarray, transform=str.strip) -> np.ndarray:
    """`transform` applied to each distinct value only (a national file repeats a few
    hundred names and codes hundreds of thousands of times); missing values become ''."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = np.array([transform(str(u)) for u in uniques] + [""], dtype=object)
    return cleaned[codes]


def text_of(frame: pd.DataFrame, column: str) -> np.ndarray:
    return clean(frame[column].to_numpy(object))


def station_code(raw: str) -> str:
    return raw.strip().upper().lstrip("0") or "0"


def normalise_station_codes(raw: np.ndarray) -> np.ndarray:
    """'0076' → '76', '054A' → '54A' (PollingStation.normalise_code, on distinct values)."""
    cleaned = clean(np.asarray(raw, dtype=object), station_code)
    return np.where(pd.isna(raw) | (np.asarray(raw, dtype=object) == ""), "", cleaned).astype(object)


# ---------------------------------------------------------------------------- layouts


def counts_from(
    frame: pd.DataFrame, header: list[str], lines: np.ndarray, table_problems: list[Problem]
) -> tuple[dict[str, np.ndarray], dict[str, str | None]]:
    counts: dict[str, np.ndarray] = {}
    columns: dict[str, str | None] = {}
    for name, candidates in COUNT_COLUMNS.items():
        column = first_of(header, candidates)
        columns[name] = column
        if column is None:
            continue
        parsed = read_int_column(frame[column])
        for i in np.flatnonzero(parsed.bad | parsed.missing):
            why = parsed.reason[i] or "valeur manquante"
            table_problems.append(Problem(why, line=int(lines[i]), column=column, value=str(parsed.raw.iloc[i])))
        counts[name] = parsed.values
    return counts, columns


def complete_counts(counts: dict, columns: dict) -> None:
    """Counts a layout does not publish are derived: abstentions = inscrits − votants,
    nuls = votants − blancs − exprimés (the 2017 layout)."""
    if "abstentions" not in counts:
        counts["abstentions"] = counts["registered"] - counts["voters"]
    if "null" not in counts:
        counts["null"] = counts["voters"] - counts["blank"] - counts["expressed"]


def widest_line(source: SourceText) -> int:
    """The largest number of fields on a line (separators inside quotes do not count)."""
    raw = re.sub(rb'"[^"]*"', b"", source.raw) if b'"' in source.raw else source.raw
    separator = source.separator.encode("ascii")
    return max(line.count(separator) for line in raw.splitlines() if line) + 1


def join_names(first: np.ndarray, surname: np.ndarray) -> np.ndarray:
    """'Pierre' + 'SMOLARZ' → 'Pierre SMOLARZ' (computed once per distinct pair)."""
    first_code, firsts = pd.factorize(np.asarray(first, dtype=object))
    surname_code, surnames = pd.factorize(np.asarray(surname, dtype=object))
    pair_code, pairs = pd.factorize(first_code.astype(np.int64) * (len(surnames) + 1) + surname_code)
    names = [" ".join(f"{firsts[p // (len(surnames) + 1)]} {surnames[p % (len(surnames) + 1)]}".split()) for p in pairs]
    return np.array(names, dtype=object)[pair_code]


def empty_votes() -> pd.DataFrame:
    return pd.DataFrame(
        {"tidx": [], "panel": [], "nuance": [], "surname": [], "candidate": [], "votes": [], "column": []}
    )


def codes_by_votes(votes: pd.DataFrame) -> list[str]:
    """The file's nuance codes, most voted first."""
    if votes.empty:
        return []
    totals = votes.groupby("nuance", sort=False)["votes"].sum().sort_values(ascending=False, kind="stable")
    return [str(code) for code in totals.index if code]


def names_by_votes(votes: pd.DataFrame) -> list[str]:
    """The file's candidate surnames, most voted first."""
    if votes.empty:
        return []
    totals = votes.groupby("surname", sort=False)["votes"].sum().sort_values(ascending=False, kind="stable")
    return [str(name) for name in totals.index if name]


def legislative_evidence(votes: pd.DataFrame, where: str) -> Evidence:
    """The législatives years whose nuance codes include every known code of the file."""
    codes = distinct_values(votes["nuance"])
    known = codes & blocs.CANDIDATE_CODES
    years = {year for year, table in blocs.LEGISLATIVES_CODES.items() if known <= table}
    return Evidence(
        kind="legislatives",
        years=years if known else None,
        where=where,
        grid=blocs.grid_of(codes),
        codes=codes_by_votes(votes),
    )


def list_evidence(votes: pd.DataFrame, where: str) -> Evidence:
    """The européennes years whose list grid includes every list code of the file."""
    codes = distinct_values(votes["nuance"])
    return Evidence(
        kind=None, years=blocs.list_grid_years(codes), where=where, grid="listes", codes=codes_by_votes(votes)
    )


def round_from_candidates(votes: pd.DataFrame, kind: str | None) -> int | None:
    per_territory = votes.groupby("tidx").size()
    if per_territory.empty:
        return None
    if kind == "presidentielle":
        return 2 if per_territory.max() == 2 else 1
    # Législatives: a first round has many candidates everywhere, a second round two or three.
    median = per_territory.median()
    return 2 if median <= 3 else (1 if median >= 5 else None)


def distinct_values(values) -> set[str]:
    return set(pd.unique(np.asarray(values, dtype=object))) - {""}


def check_repeated_counts(
    territory_keys, counts: dict, columns: dict, lines, problems: list[Problem], same_territory: str
) -> tuple[np.ndarray, np.ndarray]:
    """In a long layout the territory's counts repeat on each of its lines: each must equal its first line's.

    Returns the mask of each territory's first line and each line's territory index."""
    keys = pd.Series(territory_keys)
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
                    f"{values[i]} ≠ {reference[i]} sur la première ligne {same_territory}",
                    line=int(lines[i]),
                    column=column,
                    value=str(values[i]),
                )
            )
    return first_pos, territory_of
