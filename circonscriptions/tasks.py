from celery import shared_task

from circonscriptions.importers.uploads import import_upload_execute


@shared_task
def import_file_task(run_id: int) -> str:
    return import_upload_execute(run_id=run_id)
