"""Profiles benchmark: recompute time on the data `make run` loads and on a national-scale replicated set.

Run: .venv/bin/python bench/run.py profiles

The national-scale set is NOT real national data: it replicates the 201 real bureaux of
the official législatives 2024 T1 file for Finistère circonscriptions 2 and 3 under
distinct codes (synthetic départements, circonscriptions and communes) until there are
about 70,000 bureaux, each with 4 elections (the same real rows, with votes shifted
between candidates by a fixed rule so that elections differ). Brest's real contours are
attached to the bureaux of one copy, whose circonscription page is timed.

The "loaded" figure is the recompute of what `make run` loads (circonscriptions.demo:
the real files of DATA_DIR through the importers), before the replicated set is added.

It uses its own database (QG_BENCH_PROFILES_DB, default QG_BENCH_DB + "_profiles", i.e.
qg_bench_profiles), dropped and
created afresh: neither the dev database 'qg' nor a test database is touched.
"""

import contextlib
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# QG_BENCH_DB (bench/run.py's) names it too, so that two worktrees benching at once do not clash.
BENCH_DB = os.environ.get("QG_BENCH_PROFILES_DB") or os.environ.get("QG_BENCH_DB", "qg_bench") + "_profiles"
TARGET_BUREAUX = int(os.environ.get("QG_BENCH_PROFILES_BUREAUX", "70000"))
ELECTIONS = [  # slug, kind, year, date; the real 2024 rows are reused for each, shifted
    ("legislatives-2024-1", "legislatives", 2024, "2024-06-30"),
    ("europeennes-2024-1", "europeennes", 2024, "2024-06-09"),
    ("legislatives-2022-1", "legislatives", 2022, "2022-06-12"),
    ("presidentielle-2022-1", "presidentielle", 2022, "2022-04-10"),
]
COPIES_PER_DEPARTEMENT = 4


def say(name: str, value: float | int, unit: str) -> None:
    print(f"bench profiles {name} {value} {unit}", flush=True)


def note(text: str) -> None:
    print(f"# profiles: {text}", file=sys.stderr, flush=True)


def _use_fresh_database() -> str:
    return fresh_database(BENCH_DB)


def _copy(table: str, columns: list[str], frame) -> None:
    from django.db import connection

    buffer = io.StringIO()
    # \N marks NULL, so that an empty string stays an empty string (blank CharFields are NOT NULL).
    frame[columns].to_csv(buffer, index=False, header=False, na_rep="\\N")
    quoted = ", ".join(f'"{c}"' for c in columns)  # "null" is a column of the results
    sql = f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())


def _replicate(real_rows: list[dict], copies: int) -> int:
    """Insert `copies` copies of the real rows × 4 elections with COPY; returns the number of bureaux."""
    import numpy as np
    import pandas as pd
    from django.db import connection

    from circonscriptions.blocs import default_bloc
    from circonscriptions.models import (
        Circonscription,
        Commune,
        Departement,
        Election,
        Nuance,
        PollingStation,
        PollingStationResult,
        PollingStationVotes,
    )

    base = pd.DataFrame(real_rows)
    communes = sorted(base["commune"].unique())
    circos = sorted(base["circonscription"].unique())
    stations = base.drop_duplicates("polling_station_id")[["polling_station_id", "commune", "code", "circonscription"]]
    stations = stations.reset_index(drop=True)

    n_depts = -(-copies // COPIES_PER_DEPARTEMENT)
    dept = pd.DataFrame({"id": np.arange(1, n_depts + 1) + 1000})
    dept["code"] = [f"B{i:02d}" if i < 100 else f"{i:03d}" for i in range(n_depts)]
    dept["name"] = "Département répliqué " + dept["code"]
    _copy(Departement._meta.db_table, ["id", "code", "name"], dept)

    copy_ids = np.arange(copies)
    circ = pd.DataFrame([(c, k) for c in copy_ids for k in range(len(circos))], columns=["copy", "k"])
    circ["id"] = np.arange(len(circ)) + 10_000
    circ["departement_id"] = 1001 + circ["copy"] // COPIES_PER_DEPARTEMENT
    circ["number"] = (circ["copy"] % COPIES_PER_DEPARTEMENT) * len(circos) + circ["k"] + 1
    circ["code"] = [f"R{c:04d}{k}" for c, k in zip(circ["copy"], circ["k"], strict=True)]
    circ["name"] = "Circonscription répliquée " + circ["code"]
    _copy(Circonscription._meta.db_table, ["id", "code", "departement_id", "number", "name"], circ)
    circ_id = {(c, circos[k]): i for c, k, i in zip(circ["copy"], circ["k"], circ["id"], strict=True)}

    com = pd.DataFrame([(c, j) for c in copy_ids for j in range(len(communes))], columns=["copy", "j"])
    com["id"] = np.arange(len(com)) + 100_000
    com["code"] = [f"{c:04d}{chr(65 + j)}" for c, j in zip(com["copy"], com["j"], strict=True)]
    com["name"] = [f"Copie {c} de {communes[j]}" for c, j in zip(com["copy"], com["j"], strict=True)]
    com["kind"] = "COM"
    com["departement_id"] = 1001 + com["copy"] // COPIES_PER_DEPARTEMENT
    _copy(Commune._meta.db_table, ["id", "code", "name", "kind", "departement_id"], com)
    com_id = {(c, communes[j]): i for c, j, i in zip(com["copy"], com["j"], com["id"], strict=True)}

    n_st = len(stations)
    ps = pd.DataFrame({"copy": np.repeat(copy_ids, n_st), "s": np.tile(np.arange(n_st), copies)})
    ps["id"] = np.arange(len(ps)) + 1_000_000
    ps["code"] = stations["code"].to_numpy()[ps["s"]]
    orig_commune = stations["commune"].to_numpy()[ps["s"]]
    orig_circo = stations["circonscription"].to_numpy()[ps["s"]]
    ps["commune_id"] = [com_id[(c, o)] for c, o in zip(ps["copy"], orig_commune, strict=True)]
    ps["circonscription_id"] = [circ_id[(c, o)] for c, o in zip(ps["copy"], orig_circo, strict=True)]
    for col in ("name", "place", "address"):
        ps[col] = ""
    _copy(
        PollingStation._meta.db_table,
        ["id", "commune_id", "code", "name", "place", "address", "circonscription_id"],
        ps,
    )

    # One row per (station, candidate) of the real file, then × copies × elections.
    cand = base.merge(stations.reset_index()[["index", "polling_station_id"]], on="polling_station_id")
    cand = cand.rename(columns={"index": "s"})
    nuance_codes = sorted(cand["nuance"].unique())
    results_frames, votes_frames, nuance_rows = [], [], []
    next_result = 10_000_000
    for e_index, (slug, kind, year, date) in enumerate(ELECTIONS):
        election = Election.objects.create(slug=f"bench-{slug}", kind=kind, year=year, round=1, date=date)
        for code in nuance_codes:
            nuance_rows.append(Nuance(election=election, code=code, bloc=default_bloc(code)))
        # Shift votes between candidates by a fixed rule: each election and copy differ.
        rng = np.random.default_rng(e_index)
        factor_by_copy = 1 + 0.25 * (rng.random((copies, len(nuance_codes))) - 0.5) * (e_index > 0)
        n_cand = len(cand)
        v = pd.DataFrame(
            {
                "copy": np.repeat(copy_ids, n_cand),
                "s": np.tile(cand["s"].to_numpy(), copies),
                "panel": np.tile(cand["panel"].to_numpy(), copies),
                "nuance": np.tile(cand["nuance"].to_numpy(), copies),
                "candidate": np.tile(cand["candidate"].to_numpy(), copies),
                "raw": np.tile(cand["votes"].to_numpy(), copies),
            }
        )
        nuance_index = {code: i for i, code in enumerate(nuance_codes)}
        v["votes"] = np.floor(
            v["raw"] * factor_by_copy[v["copy"].to_numpy(), v["nuance"].map(nuance_index).to_numpy()]
        ).astype(int)
        r = pd.DataFrame({"copy": np.repeat(copy_ids, n_st), "s": np.tile(np.arange(n_st), copies)})
        firsts = base.drop_duplicates("polling_station_id").reset_index(drop=True)
        for col in ("registered", "blank", "null"):
            r[col] = np.tile(firsts[col].to_numpy(), copies)
        r["expressed"] = (
            v.groupby(["copy", "s"])["votes"].sum().reindex(pd.MultiIndex.from_frame(r[["copy", "s"]])).to_numpy()
        )
        r["voters"] = r["expressed"] + r["blank"] + r["null"]
        r["registered"] = np.maximum(r["registered"], r["voters"])
        r["abstentions"] = r["registered"] - r["voters"]
        # r is ordered by (copy, s): its id is arithmetic, and so is each vote's result id.
        r["id"] = next_result + r["copy"] * n_st + r["s"]
        v["result_id"] = next_result + v["copy"] * n_st + v["s"]
        next_result += len(r)
        r["election_id"] = election.pk
        r["polling_station_id"] = 1_000_000 + r["copy"] * n_st + r["s"]
        v["election"] = election.pk
        results_frames.append(r)
        votes_frames.append(v)
    Nuance.objects.bulk_create(nuance_rows)
    nuance_id = {(n.election_id, n.code): n.pk for n in Nuance.objects.all()}
    for r in results_frames:
        _copy(
            PollingStationResult._meta.db_table,
            [
                "id",
                "election_id",
                "polling_station_id",
                "registered",
                "voters",
                "abstentions",
                "blank",
                "null",
                "expressed",
            ],
            r,
        )
    for v in votes_frames:
        election_pk = int(v["election"].iloc[0])
        v["nuance_id"] = v["nuance"].map({code: pk for (e, code), pk in nuance_id.items() if e == election_pk})
        _copy(PollingStationVotes._meta.db_table, ["result_id", "panel", "nuance_id", "candidate", "votes"], v)
    with connection.cursor() as cursor:
        for model in (Departement, Circonscription, Commune, PollingStation, PollingStationResult):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # What autovacuum would do after a big import: statistics, visibility map, hint bits.
        cursor.execute("VACUUM ANALYZE")
    return copies * n_st


def _attach_brest_contours(copy: int = 0) -> str:
    """Brest's real bureau contours on the bureaux of one copy; returns that copy's circonscription code."""
    from django.conf import settings
    from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

    from circonscriptions.models import PollingStation, PollingStationShape

    path = Path(settings.DATA_DIR) / "boundaries" / "bureaux" / "bureaux-de-vote-brest-29019.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    stations = {
        s.code: s
        for s in PollingStation.objects.filter(commune__name=f"Copie {copy} de 29019").select_related("circonscription")
    }
    shapes = []
    for feature in data["features"]:
        code = str(int(feature["properties"]["codeBureauVote"].split("_")[1]))
        station = stations.pop(code, None)
        if station is None:  # not in the results file, or a second piece of a bureau already drawn
            continue
        geom = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        if geom.geom_type == "Polygon":
            geom = MultiPolygon(geom, srid=4326)
        simple = geom.simplify(0.00005, preserve_topology=True)
        if simple.geom_type == "Polygon":
            simple = MultiPolygon(simple, srid=4326)
        shapes.append(PollingStationShape(polling_station=station, geom=geom, geom_simple=simple))
    PollingStationShape.objects.bulk_create(shapes)
    counts = {}
    for s in PollingStation.objects.filter(shape__isnull=False).select_related("circonscription"):
        counts[s.circonscription.code] = counts.get(s.circonscription.code, 0) + 1
    return max(counts, key=counts.get)


def _load_demo_data() -> str:
    """What `make run` loads (circonscriptions.demo, the real files of DATA_DIR through the importers).

    Falls back to the real Brest-area rows inserted directly if the demo loader fails, and says so.
    """
    try:
        from circonscriptions.demo import demo_data_load

        # The import commands report on stdout/stderr: keep this benchmark's output to its figures.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            problems = demo_data_load(write=lambda line: None)
        if problems:
            note("demo files refused: " + "; ".join(problems))
        return "the demo data of `make run` (real files of DATA_DIR through the importers)"
    except Exception as exc:  # the importers belong to other parts of QG: the bench still runs
        from circonscriptions.tests.profile_data import lg2022_brest_rows, lg2024_rows, store_results

        store_results(lg2024_rows() + lg2022_brest_rows({f"{n:03d}" for n in range(1, 200)}))
        return f"real Brest-area rows inserted directly (the demo loader failed: {exc.__class__.__name__}: {exc})"


def _bare_aggregate_seconds() -> float:
    """One bare SQL aggregate over the same results: votes by polling station and bloc."""
    from django.db import connection

    sql = """
        SELECT count(*) FROM (
            SELECT r.polling_station_id, n.bloc, sum(v.votes)
            FROM circonscriptions_pollingstationvotes v
            JOIN circonscriptions_pollingstationresult r ON r.id = v.result_id
            JOIN circonscriptions_nuance n ON n.id = v.nuance_id
            GROUP BY r.polling_station_id, n.bloc
        ) t
    """
    timings = []
    with connection.cursor() as cursor:
        for _ in range(3):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchone()
            timings.append(time.perf_counter() - started)
    return min(timings)


def _page_ms(code: str, repeat: int = 21) -> tuple[float, float]:
    """Median time of the circonscription page: rendered afresh (its cache emptied), and from its cache."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from circonscriptions.models import Circonscription, ProfileRun
    from circonscriptions.profiles.views import _body_cache_key
    from hq.models import User

    # The bench account has no second factor: the figure is the page's own cost.
    settings.QG_MFA_REQUIRED_ROLES = []
    user = User.objects.create_superuser("bench-profiles@example.org", "bench-password-2026")
    client = Client()
    client.force_login(user)
    url = f"/carte/circonscription/{code}/"
    key = _body_cache_key(ProfileRun.objects.current(), Circonscription.objects.get(code=code), user)
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    fresh, cached = [], []
    for _ in range(repeat):
        cache.delete(key)
        started = time.perf_counter()
        client.get(url)
        fresh.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        client.get(url)
        cached.append((time.perf_counter() - started) * 1000)
    cache.delete(key)
    return statistics.median(fresh), statistics.median(cached)


def main() -> None:
    original = _use_fresh_database()
    from django.db import connections

    try:
        from circonscriptions.profiles.services import profiles_recompute
        from circonscriptions.tests.profile_data import lg2024_rows

        real_2024 = lg2024_rows()
        started = time.perf_counter()
        loaded_with = _load_demo_data()
        note(f"loaded set: {loaded_with} ({time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        run = profiles_recompute(by="bench")
        loaded = time.perf_counter() - started
        note(f"recompute of the loaded set: {run.stations} bureaux, elections {', '.join(run.elections)}")
        say("recompute_loaded_s", round(loaded, 3), "s")

        copies = max(1, round(TARGET_BUREAUX / len({r["polling_station_id"] for r in real_2024})))
        started = time.perf_counter()
        bureaux = _replicate(real_2024, copies)
        note(
            f"national-scale set: {copies} copies of the {bureaux // copies} real Finistère bureaux "
            f"(lg2024 T1, circos 29-02/03) under distinct codes = {bureaux} bureaux x {len(ELECTIONS)} elections, "
            f"built in {time.perf_counter() - started:.1f} s (replicated, not real national data)"
        )
        say("national_bureaux", bureaux + run.stations, "bureaux")  # replicated ones plus the loaded ones
        circo = _attach_brest_contours()

        timings = []
        for _ in range(2):
            started = time.perf_counter()
            run = profiles_recompute(by="bench")
            timings.append(time.perf_counter() - started)
        national = min(timings)
        note(f"recompute runs: {', '.join(f'{t:.2f}' for t in timings)} s (best reported); {run.stations} profiles")
        say("recompute_national_first_s", round(timings[0], 3), "s")
        say("recompute_national_s", round(national, 3), "s")
        aggregate = _bare_aggregate_seconds()
        say("bare_aggregate_s", round(aggregate, 3), "s")
        say("aggregate_ratio", round(aggregate / national, 3), "ratio")
        fresh, cached = _page_ms(circo)
        note(
            "circonscription page: 'ms' is rendered afresh each time (first reader after a recompute); "
            "'cached_ms' is every later reader"
        )
        say("circonscription_page_ms", round(fresh, 1), "ms")
        say("circonscription_page_cached_ms", round(cached, 1), "ms")
    finally:
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = original


if __name__ == "__main__":
    main()
