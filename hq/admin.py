"""The admin of people and organisation, scoped by hq.scoping.ScopedAdminMixin.

A federal HQ member (staff, group « QG fédéral ») sees and changes only their own
département's sections, members and invitations; what grants power (superuser,
staff status, groups, permissions, the national HQ role) is reserved to superusers.

Missions, their sign-ups, rides and the activists' profiles are read here (scoped, lists of
people logged); they are created and changed on QG's own pages, whose services apply the
rules the admin would skip (a slot to come, the capacity under a lock, seats never exceeded,
a profile changed by its member only).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hq.audit import AuditedAdminMixin
from hq.models import (
    ActivistProfile,
    AuditEntry,
    Cause,
    ErasureRequest,
    Federation,
    Invitation,
    LocalIssue,
    Membership,
    Method,
    Mission,
    MissionSignup,
    RetentionRun,
    RetentionSettings,
    Ride,
    Role,
    Section,
    Skill,
    User,
)
from hq.scoping import ScopedAdminMixin, scope_for
from hq.services import hq_staff_grant, hq_staff_revoke

POWER_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


class MembershipInline(admin.StackedInline):
    model = Membership
    fk_name = "user"
    can_delete = False
    extra = 0
    fields = ("role", "federation", "section", "consent_text", "consent_at")
    readonly_fields = ("consent_text", "consent_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(AuditedAdminMixin, ScopedAdminMixin, DjangoUserAdmin):
    audit_person_kind = "member"
    ordering = ("email",)
    list_display = ("email", "full_name", "membership_role", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "membership__role")
    search_fields = ("email", "full_name")
    list_select_related = ("membership",)
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("full_name",)}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ("groups", "user_permissions")

    @admin.display(description=_("role"), ordering="membership__role")
    def membership_role(self, obj: User) -> str:
        membership = getattr(obj, "membership", None)
        return membership.get_role_display() if membership else "—"

    def get_readonly_fields(self, request, obj=None):
        readonly = ("last_login", "date_joined")
        return readonly if request.user.is_superuser else readonly + POWER_FIELDS


class RoleLimitMixin:
    """Only superusers may hand out the national HQ role."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [choice for choice in Role.choices if choice[0] != Role.NATIONAL_HQ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(Federation)
class FederationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "departement")
    search_fields = ("name", "departement__code", "departement__name")
    list_select_related = ("departement",)

    def get_readonly_fields(self, request, obj=None):
        # A federation's département is set once, by the national HQ.
        return () if request.user.is_superuser else ("departement",)

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Section)
class SectionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "federation")
    list_filter = ("federation",)
    search_fields = ("name",)
    list_select_related = ("federation",)
    filter_horizontal = ("communes",)

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ()


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, RoleLimitMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "role", "federation", "section", "consent_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user", "federation", "section")
    readonly_fields = ("user", "consent_text", "consent_at")

    def has_add_permission(self, request) -> bool:
        # Members join by invitation: the membership is created when they accept it.
        return False

    def save_model(self, request, obj: Membership, form, change) -> None:
        super().save_model(request, obj, form, change)
        # A role changed here changes the admin access that goes with it.
        if obj.role in (Role.NATIONAL_HQ, Role.FEDERAL_HQ):
            hq_staff_grant(user=obj.user, role=obj.role)
        else:
            hq_staff_revoke(user=obj.user)


@admin.register(Invitation)
class InvitationAdmin(RoleLimitMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("email", "role", "federation", "section", "created_at", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email",)
    list_select_related = ("federation", "section")
    readonly_fields = (
        "email",
        "role",
        "federation",
        "section",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
    )

    def has_add_permission(self, request) -> bool:
        # Invitations are sent from the federation's page, which e-mails the link.
        return False


# The catalogue is national: national HQ edits it, federations read it (group permissions).
@admin.register(Method)
class MethodAdmin(admin.ModelAdmin):
    list_display = ("name", "summary", "position")
    list_editable = ("position",)
    search_fields = ("name", "summary", "script", "evidence")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    list_display = ("name", "is_standard")
    list_filter = ("is_standard",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(LocalIssue)
class LocalIssueAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "departement", "circonscription", "commune", "updated_at")
    list_select_related = ("departement", "circonscription", "commune")
    search_fields = ("title", "description")
    autocomplete_fields = ("commune",)
    filter_horizontal = ("causes",)
    readonly_fields = ("author", "created_at", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)


# --- People's rights, audit log, retention ---------------------------------------------


class NationalOnlyMixin:
    """Readable by national HQ only; nobody adds, changes or deletes (rows are written by QG itself)."""

    def has_module_permission(self, request) -> bool:
        return scope_for(request.user).is_national

    def has_view_permission(self, request, obj=None) -> bool:
        return scope_for(request.user).is_national

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(NationalOnlyMixin, admin.ModelAdmin):
    """The audit log: national HQ filters it by person (kind and id), actor, action and date."""

    list_display = ("at", "actor_email", "actor_role", "action", "page", "target", "person_kind", "person_id", "reason")
    list_filter = ("action", "person_kind", "actor_role", ("at", admin.DateFieldListFilter))
    # "=42" finds the entries about person 42 (or actor 42); words search the actor, page and target.
    search_fields = ("=person_id", "=actor_id", "actor_email", "page", "target", "reason")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    show_full_result_count = False

    def get_actions(self, request):
        return {}


@admin.register(RetentionRun)
class RetentionRunAdmin(NationalOnlyMixin, admin.ModelAdmin):
    list_display = (
        "started_at",
        "trigger",
        "supporters_deleted",
        "observation_texts_cleared",
        "fiche_versions_redacted",
        "sessions_deleted",
        "finished_at",
    )
    readonly_fields = [f.name for f in RetentionRun._meta.fields]

    def get_actions(self, request):
        return {}


@admin.register(RetentionSettings)
class RetentionSettingsAdmin(admin.ModelAdmin):
    """The retention periods: one row, changed by national HQ only."""

    list_display = ("__str__", "supporter_consent_years", "observation_text_years", "updated_at")

    def has_module_permission(self, request) -> bool:
        return scope_for(request.user).is_national

    def has_view_permission(self, request, obj=None) -> bool:
        return scope_for(request.user).is_national

    def has_change_permission(self, request, obj=None) -> bool:
        return scope_for(request.user).is_national

    def has_add_permission(self, request) -> bool:
        return scope_for(request.user).is_national and not RetentionSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        RetentionSettings.load()  # the row exists from the first visit on
        return super().get_queryset(request)


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Requests are executed from the person's page (hq:person), which asks why and logs it."""

    list_display = ("requested_at", "user", "federation", "status", "handled_at")
    list_filter = ("status",)
    list_select_related = ("user", "federation")
    readonly_fields = ("user", "federation", "requested_at", "reason", "status", "handled_at", "handled_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Missions, sign-ups, rides, activists' profiles (issue 11) ---------------------------


class ReadOnlyAdminMixin:
    """Rows written by QG's own pages and their services: read here, never added, changed or deleted."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Mission)
class MissionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """HQ corrects a mission's words here (title, description, meeting point, organiser, who may
    join). The slot, the team size, the place and the status are changed on the mission's pages
    (hq:missions_federation), whose services check them and tell the people signed up."""

    list_display = ("title", "starts_at", "federation", "method", "status", "seats_taken", "capacity_max")
    list_filter = ("status", "method", "open_to_other_federations")
    list_select_related = ("federation", "method")
    search_fields = ("title", "description", "meeting_point")
    date_hierarchy = "starts_at"
    fields = (
        "title",
        "description",
        "federation",
        "method",
        "cause",
        "skills_wanted",
        "circonscription",
        "polling_stations",
        "meeting_point",
        "starts_at",
        "ends_at",
        "capacity_min",
        "capacity_max",
        "seats_taken",
        "status",
        "open_to_other_federations",
        "organiser",
        "fiche_id",
        "created_by",
        "created_at",
    )
    readonly_fields = (
        "federation",
        "method",
        "circonscription",
        "polling_stations",
        "starts_at",
        "ends_at",
        "capacity_min",
        "capacity_max",
        "seats_taken",
        "status",
        "fiche_id",
        "created_by",
        "created_at",
    )
    filter_horizontal = ("skills_wanted",)
    raw_id_fields = ("organiser",)

    def view_on_site(self, obj: Mission) -> str:
        return reverse("hq:mission_detail", kwargs={"pk": obj.pk})

    def has_add_permission(self, request) -> bool:
        # Created on the federation's missions page (one by one or from the priorities).
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Cancelled on its page: the sign-ups and rides stay on record.
        return False


@admin.register(MissionSignup)
class MissionSignupAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("mission", "user", "status", "position", "created_at", "reminded_at")
    list_filter = ("status",)
    list_select_related = ("mission", "user")
    search_fields = ("mission__title", "user__email", "user__full_name")


@admin.register(Ride)
class RideAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("mission", "user", "kind", "place", "leaves_at", "seats", "driver")
    list_filter = ("kind",)
    list_select_related = ("mission", "user", "driver__user")
    search_fields = ("mission__title", "user__email", "user__full_name", "place")


@admin.register(ActivistProfile)
class ActivistProfileAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """What a member said they bring; only they change it (their page, with their consent)."""

    list_display = ("user", "home_section", "home_commune", "transport", "car_seats", "max_distance_km", "updated_at")
    list_filter = ("transport",)
    list_select_related = ("user", "home_section", "home_commune")
    search_fields = ("user__email", "user__full_name", "free_skills")
