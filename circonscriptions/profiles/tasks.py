"""Celery task of the profiles: thin, calls the service (beat runs it at 03:00 Europe/Paris)."""

from datetime import datetime

from celery import shared_task

from circonscriptions.models import ProfileRun
from circonscriptions.profiles.services import profiles_recompute
from circonscriptions.profiles.signals import profiles_computed


# The national recompute (every bureau, every election) is the longest job of the night.
@shared_task(bind=True, soft_time_limit=60 * 60, time_limit=65 * 60)
def profiles_recompute_task(self, requested_at: str | None = None) -> int | None:
    # Several imports in a row each ask for a recompute: one that started after the
    # request already includes its data, so the later requests have nothing to add.
    if requested_at and ProfileRun.objects.filter(started_at__gte=datetime.fromisoformat(requested_at)).exists():
        return None
    run = profiles_recompute(by="celery")
    # Layers above (the fiches) refresh what depends on the profiles; they are told, not named.
    queue = (self.request.delivery_info or {}).get("routing_key")
    profiles_computed.send(sender=ProfileRun, run=run, queue=queue)
    return run.pk
