from celery import shared_task

from hq.services import heartbeat_record


@shared_task
def heartbeat_record_task(hostname: str | None = None) -> int:
    return heartbeat_record(hostname=hostname).pk
