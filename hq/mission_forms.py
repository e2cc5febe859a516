"""Forms of the missions: the activist's profile, a mission, missions in bulk from the priorities.

Forms parse and name what is wrong next to each field; the rules themselves (a slot in the
future, a team of at least one, a meeting point in France) live in hq.missions and are
applied here through `mission_errors`, so that the page and the service say the same.
"""

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from circonscriptions.models import Circonscription, Commune, PollingStation, PollingStationProfile
from circonscriptions.stations import by_code
from hq.experiments import control_station_ids
from hq.missions import in_france, mission_errors
from hq.models import (
    MISSION_TEXT_CAPS,
    Availability,
    Cause,
    Federation,
    FollowupStatus,
    Method,
    Mission,
    Section,
    Skill,
    Transport,
)
from hq.signals import fiche_known

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
NO_SUCH_FICHE = "Aucune fiche de votre fédération ne porte ce numéro."


def parse_coordinates(raw: str) -> Point | None:
    """« 48.39, -4.49 » (latitude, longitude; a decimal comma is accepted with a semicolon) → a point."""
    raw = (raw or "").strip()
    if not raw:
        return None
    parts = raw.split(";") if ";" in raw else raw.split(",")
    try:
        lat, lon = (float(part.strip().replace(",", ".")) for part in parts)
    except ValueError:
        raise forms.ValidationError(
            _("Write the latitude then the longitude, separated by a comma (for example 48.39, -4.49).")
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise forms.ValidationError(_("A latitude is between -90 and 90, a longitude between -180 and 180."))
    return Point(lon, lat, srid=4326)


class CoordinatesField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("help_text", _("Latitude, longitude, for example 48.39, -4.49."))
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_coordinates(super().clean(value))


def _coordinates_text(point) -> str:
    return f"{point.y:.5f}, {point.x:.5f}" if point is not None else ""


class ActivistProfileForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(
        label=_("Your skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Professional or associative: what you know from the inside."),
    )
    free_skills = forms.CharField(
        label=_("Other skills"),
        required=False,
        max_length=300,
        help_text=_("Not in the list? Write them separated by commas (« postier, aide-soignante »)."),
    )
    causes = forms.ModelMultipleChoiceField(
        label=_("Causes you follow"),
        queryset=Cause.objects.filter(is_standard=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    home_section = forms.ModelChoiceField(label=_("Home section"), queryset=None, required=False)
    home_commune = forms.ModelChoiceField(label=_("Home commune"), queryset=None, required=False)
    home_coordinates = CoordinatesField(label=_("Where you leave from (optional)"))
    availability = forms.MultipleChoiceField(
        label=_("When you are available"),
        choices=Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    transport = forms.ChoiceField(label=_("How you travel"), choices=Transport.choices, widget=forms.RadioSelect)
    car_seats = forms.IntegerField(label=_("Free seats in your car"), min_value=0, max_value=8, initial=0)
    max_distance_km = forms.IntegerField(label=_("How far you will go (km)"), min_value=1, max_value=300, initial=20)
    consent = forms.BooleanField(
        label=_("I agree to the text above."),
        error_messages={"required": _("Tick the box to agree: without your consent your profile is not kept.")},
    )

    def __init__(self, *args, federation: Federation | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if federation is not None:
            self.fields["home_section"].queryset = federation.sections.all()
            self.fields["home_commune"].queryset = Commune.objects.filter(
                departement_id=federation.departement_id, kind=Commune.Kind.COMMUNE
            ).order_by("name")
        else:
            self.fields["home_section"].queryset = Section.objects.none()
            self.fields["home_commune"].queryset = Commune.objects.none()

    def clean_free_skills(self) -> list[str]:
        names = [" ".join(name.split()) for name in self.cleaned_data["free_skills"].split(",") if name.strip()]
        too_long = next((name for name in names if len(name) > 60), None)
        if too_long is not None:
            # Cut silently, the end of what the member typed would be lost.
            raise forms.ValidationError(
                f"« {too_long[:30]}… » : une compétence tient en 60 caractères ; séparez-les par des virgules."
            )
        if len(names) > 10:
            raise forms.ValidationError(_("Ten other skills at most: the list is for HQ to read."))
        return names

    def clean(self) -> dict:
        data = super().clean()
        home = data.get("home_coordinates")
        if home is not None and not in_france(home):
            self.add_error("home_coordinates", _("This point is not in France: check the latitude and longitude."))
        if data.get("transport") != Transport.CAR:
            data["car_seats"] = 0
        return data

    @staticmethod
    def initial_for(profile) -> dict:
        if profile is None:
            return {"transport": Transport.PUBLIC, "max_distance_km": 20, "car_seats": 0}
        return {
            "skills": list(profile.skills.all()),
            "free_skills": ", ".join(profile.free_skills),
            "causes": list(profile.causes.all()),
            "home_section": profile.home_section_id,
            "home_commune": profile.home_commune_id,
            "home_coordinates": _coordinates_text(profile.home_location),
            "availability": profile.availability,
            "transport": profile.transport,
            "car_seats": profile.car_seats,
            "max_distance_km": profile.max_distance_km,
        }


class _SlotAndTeam(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS)
    capacity_min = forms.IntegerField(label=_("Minimum team"), initial=2)
    capacity_max = forms.IntegerField(label=_("Maximum team"), initial=6)
    cause = forms.ModelChoiceField(label=_("Theme or cause"), queryset=Cause.objects.all(), required=False)
    open_to_other_federations = forms.BooleanField(label=_("Open to activists of other federations"), required=False)

    def _check_rules(self, data: dict, meeting_location=None) -> None:
        errors = mission_errors(
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            capacity_min=data.get("capacity_min"),
            capacity_max=data.get("capacity_max"),
            meeting_location=meeting_location,
        )
        for name, message in errors.items():
            self.add_error(name, message)


class MissionForm(_SlotAndTeam):
    field_order = ["title", "method", "cause", "skills_wanted", "polling_stations", "starts_at", "ends_at"]

    title = forms.CharField(label=_("Title"), max_length=200)
    method = forms.ModelChoiceField(label=_("Method"), queryset=Method.objects.all())
    skills_wanted = forms.ModelMultipleChoiceField(
        label=_("Skills wanted"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("« Preferably carers » for a hospital campaign: those activists see it first."),
    )
    polling_stations = forms.ModelMultipleChoiceField(
        label=_("Priority polling stations"),
        queryset=PollingStation.objects.none(),
        required=False,
        help_text=_("The federation's best bureaux in the current priorities; none for a mission at a point."),
    )
    meeting_point = forms.CharField(label=_("Meeting point"), max_length=200, required=False)
    meeting_coordinates = CoordinatesField(label=_("Meeting point on the map"))
    description = forms.CharField(
        label=_("Description"), max_length=MISSION_TEXT_CAPS["description"], required=False, widget=forms.Textarea
    )
    fiche_id = forms.IntegerField(
        label=_("Number of the fiche to bring"),
        required=False,
        min_value=1,
        # The column's largest number: beyond it no fiche can exist.
        max_value=2**31 - 1,
        error_messages={"max_value": NO_SUCH_FICHE, "min_value": NO_SUCH_FICHE},
    )

    def __init__(self, *args, federation: Federation, hq: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        best = (
            PollingStationProfile.objects.current()
            .filter(polling_station__commune__departement_id=federation.departement_id, rank_departement__isnull=False)
            .order_by("rank_departement")
            .values("polling_station_id")[:80]
        )
        stations = (
            PollingStation.objects.filter(pk__in=best)
            .select_related("commune")
            .order_by("commune__name", *by_code())  # bureau 2 before bureau 10 (circonscriptions.stations)
        )
        if not hq:
            # Activists are never offered the control bureaux of a running campaign experiment, nor told of them;
            # HQ sees them and is told why it may not choose them (mission_create).
            stations = stations.exclude(pk__in=control_station_ids())
        self.fields["polling_stations"].queryset = stations
        self.federation = federation

    def clean_fiche_id(self) -> int | None:
        number = self.cleaned_data.get("fiche_id")
        # The fiches live above hq: they answer whether the number is one of this federation's.
        answers = fiche_known.send(sender=Mission, fiche_id=number, federation=self.federation) if number else []
        if answers and not any(known for _receiver, known in answers):
            raise forms.ValidationError(NO_SUCH_FICHE)
        return number

    def clean(self) -> dict:
        data = super().clean()
        self._check_rules(data, data.get("meeting_coordinates"))
        if (
            not data.get("polling_stations")
            and data.get("meeting_coordinates") is None
            and "meeting_coordinates" not in self.errors
        ):
            self.add_error(
                "meeting_coordinates",
                _("Choose priority polling stations or place the meeting point on the map: a mission needs a place."),
            )
        return data


class BulkMissionForm(_SlotAndTeam):
    field_order = ["circonscription", "top", "group_m"]

    circonscription = forms.ModelChoiceField(label=_("Circonscription"), queryset=Circonscription.objects.none())
    top = forms.IntegerField(label=_("Number of priority bureaux"), min_value=1, max_value=50, initial=10)
    group_m = forms.IntegerField(
        label=_("Group bureaux closer than (metres)"),
        min_value=0,
        max_value=3000,
        initial=0,
        help_text=_("0: one mission per bureau."),
    )

    def __init__(self, *args, federation: Federation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["circonscription"].queryset = Circonscription.objects.filter(
            departement_id=federation.departement_id
        ).order_by("number")

    def clean(self) -> dict:
        data = super().clean()
        self._check_rules(data)
        return data


class FollowupForm(forms.Form):
    status = forms.ChoiceField(label=_("Follow-up"), choices=FollowupStatus.choices)


class SkillMergeForm(forms.Form):
    name = forms.CharField(max_length=60)
    into = forms.ModelChoiceField(label=_("Catalogue skill"), queryset=Skill.objects.all())
