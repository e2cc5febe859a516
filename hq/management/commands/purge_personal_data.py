"""Retention purge (hq/retention.py): expired sympathisers, old observation free texts, expired sessions.

Celery beat runs it daily (hq.tasks.personal_data_purge_task); run by hand:
    manage.py purge_personal_data
"""

from django.core.management.base import BaseCommand

from hq.retention import personal_data_purge


class Command(BaseCommand):
    help = "Purge personal data past its retention period (sympathisers, observation free texts, sessions)."

    def handle(self, *args, **options) -> None:
        run = personal_data_purge(trigger="command")
        self.stdout.write(
            f"Sympathisants supprimés : {run.supporters_deleted} ; "
            f"observations dont les textes libres ont été effacés : {run.observation_texts_cleared} ; "
            f"versions de fiches caviardées : {run.fiche_versions_redacted} ; "
            f"sessions expirées supprimées : {run.sessions_deleted}."
        )
