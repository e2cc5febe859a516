"""Celery tasks of the fiches: thin, they take ids and call a service."""

from celery import shared_task

from fiches.models import BatchPrint
from fiches.services import batch_print_build, fiches_refresh_after_profiles, fiches_withdraw_controls
from hq.models import User


# One federation's fiches (21 circonscriptions at most, a few seconds of WeasyPrint each).
@shared_task(soft_time_limit=20 * 60, time_limit=22 * 60)
def batch_print_task(batch_id: int) -> str:
    batch = BatchPrint.objects.select_related("departement").get(pk=batch_id)
    return batch_print_build(batch=batch).status


# Every fiche of the country recomposed after a national recompute.
@shared_task(soft_time_limit=30 * 60, time_limit=32 * 60)
def fiches_refresh_task(departement_codes: list[str] | None = None) -> int:
    """Run after a profile recompute (every fiche): fresh automatic parts as drafts for HQ to publish."""
    return fiches_refresh_after_profiles(departement_codes=departement_codes)


# The fiches of a département (or of the country for a national campaign), each recomposed and
# some printed again (a few seconds of WeasyPrint each).
@shared_task(soft_time_limit=30 * 60, time_limit=32 * 60)
def fiches_after_experiment_launch_task(departement_codes: list[str] | None, launched_by_id: int | None) -> dict:
    """Run after a campaign experiment's launch: the territory's drafts are recomposed without the
    control bureaux, and every published fiche that still sends activists to one gets a new
    version without them at once (published in the name of the HQ member who launched)."""
    refreshed = fiches_refresh_after_profiles(departement_codes=departement_codes)
    by = User.objects.filter(pk=launched_by_id).first() if launched_by_id else None
    return {"refreshed": refreshed, **fiches_withdraw_controls(departement_codes=departement_codes, by=by)}
