"""COPY-speed writes: rows go into a temporary table through psycopg's COPY, then
one set-based statement moves them into the real tables.

Temporary tables are dropped at commit; they are also dropped first, so that two
imports in one transaction (tests) do not collide.
"""

# SQL is built from table and column names of this module, never from input: values go as parameters.
# ruff: noqa: S608

from collections.abc import Iterable, Sequence


def temp_table_create(cursor, name: str, columns: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY `rows` (tuples of Python values, None for NULL) into `table`; returns the row count."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def upsert_counts(cursor, sql: str, params: Sequence | None = None) -> dict[str, int]:
    """Run an `INSERT … ON CONFLICT DO UPDATE … WHERE changed RETURNING (xmax = 0)`.

    Rows that were inserted come back with True, updated ones with False, and rows
    left as they were (the WHERE clause of DO UPDATE said nothing changed) do not come back.
    """
    cursor.execute(sql, params)
    flags = [row[0] for row in cursor.fetchall()]
    created = sum(1 for flag in flags if flag)
    return {"created": created, "updated": len(flags) - created}
