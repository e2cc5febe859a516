"""Forms of the fiches: the choices offered are already scoped to what the user may change."""

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from circonscriptions.models import Circonscription, Election, PollingStation, PollingStationResult
from circonscriptions.stations import by_code
from fiches.models import Fiche
from hq.models import LocalIssue, Method
from hq.scoping import scope_queryset
from observations.evaluation import election_title


class FicheCreateForm(forms.Form):
    circonscription = forms.ModelChoiceField(
        label=_("Circonscription"),
        queryset=Circonscription.objects.none(),
        to_field_name="code",
        error_messages={
            "required": "Choisissez la circonscription de la fiche.",
            "invalid_choice": "Cette circonscription n'existe pas ou n'est pas dans votre fédération.",
        },
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Left empty: « Fiche militante — code name ».")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circonscription"].queryset = scope_queryset(
            Circonscription.objects.select_related("departement"), user, write=True
        )


class FicheEditForm(forms.ModelForm):
    sector = forms.ModelMultipleChoiceField(
        label=_("Sector (polling stations)"),
        queryset=PollingStation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the whole circonscription."),
    )

    class Meta:
        model = Fiche
        fields = ["title", "local_issues", "methods", "targeting_notes", "free_text"]
        widgets = {
            "local_issues": forms.CheckboxSelectMultiple,
            "methods": forms.CheckboxSelectMultiple,
            "targeting_notes": forms.Textarea(attrs={"rows": 4}),
            "free_text": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "methods": _("None ticked: the catalogue's methods that suit this territory."),
            "free_text": _("Blank lines separate paragraphs; ![caption](/media/…) inserts one of the site's images."),
        }
        error_messages = {"title": {"required": "Donnez un titre à la fiche."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        circo = self.instance.circonscription
        self.fields["local_issues"].queryset = (
            LocalIssue.objects.filter(departement_id=circo.departement_id)
            .filter(Q(circonscription__isnull=True) | Q(circonscription=circo))
            .filter(Q(commune__isnull=True) | Q(commune__circonscriptions=circo))
            .distinct()
            .order_by("title")
        )
        self.fields["methods"].queryset = Method.objects.order_by("position", "name")
        self.fields["sector"].queryset = (
            PollingStation.objects.filter(circonscription=circo)
            .select_related("commune")
            .order_by("commune__name", *by_code())  # bureau 2 before bureau 10 (circonscriptions.stations)
        )
        if not self.is_bound:
            self.initial["sector"] = list(self.instance.sector.values_list("pk", flat=True))

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if len(title) < 3:
            raise forms.ValidationError("Le titre doit faire au moins 3 caractères.")
        return title


class LocalIssueForm(forms.ModelForm):
    """A new « enjeu local » written from a fiche: attached to the fiche's circonscription."""

    class Meta:
        model = LocalIssue
        fields = ["title", "description", "causes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "causes": forms.CheckboxSelectMultiple}
        error_messages = {"title": {"required": "Donnez un titre à l'enjeu local."}}

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if len(title) < 3:
            raise forms.ValidationError("Le titre de l'enjeu doit faire au moins 3 caractères.")
        return title


def outcome_election_choices(experiment) -> QuerySet:
    """Elections held after the experiment's baseline, with results in at least one of its bureaux."""
    baseline = experiment.baseline_election
    later = Q(year__gt=baseline.year)
    if baseline.date:
        later = Q(date__gt=baseline.date) | Q(date__isnull=True, year__gt=baseline.year)
    results = PollingStationResult.objects.filter(
        election=OuterRef("pk"), polling_station__experiment_assignments__experiment=experiment
    )
    return Election.objects.filter(later).filter(Exists(results)).order_by("-date", "-year", "slug")


class EstimateForm(forms.Form):
    outcome_election = forms.ModelChoiceField(
        label=_("Outcome election"),
        queryset=Election.objects.none(),
        to_field_name="slug",
        help_text=_("An election after the baseline whose results by polling station are loaded."),
        error_messages={
            "required": "Choisissez l'élection qui mesure l'effet de la campagne.",
            "invalid_choice": (
                "Cette élection n'est pas postérieure à l'élection de référence, ou ses résultats par bureau "
                "ne sont pas chargés pour les bureaux de la campagne."
            ),
        },
    )

    def __init__(self, *args, experiment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome_election"].queryset = outcome_election_choices(experiment)
        self.fields["outcome_election"].label_from_instance = election_label


def election_label(election) -> str:
    """« Législatives 2027 (simulée), 10/02/2027 »: a simulated election says so in the list."""
    return f"{election_title(election)}{f', {election.date:%d/%m/%Y}' if election.date else ''}"


class UseEffectForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("persuasion", "persuasion"), ("mobilisation", "mobilisation")],
        error_messages={
            "invalid_choice": "Choisissez la persuasion ou la mobilisation.",
            "required": "Choisissez la persuasion ou la mobilisation.",
        },
    )
