"""INSEE indicators: one value per (variable, territory, vintage).

Layouts read (as published):
- wide, one row per territory and one column per variable: the INSEE "indicateurs
  statistiques des circonscriptions législatives" (.xlsx, sheet
  `indicateurs_circonscriptions` with its `Liste des variables`; or the CSV with its
  `-variables.csv` dictionary), keyed by `circo` ('29002' → circonscription '2902',
  '00000' → the national figure); commune files keyed by `CODGEO`;
- long, one row per territory with `valeur` (the variable named by `type`, labelled by
  `typemetric`, the vintage by `annee`): the Bretagne unemployment files.

Rules:
- `nd` (non déterminé) and empty cells are stored as null; any other cell that is not
  a number (decimal point or comma) refuses the file, naming line, column and value.
- Columns that describe the territory (names, département, commune number, point)
  are not variables. The urban-unit status ('unité urbaine' / 'hors unité urbaine')
  is stored as 1 / 0.
- A territory appearing twice is kept once when both rows give the same values
  (communes merged since the file was made, duplicated exports); when they disagree
  the file is refused, as nobody can tell which row is right.
- Commune codes that no longer exist are mapped to the current commune.
- The source (variables' namespace) is the file name without its year and
  extension, so the CSV and the xlsx of one publication, or two vintages of one
  series, share their variables; the vintage is the year in the file name unless
  given (or read from `annee`).
"""

# SQL is built from table and column names of this module, never from input: values go as parameters.
# ruff: noqa: S608

import csv
import io
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django import forms
from django.db import connection

from circonscriptions.importers import registry
from circonscriptions.importers.base import ImportOutcome, ImportRefused, Problem, Progress, run_import
from circonscriptions.importers.bulk import copy_rows, temp_table_create, upsert_counts
from circonscriptions.importers.codes import circonscription_code, circonscription_normalise
from circonscriptions.importers.detect import text_bytes
from circonscriptions.importers.guards import archive_check
from circonscriptions.models import Circonscription, FormerCommuneCode, ImportRun, IndicatorValue

NATIONAL_CODES = {"00000", "FR", "FRANCE"}
MISSING = {"", "nd", "n.d.", "s", "nc"}
# Columns describing the territory, never variables.
DESCRIPTIVE = {
    "circo",
    "nom de la circonscription",
    "codgeo",
    "libgeo",
    "code département",
    "code de la commune",
    "code_com",
    "code_dep",
    "nom_com",
    "geo_point",
    "annee",
    "type",
    "typemetric",
    "valeur",
}
CATEGORIES = {
    "statut commune": (
        "unite_urbaine",
        "Commune appartenant à une unité urbaine (1 = oui, 0 = non)",
        {"unité urbaine": 1.0, "hors unité urbaine": 0.0},
    ),
}
XLSX_DATA_SHEET = "indicateurs_circonscriptions"
XLSX_DICTIONARY_SHEET = "Liste des variables"


@dataclass
class Table:
    """The file's rows as text, with the file line of each row (header = its own line)."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    dictionary: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (label, producer)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _read_csv(path: Path) -> Table:
    # The rules of the results files (detect.py): UTF-16 decoded, NUL bytes and empty files refused.
    raw, _utf16 = text_bytes(path.read_bytes(), path.name)
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportRefused(path.name, [Problem("le fichier est vide")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [row for row in reader]
    header = [h.strip() for h in rows[0]] if rows else []
    body = [(index + 2, row) for index, row in enumerate(rows[1:]) if any(cell.strip() for cell in row)]
    return Table(header=header, rows=[r for _, r in body], lines=[line for line, _ in body])


def _read_dictionary_csv(path: Path) -> dict[str, tuple[str, str]]:
    table = _read_csv(path)
    return {row[0].strip(): (row[1].strip(), row[2].strip() if len(row) > 2 else "") for row in table.rows if row}


def _read_xlsx(path: Path) -> Table:
    archive_check(path, path.name)  # a workbook is a zip archive: its decompressed size is capped
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book[XLSX_DATA_SHEET] if XLSX_DATA_SHEET in book.sheetnames else book.worksheets[0]
    header: list[str] = []
    rows, lines = [], []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell(v) for v in values]
        if not header:
            # The variable codes' row comes after a title block and a row of long labels.
            if cells and cells[0].lower() in ("circo", "codgeo"):
                header = cells
            continue
        if any(cells):
            rows.append(cells)
            lines.append(number)
    dictionary = {}
    if XLSX_DICTIONARY_SHEET in book.sheetnames:
        for values in book[XLSX_DICTIONARY_SHEET].iter_rows(values_only=True):
            cells = [_cell(v) for v in values] + ["", "", ""]
            if cells[0] and cells[1]:
                dictionary[cells[0]] = (cells[1], cells[2])
    book.close()
    return Table(header=header, rows=rows, lines=lines, dictionary=dictionary)


def read_table(path: Path, dictionary: Path | None = None) -> Table:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _read_xlsx(path)
    else:
        table = _read_csv(path)
        sibling = path.with_name(f"{path.stem}-variables.csv")
        dictionary = dictionary or (sibling if sibling.exists() else None)
    if dictionary is not None:
        table.dictionary = _read_dictionary_csv(Path(dictionary))
    return table


def parse_number(text: str) -> float | None:
    """'12.5' / '12,5' / '1 203' / '12,5 %' → float; 'nd' or '' → None; ValueError otherwise."""
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").removesuffix("%")
    if cleaned.lower() in MISSING:
        return None
    value = float(cleaned.replace(",", "."))
    if math.isnan(value) or math.isinf(value):
        raise ValueError(text)
    return value


def default_source(path: Path) -> str:
    stem = path.name.split(".")[0]
    return re.sub(r"-(rp)?\d{4}$", "", stem)


def default_vintage(path: Path) -> str:
    years = re.findall(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)", path.name)
    return years[-1] if years else ""


def parse_indicators(
    table: Table, *, file_name: str, vintage: str
) -> tuple[dict[str, tuple[str, str]], dict[tuple[str, str, str, str], float | None]]:
    """The variables (code → label, producer) and values keyed (variable, level, code, vintage)."""
    problems: list[Problem] = []
    lowered = [h.lower() for h in table.header]
    if "circo" in lowered:
        key_index, level = lowered.index("circo"), "circonscription"
    elif "codgeo" in lowered:
        key_index, level = lowered.index("codgeo"), IndicatorValue.Level.COMMUNE
    else:
        raise ImportRefused(
            file_name, [Problem("colonne du code de territoire introuvable (attendu : circo ou CODGEO)")]
        )
    key_column = table.header[key_index]
    long_layout = "valeur" in lowered
    former: dict[str, str] = {}
    if level == "commune":
        # An old code is read as its current commune only when the file has no row of its own
        # for that commune: a file made before a merger has both, and they are different places.
        present = {_territory(level, row[key_index].strip(), {}) for row in table.rows if len(row) > key_index}
        former = {
            old: new
            for old, new in FormerCommuneCode.objects.values_list("code", "commune__code")
            if (IndicatorValue.Level.COMMUNE, new) not in present
        }

    variables: dict[str, tuple[str, str]] = {}
    columns: list[tuple[int, str]] = []  # (index, variable code) of wide layouts
    if long_layout:
        value_index = lowered.index("valeur")
        type_index = lowered.index("type") if "type" in lowered else None
        label_index = lowered.index("typemetric") if "typemetric" in lowered else None
        year_index = lowered.index("annee") if "annee" in lowered else None
    else:
        for index, name in enumerate(table.header):
            if name and name.lower() not in DESCRIPTIVE:
                columns.append((index, name))
                if name.lower() in CATEGORIES:
                    code, label, _ = CATEGORIES[name.lower()]
                    variables[code] = (label, "")
                else:
                    variables[name] = table.dictionary.get(name, (name if not table.dictionary else "", ""))

    # Circonscriptions are a closed list: once the territory is loaded, an unknown code is an error.
    known_circonscriptions = (
        set(Circonscription.objects.values_list("code", flat=True)) if level == "circonscription" else set()
    )
    values: dict[tuple[str, str, str, str], float | None] = {}
    first_line: dict[tuple[str, str, str, str], int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        row = row + [""] * (len(table.header) - len(row))
        raw_code = row[key_index].strip()
        territory = _territory(level, raw_code, former)
        if territory is None:
            problems.append(Problem("code de territoire illisible", line=line, column=key_column, value=raw_code))
            continue
        row_level, code = territory
        if row_level == "circonscription" and known_circonscriptions and code not in known_circonscriptions:
            problems.append(Problem(f"circonscription inconnue ({code})", line=line, column=key_column, value=raw_code))
            continue
        if long_layout:
            variable = (row[type_index].strip() if type_index is not None else "") or "valeur"
            label = row[label_index].strip() if label_index is not None else ""
            variables.setdefault(variable, (label, ""))
            row_vintage = (row[year_index].strip() if year_index is not None else "") or vintage
            cells = [(value_index, variable, row_vintage)]
        else:
            cells = [(index, CATEGORIES.get(name.lower(), (name,))[0], vintage) for index, name in columns]
        for index, variable, cell_vintage in cells:
            text = row[index].strip()
            column = table.header[index]
            try:
                if column.lower() in CATEGORIES:
                    mapping = CATEGORIES[column.lower()][2]
                    if text.lower() not in mapping and text.lower() not in MISSING:
                        raise ValueError(text)
                    value = mapping.get(text.lower())
                else:
                    value = parse_number(text)
            except ValueError:
                problems.append(Problem("valeur non numérique", line=line, column=column, value=text))
                continue
            key = (variable, row_level, code, cell_vintage)
            if key in values and values[key] != value:
                problems.append(
                    Problem(
                        f"le territoire {raw_code} apparaît deux fois avec des valeurs différentes "
                        f"(ligne {first_line[key]} : {values[key]})",
                        line=line,
                        column=column,
                        value=text,
                    )
                )
                continue
            values[key] = value
            first_line.setdefault(key, line)
        if len(problems) > 1000:
            break
    if problems:
        raise ImportRefused(file_name, problems)
    return variables, values


def _territory(level: str, raw: str, former: dict[str, str]) -> tuple[str, str] | None:
    if raw.upper() in NATIONAL_CODES:
        return IndicatorValue.Level.NATION, "FR"
    if level == "circonscription":
        parsed = circonscription_normalise(raw)
        return (IndicatorValue.Level.CIRCONSCRIPTION, circonscription_code(*parsed)) if parsed else None
    code = raw.zfill(5) if raw.isdigit() else raw.upper()
    if not re.fullmatch(r"\d{5}|2[AB]\d{3}", code):
        return None
    return IndicatorValue.Level.COMMUNE, former.get(code, code)


def load_indicators(
    path: Path,
    run: ImportRun,
    progress: Progress,
    *,
    dictionary: Path | None = None,
    vintage: str | None = None,
    source: str | None = None,
) -> dict:
    started = time.monotonic()
    progress(5, "lecture du fichier")
    table = read_table(path, dictionary)
    progress(30, "contrôle des valeurs")
    variables, values = parse_indicators(table, file_name=path.name, vintage=vintage or default_vintage(path))
    source = source or default_source(path)
    progress(60, "écriture")
    summary: dict = {"rows": len(table.rows), "source": source, "variables": len(variables)}
    with connection.cursor() as cur:
        temp_table_create(cur, "t_variable", "code text, label text, origin text")
        copy_rows(
            cur,
            "t_variable",
            ["code", "label", "origin"],
            [(code, label[:300], origin[:300]) for code, (label, origin) in variables.items()],
        )
        summary["variables_written"] = upsert_counts(
            cur,
            """INSERT INTO circonscriptions_indicatorvariable AS v (source, code, label, unit, origin)
               SELECT %s, code, label, '', origin FROM t_variable
               ON CONFLICT (source, code) DO UPDATE SET label = EXCLUDED.label, origin = EXCLUDED.origin
               WHERE (v.label, v.origin) IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.origin)
               RETURNING (xmax = 0)""",
            [source],
        )
        temp_table_create(cur, "t_value", "variable text, level text, territory_code text, vintage text, value float")
        summary["values"] = copy_rows(
            cur,
            "t_value",
            ["variable", "level", "territory_code", "vintage", "value"],
            ((variable, level, code, year, value) for (variable, level, code, year), value in values.items()),
        )
        summary["values_written"] = upsert_counts(
            cur,
            """INSERT INTO circonscriptions_indicatorvalue AS iv
                 (variable_id, level, territory_code, vintage, value, import_run_id)
               SELECT v.id, t.level, t.territory_code, t.vintage, t.value, %s
               FROM t_value t JOIN circonscriptions_indicatorvariable v ON v.source = %s AND v.code = t.variable
               ON CONFLICT (variable_id, level, territory_code, vintage) DO UPDATE
                 SET value = EXCLUDED.value, import_run_id = EXCLUDED.import_run_id
               WHERE iv.value IS DISTINCT FROM EXCLUDED.value
               RETURNING (xmax = 0)""",
            [run.pk, source],
        )
    summary["nulls"] = sum(1 for value in values.values() if value is None)
    summary["seconds"] = round(time.monotonic() - started, 2)
    return summary


def indicators_import(
    *,
    path: Path,
    dictionary: Path | None = None,
    vintage: str | None = None,
    source: str | None = None,
    by: str = "",
    on_progress: Callable[[int, str], None] | None = None,
    run: ImportRun | None = None,
    force: bool = False,
) -> ImportOutcome:
    path = Path(path)
    options = {"source": source or default_source(path), "vintage": vintage or default_vintage(path)}
    return run_import(
        kind="indicators",
        path=path,
        load=lambda path_, run_, progress: load_indicators(
            path_, run_, progress, dictionary=dictionary, vintage=vintage, source=source
        ),
        options=options,
        by=by,
        on_progress=on_progress,
        run=run,
        force=force,
    )


def _registered_run(*, path: Path, options: dict, by: str, run: ImportRun | None, on_progress=None) -> ImportOutcome:
    return indicators_import(
        path=path,
        vintage=options.get("vintage") or None,
        source=options.get("source") or None,
        by=by,
        run=run,
        on_progress=on_progress,
    )


def _fields() -> dict[str, forms.Field]:
    return {
        "source": forms.CharField(
            label="Source (par défaut : nom du fichier sans l'année)", required=False, max_length=120
        ),
        "vintage": forms.CharField(label="Millésime (par défaut : l'année du nom de fichier)", required=False),
    }


registry.register(
    "indicators", label="Indicateurs INSEE (xlsx, ou CSV avec ses variables)", run=_registered_run, fields=_fields
)
