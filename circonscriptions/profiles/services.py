"""Recompute the voter profiles: load the results in one query, compute, write, switch atomically.

The switch is the whole point: a run writes its rows under its own ProfileRun, and
only when every row is written does one transaction mark it current (and the
previous one not). Pages read the current run, so they show the previous profiles
until the new ones are complete; a run that fails rolls its rows back and leaves the
current run untouched; a run killed mid-way never committed its rows, and the next
run marks it failed.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from psycopg.types.json import Jsonb

from circonscriptions import blocs
from circonscriptions.models import (
    CirconscriptionResult,
    CirconscriptionVotes,
    Commune,
    CommuneShape,
    Departement,
    Election,
    IndicatorValue,
    IndicatorVariable,
    Nuance,
    PollingStation,
    PollingStationIndicator,
    PollingStationProfile,
    PollingStationResult,
    PollingStationShape,
    PollingStationVotes,
    ProfileBacktest,
    ProfileRun,
    ProfileSettings,
    ProfileType,
)
from circonscriptions.profiles import formats
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.rules import BLOCS, VOTERS_PER_HOUSEHOLD, compute_profiles

# A run still "running" after this long was killed (worker restart, OOM): the next run says so.
STALE_AFTER = timedelta(hours=6)
# Succeeded runs kept with their rows: the current one and the one before (to compare).
KEEP_SUCCEEDED = 2
KEEP_FAILED = 20

PROFILE_COLUMNS = [
    "n_elections",
    "first_year",
    "last_year",
    *[f"share_expr_{b}" for b in BLOCS],
    *[f"share_reg_{b}" for b in BLOCS],
    "abstention_rate_last",
    "abstention_rate_avg",
    "left_share_trend",
    "abstention_trend",
    "volatility",
    "margin_avg",
    "margin_sd",
    "leaning",
    "confidence",
    "abstention_z_circonscription",
    "abstention_z_departement",
    "abstention_hotspot",
    "left_abstention_hotspot",
    "mobilisation_score",
    "persuasion_score",
    "priority_score",
    "rank_circonscription",
    "rank_departement",
    "rank_nation",
    "opponent",
    "left_gap_circonscription",
    "left_gap_nation",
    "turnout_differential",
    "turnout_differential_hotspot",
    "persuadable_share",
    "priority_low",
    "priority_high",
    "excluded_elections",
    "redistricting_suspected",
    "redistricting_note",
]

logger = logging.getLogger(__name__)


def _votes_by_result_sql(votes_table: str) -> str:
    """Votes summed per result on a narrow integer key: by bloc, and those without a usable nuance."""
    nuance = Nuance._meta.db_table
    named = [b for b in BLOCS if b != "other"]
    sums = ",\n".join(f"SUM(v.votes) FILTER (WHERE n.bloc = '{b}') AS votes_{b}" for b in named)
    # A vote without nuance, or with a bloc this code does not know, counts as "other".
    known = ", ".join(f"'{b}'" for b in named)
    sums += f",\nSUM(v.votes) FILTER (WHERE n.bloc IS NULL OR n.bloc NOT IN ({known})) AS votes_other"
    # Without a usable nuance: none recorded (or a dangling id), or the "not given" code (rule 3).
    unknown = blocs.UNKNOWN_NUANCE.replace("'", "''")
    sums += f",\nSUM(v.votes) FILTER (WHERE n.id IS NULL OR n.code = '{unknown}') AS votes_unlabelled"
    return f"""
        SELECT v.result_id, {sums}
        FROM {votes_table} v
        LEFT JOIN {nuance} n ON n.id = v.nuance_id
        GROUP BY v.result_id
    """  # noqa: S608 (table, bloc and nuance codes come from the code, nothing from users)


VOTE_COLUMNS = (*(f"votes_{b}" for b in BLOCS), "votes_unlabelled")


def results_sql(*, first_rounds_only: bool) -> str:
    """The one query that feeds the computation: one row per (station, election), votes by bloc in columns."""
    t = {m.__name__: m._meta.db_table for m in (PollingStationResult, PollingStationVotes, Election)}
    t.update({m.__name__: m._meta.db_table for m in (PollingStation, Commune, Departement)})
    # Simulated elections (campaign experiments' demo outcomes) are never votes to learn from.
    where = "WHERE NOT e.simulated" + (" AND e.round = 1" if first_rounds_only else "")
    columns = ", ".join(f"COALESCE(b.{c}, 0) AS {c}" for c in VOTE_COLUMNS)
    # Votes are summed per result on a narrow integer key first, then joined to the counts:
    # about twice as fast at national scale as grouping the wide joined rows.
    return f"""
        WITH by_result AS ({_votes_by_result_sql(t["PollingStationVotes"])})
        SELECT r.polling_station_id, ps.circonscription_id AS circonscription, d.code AS departement,
               c.code AS commune, e.slug AS election, e.kind, e.year, e.round, e.date,
               r.registered, r.voters, r.abstentions, r.expressed, {columns}
        FROM {t["PollingStationResult"]} r
        JOIN {t["Election"]} e ON e.id = r.election_id
        JOIN {t["PollingStation"]} ps ON ps.id = r.polling_station_id
        JOIN {t["Commune"]} c ON c.id = ps.commune_id
        JOIN {t["Departement"]} d ON d.id = c.departement_id
        LEFT JOIN by_result b ON b.result_id = r.id
        {where}
    """  # noqa: S608 (table and bloc names come from the code, nothing from users)


def circonscription_results_sql(*, first_rounds_only: bool) -> str:
    """One row per (circonscription, election) of the official circonscription results (rule 4's references)."""
    result, election = CirconscriptionResult._meta.db_table, Election._meta.db_table
    where = "WHERE NOT e.simulated" + (" AND e.round = 1" if first_rounds_only else "")
    columns = ", ".join(f"COALESCE(b.{c}, 0) AS {c}" for c in VOTE_COLUMNS)
    return f"""
        WITH by_result AS ({_votes_by_result_sql(CirconscriptionVotes._meta.db_table)})
        SELECT r.circonscription_id AS circonscription, e.slug AS election, e.kind, e.year, e.round, e.date,
               r.registered, r.voters, r.abstentions, r.expressed, {columns}
        FROM {result} r
        JOIN {election} e ON e.id = r.election_id
        LEFT JOIN by_result b ON b.result_id = r.id
        {where}
    """  # noqa: S608 (table names come from the models)


def _log_query(sql: str, started: float) -> None:
    # COPY goes round Django's cursor wrapper: record it like any query so that
    # query-count tests and the debug toolbar still see it.
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def _copy_out(sql: str, dtype: dict) -> pd.DataFrame:
    copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    buffer = io.BytesIO()
    started = time.monotonic()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(copy_sql) as copy:
            for chunk in copy:
                buffer.write(chunk)
    _log_query(copy_sql, started)
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        dtype=dtype,
        keep_default_na=False,
        na_values={"circonscription": [""], "date": [""]},
    )


def profiles_load_results(*, first_rounds_only: bool = True) -> pd.DataFrame:
    """Every polling-station result with its votes summed by bloc, as rules.py reads it (one query)."""
    dtype = {"departement": str, "commune": str, "kind": str, "election": str, "date": str, "circonscription": "Int64"}
    return _copy_out(results_sql(first_rounds_only=first_rounds_only), dtype)


def profiles_load_circonscription_results(*, first_rounds_only: bool = True) -> pd.DataFrame:
    """Every circonscription result with its votes summed by bloc (one query): the references of rule 4."""
    dtype = {"kind": str, "election": str, "date": str, "circonscription": "Int64"}
    return _copy_out(circonscription_results_sql(first_rounds_only=first_rounds_only), dtype)


# ---------------------------------------------------------------------------------------------
# Where the contact rate comes from. Circonscriptions must not import observations (that app
# depends on this one): observations registers its reader here when Django starts
# (observations/apps.py), and each source returns (doors opened ÷ doors knocked, reports).

ContactRateSource = Callable[[], tuple[float | None, int]]
contact_rate_sources: list[ContactRateSource] = []


def contact_rate_source_register(source: ContactRateSource) -> None:
    if source not in contact_rate_sources:
        contact_rate_sources.append(source)


# Where a parameter's value was measured: hq cannot be imported here either, so a campaign
# experiment that set a parameter (hq/experiment_learning.py) registers its reader (fiches/apps.py).
# Each source returns {parameter name: French sentence} for the values it set and still hold.
ParameterSource = Callable[[ProfileParameters], dict[str, str]]
parameter_sources: list[ParameterSource] = []


def parameter_source_register(source: ParameterSource) -> None:
    if source not in parameter_sources:
        parameter_sources.append(source)


def parameters_resolve(params: ProfileParameters) -> tuple[ProfileParameters, dict]:
    """The parameters a run uses, with the observed contact rate when enough reports exist, and their sources."""
    sources = {}
    rate, reports = None, 0
    for source in contact_rate_sources:
        rate, reports = source()
        if rate is not None:
            break
    if rate is not None and reports >= params.contact_rate_min_reports:
        params = replace(params, contact_rate=float(rate))
        origin = (
            f"Taux observé sur le terrain : {formats.percent(rate, 0)} des portes frappées se sont ouvertes, "
            f"d'après {reports} comptes rendus d'observation (seuil : {params.contact_rate_min_reports})."
        )
    else:
        origin = (
            f"Réglage des profils ({formats.percent(params.contact_rate, 0)}) : {reports} compte(s) rendu(s) "
            f"avec des portes frappées, moins que les {params.contact_rate_min_reports} nécessaires au taux observé."
        )
    sources["contact_rate"] = {"value": params.contact_rate, "source": origin}
    defaults = ProfileParameters()
    for name in (
        "doors_per_hour",
        "activist_hours",
        "persuasion_effect",
        "persuasion_effect_low",
        "persuasion_effect_high",
        "mobilisation_effect",
        "mobilisation_effect_low",
        "mobilisation_effect_high",
        "unlabelled_threshold",
        "margin_sd_scale",
    ):
        value = getattr(params, name)
        if value == getattr(defaults, name):
            origin = "Réglage des profils, valeur par défaut tirée des études citées dans les règles."
        else:
            origin = "Réglage des profils, valeur choisie par le QG national dans l'administration."
        sources[name] = {"value": value, "source": origin}
    calibration = (
        ProfileBacktest.objects.filter(scale_saved=True, calibrated_scale=params.margin_sd_scale)
        .order_by("-started_at")
        .first()
    )
    if calibration is not None:
        sources["margin_sd_scale"]["source"] = (
            f"Calibré par la vérification n°{calibration.pk} du {calibration.started_at:%d/%m/%Y} "
            f"(profils antérieurs au {calibration.until:%d/%m/%Y}, comparés à {calibration.against_label})."
        )
    for measured in parameter_sources:
        for name, origin in measured(params).items():
            if name in sources:
                sources[name]["source"] = origin
    sources["voters_per_household"] = {
        "value": VOTERS_PER_HOUSEHOLD,
        "source": "Constante : environ 2,2 personnes par ménage (Insee), dont trois sur quatre inscrites.",
    }
    return params, sources


# Binary COPY needs each column's exact PostgreSQL type.
_BINARY_TYPES = {
    "ForeignKey": "int8",
    "PositiveSmallIntegerField": "int2",
    "PositiveIntegerField": "int4",
    "FloatField": "float8",
    "BooleanField": "bool",
    "CharField": "text",
    "JSONField": "jsonb",
}


def _column(values: pd.Series, kind: str) -> list:
    """A column as a Python list for binary COPY: None for missing values, Python scalars otherwise."""
    if kind == "float8":
        array = values.to_numpy(dtype=float, copy=True)
        array[~np.isfinite(array)] = np.nan
        return [None if v != v else v for v in array.tolist()]  # v != v: NaN
    if kind in ("int2", "int4", "int8"):
        array = values.to_numpy(dtype=float)
        return [None if v != v else int(round(v)) for v in array.tolist()]
    if kind == "bool":
        return values.astype(bool).tolist()
    if kind == "jsonb":
        return [Jsonb(v if isinstance(v, list | dict) else []) for v in values.tolist()]
    return values.astype(str).tolist()


def _copy_profiles(stations: pd.DataFrame, run: ProfileRun, type_ids: dict[tuple[int, int], int]) -> None:
    """All profiles of the run in one binary COPY (formatting 3 million numbers as CSV took 4 s)."""
    keys = zip(stations["circonscription"], stations["profile_type"], strict=True)
    data = {
        "run_id": [run.pk] * len(stations),
        "polling_station_id": _column(stations["polling_station_id"], "int8"),
        "circonscription_id": _column(stations["circonscription"].astype("Float64"), "int8"),
        "profile_type_id": [type_ids.get((int(c), int(k))) if pd.notna(c) and pd.notna(k) else None for c, k in keys],
    }
    fields = {f.attname: f for f in PollingStationProfile._meta.concrete_fields}
    kinds = {name: _BINARY_TYPES[fields[name].get_internal_type()] for name in [*data, *PROFILE_COLUMNS]}
    for column in PROFILE_COLUMNS:
        data[column] = _column(stations[column], kinds[column])
    names = list(data)
    sql = f"COPY {PollingStationProfile._meta.db_table} ({', '.join(names)}) FROM STDIN WITH (FORMAT binary)"
    started = time.monotonic()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            copy.set_types([kinds[name] for name in names])
            for row in zip(*data.values(), strict=True):
                copy.write_row(row)
    _log_query(sql, started)


def _write_types(types: pd.DataFrame, run: ProfileRun) -> dict[tuple[int, int], int]:
    objects = [
        ProfileType(
            run=run,
            circonscription_id=int(row.circonscription),
            key=int(row.key),
            name=row.name,
            description=row.description,
            count=int(row.count),
            centroid=row.centroid,
            stability=None if pd.isna(row.stability) else float(row.stability),
        )
        for row in types.itertuples(index=False)
    ]
    created = ProfileType.objects.bulk_create(objects, batch_size=5000)
    return {(t.circonscription_id, t.key): t.pk for t in created}


def areal_weighting_sql() -> str:
    """Commune values carried to polling-station contours (see PollingStationIndicator's rule).

    One set-based statement: each (station, commune) overlap is measured once, on the
    spheroid (geography), which is right in metropolitan France and overseas alike.
    A variable is a count when its code starts with "pop" or its label with
    "population" or "nombre"; every other variable is a rate, share or average.
    IRIS values would come first if QG kept IRIS contours; it does not yet.
    """
    t = {
        "station_shape": PollingStationShape._meta.db_table,
        "commune_shape": CommuneShape._meta.db_table,
        "commune": Commune._meta.db_table,
        "value": IndicatorValue._meta.db_table,
        "variable": IndicatorVariable._meta.db_table,
        "target": PollingStationIndicator._meta.db_table,
    }
    return f"""
        WITH overlap AS MATERIALIZED (  -- each intersection computed once, not once per use
            SELECT s.polling_station_id, c.code AS commune_code,
                   ST_Area(ST_Intersection(s.geom, cs.geom)::geography) AS area,
                   ST_Area(s.geom::geography) AS station_area,
                   ST_Area(cs.geom::geography) AS territory_area
            FROM {t["station_shape"]} s
            JOIN {t["commune_shape"]} cs ON ST_Intersects(s.geom, cs.geom)
            JOIN {t["commune"]} c ON c.id = cs.commune_id
        ), weighted AS (
            SELECT o.polling_station_id, iv.variable_id, iv.vintage,
                   (var.code ILIKE 'pop%%' OR var.label ILIKE 'population%%' OR var.label ILIKE 'nombre%%') AS is_count,
                   SUM(iv.value * o.area) AS value_area, SUM(o.area) AS area,
                   SUM(iv.value * o.area / NULLIF(o.territory_area, 0)) AS apportioned,
                   MAX(o.station_area) AS station_area
            FROM overlap o
            JOIN {t["value"]} iv ON iv.level = 'commune' AND iv.territory_code = o.commune_code
            JOIN {t["variable"]} var ON var.id = iv.variable_id
            WHERE o.area > 0 AND iv.value IS NOT NULL
            GROUP BY o.polling_station_id, iv.variable_id, iv.vintage, var.code, var.label
        )
        INSERT INTO {t["target"]} (run_id, polling_station_id, variable_id, vintage, value, level, coverage)
        SELECT %s, polling_station_id, variable_id, vintage,
               CASE WHEN is_count THEN apportioned ELSE value_area / area END,
               'commune', LEAST(1.0, area / NULLIF(station_area, 0))
        FROM weighted
        WHERE area > 0
    """  # noqa: S608 (table names come from the models)


def _areal_weighting(run: ProfileRun) -> int:
    sql = areal_weighting_sql()
    with connection.cursor() as cursor:
        # Shapes and values loaded in the same transaction (a first import, a test) have no
        # statistics yet, or those of an emptier table: without fresh ones the planner skips the
        # spatial indexes or joins the values row by row, and the overlay takes minutes, not a second.
        for model in (PollingStationShape, CommuneShape, IndicatorValue, IndicatorVariable, Commune):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        cursor.execute(sql, [run.pk])
        return cursor.rowcount


def _runs_delete(run_ids: list[int]) -> None:
    """Delete runs and their rows in SQL: Django's cascade would load every profile first."""
    if not run_ids:
        return
    with connection.cursor() as cursor:
        for model in (PollingStationIndicator, PollingStationProfile, ProfileType, ProfileRun):
            column = "id" if model is ProfileRun else "run_id"
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {column} = ANY(%s)", [run_ids])  # noqa: S608


def _prune() -> None:
    """Drop the rows of runs nobody will read again (outside the switch: it may take a while)."""
    succeeded = ProfileRun.objects.filter(status=ProfileRun.Status.SUCCEEDED, is_current=False).order_by("-started_at")
    old = list(succeeded.values_list("pk", flat=True)[KEEP_SUCCEEDED - 1 :])
    failed = ProfileRun.objects.filter(status=ProfileRun.Status.FAILED).order_by("-started_at")
    old += list(failed.values_list("pk", flat=True)[KEEP_FAILED:])
    with transaction.atomic():
        _runs_delete(old)


def results_tables_analyze() -> None:
    """Fresh planner statistics for the tables the loading queries join.

    A recompute often follows an import at once (it is queued on its commit), before autovacuum
    has looked at the rows just written: with the statistics of emptier tables the planner joins
    the votes row by row and a load of a second took minutes. ANALYZE samples each table (about
    0.3 s for a national election by bureau).
    """
    with connection.cursor() as cursor:
        for model in (
            PollingStationResult,
            PollingStationVotes,
            Nuance,
            Election,
            PollingStation,
            CirconscriptionResult,
            CirconscriptionVotes,
        ):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def profiles_recompute(
    *,
    by: str = "",
    parameters: ProfileParameters | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> ProfileRun:
    """Recompute every polling-station profile as a new run, and make it current only once complete.

    Raises whatever went wrong after recording it on the run (status failed, error text);
    the previous current run then stays current.
    """
    report = progress or (lambda percent, step: None)
    params = parameters or ProfileSettings.load().parameters()
    ProfileRun.objects.filter(status=ProfileRun.Status.RUNNING, started_at__lt=timezone.now() - STALE_AFTER).update(
        status=ProfileRun.Status.FAILED, error="Interrompu (aucune fin enregistrée).", finished_at=timezone.now()
    )
    run = ProfileRun.objects.create(started_by=by, parameters=params.as_dict())
    started = time.monotonic()
    try:
        params, sources = parameters_resolve(params)
        run.parameters, run.sources = params.as_dict(), sources
        run.save(update_fields=["parameters", "sources"])
        report(5, "chargement des résultats")
        results_tables_analyze()
        results = profiles_load_results(first_rounds_only=params.first_rounds_only)
        references = profiles_load_circonscription_results(first_rounds_only=params.first_rounds_only)
        report(35, "calcul des profils")
        tables = compute_profiles(results, params, circonscription_results=references)
        report(70, "écriture")
        with transaction.atomic():
            # Serialise switches: two runs finishing together must not both end current.
            ProfileSettings.objects.select_for_update().filter(pk=ProfileSettings.load().pk).first()
            type_ids = _write_types(tables.types, run) if len(tables.types) else {}
            if len(tables.stations):
                _copy_profiles(tables.stations, run, type_ids)
            report(80, "indicateurs socio-économiques par bureau")
            _areal_weighting(run)
            ProfileRun.objects.filter(is_current=True).update(is_current=False)
            run.is_current = True
            run.status = ProfileRun.Status.SUCCEEDED
            run.finished_at = timezone.now()
            run.seconds = time.monotonic() - started
            run.stations = len(tables.stations)
            run.elections = sorted(results["election"].unique().tolist()) if len(results) else []
            run.save(update_fields=["is_current", "status", "finished_at", "seconds", "stations", "elections"])
    except BaseException as exc:
        # BaseException too: a KeyboardInterrupt during a manual run must still be recorded.
        run.status = ProfileRun.Status.FAILED
        run.error = f"{exc.__class__.__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.seconds = time.monotonic() - started
        run.save(update_fields=["status", "error", "finished_at", "seconds"])
        raise
    report(90, "nettoyage des anciens calculs")
    _prune()
    report(100, "terminé")
    return run


def profiles_recompute_later(*, queue: str | None = None) -> None:
    """Enqueue a recompute once the current transaction commits (call it after each results import).

    `queue` is for tests, whose worker listens on a private queue.
    """
    from circonscriptions.profiles.tasks import profiles_recompute_task

    def enqueue() -> None:
        try:
            profiles_recompute_task.apply_async(
                kwargs={"requested_at": timezone.now().isoformat()}, queue=queue, retry=False
            )
        except OperationalError:
            # The import is committed; with Redis down, the nightly run will recompute.
            logger.warning("Redis injoignable : les profils seront recalculés par la tâche de nuit.")

    transaction.on_commit(enqueue)
