from django.contrib import admin

from fiches.models import BatchPrint, Fiche, FicheVersion, FicheVersionRedaction
from hq.scoping import ScopedAdminMixin


@admin.register(Fiche)
class FicheAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "circonscription", "current_version", "draft_pending", "updated_at"]
    list_select_related = ["circonscription", "current_version"]
    search_fields = ["title", "circonscription__code"]
    # Territory choices would list thousands of rows; the fiche pages edit them.
    raw_id_fields = ["circonscription", "sector", "current_version"]
    readonly_fields = ["automatic", "automatic_at", "current_version", "created_by"]
    filter_horizontal = ["methods"]
    autocomplete_fields: list[str] = []


@admin.register(FicheVersion)
class FicheVersionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: a published version is a record, never edited."""

    list_display = ["title", "number", "fiche", "published_at", "published_by"]
    list_select_related = ["fiche", "published_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BatchPrint)
class BatchPrintAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["departement", "created_at", "status", "done", "total", "requested_by"]
    list_select_related = ["departement", "requested_by"]
    readonly_fields = ["summary", "error"]


@admin.register(FicheVersionRedaction)
class FicheVersionRedactionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Where erased quotes were removed from published versions: a record, never edited."""

    list_display = ("version", "redacted_at", "redacted_by", "reason")
    list_select_related = ("version", "redacted_by")
    readonly_fields = ("version", "quotes", "redacted_at", "redacted_by", "reason")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
