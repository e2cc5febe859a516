"""Import benchmark: a national-scale results file by bureau de vote, imported for real.

The file is SYNTHETIC: the 201 real rows of the ministry's Finistère file
(elections/lg2024-t1-bureaux-29-circos-02-03.csv) replicated under distinct commune
codes until about 70,000 bureaux (~630,000 candidate rows), i.e. the size of France.
Only the département and commune code cells change; every figure is a real one.

In one run, on a fresh benchmark database (QG_BENCH_DB, default qg_bench, migrated here):
(i) the minimal pipeline: pandas parses the file, reshapes it to one row per
    candidate, and COPYs it into an unindexed table;
(ii) the full import (`results_import`: detection, every check, code resolution,
    polling-station creation, upserts, index maintenance), in a subprocess so that its
    peak memory (RSS) is measured alone.

Prints `bench import <figure> <value> <unit>` lines: rows_per_s, copy_ratio
(minimal time / import time), national_seconds, peak_rss_mb, and the inputs' sizes.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg

ROOT = Path(__file__).resolve().parent.parent
TARGET_BUREAUX = 70_000
ELECTION = "legislatives-2024-1"


def _settings_value(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _data_dir() -> Path:
    return Path(_settings_value("DATA_DIR", str(ROOT.parent / "shared" / "data")))


def _server_url() -> tuple[str, str]:
    port = _settings_value("QG_PG_PORT", "55432")
    name = _settings_value("QG_BENCH_DB", "qg_bench")
    return f"postgresql://qg@127.0.0.1:{port}", name


def _departement_codes() -> list[str]:
    codes = [f"{n:02d}" for n in range(1, 96) if n != 20]
    return codes


def build_file(target: Path) -> tuple[int, int, list[tuple[str, str]]]:
    """Write the replicated file; returns (bureaux, candidate rows, [(commune code, département)])."""
    source = _data_dir() / "elections" / "lg2024-t1-bureaux-29-circos-02-03.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], [line.split(";") for line in lines[1:]]
    columns = header.split(";")
    dep_i, com_i = columns.index("Code département"), columns.index("Code commune")
    real_communes = sorted({row[com_i] for row in rows})
    copies = -(-TARGET_BUREAUX // len(rows))
    departements = _departement_codes()
    communes: list[tuple[str, str]] = []
    out = [header]
    serial = 0
    for _copy in range(copies):
        mapping = {}
        for code in real_communes:
            dep = departements[serial // 999]
            mapping[code] = (f"{dep}{serial % 999 + 1:03d}", dep)
            communes.append(mapping[code])
            serial += 1
        for row in rows:
            new = list(row)
            new[com_i], new[dep_i] = mapping[row[com_i]]
            out.append(";".join(new))
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    candidates = sum(1 for row in rows for i in range(1, 20) if _cell(columns, row, f"Voix {i}")) * copies
    return len(rows) * copies, candidates, communes


def _cell(columns: list[str], row: list[str], name: str) -> str:
    return row[columns.index(name)] if name in columns else ""


def database_create(communes: list[tuple[str, str]]) -> str:
    server, name = _server_url()
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{server.replace('postgresql://', 'postgis://')}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT
    )
    with psycopg.connect(f"{server}/{name}") as conn, conn.cursor() as cur:
        deps = sorted({dep for _, dep in communes})
        with cur.copy("COPY circonscriptions_departement (code, name) FROM STDIN") as copy:
            for dep in deps:
                copy.write_row((dep, f"Département {dep}"))
        cur.execute("SELECT code, id FROM circonscriptions_departement")
        dep_ids = dict(cur.fetchall())
        with cur.copy("COPY circonscriptions_commune (code, name, kind, departement_id) FROM STDIN") as copy:
            for code, dep in communes:
                copy.write_row((code, f"Commune {code}", "COM", dep_ids[dep]))
        conn.commit()
    return url


def minimal_pipeline(path: Path) -> float:
    """Parse with pandas, reshape to one row per candidate, COPY into an unindexed table
    (an ordinary, WAL-logged table like the ones the import writes)."""
    server, name = _server_url()
    with psycopg.connect(f"{server}/{name}") as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_minimal (commune text, bureau text, panel int, nuance text, votes int)"
        )
        cur.execute("TRUNCATE bench_minimal")
        conn.commit()
        started = time.perf_counter()
        header = path.open(encoding="utf-8").readline().rstrip("\n").split(";")
        blocks = [i for i in range(1, 40) if f"Voix {i}" in header]
        usecols = ["Code commune", "Code BV"] + [
            f"{field} {i}" for i in blocks for field in ("Numéro de panneau", "Nuance candidat", "Voix")
        ]
        frame = pd.read_csv(path, sep=";", usecols=usecols, dtype={"Code commune": str, "Code BV": str})
        parts = []
        for i in blocks:
            part = frame[["Code commune", "Code BV", f"Numéro de panneau {i}", f"Nuance candidat {i}", f"Voix {i}"]]
            part.columns = ["commune", "bureau", "panel", "nuance", "votes"]
            parts.append(part.dropna(subset=["votes"]))
        long = pd.concat(parts, ignore_index=True)
        long["panel"] = long["panel"].astype(np.int64)
        long["votes"] = long["votes"].astype(np.int64)
        buffer = io.StringIO()
        long.to_csv(buffer, index=False, header=False)
        with cur.copy("COPY bench_minimal FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        conn.commit()
        elapsed = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM bench_minimal")
        copied = cur.fetchone()[0]
        cur.execute("DROP TABLE bench_minimal")
        conn.commit()
    if not copied:
        raise RuntimeError("the minimal pipeline copied nothing")
    return elapsed


_FULL_IMPORT = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from circonscriptions.importers.results import results_import
started = time.perf_counter()
outcome = results_import(path={path!r}, election_slug={election!r})
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_rss_mb": peak, "summary": outcome.summary}}))
"""


def full_import(path: Path, url: str) -> dict:
    code = _FULL_IMPORT.format(root=str(ROOT), path=str(path), election=ELECTION)
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def results_clear() -> None:
    """Back to an empty results side (territory kept), so that every repetition imports afresh."""
    server, name = _server_url()
    with psycopg.connect(f"{server}/{name}") as conn:
        conn.execute(
            "TRUNCATE circonscriptions_pollingstationvotes, circonscriptions_pollingstationresult, "
            "circonscriptions_pollingstation, circonscriptions_nuance, circonscriptions_importrun, "
            "circonscriptions_election CASCADE"
        )


def main() -> None:
    # The machine is shared: each pipeline runs QG_BENCH_REPEAT times (minimal and full in
    # turn, the full import on an emptied results side) and the medians are reported.
    repeat = int(os.environ.get("QG_BENCH_REPEAT", "3"))
    with tempfile.TemporaryDirectory(prefix="qg-bench-") as tmp:
        path = Path(tmp) / "lg2024-t1-bureaux-national-synthetic.csv"
        bureaux, candidates, communes = build_file(path)
        print(
            f"bench import synthetic_bureaux {bureaux} bureaux "
            "(SYNTHETIC: the 201 real Finistère rows of lg2024-t1-bureaux-29-circos-02-03.csv "
            f"replicated under {len(communes)} distinct commune codes)"
        )
        print(f"bench import synthetic_candidate_rows {candidates} rows")
        print(f"bench import file_mb {path.stat().st_size / 1e6:.1f} MB")
        url = database_create(communes)
        minimal_runs, full_runs = [], []
        for _ in range(repeat):
            minimal_runs.append(minimal_pipeline(path))
            results_clear()
            full_runs.append(full_import(path, url))
    minimal = float(np.median(minimal_runs))
    seconds = float(np.median([run["seconds"] for run in full_runs]))
    peak = max(run["peak_rss_mb"] for run in full_runs)
    print(f"bench import repetitions {repeat} runs")
    print(f"bench import loadavg_1min {os.getloadavg()[0]:.1f} load")
    print(f"bench import minimal_seconds {minimal:.2f} s")
    print(f"bench import national_seconds {seconds:.2f} s")
    print(f"bench import rows_per_s {candidates / seconds:.0f} rows/s")
    print(f"bench import copy_ratio {minimal / seconds:.2f} ratio")
    print(f"bench import peak_rss_mb {peak:.0f} MB")
    print(f"bench import polling_stations_created {full_runs[-1]['summary'].get('polling_stations_created')} bureaux")


if __name__ == "__main__":
    main()
