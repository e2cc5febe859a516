from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FichesConfig(AppConfig):
    name = "fiches"
    verbose_name = _("Fiches militantes")

    def ready(self) -> None:
        from circonscriptions.profiles.signals import profiles_computed

        profiles_computed.connect(_refresh_after_profiles, dispatch_uid="fiches-refresh-after-profiles")

        # The parameters page says which campaign experiment measured a persuasion or
        # mobilisation effect the national HQ took for the priorities (issue 13, item 4).
        from circonscriptions.profiles.services import parameter_source_register
        from hq.experiment_learning import parameter_sources

        parameter_source_register(parameter_sources)

        from fiches import privacy
        from hq.signals import person_export_requested
        from observations.signals import observation_texts_erasing

        person_export_requested.connect(privacy.export_sections, dispatch_uid="fiches-export")
        observation_texts_erasing.connect(privacy.observation_texts_erasing, dispatch_uid="fiches-redact-quotes")


def _refresh_after_profiles(sender, run, queue=None, **kwargs) -> None:
    """New profiles give every fiche fresh automatic parts, as drafts for HQ to publish (in a worker)."""
    from fiches.tasks import fiches_refresh_task

    fiches_refresh_task.apply_async(queue=queue)
