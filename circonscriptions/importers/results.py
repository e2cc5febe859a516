"""Election results: the official layouts, read as published, checked, then loaded in bulk.

The layouts (ministry by bureau or by circonscription, 2017 long layout, Brest,
Paris and Toulouse city files) are read by `layouts` (one module each), the nuance of each
candidate or list is decided by `nuances.resolve`; this module checks and writes.

Rules (what an analyst can check):

- A bureau de vote is (commune, number without leading zeros). A code that INSEE has
  retired is mapped to the current commune (FormerCommuneCode); its bureaux then keep
  the old commune's number in front, '152-1' for bureau 1 of former commune 69152 now
  in 69149, because the merged communes each had a bureau 1.
- A bureau's circonscription is its contour's (set when contours are imported), else
  the file's, else its commune's when the commune lies in a single circonscription.
- Candidates of a présidentielle get the nuance of their party (`blocs`); a name the
  table does not know gets NC (« nuance non renseignée ») and keeps its name. So does
  every candidate or list whose file gives no nuance and that `blocs` does not know.
- An analyst's choice of nuance for a candidate or list of the election, by name
  (`CandidateNuance`, set in the admin), is applied to every file of that election
  imported afterwards, whatever nuance the file gives.
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
- A re-import that would change what is loaded for the election beyond its figures
  (remove the result of a bureau the file no longer has, or create a bureau in a commune
  whose bureaux already have results of this election in that circonscription: a
  mistyped bureau code does both) is refused with the changes listed (the first 20, then
  their count) unless they are accepted (`--accept-changes`, or the admin form's box).
- The file is read, checked and refused by the rules of `detect` (encodings, NUL bytes,
  empty or binary files) and `guards` (code shapes, spreadsheet formulas, control
  characters); a missing column is named with the names it may have; a file with a header
  and no line is refused. The Election row is created in the import's transaction: a
  refused file leaves none.

Writing (one transaction, see `base.run_import`): new bureaux, results and votes are
COPYed straight into their tables (binary COPY built by numpy for the numbers and the
votes), because COPY writes rows in batches; rows that already exist go through a
temporary table and one set-based `INSERT … ON CONFLICT DO UPDATE … WHERE changed`.
"""

import io
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django import forms
from django.db import connection

from circonscriptions import blocs
from circonscriptions.importers import registry
from circonscriptions.importers.base import ImportOutcome, ImportRefused, Problem, Progress, run_import
from circonscriptions.importers.detect import detect_number_format, read_source
from circonscriptions.importers.guards import COMMUNE_CODE, NUANCE_CODE, STATION_CODE, shape_problems, visible
from circonscriptions.importers.layouts import (
    COUNTS,
    FRENCH,
    Table,
    detect_layout,
    distinct_values,
    missing_columns,
    read_table,
)
from circonscriptions.importers.nuances import resolve as nuances_resolve
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
from circonscriptions.profiles.services import profiles_recompute_later

KIND = "results"
# Checks that `--tolerate` may turn into warnings, for sources that are inconsistent as
# published (see the module docstring): the candidates' votes against exprimés, and
# exprimés + blancs + nuls against votants.
TOLERABLE = {"votes_sum", "voters_sum"}


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


# How a refusal names an election: « aux législatives 2024 », « à la présidentielle 2022 ».
_TO_ELECTION = {
    "presidentielle": "à la présidentielle",
    "legislatives": "aux législatives",
    "europeennes": "aux européennes",
    "municipales": "aux municipales",
    "regionales": "aux régionales",
    "departementales": "aux départementales",
}
_OF_KIND = {
    "presidentielle": "d'une présidentielle",
    "legislatives": "de législatives",
    "europeennes": "d'européennes",
    "municipales": "de municipales",
    "regionales": "de régionales",
    "departementales": "de départementales",
}
# The grid each kind's codes belong to; the others have no grid QG checks.
_GRID_OF_KIND = {"legislatives": "candidats", "europeennes": "listes"}
# Evidence read from a column (quoted in the refusal) rather than from the candidates' names.
_COLUMN_EVIDENCE = {"Nuance candidat", "Nuance liste", "Scrutin", "scrutin", "source_file_name"}


def _according_to(where: str) -> str:
    if where in _COLUMN_EVIDENCE or where not in ("candidats", "nom", "noms", "noms des candidats"):
        return f"d'après sa colonne « {where} »" if where else "d'après son contenu"
    return "d'après les noms de ses candidats"


def _sample(codes: list[str]) -> str:
    """'UG, COM, FI…': the first three, and an ellipsis when there are more."""
    return ", ".join(codes[:3]) + ("…" if len(codes) > 3 else "")


def _years(years: set[int]) -> str:
    ordered = [str(y) for y in sorted(years)]
    return ordered[0] if len(ordered) == 1 else f"{', '.join(ordered[:-1])} ou {ordered[-1]}"


def check_election(table: Table, election: Election) -> list[Problem]:
    """Is the file of the election named? Its kind, grid of nuances, year and round, as far
    as its columns, codes or candidates' names tell; each refusal is one French sentence."""
    ev = table.evidence
    name = f"{_TO_ELECTION.get(election.kind, 'à l’élection')} {election.year}"
    column = ev.where if ev.where in _COLUMN_EVIDENCE else None
    problems = []

    def refuse(reason: str) -> None:
        problems.append(
            Problem(f"Ce fichier ne correspond pas {name} ({election.slug}) : {reason}.", line=1, column=column)
        )

    expected_grid = _GRID_OF_KIND.get(election.kind)
    if ev.grid and expected_grid and ev.grid != expected_grid:
        if ev.grid == "listes":
            refuse(
                f"ses nuances ({_sample(ev.codes)}) sont celles de listes (européennes, régionales ou "
                "municipales), pas de candidats aux législatives"
            )
        else:
            refuse(f"ses nuances ({_sample(ev.codes)}) sont celles de candidats aux législatives, pas de listes")
        return problems
    if ev.kind and ev.kind != election.kind:
        refuse(f"c'est le fichier {_OF_KIND.get(ev.kind, ev.kind)}")
        return problems
    if election.kind == "presidentielle" and ev.grid == "listes":
        refuse(f"ses nuances ({_sample(ev.codes)}) sont celles de listes, et une présidentielle n'en a pas")
        return problems
    # List codes tell the year of an européennes only (régionales and municipales have no grid here).
    lists_elsewhere = ev.grid == "listes" and election.kind != "europeennes"
    if ev.years is not None and election.year not in ev.years and not lists_elsewhere:
        grids = {"legislatives": blocs.LEGISLATIVES_CODES, "europeennes": blocs.EUROPEENNES_CODES}
        if ev.where == "source_file_name":
            refuse(f"{_according_to(ev.where)}, il vient du fichier de {_years(ev.years)}")
        elif ev.where not in ("candidats", "nom", "noms", "noms des candidats"):
            grid = grids.get(election.kind, {})
            telling = [c for c in ev.codes if c not in grid.get(election.year, frozenset())] or ev.codes
            if ev.years:
                refuse(f"ses nuances ({_sample(telling)}) sont celles de {_years(ev.years)}")
            else:
                known = _years(set(grid)) if grid else ""
                refuse(
                    f"ses nuances ({_sample(telling)}) ne sont celles d'aucune des élections connues"
                    + (f" ({known})" if known else "")
                )
        elif election.year in blocs.PRESIDENTIAL_CANDIDATES or ev.where == "noms des candidats":
            # Names are only evidence for a year whose candidates QG knows.
            if ev.years:
                refuse(f"ses candidats ({_sample(ev.codes)}) sont ceux de {_years(ev.years)}")
            else:
                refuse(
                    f"ses candidats ({_sample(ev.codes)}) ne sont pas ceux de cette élection"
                    if ev.codes
                    else "ses candidats ne sont pas ceux de cette élection"
                )
    if ev.round is not None and ev.round != election.round:
        ordinal = {1: "premier", 2: "second"}
        refuse(
            f"c'est le résultat d'un {ordinal.get(ev.round, f'{ev.round}e')} tour, "
            f"pas du {ordinal.get(election.round, f'{election.round}e')} tour"
        )
    return problems


def resolve_communes(table: Table) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Commune ids for the file's codes (current, then former codes) and the station codes
    of bureaux filed under a former code; unknown codes are problems."""
    codes = sorted(distinct_values(table.commune))
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
    year = election.year
    rows = [
        (election.pk, code, labels.get(code) or blocs.default_label(code, year), blocs.default_bloc(code, year))
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


_PANDAS_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_PANDAS_EOF = re.compile(r"EOF inside string starting at row (\d+)")


def parser_problem(exc: Exception) -> Problem:
    """A pandas reading error as a French sentence (pandas' own words never reach the user)."""
    text = str(exc)
    fields = _PANDAS_FIELDS.search(text)
    if fields:
        expected, line, seen = (int(g) for g in fields.groups())
        return Problem(f"{seen} champs sur cette ligne au lieu des {expected} de l'en-tête", line=line)
    eof = _PANDAS_EOF.search(text)
    if eof:
        return Problem("guillemet ouvert et jamais fermé à partir de cette ligne", line=int(eof.group(1)) + 1)
    if isinstance(exc, UnicodeDecodeError):
        return Problem("octets illisibles dans l'encodage détecté : le fichier mêle-t-il plusieurs encodages ?")
    return Problem("le fichier ne se lit pas comme un tableau CSV (lignes de longueurs incohérentes ou guillemets)")


def check_codes(table: Table) -> list[Problem]:
    """Codes of their documented shape (see `guards`): communes, bureaux, nuances."""
    problems = []
    if table.level == "polling_station":
        problems += shape_problems(
            table.commune, table.lines, table.commune_column, COMMUNE_CODE, "code INSEE à 5 caractères (29019, 2A004)"
        )
        problems += shape_problems(
            table.station,
            table.lines,
            table.station_column,
            STATION_CODE,
            "numéro de bureau, 1 à 8 lettres ou chiffres",
        )
    if not table.votes.empty:
        problems += shape_problems(
            table.votes["nuance"].to_numpy(object),
            table.votes["line"].to_numpy(np.int64),
            table.nuance_column,
            NUANCE_CODE,
            "code de nuance, 1 à 12 lettres ou chiffres (UG, RN, LENS…)",
        )
        problems += shape_problems(
            table.votes["candidate"].to_numpy(object),
            table.votes["line"].to_numpy(np.int64),
            "candidat",
            None,
            "",
            dash=False,
        )
    return problems


def load_results(
    path: Path,
    run: ImportRun,
    progress: Progress,
    *,
    election: Election,
    commune: str | None = None,
    tolerate: set[str] | None = None,
    file_name: str | None = None,
    accept_changes: bool = False,
) -> dict:
    started = time.monotonic()
    tolerate = set(tolerate or ())
    progress(2, "lecture")
    name = file_name or path.name
    source = read_source(path, name)
    layout = detect_layout(source.header)
    if layout is None:
        raise ImportRefused(
            name,
            [
                Problem(
                    "format de fichier non reconnu : en-tête inattendu",
                    line=1,
                    value=visible(";".join(source.header[:8])),
                )
            ],
        )
    missing = missing_columns(layout, source.header)
    if missing:
        raise ImportRefused(name, missing)
    try:
        table = read_table(source, layout, election, commune, name)
    except ImportRefused as exc:
        raise ImportRefused(name, exc.problems) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ImportRefused(name, [parser_problem(exc)]) from None
    except KeyError as exc:
        # A column the reader needs and that `missing_columns` does not list yet.
        raise ImportRefused(name, [Problem(f"colonne « {visible(exc.args[0])} » absente", line=1)]) from None
    if len(table.lines) == 0 and not table.problems:
        raise ImportRefused(name, [Problem("aucune ligne de résultats : le fichier n'a que son en-tête", line=2)])
    overridden = nuances_resolve(table, election)
    progress(30, "vérification")
    problems = list(table.problems)
    problems += check_codes(table)
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

    circo_id = (
        np.array([circo_ids.get(code, 0) for code in table.circo], dtype=np.int64) if table.circo is not None else None
    )
    changes: dict = {}
    if table.level == "polling_station":
        changes = loaded_changes(table, election, commune_ids, station_codes, circo_id)
        if changes and not accept_changes:
            raise ImportRefused(name, changes_refusal(changes, election))
    progress(50, "écriture")
    with connection.cursor() as cursor:
        nuances_created = _nuances_ensure(cursor, election, distinct_values(table.votes["nuance"]), table.labels)
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
        "encoding": source.original or source.encoding,
        "separator": source.separator,
        **detect_number_format(source),
        "territories": len(table.lines),
        "candidates": len(table.votes),
        "nuances_created": nuances_created,
        "nuances_set_by_analysts": overridden,
        "seconds": round(time.monotonic() - started, 2),
        **written,
    }
    if warnings:
        summary["warnings"] = [str(w) for w in warnings]
    if changes:
        summary["changes_accepted"] = {
            "results_removed": changes["removed"],
            "polling_stations_created": [str(p) for p in changes["created"]],
        }
    return summary


# How many changes a refusal lists before giving only their count.
CHANGES_LISTED = 20


def loaded_changes(table: Table, election: Election, commune_ids, station_codes, circo_id) -> dict:
    """What the file would change in what is loaded for this election, beyond new figures:

    - `removed`: bureaux whose result would disappear (the file covers their commune, and
      their circonscription when it names circonscriptions, but not them);
    - `created`: bureaux the file would create in a commune that already has results of
      this election in the same circonscription (the other bureaux of that commune are
      known: a new one there is more often a mistyped code than a new bureau).

    A first import of the election into a commune changes nothing loaded: its bureaux are
    created freely (bureaux are renumbered from one election to the next). Returns {} when
    nothing would change, else {"removed": [French lines], "created": [Problem]}.
    """
    ps_table, result_table, commune_table = (
        PollingStation._meta.db_table,
        PollingStationResult._meta.db_table,
        Commune._meta.db_table,
    )
    communes = sorted({int(c) for c in commune_ids if c})
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT ps.id, ps.commune_id, ps.code, ps.circonscription_id, c.code, c.name,
                       EXISTS (SELECT 1 FROM {result_table} r
                               WHERE r.polling_station_id = ps.id AND r.election_id = %s)
                FROM {ps_table} ps JOIN {commune_table} c ON c.id = ps.commune_id
                WHERE ps.commune_id = ANY(%s)""",  # noqa: S608
            [election.pk, communes],
        )
        stations = cursor.fetchall()
    if not any(row[6] for row in stations):
        return {}
    known = {(commune, code) for _pk, commune, code, *_rest in stations}
    # (commune, circonscription or 0) where this election already has results.
    loaded = {(commune, circ or 0) for _pk, commune, _code, circ, _cc, _cn, has in stations if has}
    loaded_communes = {commune for commune, _circ in loaded}
    file_keys = set(zip(commune_ids.tolist(), station_codes.tolist(), strict=True))
    file_circos = {int(c) for c in circo_id if c > 0} if circo_id is not None else set()
    removed = [
        f"{name} ({ccode}), bureau {code} : son résultat serait retiré (bureau absent du fichier)"
        for _pk, commune, code, circ, ccode, name, has in sorted(stations, key=lambda r: (r[4], r[2]))
        if has and (commune, code) not in file_keys and (not file_circos or circ in file_circos)
    ]
    created = []
    for i in range(len(table.lines)):
        key = (int(commune_ids[i]), station_codes[i])
        if key in known or key[0] not in loaded_communes:
            continue
        circ = int(circo_id[i]) if circo_id is not None else 0
        if circ and (key[0], circ) not in loaded and (key[0], 0) not in loaded:
            continue  # another circonscription of a split commune: its bureaux are not loaded yet
        created.append(
            Problem(
                "bureau inconnu dans une commune dont les bureaux sont chargés pour cette élection : il serait créé",
                line=int(table.lines[i]),
                column=table.station_column,
                value=station_codes[i],
            )
        )
    if not removed and not created:
        return {}
    return {"removed": removed, "created": created}


def changes_refusal(changes: dict, election: Election) -> list[Problem]:
    """The refusal of a file that would change what is loaded: a summary, then the changes
    (the first CHANGES_LISTED, then their count)."""
    removed, created = changes["removed"], changes["created"]
    parts = []
    if removed:
        parts.append(f"{len(removed)} bureau(x) perdrai(en)t son résultat")
    if created:
        parts.append(f"{len(created)} bureau(x) serai(en)t créé(s) dans une commune dont les bureaux sont connus")
    problems = [
        Problem(
            f"Ce fichier changerait ce qui est chargé pour {election.slug} : {' ; '.join(parts)}. Si c'est voulu "
            "(bureaux renumérotés, fichier corrigé), relancez avec --accept-changes, ou cochez « Accepter les "
            "changements » dans le formulaire d'import ; sinon, vérifiez les codes de bureau du fichier."
        )
    ]
    listed = [Problem(line) for line in removed] + created
    problems += listed[:CHANGES_LISTED]
    if len(listed) > CHANGES_LISTED:
        problems.append(Problem(f"… et {len(listed) - CHANGES_LISTED} autre(s) changement(s)."))
    return problems


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


def election_parse(slug: str) -> tuple[str, int, int]:
    """'legislatives-2024-1' → ('legislatives', 2024, 1); a French ValueError otherwise."""
    match = re.fullmatch(r"([a-z]+)-(\d{4})-(\d)", slug.strip())
    kinds = {k for k, _ in Election.Kind.choices}
    if not match or match.group(1) not in kinds:
        raise ValueError(
            f"« {slug} » n'est pas un identifiant d'élection : attendu genre-année-tour, "
            f"genre parmi {', '.join(sorted(kinds))} "
            "(ex. legislatives-2024-1)."
        )
    return match.group(1), int(match.group(2)), int(match.group(3))


def election_for_slug(slug: str) -> Election:
    """'legislatives-2024-1' → the Election row, created when missing."""
    kind, year, round_ = election_parse(slug)
    election, _ = Election.objects.get_or_create(
        slug=slug.strip(), defaults={"kind": kind, "year": year, "round": round_}
    )
    return election


def results_import(
    *,
    path: Path,
    election_slug: str,
    commune: str | None = None,
    tolerate: set[str] | None = None,
    accept_changes: bool = False,
    by: str = "",
    run: ImportRun | None = None,
    on_progress=None,
) -> ImportOutcome:
    """Import one results file for one election (see the module docstring for the rules).

    The Election row is created inside the import's transaction: a refused file leaves
    none behind. `accept_changes` applies a file that would change what is loaded
    (`loaded_changes`); without it such a file is refused with the list of changes.
    """
    tolerate = set(tolerate or ())
    unknown = tolerate - TOLERABLE
    if unknown:
        raise ValueError(
            f"contrôle non tolérable : {', '.join(sorted(unknown))} (seul {', '.join(sorted(TOLERABLE))} l'est)"
        )
    election_parse(election_slug)
    slug = election_slug.strip()
    commune = commune.strip().upper() if commune else None
    # run_import recognises the same file (name and checksum) imported again within these
    # options, even after other files of the same election: it then changes nothing.
    options = {"election": slug}
    if commune:
        options["commune"] = commune
    if tolerate:
        options["tolerate"] = sorted(tolerate)

    def load(p: Path, run: ImportRun, progress: Progress) -> dict:
        election = election_for_slug(slug)
        run.election = election
        # An upload is stored under a neutral name: the commune is inferred from the original one.
        return load_results(
            p,
            run,
            progress,
            election=election,
            commune=commune,
            tolerate=tolerate,
            file_name=run.file_name,
            accept_changes=accept_changes,
        )

    outcome = run_import(
        kind=KIND,
        path=Path(path),
        load=load,
        options=options,
        election=Election.objects.filter(slug=slug).first(),
        by=by,
        run=run,
        on_progress=on_progress,
    )
    if not outcome.unchanged:
        # New results: the voter profiles (and then the fiches) are recomputed after commit.
        profiles_recompute_later()
    return outcome


def _registered_run(*, path: Path, options: dict, by: str, run: ImportRun | None, on_progress=None) -> ImportOutcome:
    return results_import(
        path=path,
        election_slug=options["election"],
        commune=options.get("commune") or None,
        tolerate=TOLERABLE if options.get("tolerate_inconsistent_source") else None,
        accept_changes=bool(options.get("accept_changes")),
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
        "accept_changes": forms.BooleanField(
            label="Accepter les changements par rapport à ce qui est chargé pour cette élection (résultats de "
            "bureaux retirés, bureaux créés dans une commune dont les bureaux sont connus) : cochez-la après "
            "avoir lu la liste des changements donnée par un premier essai",
            required=False,
        ),
    }


registry.register("results", label="Résultats électoraux", run=_registered_run, fields=_fields)
