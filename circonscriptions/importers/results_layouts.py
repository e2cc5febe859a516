"""Election results files as published: each layout read into one `Table`.

Layouts, recognised from the header (`detect_layout`):

- `ministry_wide`: the Interior Ministry's file by bureau de vote, one line per bureau
  and repeated candidate blocks (`Nuance candidat 1`, `Voix 1`…; présidentielle
  exports have no nuance and blocks suffixed `.1`/`_1`; the raw ministry files do not
  repeat the block headers at all, the extra fields are then read as further blocks).
  The européennes file has the same fixed columns and list blocks instead
  (`Numéro de panneau N`, `Nuance liste N`, `Libellé abrégé de liste N`, `Libellé de
  liste N`, `Voix N`, `% Voix/inscrits N`, `% Voix/exprimés N`, `Sièges N`): a list is
  stored under its label (the full one when given, else the short one) with its
  L-code nuance, and the codes are checked against the européennes list grid
  (`blocs.EUROPEENNES_CODES`);
- `ministry_circo`: the ministry's one-line-per-candidate file by circonscription
  (`CodCirElec` '0101', 'ZA01', 'ZZ01');
- `long_2017`: the long 2017 layout by circonscription (no `nuls`: nuls = votants −
  blancs − exprimés);
- `city_brest`: the City of Brest's export (one commune, candidates named in the
  headers, no nuance: see `blocs.CANDIDATE_NUANCES`);
- `paris_long`: the City of Paris file, one line per (bureau, candidate), several
  elections in one file (see `read_paris_long`);
- `city_toulouse`: Toulouse Métropole's export by bureau, whose header is only
  `column_1`…`column_N`: fixed columns, then (list number, votes) pairs (see
  `read_city_toulouse`).

Reading never refuses by itself: each reader collects the problems it meets (line,
column, value) in `Table.problems`, and `results.load_results` adds the checks that
need the whole table or the database before refusing the file.
"""

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from circonscriptions import blocs
from circonscriptions.importers.base import ImportRefused, Problem
from circonscriptions.importers.codes import circonscription_code, circonscription_normalise, departement_normalise
from circonscriptions.importers.detect import SourceText, read_int_column
from circonscriptions.importers.guards import unsafe_reason, visible
from circonscriptions.models import Commune, Election

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
_BLOCK_SUFFIX = re.compile(r"^(?P<base>.+?)(?:(?: |_|\.)(?P<i>\d+))?$")
# A header without names, only positions (Toulouse's export).
_POSITIONAL = re.compile(r"^column_\d+$")


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
            problems.append(
                Problem(
                    unsafe_reason(text, dash=False), line=int(lines[position]), column=str(column), value=visible(text)
                )
            )


# Columns each layout reads besides those its detection needs (alternatives in a tuple),
# and the counts every layout must give (nuls and abstentions may be derived).
_REQUIRED = {
    "ministry_wide": {"commune": ("Code commune", "Code de la commune")},
    "ministry_circo": {"département": ("Departement",), "panneau": ("NumPanneauCand",), "nom": ("NomPsn",)},
    "long_2017": {"département": ("departement",), "panneau": ("numero_panneau",), "nom": ("nom",)},
    "city_brest": {"circonscription": ("Circo",), "bureau": ("Bureau",)},
    "paris_long": {name: (name,) for name in ("annee", "tour", "candidate", "votes", "nom", "prenom", "liste")},
}
_REQUIRED_COUNTS = ("registered", "voters", "blank", "expressed")


def missing_columns(layout: str, header: list[str]) -> list[Problem]:
    """One French sentence per column the layout needs and the file lacks, naming what was expected."""
    if layout == "city_toulouse":
        return []  # positional columns: read_city_toulouse checks them
    wanted = {FRENCH[name]: COUNT_COLUMNS[name] for name in _REQUIRED_COUNTS}
    if layout == "paris_long":
        wanted["Nuls"] = ("nb_nul",)
    wanted.update(_REQUIRED.get(layout, {}))
    present = ", ".join(h for h in header[:15] if h) + ("…" if len(header) > 15 else "")
    problems = []
    for label, names in wanted.items():
        if _first(header, names) is None:
            expected = names[0] if len(names) == 1 else "l'une de " + ", ".join(f"« {n} »" for n in names)
            problems.append(
                Problem(
                    f"colonne « {label} » absente : attendu {expected if len(names) > 1 else f'« {expected} »'} "
                    f"dans l'en-tête (colonnes présentes : {present})",
                    line=1,
                    column=label,
                )
            )
    return problems


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
    if len(header) >= 16 and all(_POSITIONAL.match(h) for h in header):
        # No names at all (Toulouse's export): the reader checks its fixed columns' contents.
        return "city_toulouse"
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
    dept_col = _first(header, ("Code département", "Code du département", "Code departement"))
    commune_col = _first(header, ("Code commune", "Code de la commune"))
    station_col = _first(header, ("Code BV", "Code du b.vote", "Code B.Vote"))
    circo_col = _first(header, ("Code de la circonscription", "Code circonscription"))
    count_cols = [c for c in (_first(header, names) for names in COUNT_COLUMNS.values()) if c]
    text_cols = [c for c in (dept_col, commune_col, station_col, circo_col) if c]
    text_cols += [
        b[f] for b in blocks.values() for f in ("nuance", "surname", "first_name", "list", "short_list") if f in b
    ]
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
    problems: list[Problem] = list(voteless)
    unsafe_cells(frame, lines, problems)
    counts, columns = _counts_from(frame, header, lines, problems)
    _complete_counts(counts, columns)

    # Communes: 5-character codes as they are; 3-character codes get the département.
    commune_raw = _text(frame, commune_col)
    dept_raw = _text(frame, dept_col) if dept_col else np.full(n, "", dtype=object)
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
            if c and not circo[i]:
                problems.append(
                    Problem("code de circonscription illisible", line=int(lines[i]), column=circo_col, value=visible(c))
                )

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
            for field in ("surname", "first_name", "list", "short_list", "nuance")
        }
        # A list block's name: the full label when the file gives it, else the short one.
        raw["list"] = np.where(pd.isna(raw["list"]), raw["short_list"], raw["list"])
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
        surnames = sorted(distinct_values(votes_frame["surname"]))
        evidence = Evidence(
            kind="presidentielle",
            years=blocs.presidential_years_of(surnames) or None,
            where="noms",
            codes=_names_by_votes(votes_frame),
        )
        if len(blocks) == 2:
            evidence.round = 2
        votes_frame["nuance"] = _clean(
            votes_frame["surname"].to_numpy(object), lambda surname: blocs.presidential_nuance(year, surname)
        )
    else:
        nuance_columns = " ".join(b.get("nuance", "") for b in blocks.values())
        if "Nuance liste" in nuance_columns:
            # Lists (européennes, régionales, municipales): the kind is not in the columns,
            # but the codes must be of a list grid, and of the européennes' year when it is one.
            evidence = _list_evidence(votes_frame, "Nuance liste")
            evidence.grid = "listes"
        else:
            evidence = _legislative_evidence(votes_frame, "Nuance candidat")
            evidence.kind = "legislatives" if "Nuance candidat" in nuance_columns else None
            if "Nuance candidat" in nuance_columns:
                evidence.grid = "candidats"
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
        nuance_column=next((b["nuance"].rstrip(" 0123456789") for b in blocks.values() if "nuance" in b), "nuance"),
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


def _codes_by_votes(votes: pd.DataFrame) -> list[str]:
    """The file's nuance codes, most voted first."""
    if votes.empty:
        return []
    totals = votes.groupby("nuance", sort=False)["votes"].sum().sort_values(ascending=False, kind="stable")
    return [str(code) for code in totals.index if code]


def _names_by_votes(votes: pd.DataFrame) -> list[str]:
    """The file's candidate surnames, most voted first."""
    if votes.empty:
        return []
    totals = votes.groupby("surname", sort=False)["votes"].sum().sort_values(ascending=False, kind="stable")
    return [str(name) for name in totals.index if name]


def _legislative_evidence(votes: pd.DataFrame, where: str) -> Evidence:
    """The législatives years whose nuance codes include every known code of the file."""
    codes = distinct_values(votes["nuance"])
    known = codes & blocs.CANDIDATE_CODES
    years = {year for year, table in blocs.LEGISLATIVES_CODES.items() if known <= table}
    return Evidence(
        kind="legislatives",
        years=years if known else None,
        where=where,
        grid=blocs.grid_of(codes),
        codes=_codes_by_votes(votes),
    )


def _list_evidence(votes: pd.DataFrame, where: str) -> Evidence:
    """The européennes years whose list grid includes every list code of the file."""
    codes = distinct_values(votes["nuance"])
    return Evidence(
        kind=None, years=blocs.list_grid_years(codes), where=where, grid="listes", codes=_codes_by_votes(votes)
    )


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
    unsafe_cells(frame, lines, problems)
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
    first_pos, territory_of = _check_repeated_counts(
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
        surnames = sorted(distinct_values(surname))
        evidence = Evidence(
            kind="presidentielle",
            years=blocs.presidential_years_of(surnames) or None,
            where="nom",
            codes=_names_by_votes(votes),
        )
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
        nuance_column=cols.get("nuance", "nuance"),
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
    unsafe_cells(frame, lines, problems)
    counts, columns = _counts_from(frame, header, lines, problems)
    _complete_counts(counts, columns)
    station_raw = _text(frame, "Numéro")
    for i in np.flatnonzero(station_raw == ""):
        problems.append(Problem("numéro de bureau manquant", line=int(lines[i]), column="Numéro", value=""))
    dept = commune_code[:3] if commune_code.startswith(("97", "98")) else commune_code[:2]
    circo_raw = _text(frame, "Circo")
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
    known_names = set().union(*(blocs.CANDIDATE_NUANCES[slug] for slug in known_in)) if known_in else set()
    evidence.codes = [name for name in _names_by_votes(votes_frame) if blocs.name_key(name) in known_names]
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
    NC (the file gives none) for the analyst to set in the admin.
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
    first_pos, territory_of = _check_repeated_counts(station_all, counts, columns, lines, problems, "du même bureau")
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


# Scrutin codes of the ministry's positional files (the type column of Toulouse's export).
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

    The file names no list: a list is stored as « Liste 003 » with its number as panel
    and the nuance NC (« non renseignée »), because neither the file nor `blocs` knows the Toulouse 2026 lists;
    analysts name them and set their nuance in the admin. The scrutin, year and round
    columns must be those of the election named, on every line.
    """
    header = list(source.header)
    widest = _widest_line(source)
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
        values = _text(frame, column)
        read = _clean(values, meaning)
        wrong = pd.Series(read[read != want])
        # One problem per wrong value, at its first line (a whole file of another election
        # would otherwise give one per bureau).
        for got, how_many in wrong.value_counts(sort=False).items():
            i = int(np.flatnonzero(read == got)[0])
            got = got or "vide"
            message = {
                "scrutin": f"ce fichier est une élection {got}, pas « {election.kind} » ({election.slug})",
                "year": f"ce fichier est de l'année {got}, pas de {election.year} ({election.slug})",
                "round": f"ce fichier est un tour {got}, pas le tour {election.round} ({election.slug})",
            }[what]
            if how_many > 1:
                message += f", sur {how_many} lignes à partir de celle-ci"
            problems.append(Problem(message, line=int(lines[i]), column=_toulouse_label(column), value=values[i]))

    counts, columns = {}, {}
    for name, column in _TOULOUSE_COUNTS.items():
        parsed = read_int_column(frame[column])
        columns[name] = _toulouse_label(column)
        for i in np.flatnonzero(parsed.bad | parsed.missing):
            why = parsed.reason[i] or "valeur manquante"
            problems.append(Problem(why, line=int(lines[i]), column=columns[name], value=str(parsed.raw.iloc[i])))
        counts[name] = parsed.values

    dept_raw, commune_raw = _text(frame, _TOULOUSE["departement"]), _text(frame, _TOULOUSE["commune"])
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
    station_raw = _text(frame, _TOULOUSE["station"])
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
        raw_number = _text(frame, number_col)[idx]
        parts.append(
            pd.DataFrame(
                {
                    "tidx": idx,
                    "panel": number.values[idx],
                    "nuance": blocs.UNKNOWN_NUANCE,
                    "surname": "",
                    # The file's own spelling of the number ('003'), as the lists are known in Toulouse.
                    "candidate": _clean(raw_number, lambda v: f"Liste {v}"),
                    "votes": votes.values[idx],
                    "column": votes_col,
                }
            )
        )
    votes_frame = pd.concat(parts, ignore_index=True) if parts else _empty_votes()
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


def distinct_values(values) -> set[str]:
    return set(pd.unique(np.asarray(values, dtype=object))) - {""}


def _check_repeated_counts(
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
