"""E-mail reminders the day before a mission (hq.missions.reminders_send), once per sign-up.

Celery beat runs it hourly (hq.tasks.mission_reminders_send_task); run by hand:
    manage.py send_mission_reminders
Running it again sends nothing new: each sign-up records when it was reminded.
"""

from django.core.management.base import BaseCommand

from hq.missions import reminders_send


class Command(BaseCommand):
    help = "Send the e-mail reminder to members confirmed on tomorrow's missions (once each)."

    def handle(self, *args, **options) -> None:
        sent = reminders_send()
        self.stdout.write(f"Rappels envoyés : {sent}.")
