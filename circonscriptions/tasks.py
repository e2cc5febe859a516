from celery import shared_task

from circonscriptions.importers.uploads import import_runs_abandoned_close, import_upload_execute


# A national file (every bureau of France, or the bureaux' contours) takes minutes, not an hour.
@shared_task(soft_time_limit=45 * 60, time_limit=50 * 60)
def import_file_task(run_id: int) -> str:
    return import_upload_execute(run_id=run_id)


@shared_task
def import_runs_abandoned_close_task() -> int:
    return import_runs_abandoned_close()
