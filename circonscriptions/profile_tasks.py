"""Celery task of the profiles: thin, calls the service (beat runs it at 03:00 Europe/Paris)."""

from datetime import datetime

from celery import shared_task

from circonscriptions.models import ProfileRun
from circonscriptions.profile_services import profiles_recompute

# The fiches militantes sit a layer above the territory: their refresh is named, not imported.
FICHES_REFRESH_TASK = "fiches.tasks.fiches_refresh_task"


@shared_task(bind=True)
def profiles_recompute_task(self, requested_at: str | None = None) -> int | None:
    # Several imports in a row each ask for a recompute: one that started after the
    # request already includes its data, so the later requests have nothing to add.
    if requested_at and ProfileRun.objects.filter(started_at__gte=datetime.fromisoformat(requested_at)).exists():
        return None
    run = profiles_recompute(by="celery")
    # New profiles give every fiche fresh automatic parts, as drafts for HQ to publish;
    # sent on the queue this task came from (tests run their worker on a private one).
    queue = (self.request.delivery_info or {}).get("routing_key")
    self.app.send_task(FICHES_REFRESH_TASK, queue=queue)
    return run.pk
