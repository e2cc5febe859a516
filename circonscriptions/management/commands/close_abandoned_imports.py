"""End the imports whose worker was killed (circonscriptions.importers.uploads).

Celery beat runs it every 15 minutes (circonscriptions.tasks.import_runs_abandoned_close_task);
run by hand:
    manage.py close_abandoned_imports
A run queued or « en cours » for more than two hours ends « refusé » with a French sentence;
running it again changes nothing.
"""

from django.core.management.base import BaseCommand

from circonscriptions.importers.uploads import import_runs_abandoned_close


class Command(BaseCommand):
    help = "End « refusé » the imports left « en cours » by a killed worker."

    def handle(self, *args, **options) -> None:
        closed = import_runs_abandoned_close()
        self.stdout.write(f"Imports interrompus clos : {closed}.")
