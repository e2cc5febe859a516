"""Admin of observations and of the sympathisers met in the field (scoped by hq.scoping).

Supporter is an hq model registered here because the observation form is what creates
them; its consent wording and date are read-only: nobody may change what a person agreed to.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hq.audit import AuditedAdminMixin
from hq.models import Supporter
from hq.scoping import ScopedAdminMixin, scope_for, scope_queryset
from hq.services import supporters_consent_renew
from observations.models import Observation


@admin.register(Observation)
class ObservationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("held_on", "departement", "commune", "method", "doors_knocked", "conversations", "reaction")
    list_filter = ("method", "reaction", "held_on")
    list_select_related = ("departement", "commune", "method")
    date_hierarchy = "held_on"
    raw_id_fields = ("commune", "circonscription", "polling_stations", "activists", "supporters", "filed_by")
    readonly_fields = ("idempotency_key", "created_at")


@admin.register(Supporter)
class SupporterAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    audit_person_kind = "supporter"
    list_display = (
        "name", "phone", "email", "federation", "followup_status", "met_on_mission", "consent_at", "consent_renewed_at",
    )  # fmt: skip
    list_filter = ("followup_status",)
    actions = ["consent_renewed"]
    list_select_related = ("federation", "met_on_mission")
    raw_id_fields = ("met_on_mission",)
    search_fields = ("name", "email", "phone")
    filter_horizontal = ("skills",)
    readonly_fields = ("consent_text", "consent_at", "consent_renewed_at", "added_by", "created_at")

    @admin.action(description=_("They gave their consent again today (renewal)"))
    def consent_renewed(self, request, queryset) -> None:
        # Only rows this HQ may change: the scoped queryset, write access checked.
        if not scope_for(request.user).can_write_territory:
            raise PermissionDenied
        count = supporters_consent_renew(supporters=scope_queryset(queryset, request.user, write=True))
        self.message_user(request, _("Consent renewed for %(count)d sympathisers.") % {"count": count})

    def has_add_permission(self, request):
        # A sympathiser comes from the field, with their consent: never typed in by hand here.
        return False
