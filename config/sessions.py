"""Django's database sessions, read with a prepared statement (SESSION_ENGINE).

Every request of a logged-in user reads its session; through the ORM, building and
compiling that one-table query costs the web process more CPU than PostgreSQL spends
running it. The rows, the cookie and the behaviour are Django's: only the read changes.
"""

from functools import cache

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from config.db import prepared_cursor


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        model = self.model
        using = router.db_for_read(model)
        with prepared_cursor(using) as cursor:
            cursor.execute(_select_sql(model, using), [key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0], expire_date=row[1])


@cache
def _select_sql(model, using: str) -> str:
    quote = connections[using].ops.quote_name
    column = {f.name: quote(f.column) for f in model._meta.concrete_fields}
    return (
        f"SELECT {column['session_data']}, {column['expire_date']} FROM {quote(model._meta.db_table)} "  # noqa: S608
        f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s"
    )
