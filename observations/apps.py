from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationsConfig(AppConfig):
    name = "observations"
    verbose_name = _("Field observations")

    def ready(self) -> None:
        # The profiles take the contact rate the field reports once there are enough reports;
        # circonscriptions cannot import observations (which depends on it), so it is told here.
        from circonscriptions.profiles.services import contact_rate_source_register
        from hq import signals
        from observations import privacy
        from observations.queries import contact_rate_observed

        contact_rate_source_register(contact_rate_observed)
        # People's rights (hq.privacy): what observations hold about a person, and its erasure.

        signals.person_export_requested.connect(privacy.export_sections, dispatch_uid="observations-export")
        signals.person_erasing.connect(privacy.person_erasing, dispatch_uid="observations-erasing")
        signals.retention_purging.connect(privacy.retention_purging, dispatch_uid="observations-retention")
