"""The retention purge: personal data QG no longer has a reason to keep is deleted, daily.

- A sympathiser's consent lasts `RetentionSettings.supporter_consent_years` (3 years by
  default) from the day it was given or, if it was asked again and given again, from
  that renewal (`consent_renewed_at`). Past that, the sympathiser is deleted, with
  their participant links (the observations keep their counts).
- An observation's free texts (how people reacted, what worked, what did not) are kept
  `observation_text_years` (2 years by default) after the action's date; past that they
  are cleared, and the quotes of them in published fiches redacted. Counts, concerns and
  everything else of the observation stay: the aggregates do not change.
- Expired sessions are deleted (Django's `clearsessions`).

Each run writes a RetentionRun row with its counts. Runs daily from Celery beat
(hq.tasks.personal_data_purge_task), or by hand: `manage.py purge_personal_data`.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import CharField, ManyToManyRel
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from hq.models import RetentionRun, RetentionSettings, Supporter
from hq.signals import retention_purging

DAYS_PER_YEAR = 365.25


def _years_ago(now, years: int):
    return now - timedelta(days=round(years * DAYS_PER_YEAR))


def expired_supporters(*, now=None, years: int | None = None):
    """Sympathisers whose consent was neither given nor renewed within the period."""
    now = now or timezone.now()
    years = years or RetentionSettings.load().supporter_consent_years
    return Supporter.objects.annotate(consent_last=Coalesce("consent_renewed_at", "consent_at")).filter(
        consent_last__lt=_years_ago(now, years)
    )


def _link_tables() -> list[tuple[type, str]]:
    """The tables linking sympathisers to other rows (whichever app declares them), with their column."""
    tables = []
    for field in Supporter._meta.get_fields():
        if not field.many_to_many:
            continue
        # A link declared elsewhere (Observation.supporters) arrives as its reverse relation.
        through = field.through if isinstance(field, ManyToManyRel) else field.remote_field.through
        column = next(f.name for f in through._meta.get_fields() if f.many_to_one and f.related_model is Supporter)
        tables.append((through, column))
    return tables


def _rows_delete(expired) -> int:
    """Delete the expired sympathisers, whose links are already gone.

    When nothing but link tables refers to a sympathiser (the case today), one DELETE of the
    rows the query selects is all it takes; Django's delete() would first load every row
    to look for dependants (100,000 objects for a first purge). Should another table ever
    refer to sympathisers, Django's delete() is used and follows its on_delete rules.
    """
    dependants = [f for f in Supporter._meta.get_fields() if f.auto_created and not f.concrete and not f.many_to_many]
    if dependants:
        return expired.delete()[1].get(Supporter._meta.label, 0)
    sql, params = expired.values("pk").query.sql_with_params()
    quote = connection.ops.quote_name
    table, pk = quote(Supporter._meta.db_table), quote(Supporter._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)  # noqa: S608 (names from the model)
        return cursor.rowcount


def personal_data_purge(*, trigger: str = "command", now=None) -> RetentionRun:
    """Run the purge once (see the module's docstring) and record it."""
    started = timezone.now()
    now = now or started
    policy = RetentionSettings.load()
    counts = {"supporters_deleted": 0, "observation_texts_cleared": 0, "fiche_versions_redacted": 0}
    with transaction.atomic():
        expired = expired_supporters(now=now, years=policy.supporter_consent_years)
        # The many-to-many links first (participants of observations, skills), one statement
        # each; then the rows, which nothing else references.
        for through, column in _link_tables():
            through.objects.filter(**{f"{column}__in": expired.values("pk")}).delete()
        counts["supporters_deleted"] = _rows_delete(expired)
        # The admin's history of a deleted sympathiser names them: remove the orphans.
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Supporter)).exclude(
            object_id__in=Supporter.objects.annotate(key=Cast("pk", CharField())).values("key")
        ).delete()
        text_cutoff = _years_ago(now, policy.observation_text_years).date()
        for _receiver, answer in retention_purging.send(sender=RetentionRun, text_cutoff=text_cutoff, by=None):
            for key, value in (answer or {}).items():
                if key in counts:
                    counts[key] += value
    expired_sessions = Session.objects.filter(expire_date__lt=timezone.now()).count()
    call_command("clearsessions")
    return RetentionRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        trigger=trigger,
        supporter_consent_years=policy.supporter_consent_years,
        observation_text_years=policy.observation_text_years,
        sessions_deleted=expired_sessions,
        **counts,
    )
