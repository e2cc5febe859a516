"""The form of a ride (an offer of seats or a request) and HQ's assignment form.

Errors are French sentences next to the field they are about; the input is kept.
"""

from datetime import timedelta

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from hq.models import RideKind
from hq.ride_services import RideData

# A ride leaves on the mission's day, or the evening before for a long way.
MAX_HOURS_BEFORE = 24
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RideForm(forms.Form):
    kind = forms.ChoiceField(label=_("I…"), choices=RideKind.choices, widget=forms.RadioSelect)
    place = forms.CharField(
        label=_("Pick-up place"), max_length=200, error_messages={"required": "Où partez-vous ? (rue, place, gare…)"}
    )
    point = forms.CharField(
        label=_("Position (latitude, longitude)"),
        max_length=60,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "48.390, -4.486"}),
        error_messages={"required": "Donnez la position (ou « utiliser ma position »)."},
    )
    leaves_at = forms.DateTimeField(
        label=_("Leaving at / ready at"), widget=DATETIME, error_messages={"invalid": "Date et heure invalides."}
    )
    latest_at = forms.DateTimeField(
        label=_("At the latest (riders)"),
        widget=DATETIME,
        required=False,
        error_messages={"invalid": "Date et heure invalides."},
    )
    seats = forms.IntegerField(
        label=_("Free seats (drivers)"),
        min_value=0,
        max_value=8,
        required=False,
        error_messages={"max_value": "Huit places au plus.", "min_value": "Pas de nombre négatif."},
    )
    detour_km = forms.IntegerField(
        label=_("Detour accepted, km (drivers)"),
        min_value=1,
        max_value=100,
        initial=10,
        required=False,
        error_messages={"max_value": "Cent kilomètres au plus.", "min_value": "Au moins un kilomètre."},
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission

    def clean_point(self) -> Point:
        raw = self.cleaned_data["point"].replace(";", ",")
        parts = [p.strip() for p in raw.split(",")]
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            raise forms.ValidationError("Écrivez la latitude puis la longitude, séparées par une virgule.") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise forms.ValidationError("Latitude entre -90 et 90, longitude entre -180 et 180.")
        return Point(lon, lat, srid=4326)

    def clean(self):
        data = super().clean()
        kind, leaves, latest = data.get("kind"), data.get("leaves_at"), data.get("latest_at")
        if kind == RideKind.OFFER and not data.get("seats"):
            self.add_error("seats", "Combien de places libres ? Au moins une.")
        if leaves and leaves > self.mission.starts_at:
            self.add_error("leaves_at", "Ce départ est après le début de la mission.")
        elif leaves and leaves < self.mission.starts_at - timedelta(hours=MAX_HOURS_BEFORE):
            # A mistyped date (year 0001, last year) would put the car on another day than the mission's.
            self.add_error(
                "leaves_at", "Ce départ est plus d'un jour avant la mission : vérifiez la date (jour, mois, année)."
            )
        if leaves and latest and latest < leaves:
            self.add_error("latest_at", "L'heure limite est avant l'heure de départ.")
        return data

    def ride_data(self) -> RideData:
        d = self.cleaned_data
        return RideData(
            kind=d["kind"],
            place=d["place"].strip(),
            location=d["point"],
            leaves_at=d["leaves_at"],
            latest_at=d.get("latest_at"),
            seats=d.get("seats") or 0,
            detour_km=d.get("detour_km") or 10,
        )


class AssignForm(forms.Form):
    rider = forms.IntegerField(widget=forms.HiddenInput)
    driver = forms.TypedChoiceField(label=_("Driver"), coerce=int, error_messages={"invalid_choice": "Choix invalide."})

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["driver"].choices = [
            (car["offer"].pk, f"{car['offer'].user} — {car['offer'].place} ({car['free']} place(s))") for car in offers
        ]
