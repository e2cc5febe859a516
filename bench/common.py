"""What the benchmarks share: a database of their own, created afresh and migrated.

Not a benchmark (bench/run.py runs bench_*.py only).
"""


def fresh_database(name: str) -> str:
    """Point Django's default connection at a new, migrated database `name`; returns the previous name.

    The database is dropped first if it exists, so a bench never measures a previous run's rows,
    and the dev and test databases are never touched.
    """
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command
    from django.db import connections

    conn = connections["default"]
    params = conn.get_connection_params()
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    original = conn.settings_dict["NAME"]
    conn.settings_dict["NAME"] = name
    call_command("migrate", verbosity=0, interactive=False)
    return original
