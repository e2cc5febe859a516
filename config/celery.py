import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("qg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The profiles package keeps its own tasks module.
app.autodiscover_tasks(["circonscriptions.profiles"])

# Every scheduled job is first a management command; beat only enqueues its task.
app.conf.beat_schedule = {
    "heartbeat": {"task": "hq.tasks.heartbeat_record_task", "schedule": 60.0},
    # CELERY_TIMEZONE is Europe/Paris: 03:00 Paris time, summer and winter.
    "profiles-nightly": {
        "task": "circonscriptions.profiles.tasks.profiles_recompute_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # Personal data past its retention period (hq/retention.py), daily at 04:15 Paris time.
    "personal-data-purge": {
        "task": "hq.tasks.personal_data_purge_task",
        "schedule": crontab(hour=4, minute=15),
    },
    # Day-before reminders of missions (hq/missions.py); hourly, each sign-up is reminded once.
    "mission-reminders": {
        "task": "hq.tasks.mission_reminders_send_task",
        "schedule": crontab(minute=5),
    },
    # Imports whose worker was killed (hard time limit, restart) end « refusé » instead of
    # staying « en cours » forever (circonscriptions/importers/uploads.py).
    "imports-abandoned-close": {
        "task": "circonscriptions.tasks.import_runs_abandoned_close_task",
        "schedule": crontab(minute="*/15"),
    },
}
