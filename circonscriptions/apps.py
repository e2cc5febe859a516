from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirconscriptionsConfig(AppConfig):
    name = "circonscriptions"
    verbose_name = _("Territory and elections")
