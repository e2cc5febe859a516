from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationsConfig(AppConfig):
    name = "observations"
    verbose_name = _("Field observations")

    def ready(self) -> None:
        from hq import signals
        from observations import privacy

        signals.person_export_requested.connect(privacy.export_sections, dispatch_uid="observations-export")
        signals.person_erasing.connect(privacy.person_erasing, dispatch_uid="observations-erasing")
        signals.retention_purging.connect(privacy.retention_purging, dispatch_uid="observations-retention")
