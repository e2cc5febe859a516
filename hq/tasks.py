from celery import shared_task

from hq.services import heartbeat_record


@shared_task
def heartbeat_record_task(hostname: str | None = None) -> int:
    return heartbeat_record(hostname=hostname).pk


@shared_task
def personal_data_purge_task() -> int:
    """Daily retention purge (beat); the same service as `manage.py purge_personal_data`."""
    from hq.retention import personal_data_purge

    return personal_data_purge(trigger="beat").pk


@shared_task
def mission_reminders_send_task() -> None:
    """The day-before reminders (beat); the same command as `manage.py send_mission_reminders`."""
    from django.core.management import call_command

    call_command("send_mission_reminders")
