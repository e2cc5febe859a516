import socket

from django.utils import timezone

from hq.models import WorkerHeartbeat


def heartbeat_record(*, hostname: str | None = None) -> WorkerHeartbeat:
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname or socket.gethostname(), defaults={"seen_at": timezone.now()}
    )
    return beat
