"""Admin of the voter profiles: the parameters HQ analysts set, and the record of the runs.

Registered from circonscriptions/admin.py (`from circonscriptions.profiles import admin`),
because Django's admin only discovers modules named admin.py.
"""

from dataclasses import fields

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from circonscriptions.models import ProfileRun, ProfileSettings
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.services import profiles_recompute_later
from hq.scoping import scope_for


class ProfileSettingsForm(forms.ModelForm):
    class Meta:
        model = ProfileSettings
        fields = [f.name for f in fields(ProfileParameters)]

    def clean(self):
        data = super().clean()
        # Each message is in French and names the setting; it is shown next to that field. A field
        # Django already refused (empty, not a number) is checked with its default, and said once.
        for name, message in ProfileParameters.from_dict(data).problems():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(ProfileSettings)
class ProfileSettingsAdmin(admin.ModelAdmin):
    """One row of national parameters: only a national HQ changes them; saving queues a recompute."""

    form = ProfileSettingsForm

    fieldsets = [
        (_("Elections and their weight"), {"fields": ["half_life_years", "first_rounds_only"]}),
        (_("Leaning"), {"fields": ["leaning_margin", "margin_sd_floor"]}),
        (_("Abstention hotspots"), {"fields": ["hotspot_z", "hotspot_min_group"]}),
        (
            _("Priority: door-to-door assumptions"),
            {
                "fields": [
                    "doors_per_hour",
                    "contact_rate",
                    "mobilisation_effect",
                    "persuasion_effect",
                    "persuasion_effect_low",
                    "persuasion_effect_high",
                    "mobilisation_effect_low",
                    "mobilisation_effect_high",
                    "activist_hours",
                    "contact_rate_min_reports",
                ]
            },
        ),
        (_("Data quality"), {"fields": ["unlabelled_threshold", "redistricting_threshold", "margin_sd_scale"]}),
        (
            _("Profile types"),
            {"fields": ["max_types", "min_type_size", "type_distinct_delta", "kmeans_seed", "kmeans_starts"]},
        ),
    ]
    list_display = ["__str__", "half_life_years", "leaning_margin", "hotspot_z", "doors_per_hour", "updated_at"]

    def has_add_permission(self, request):
        return not ProfileSettings.objects.exists() and self._national(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return self._national(request) and super().has_change_permission(request, obj)

    def get_queryset(self, request):
        ProfileSettings.load()  # the row exists from the first visit on
        return super().get_queryset(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        profiles_recompute_later()
        self.message_user(request, _("Saved: the profiles will be recomputed with these parameters in a moment."))

    @staticmethod
    def _national(request) -> bool:
        return scope_for(request.user).is_national


@admin.register(ProfileRun)
class ProfileRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "is_current", "stations", "seconds", "started_by"]
    list_filter = ["status", "is_current"]
    readonly_fields = [*(f.name for f in ProfileRun._meta.fields), "sources_used"]

    @admin.display(description=_("where the figures used came from"))
    def sources_used(self, obj: ProfileRun) -> str:
        """One line per figure: its value and the French sentence that says where it came from."""
        items = sorted((obj.sources or {}).items())
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li><code>{}</code> = {} : {}</li>", ((k, v.get("value"), v.get("source")) for k, v in items)
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
