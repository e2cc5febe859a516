"""Prepared statements for the few queries that every busy request runs.

Django sends each query as text (client-side binding, prepared statements off so that a
connection pooler in transaction mode keeps working), so PostgreSQL parses and plans it
every time. For a query of a few joins, planning is most of its CPU: the scope of the
user (four tables) or the INSERT of an observation with its links took 0.15–0.25 ms of
database CPU each, 0.03–0.05 ms once prepared. `prepared_cursor` gives a Django cursor
(query logging, execute wrappers and error translation kept) whose statements are
prepared on the connection the first time and reused after.

QG connects to PostgreSQL directly. Behind PgBouncer in transaction mode, prepared
statements need PgBouncer ≥ 1.21 with max_prepared_statements set.
"""

import psycopg
from django.db import connections


class _Sent:
    """The statement as Django's query log reads it from a cursor (`cursor._query.query`,
    in ops.last_executed_query), with its values: written only when something reads it."""

    def __init__(self, connection, query, params):
        self._connection, self._statement, self._params = connection, query, params

    @property
    def query(self) -> bytes:
        return psycopg.ClientCursor(self._connection).mogrify(self._statement, self._params).encode()


class _PreparingCursor(psycopg.Cursor):
    # Server-side binding (psycopg converts %s to $1…); every statement prepared.
    def execute(self, query, params=None, *, prepare=None, binary=None):
        result = super().execute(query, params, prepare=True, binary=binary)
        # psycopg keeps no text of a server-bound statement; tests counting and reading
        # queries (CaptureQueriesContext) and the debug log need it.
        self._query = _Sent(self.connection, query, params)
        return result


def prepared_cursor(using: str = "default"):
    """A cursor on Django's connection `using`, in its current transaction, that prepares
    its statements. Use it as a context manager, like connection.cursor()."""
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off (None), which also refuses prepare=True. Only
        # cursors asking for it prepare: Django's own (client-side binding) never do, and
        # this one always asks, so the threshold itself is never reached.
        raw.prepare_threshold = 2**31 - 1
    # _prepare_cursor wraps it as connection.cursor() does (debug logging, wrappers, errors).
    return connection._prepare_cursor(_PreparingCursor(raw))
