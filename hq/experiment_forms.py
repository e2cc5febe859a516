"""Forms of the campaign experiments: declaring a campaign, drawing the controls.

The form parses and names what is wrong next to each field, in French; the rules (a control
share strictly between 0 and 100 %, a campaign that ends after it starts, N within range,
at least two bureaux per stratum) live in hq.experiments, whose errors come back to the
same fields.
"""

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from circonscriptions.models import Circonscription, Election, PollingStation, PollingStationResult
from hq.experiments import MAX_TARGETS, experiment_errors
from hq.models import EXPERIMENT_TEXT_CAPS, Federation, Method, StrataKind, User
from hq.scoping import scope_for, scope_queryset

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
MAX_LIST_CHARS = 40_000


def parse_station_list(raw: str, *, departement_code: str | None) -> list[int]:
    """One bureau per line, « 29019 12 » (commune INSEE code, bureau number) → polling station ids.

    Unknown lines, and bureaux outside the HQ's département, are named in the error.
    """
    wanted: list[tuple[str, str]] = []
    for line in raw.splitlines():
        parts = line.replace(";", " ").replace(",", " ").replace("_", " ").replace("-", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise forms.ValidationError(
                f"« {line.strip()[:40]} » : écrivez le code INSEE de la commune puis le numéro du bureau (29019 12)."
            )
        wanted.append((parts[0], PollingStation.normalise_code(parts[1])))
    if len(wanted) > MAX_TARGETS:
        raise forms.ValidationError(f"Au plus {MAX_TARGETS} bureaux.")
    found: dict[tuple[str, str], int] = {}
    communes = {commune for commune, _code in wanted}
    stations = PollingStation.objects.filter(commune__code__in=communes)
    if departement_code is not None:
        stations = stations.filter(commune__departement__code=departement_code)
    for pk, commune, code in stations.values_list("pk", "commune__code", "code"):
        found[(commune, PollingStation.normalise_code(code))] = pk
    missing = [f"{commune} {code}" for commune, code in wanted if (commune, code) not in found]
    if missing:
        raise forms.ValidationError(
            f"Bureau(x) inconnu(s) ou hors de votre fédération : {', '.join(missing[:5])}"
            + (" …" if len(missing) > 5 else "")
            + "."
        )
    return list(dict.fromkeys(found[key] for key in wanted))


class ExperimentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=EXPERIMENT_TEXT_CAPS["description"], required=False, widget=forms.Textarea
    )
    method = forms.ModelChoiceField(label=_("Method tested"), queryset=Method.objects.order_by("position", "name"))
    baseline_election = forms.ModelChoiceField(
        label=_("Baseline election"),
        queryset=Election.objects.none(),
        help_text=_("The effect is measured as the change from this election, in each bureau."),
    )
    federation = forms.ModelChoiceField(label=_("Federation"), queryset=Federation.objects.none(), required=False)
    circonscription = forms.ModelChoiceField(
        label=_("Or a circonscription"), queryset=Circonscription.objects.none(), required=False
    )
    top = forms.IntegerField(
        label=_("Number of priority bureaux"),
        required=False,
        initial=100,
        help_text=_("The best bureaux of the federation or circonscription in the current priorities."),
    )
    stations = forms.CharField(
        label=_("Or a list of bureaux"),
        required=False,
        max_length=MAX_LIST_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: the commune's INSEE code and the bureau's number, for example 29019 12."),
    )
    control_share = forms.FloatField(
        label=_("Share of bureaux held back as controls (%)"),
        initial=20,
        help_text=_("Drawn at random within each stratum; 20 % is usual."),
    )
    strata_kind = forms.ChoiceField(
        label=_("Strata"), choices=StrataKind.choices, initial=StrataKind.TYPE_CIRCONSCRIPTION, widget=forms.RadioSelect
    )
    starts_on = forms.DateField(label=_("Campaign starts on"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    ends_on = forms.DateField(label=_("Campaign ends on"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        scope = scope_for(user)
        self.fields["federation"].queryset = scope_queryset(
            Federation.objects.select_related("departement"), user, write=True
        )
        circos = Circonscription.objects.select_related("departement").order_by("code")
        if not scope.is_national:
            circos = circos.filter(departement__code=scope.departement_code)
        self.fields["circonscription"].queryset = circos
        with_results = PollingStationResult.objects.filter(election=OuterRef("pk"))
        # A simulated election (the demo's made-up outcome) is no baseline: results QG fabricated
        # would be what a real campaign is measured against.
        self.fields["baseline_election"].queryset = Election.objects.filter(
            Exists(with_results), simulated=False
        ).order_by("-year", "-date", "round")
        if not scope.is_national:
            self.fields["federation"].initial = self.fields["federation"].queryset.first()

    def clean_control_share(self) -> float:
        percent = self.cleaned_data["control_share"]
        errors = experiment_errors(control_share=percent / 100, starts_on=None, ends_on=None, top=None, has_list=True)
        if errors:
            raise forms.ValidationError(errors["control_share"])
        return percent / 100

    def clean_stations(self) -> list[int] | None:
        raw = self.cleaned_data.get("stations", "").strip()
        if not raw:
            return None
        return parse_station_list(raw, departement_code=scope_for(self.user).departement_code)

    def clean(self) -> dict:
        data = super().clean()
        has_list = data.get("stations") is not None or bool(self.errors.get("stations"))
        if not has_list and not data.get("federation") and not data.get("circonscription"):
            if "federation" not in self.errors:
                self.add_error("federation", "Choisissez une fédération, une circonscription ou une liste de bureaux.")
        elif not data.get("federation") and not data.get("circonscription") and not scope_for(self.user).is_national:
            if "federation" not in self.errors:
                self.add_error(
                    "federation",
                    "Choisissez votre fédération : seul le QG national déclare une campagne sans fédération.",
                )
        errors = experiment_errors(
            control_share=None,
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            top=data.get("top"),
            has_list=has_list,
        )
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data


class DrawForm(forms.Form):
    seed = forms.IntegerField(
        label=_("Seed (empty: a new one)"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("The same seed gives the same draw: give a recorded seed to reproduce it."),
    )
