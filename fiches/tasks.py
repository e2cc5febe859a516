"""Celery tasks of the fiches: thin, they take ids and call a service."""

from celery import shared_task

from fiches.models import BatchPrint
from fiches.services import batch_print_build, fiches_refresh_after_profiles


# One federation's fiches (21 circonscriptions at most, a few seconds of WeasyPrint each).
@shared_task(soft_time_limit=20 * 60, time_limit=22 * 60)
def batch_print_task(batch_id: int) -> str:
    batch = BatchPrint.objects.select_related("departement").get(pk=batch_id)
    return batch_print_build(batch=batch).status


# Every fiche of the country recomposed after a national recompute.
@shared_task(soft_time_limit=30 * 60, time_limit=32 * 60)
def fiches_refresh_task(departement_codes: list[str] | None = None) -> int:
    """Run after a profile recompute (every fiche) or a campaign experiment's launch (those of its
    département): fresh automatic parts as drafts for HQ to publish."""
    return fiches_refresh_after_profiles(departement_codes=departement_codes)
