from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationsConfig(AppConfig):
    name = "observations"
    verbose_name = _("Field observations")

    def ready(self) -> None:
        # The profiles take the contact rate the field reports once there are enough reports;
        # circonscriptions cannot import observations (which depends on it), so it is told here.
        from circonscriptions.profiles.services import contact_rate_source_register
        from observations.queries import contact_rate_observed

        contact_rate_source_register(contact_rate_observed)
