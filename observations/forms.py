"""The phone form of a fiche d'observation, and the filters of HQ's pages.

Errors are in French, next to the field they are about, and the input is kept
(a bound form re-rendered, or the same errors sent as JSON to the page's script).
"""

import re
import time
from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.forms import formset_factory
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from circonscriptions.models import Commune, PollingStation
from circonscriptions.stations import by_code, station_label
from hq.models import Cause, Method, Mission, Skill, User
from hq.scoping import departement_codes, scope_queryset
from observations.detector import EMAIL, PHONE
from observations.models import FREE_TEXT_MAX, MAX_COUNT, Reaction

# The wording a sympathiser agrees to, stored with their consent (hq.Supporter.consent_text).
SUPPORTER_CONSENT_TEXT = (
    "J'accepte que le parti conserve mon nom, mes coordonnées et mes compétences pour me recontacter "
    "au sujet de ses actions. Je peux à tout moment demander à les consulter ou à les faire effacer."
)

# Free texts describe the population in aggregate: an e-mail address or a phone number
# in them is about one person, and is refused. The patterns are the detector's (HQ's
# warnings on quotes), anchored so that a search costs time in proportion to the text's
# length: the former e-mail pattern, `[\w.+-]+@…`, retried its leading run from every
# letter of a text without "@" and took seconds on a few thousand characters.
IDENTIFYING = "Pas de coordonnées ici : décrivez la population dans son ensemble, jamais une personne."

COUNTS = ("doors_knocked", "doors_opened", "conversations", "interested", "leaflets")

# Methods and standard causes change a few times a year, in the admin; the form is sent
# hundreds of times a second at peak. Each web process keeps the two lists for a minute
# instead of asking PostgreSQL three times per submission (never Redis: the form must
# work with Redis down). An id missing from the list triggers one reload at once, so a
# method added in the admin is accepted immediately; a renamed one shows within a minute.
CATALOGUE_SECONDS = 60
_catalogue: dict = {"at": -CATALOGUE_SECONDS, "methods": [], "causes": [], "methods_ids": set(), "causes_ids": set()}


def catalogue(*, refresh: bool = False) -> dict:
    now = time.monotonic()
    if refresh or now - _catalogue["at"] > CATALOGUE_SECONDS:
        _catalogue["methods"] = list(Method.objects.values_list("pk", "name"))
        _catalogue["causes"] = list(Cause.objects.filter(is_standard=True).order_by("name").values_list("pk", "name"))
        for key in ("methods", "causes"):
            _catalogue[f"{key}_ids"] = {str(pk) for pk, _name in _catalogue[key]}
        _catalogue["at"] = now
    return _catalogue


def catalogue_forget() -> None:
    """The next form reads the catalogue again (after the methods or causes were replaced)."""
    _catalogue["at"] = -CATALOGUE_SECONDS


def _method_choices() -> list[tuple[int, str]]:
    return catalogue()["methods"]


def _cause_choices() -> list[tuple[int, str]]:
    return catalogue()["causes"]


class CatalogueChoiceMixin:
    """Validates against the cached catalogue, reloading it once for an id it does not know."""

    catalogue_key = ""

    def valid_value(self, value) -> bool:
        key = f"{self.catalogue_key}_ids"
        return str(value) in catalogue()[key] or str(value) in catalogue(refresh=True)[key]


class MethodField(CatalogueChoiceMixin, forms.TypedChoiceField):
    catalogue_key = "methods"


class CausesField(CatalogueChoiceMixin, forms.TypedMultipleChoiceField):
    catalogue_key = "causes"


def _no_contact_details(value: str) -> str:
    if len(value) > FREE_TEXT_MAX:  # the length error says what to fix; nothing to scan
        return value
    if EMAIL.search(value) or PHONE.search(value):
        raise forms.ValidationError(IDENTIFYING)
    return value


class CountField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            min_value=0,
            max_value=MAX_COUNT,
            error_messages={
                "invalid": "Entrez un nombre entier.",
                "min_value": "Pas de nombre négatif.",
                "max_value": f"Plus de {MAX_COUNT} ? Vérifiez le nombre.",
            },
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_COUNT, "placeholder": "0"}),
            **kwargs,
        )

    def clean(self, value):
        # An empty count is a zero: on a phone, nobody types 0 in five boxes.
        return super().clean(value) or 0


class IdsField(forms.Field):
    """A list of positive integer ids, from a multiple select or checkboxes; optional."""

    widget = forms.SelectMultiple

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            ids = sorted({int(v) for v in values if str(v).strip()})
        except (TypeError, ValueError):
            raise forms.ValidationError("Choix invalide.") from None
        if any(i <= 0 for i in ids):
            raise forms.ValidationError("Choix invalide.")
        return ids


class ObservationForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    # The mission this report is about, when opened from it (observations/missions.py).
    mission = forms.IntegerField(widget=forms.HiddenInput, required=False)
    action = forms.CharField(label=_("Action"), max_length=200, required=False)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    # Commune, polling stations and activists are ids (an INSEE code for the commune when the
    # user's scope is all of France), looked up in the user's scope once, in clean(): on a
    # busy evening no queryset is built for a list that nobody looks at.
    commune = forms.CharField(label=_("Commune"), required=False, max_length=12)
    polling_stations = IdsField(label=_("Polling stations"))
    method = MethodField(
        label=_("Method"), choices=_method_choices, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Quelle méthode ?", "invalid_choice": "Cette méthode n'existe plus."},
    )  # fmt: skip
    themes = CausesField(
        label=_("Themes of the action"), choices=_cause_choices, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    doors_knocked = CountField(label=_("Doors knocked"))
    doors_opened = CountField(label=_("Doors opened"))
    conversations = CountField(label=_("Conversations"))
    interested = CountField(label=_("People interested"))
    leaflets = CountField(label=_("Leaflets handed out"))
    activists = IdsField(label=_("Activists who took part"))
    reaction = forms.TypedChoiceField(
        label=_("How did people react?"), choices=Reaction.choices, coerce=int, widget=forms.RadioSelect
    )
    reaction_text = forms.CharField(
        label=_("In a few words"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=FREE_TEXT_MAX,
        validators=[_no_contact_details],
    )  # fmt: skip
    concerns = CausesField(
        label=_("Concerns that came up"), choices=_cause_choices, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    concerns_other = forms.CharField(
        label=_("Other concerns (separated by commas)"), max_length=400, required=False,
        validators=[_no_contact_details],
    )  # fmt: skip
    worked = forms.CharField(
        label=_("What worked"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=FREE_TEXT_MAX,
        validators=[_no_contact_details],
    )  # fmt: skip
    did_not_work = forms.CharField(
        label=_("What did not work"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        max_length=FREE_TEXT_MAX,
        validators=[_no_contact_details],
    )  # fmt: skip

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.national = departement_codes(user) is None
        if self.national:
            # All of France: a select of 35,000 communes is no use on a phone; type the INSEE code.
            self.fields["commune"].widget = forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "29019"})
            self.fields["activists"].widget = forms.SelectMultiple()
        else:
            self.fields["commune"].widget = forms.Select()
            self.fields["activists"].widget = forms.CheckboxSelectMultiple()
        self.fields["polling_stations"].widget = forms.SelectMultiple()
        # Callables: the lists are read when the form is rendered, never on a valid POST.
        self.fields["commune"].widget.choices = self._commune_choices
        self.fields["polling_stations"].widget.choices = self._station_choices
        self.fields["activists"].widget.choices = self._activist_choices

    def _communes(self) -> QuerySet:
        return scope_queryset(Commune.objects.all(), self.user)

    def _stations(self) -> QuerySet:
        return scope_queryset(PollingStation.objects.select_related("commune"), self.user)

    def _activists(self) -> QuerySet:
        members = User.objects.filter(membership__isnull=False, is_active=True).exclude(pk=self.user.pk)
        return scope_queryset(members, self.user)

    @property
    def has_colleagues(self) -> bool:
        return self._activists().exists()

    def _commune_choices(self) -> list[tuple[str, str]]:
        if self.national:
            return []
        return [("", "—")] + [(str(pk), name) for pk, name in self._communes().values_list("pk", "name")]

    def _station_choices(self) -> list[tuple[int, str]]:
        # The page's script fills the list for the chosen commune (or the position); without
        # a script, the stations of the commune of a form sent back with errors are offered.
        commune = self._find_commune(self.data.get("commune") if self.is_bound else self.initial.get("commune"))
        if commune is None:
            return []
        stations = self._stations().filter(commune=commune).order_by(*by_code())
        return [(s.pk, station_label(commune=commune.name, code=s.code, name=s.name, place=s.place)) for s in stations]

    def _activist_choices(self) -> list[tuple[int, str]]:
        return [(u.pk, str(u)) for u in self._activists().only("pk", "full_name", "email")]

    def _find_commune(self, raw) -> Commune | None:
        raw = str(raw or "").strip()
        if not raw:
            return None
        communes = self._communes().order_by()
        if self.national:
            return next(iter(communes.filter(code=raw.upper())[:1]), None)
        return next(iter(communes.filter(pk=int(raw))[:1]), None) if raw.isdigit() else None

    def clean_polling_stations(self) -> list[PollingStation]:
        ids = self.cleaned_data["polling_stations"]
        if not ids:
            return []
        stations = self._stations_by_id(ids)
        if len(stations) != len(ids):
            raise forms.ValidationError("Bureau de vote inconnu ou hors de votre territoire.")
        return stations

    def _stations_by_id(self, ids: list[int]) -> list[PollingStation]:
        """The stations of `ids` in the user's scope, with the fields of them and of their commune
        that the form and observation_submit read (not the geometries: nothing draws them here)."""
        fields = ("code", "name", "place", "circonscription_id", "commune__code", "commune__name")
        return list(self._stations().filter(pk__in=ids).only(*fields, "commune__departement_id").order_by())

    def _clean_commune(self, stations: list[PollingStation]) -> Commune | None:
        """The commune typed or chosen; that of the stations when it is the same (no query then)."""
        raw = str(self.cleaned_data.get("commune") or "").strip()
        if not raw:
            return None
        for station in stations:
            if raw in (str(station.commune_id), station.commune.code):
                return station.commune
        commune = self._find_commune(raw)
        if commune is None:
            self.add_error("commune", "Commune inconnue ou hors de votre territoire.")
        return commune

    def clean_activists(self) -> list[User]:
        ids = self.cleaned_data["activists"]
        if not ids:
            return []
        people = list(self._activists().filter(pk__in=ids))
        if len(people) != len(ids):
            raise forms.ValidationError("Ces militants ne sont pas de votre fédération.")
        return people

    def clean_mission(self) -> int | None:
        from observations.missions import mission_for_report

        pk = self.cleaned_data["mission"]
        if pk is None:
            return None
        if mission_for_report(self.user, pk) is None:
            raise forms.ValidationError("Cette mission n'est pas la vôtre : la fiche ne peut pas s'y rattacher.")
        return pk

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        if day < today - timedelta(days=366):
            raise forms.ValidationError("Plus d'un an ? Une observation se remplit après l'action : vérifiez la date.")
        return day

    def clean_concerns_other(self) -> list[str]:
        from observations.aggregates import normalise_concern

        raw = self.cleaned_data["concerns_other"]
        seen: list[str] = []
        for part in raw.replace(";", ",").split(","):
            concern = normalise_concern(part)[:80]
            if concern and concern not in seen:
                seen.append(concern)
        return seen

    def clean(self):
        data = super().clean()
        if "polling_stations" in data:
            data["commune"] = self._clean_commune(data["polling_stations"])
        commune, stations = data.get("commune"), data.get("polling_stations")
        if "commune" in data and "polling_stations" in data and not commune and not stations:
            self.add_error("commune", "Indiquez la commune, ou le bureau de vote (« utiliser ma position »).")
        if commune and stations:
            outside = [s for s in stations if s.commune_id != commune.pk]
            if outside:
                self.add_error("polling_stations", "Ces bureaux ne sont pas dans la commune choisie : " + ", ".join(
                    station_label(commune=s.commune.name, code=s.code, name=s.name, place=s.place) for s in outside
                ))  # fmt: skip
        if stations and len({s.commune.departement_id for s in stations}) > 1:
            self.add_error("polling_stations", "Une observation se fait dans un seul département.")
        knocked, opened = data.get("doors_knocked"), data.get("doors_opened")
        conversations, interested = data.get("conversations"), data.get("interested")
        if knocked is not None and opened is not None and opened > knocked:
            self.add_error(
                "doors_opened",
                f"{opened} portes ouvertes pour {knocked} frappées : pas plus d'ouvertes que de frappées.",
            )
        if knocked and opened is not None and conversations is not None and conversations > opened:
            self.add_error(
                "conversations",
                f"{conversations} conversations pour {opened} portes ouvertes : au porte-à-porte, "
                "pas plus de conversations que de portes ouvertes.",
            )
        if conversations is not None and interested is not None and interested > conversations:
            self.add_error(
                "interested",
                f"{interested} personnes intéressées pour {conversations} conversations : "
                "pas plus d'intéressés que de conversations.",
            )
        self._check_after_the_mission(data)
        return data

    def _check_after_the_mission(self, data: dict) -> None:
        """A mission's report tells what happened: it is dated on the mission's day or after."""
        if not data.get("mission") or not data.get("held_on"):
            return
        starts_at = Mission.objects.filter(pk=data["mission"]).values_list("starts_at", flat=True).first()
        if starts_at is None:
            return
        day = timezone.localtime(starts_at).date()
        if data["held_on"] < day:
            self.add_error(
                "held_on",
                f"La mission a lieu le {date_format(day, 'j F Y')} : son compte rendu se remplit ce jour-là ou après.",
            )


class SupporterForm(forms.Form):
    """A sympathiser met during the action who agrees to be contacted again; left empty, it is ignored."""

    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False, error_messages={"invalid": "Adresse e-mail invalide."})
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"), queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(label=SUPPORTER_CONSENT_TEXT, required=False)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not re.fullmatch(r"\+?[\d .-]{6,25}", phone):
            raise forms.ValidationError("Numéro de téléphone invalide.")
        return phone

    def clean(self):
        data = super().clean()
        if not any(data.get(k) for k in ("name", "email", "phone")):
            return data
        if not data.get("name"):
            self.add_error("name", "Le nom de la personne, s'il vous plaît.")
        if not data.get("email") and not data.get("phone"):
            self.add_error("phone", "Un téléphone ou un e-mail : c'est ce qu'elle accepte que nous gardions.")
        if not data.get("consent"):
            self.add_error("consent", "Sans son accord explicite, ne notez rien sur cette personne.")
        return data

    @property
    def is_filled(self) -> bool:
        return bool(getattr(self, "cleaned_data", None) and self.cleaned_data.get("name"))


SupporterFormSet = formset_factory(SupporterForm, extra=1, max_num=10, validate_max=True)


class ObservationFilterForm(forms.Form):
    """HQ's filters: territory, dates, method, theme. Every field is optional."""

    departement = forms.CharField(label=_("Département (code)"), required=False, max_length=3)
    circonscription = forms.CharField(label=_("Circonscription (code)"), required=False, max_length=6)
    commune = forms.CharField(label=_("Commune (INSEE code)"), required=False, max_length=5)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ModelChoiceField(label=_("Method"), queryset=Method.objects.all(), required=False)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Cause.objects.all(), required=False)
    # Set by the links of an observation's polling stations (what is known of that station).
    bureau = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "departement_code": d["departement"].strip().upper() or None,
            "circonscription_code": d["circonscription"].strip().upper() or None,
            "commune_code": d["commune"].strip().upper() or None,
            "date_from": d["date_from"],
            "date_to": d["date_to"],
            "method_id": d["method"].pk if d["method"] else None,
            "theme_id": d["theme"].pk if d["theme"] else None,
            "polling_station_id": d["bureau"],
        }
