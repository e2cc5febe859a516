"""Celery tasks of the fiches: thin, they take ids and call a service."""

from celery import shared_task

from fiches.models import BatchPrint
from fiches.services import batch_print_build, fiches_refresh_after_profiles


@shared_task
def batch_print_task(batch_id: int) -> str:
    batch = BatchPrint.objects.select_related("departement").get(pk=batch_id)
    return batch_print_build(batch=batch).status


@shared_task
def fiches_refresh_task() -> int:
    """Run after a profile recompute: fresh automatic parts as drafts for HQ to publish."""
    return fiches_refresh_after_profiles()
