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
        from hq.signals import experiment_conflicts, experiment_started, fiche_known, person_export_requested
        from observations.signals import observation_texts_erasing

        person_export_requested.connect(privacy.export_sections, dispatch_uid="fiches-export")
        observation_texts_erasing.connect(privacy.observation_texts_erasing, dispatch_uid="fiches-redact-quotes")
        experiment_started.connect(_refresh_after_experiment, dispatch_uid="fiches-refresh-after-experiment")
        experiment_conflicts.connect(_published_in_controls, dispatch_uid="fiches-published-in-controls")
        fiche_known.connect(_fiche_known, dispatch_uid="fiches-known")


def _refresh_after_profiles(sender, run, queue=None, **kwargs) -> None:
    """New profiles give every fiche fresh automatic parts, as drafts for HQ to publish (in a worker)."""
    from fiches.tasks import fiches_refresh_task

    fiches_refresh_task.apply_async(queue=queue)


def _refresh_after_experiment(sender, experiment, by=None, **kwargs) -> None:
    """A launched campaign holds back its control bureaux: the fiches of its territory get drafts
    without them, and the published ones that target a control a new version without it (in a worker)."""
    from fiches.tasks import fiches_after_experiment_launch_task

    codes = [experiment.federation.departement.code] if experiment.federation_id else None
    fiches_after_experiment_launch_task.delay(departement_codes=codes, launched_by_id=by.pk if by else None)


def _published_in_controls(sender, experiment, station_ids, **kwargs) -> list[dict]:
    """The experiment's page asks which published fiches still send activists to its controls."""
    from fiches.queries import published_fiches_targeting

    code = experiment.federation.departement.code if experiment.federation_id else None
    return published_fiches_targeting(set(station_ids), departement_code=code)


def _fiche_known(sender, fiche_id, federation, **kwargs) -> bool:
    """The mission form asks whether its « fiche to bring » is one of the federation's fiches."""
    from fiches.models import Fiche

    return Fiche.objects.filter(pk=fiche_id, circonscription__departement_id=federation.departement_id).exists()
