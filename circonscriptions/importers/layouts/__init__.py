"""Election results files as published: each layout, one module, reads a file into one `Table`.

Layouts, recognised from the header (`detect_layout`):

- `ministry_wide` (`ministry_wide.py`): the Interior Ministry's file by bureau de vote,
  one line per bureau and repeated candidate blocks (`Nuance candidat 1`, `Voix 1`…;
  présidentielle exports have no nuance and blocks suffixed `.1`/`_1`; the raw ministry
  files do not repeat the block headers at all, the extra fields are then read as
  further blocks). The européennes file has the same fixed columns and list blocks
  instead (`Numéro de panneau N`, `Nuance liste N`, `Libellé abrégé de liste N`,
  `Libellé de liste N`, `Voix N`, `% Voix/inscrits N`, `% Voix/exprimés N`, `Sièges N`):
  a list is stored under its label (the full one when given, else the short one) with
  its L-code nuance, and the codes are checked against the européennes list grid
  (`blocs.EUROPEENNES_CODES`);
- `ministry_circo` and `long_2017` (`long_by_circonscription.py`): the ministry's
  one-line-per-candidate file by circonscription (`CodCirElec` '0101', 'ZA01', 'ZZ01'),
  and the long 2017 layout by circonscription (no `nuls`: nuls = votants − blancs −
  exprimés);
- `city_brest` (`brest.py`): the City of Brest's export (one commune, candidates named
  in the headers, no nuance);
- `paris_long` (`paris.py`): the City of Paris file, one line per (bureau, candidate),
  several elections in one file;
- `city_toulouse` (`toulouse.py`): Toulouse Métropole's export by bureau, whose header
  is only `column_1`…`column_N`: fixed columns, then (list number, votes) pairs.

A layout returns what the file says: the nuance codes as written ('' where the file
gives none), the candidates' surnames and names, the lists' labels, and the file's own
identifier of a candidate when it has one (Paris). Which nuance each vote row gets is
decided afterwards, in one place, by `importers.nuances.resolve`.

Reading never refuses by itself: each reader collects the problems it meets (line,
column, value) in `Table.problems`, and `results.load_results` adds the checks that
need the whole table or the database before refusing the file.
"""

from pathlib import Path

from circonscriptions.importers.base import ImportRefused, Problem
from circonscriptions.importers.detect import SourceText
from circonscriptions.importers.layouts.brest import infer_commune, read_city_brest
from circonscriptions.importers.layouts.common import (
    COUNT_COLUMNS,
    COUNTS,
    FRENCH,
    POSITIONAL,
    Evidence,
    Table,
    block_base,
    distinct_values,
    first_of,
)
from circonscriptions.importers.layouts.long_by_circonscription import read_long_circo
from circonscriptions.importers.layouts.ministry_wide import read_ministry_wide
from circonscriptions.importers.layouts.paris import read_paris_long
from circonscriptions.importers.layouts.toulouse import read_city_toulouse
from circonscriptions.models import Election

__all__ = [
    "COUNTS",
    "FRENCH",
    "Evidence",
    "Table",
    "detect_layout",
    "distinct_values",
    "missing_columns",
    "read_table",
]


# Columns each layout reads besides those its detection needs (alternatives in a tuple),
# and the counts every layout must give (nuls and abstentions may be derived).
_REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {
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
        if first_of(header, names) is None:
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
    if len(header) >= 16 and all(POSITIONAL.match(h) for h in header):
        # No names at all (Toulouse's export): the reader checks its fixed columns' contents.
        return "city_toulouse"
    has_station = first_of(header, ("Code BV", "Code du b.vote", "Code B.Vote")) is not None
    has_votes = any(block_base(h)[0] == "Voix" for h in header)
    if has_station and has_votes:
        return "ministry_wide"
    return None


def read_table(source: SourceText, layout: str, election: Election, commune: str | None, name: str) -> Table:
    """The file read by its layout's module (`commune`: the INSEE code a city export is about)."""
    if layout in ("ministry_circo", "long_2017"):
        return read_long_circo(source, election, layout)
    if layout == "city_brest":
        commune = commune or infer_commune(Path(name))
        if not commune:
            raise ImportRefused(
                name, [Problem("le fichier ne dit pas sa commune : précisez --commune CODE_INSEE", line=1)]
            )
        return read_city_brest(source, election, commune)
    if layout == "ministry_wide":
        return read_ministry_wide(source, election)
    if layout == "paris_long":
        return read_paris_long(source, election)
    if layout == "city_toulouse":
        return read_city_toulouse(source, election)
    raise ImportRefused(name, [Problem(f"le format « {layout} » n'est pas encore pris en charge", line=1)])
