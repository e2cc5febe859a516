from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CirconscriptionsConfig(AppConfig):
    name = "circonscriptions"
    verbose_name = _("Territory and elections")

    def ready(self) -> None:
        name_relations_after_their_model()


QG_APPS = ("circonscriptions", "hq", "observations", "fiches")


def name_relations_after_their_model() -> None:
    """A relation declared without a name of its own (`region = ForeignKey(Region, …)`) is named
    by Django after its attribute, in English and untranslated: the admin said « Par region »
    and « Election ». It takes the translated name of the model it points to instead
    (« Par région », « Élection »). Only the label changes, at start-up: the field's declaration
    (and so the migrations) stay as written."""
    for model in apps.get_models():
        if model._meta.app_label not in QG_APPS:
            continue
        for field in model._meta.get_fields():
            if not (field.concrete and (field.many_to_one or field.one_to_one)):
                continue
            # Only a relation named as its model (`election`, `polling_station`): `parent` or
            # `filed_by` keep theirs.
            named_as_model = field.name.replace("_", "") == field.related_model._meta.model_name
            if named_as_model and field.verbose_name == field.name.replace("_", " "):
                field.verbose_name = field.related_model._meta.verbose_name
