"""The results export: one CSV row per (territory, nuance), streamed straight from PostgreSQL.

Columns: departement, commune, polling_station, circonscription, registered, voters,
abstentions, expressed, blank, null, nuance, bloc, votes.

- Codes are strings with their leading zeros ('01', '2A', '29019', '2902').
- `polling_station` is the bureau's number without padding ('1', '76'); a bureau of a
  former commune carries that commune's number in front ('152-1', see importers/results).
- At circonscription level `commune` and `polling_station` are empty and the rows are
  the results published by circonscription (CirconscriptionResult).
- `votes` sums the candidates who share a nuance in the territory (two EXG candidates
  in one bureau make one EXG row); `bloc` is the bloc HQ currently maps that nuance to.
- `circonscription` at polling-station level is the bureau's circonscription (from its
  contour, the results file or its commune), empty when it is not known.

The rows come out of a `COPY (SELECT …) TO STDOUT`, block by block: an export of every
bureau in France never sits in memory.

A text cell that starts with = + - @ (or a tab or carriage return) gets a leading
apostrophe: a spreadsheet would run it as a formula (« =2+3 », « @SUM(1,1) »), and codes and
nuances come from imported files, which anyone may have written.
"""

from collections.abc import Iterator

from django.db import connection

from circonscriptions.models import Election

HEADER = (
    "departement,commune,polling_station,circonscription,registered,voters,abstentions,"
    "expressed,blank,null,nuance,bloc,votes"
)
LEVELS = ("polling_station", "circonscription")


def _text(column: str, name: str) -> str:
    """A text column as a spreadsheet may open it (see the module docstring)."""
    return f"CASE WHEN {column} ~ '^[=+@\\t\\r-]' THEN chr(39) || {column} ELSE {column} END AS {name}"


_POLLING_STATION_SQL = f"""
SELECT {_text("d.code", "departement")}, {_text("c.code", "commune")}, {_text("ps.code", "polling_station")},
       {_text("ci.code", "circonscription")},
       r.registered, r.voters, r.abstentions, r.expressed, r.blank, r."null" AS "null",
       {_text("n.code", "nuance")}, n.bloc AS bloc, sum(v.votes) AS votes
FROM circonscriptions_pollingstationresult r
JOIN circonscriptions_pollingstation ps ON ps.id = r.polling_station_id
JOIN circonscriptions_commune c ON c.id = ps.commune_id
JOIN circonscriptions_departement d ON d.id = c.departement_id
LEFT JOIN circonscriptions_circonscription ci ON ci.id = ps.circonscription_id
JOIN circonscriptions_pollingstationvotes v ON v.result_id = r.id
LEFT JOIN circonscriptions_nuance n ON n.id = v.nuance_id
WHERE r.election_id = %s {{departements}}
GROUP BY r.id, d.code, c.code, ps.code, ci.code, n.code, n.bloc
ORDER BY d.code, c.code, lpad(ps.code, 8, '0'), n.code
"""  # noqa: S608 (column names come from this module, nothing from users)

_CIRCONSCRIPTION_SQL = f"""
SELECT {_text("d.code", "departement")}, NULL AS commune, NULL AS polling_station,
       {_text("ci.code", "circonscription")},
       r.registered, r.voters, r.abstentions, r.expressed, r.blank, r."null" AS "null",
       {_text("n.code", "nuance")}, n.bloc AS bloc, sum(v.votes) AS votes
FROM circonscriptions_circonscriptionresult r
JOIN circonscriptions_circonscription ci ON ci.id = r.circonscription_id
JOIN circonscriptions_departement d ON d.id = ci.departement_id
JOIN circonscriptions_circonscriptionvotes v ON v.result_id = r.id
LEFT JOIN circonscriptions_nuance n ON n.id = v.nuance_id
WHERE r.election_id = %s {{departements}}
GROUP BY r.id, d.code, ci.code, n.code, n.bloc
ORDER BY d.code, ci.code, n.code
"""  # noqa: S608 (same)


def results_export_chunks(*, election: Election, level: str, departements: list[str] | None) -> Iterator[bytes]:
    """CSV bytes with the header first. `departements=None` exports all of France."""
    if level not in LEVELS:
        raise ValueError(f"niveau inconnu : {level} (attendu : {', '.join(LEVELS)})")
    template = _POLLING_STATION_SQL if level == "polling_station" else _CIRCONSCRIPTION_SQL
    params: list = [election.pk]
    filter_sql = ""
    if departements is not None:
        # Codes travel as parameters; only their number shapes the SQL text.
        filter_sql = "AND d.code IN (" + ", ".join(["%s"] * len(departements)) + ")" if departements else "AND false"
        params += list(departements)
    query = template.format(departements=filter_sql)
    with connection.cursor() as cursor:
        # psycopg's own cursor: Django's debug wrapper (DEBUG=True) takes no COPY parameters.
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", params) as copy:
            for block in copy:
                yield bytes(block)
