import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("qg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every scheduled job is first a management command; beat only enqueues its task.
app.conf.beat_schedule = {
    "heartbeat": {"task": "hq.tasks.heartbeat_record_task", "schedule": 60.0},
}
