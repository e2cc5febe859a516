"""Celery task of the profiles: thin, takes nothing, calls the service (beat runs it at 03:00 Europe/Paris)."""

from celery import shared_task

from circonscriptions.profile_services import profiles_recompute


@shared_task
def profiles_recompute_task() -> int:
    return profiles_recompute(by="celery").pk
