"""Admin of the territory, elections, indicators and imports, for HQ analysts.

Territorial lists go through the scoping rule (ScopedAdminMixin). Lists never load
geometries (they live in the *Shape tables); a change page draws its territory's
simplified shape with Leaflet, without tiles unless MAP_TILE_URL is set.
The ImportRun admin carries the "import a file" page, its progress bar and the small
JSON endpoint the bar polls. The Election admin carries the page where a national HQ
analyst sets the nuance of each candidate or list by name.
"""

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from circonscriptions import blocs
from circonscriptions.importers import registry
from circonscriptions.importers.base import Problem, progress_key
from circonscriptions.importers.guards import upload_size_refusal
from circonscriptions.importers.uploads import import_upload_start
from circonscriptions.models import (
    CandidateNuance,
    Canton,
    CantonShape,
    Circonscription,
    CirconscriptionResult,
    CirconscriptionShape,
    Commune,
    CommuneShape,
    Departement,
    DepartementShape,
    Election,
    FormerCommuneCode,
    ImportRun,
    IndicatorValue,
    IndicatorVariable,
    Nuance,
    PollingStation,
    PollingStationResult,
    PollingStationShape,
    Region,
)
from circonscriptions.nuance_services import candidate_nuance_set, election_candidates
from circonscriptions.profiles import admin as profile_admin  # noqa: F401 — registers the profile models
from hq.scoping import ScopedAdminMixin, scope_for

# The nuances page lists the most voted names; a search finds the others.
NUANCE_PAGE_LIMIT = 500

MAP_MEDIA = forms.Media(
    js=["leaflet/leaflet.js", "circonscriptions/admin/shape_map.js"],
    css={"all": ["leaflet/leaflet.css", "circonscriptions/admin/shape_map.css"]},
)


def shape_map_html(shape) -> str:
    """A Leaflet map of `shape` (its simplified geometry), or a note that there is none."""
    if shape is None:
        return _("No shape imported.")
    geom = shape.geom_simple or shape.geom
    tiles = settings.LEAFLET_CONFIG.get("TILES") or []
    url, attribution = (tiles[0][1], tiles[0][2].get("attribution", "")) if tiles else ("", "")
    return format_html(
        '<div class="qg-shape-map" '
        'data-geojson="{}" data-tiles="{}" data-attribution="{}"></div><p class="help">{}</p>',
        geom.geojson,
        url,
        attribution,
        _("Source: {source}").format(source=shape.source or "—"),
    )


class ShapeMapMixin:
    """A read-only map on the change page; `shape_model` and `shape_fk` name the shape table."""

    shape_model = None
    shape_fk = ""

    @property
    def media(self):
        return super().media + MAP_MEDIA

    @admin.display(description=_("map"))
    def shape_map(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return shape_map_html(self.shape_model.objects.filter(**{self.shape_fk: obj}).first())

    @admin.display(boolean=True, description=_("shape"))
    def has_shape(self, obj):
        return obj.has_shape

    def get_queryset(self, request):
        shapes = self.shape_model.objects.filter(**{self.shape_fk: OuterRef("pk")})
        return super().get_queryset(request).annotate(has_shape=Exists(shapes))


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Departement)
class DepartementAdmin(ShapeMapMixin, ScopedAdminMixin, admin.ModelAdmin):
    shape_model, shape_fk = DepartementShape, "departement"
    list_display = ("code", "name", "region", "has_shape")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("code", "name")
    readonly_fields = ("shape_map",)


@admin.register(Circonscription)
class CirconscriptionAdmin(ShapeMapMixin, ScopedAdminMixin, admin.ModelAdmin):
    shape_model, shape_fk = CirconscriptionShape, "circonscription"
    list_display = ("code", "name", "departement", "number", "has_shape")
    list_filter = ("departement__region", "departement")
    list_select_related = ("departement",)
    search_fields = ("code", "name", "departement__name")
    readonly_fields = ("communes_list", "shape_map")

    @admin.display(description=_("communes"))
    def communes_list(self, obj):
        communes = obj.communes.order_by("code").only("code", "name") if obj.pk else []
        return format_html_join(", ", "{} ({})", ((c.name, c.code) for c in communes)) or "—"


@admin.register(Canton)
class CantonAdmin(ShapeMapMixin, ScopedAdminMixin, admin.ModelAdmin):
    shape_model, shape_fk = CantonShape, "canton"
    list_display = ("code", "name", "departement", "has_shape")
    list_filter = ("departement",)
    list_select_related = ("departement",)
    search_fields = ("code", "name")
    readonly_fields = ("shape_map",)


class FormerCodeInline(admin.TabularInline):
    model = FormerCommuneCode
    extra = 0
    fields = ("code",)
    verbose_name_plural = _("former INSEE codes")


@admin.register(Commune)
class CommuneAdmin(ShapeMapMixin, ScopedAdminMixin, admin.ModelAdmin):
    shape_model, shape_fk = CommuneShape, "commune"
    list_display = ("code", "name", "kind", "departement", "population", "has_shape")
    list_filter = ("kind", "departement")
    list_select_related = ("departement",)
    search_fields = ("code", "name", "former_codes__code")
    autocomplete_fields = ("parent", "circonscriptions")
    readonly_fields = ("shape_map",)
    inlines = [FormerCodeInline]


@admin.register(PollingStation)
class PollingStationAdmin(ShapeMapMixin, ScopedAdminMixin, admin.ModelAdmin):
    shape_model, shape_fk = PollingStationShape, "polling_station"
    list_display = ("commune", "code", "place", "circonscription", "has_shape")
    list_filter = ("commune__departement", ("circonscription", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("commune", "circonscription", "circonscription__departement")
    # Bureaux 1, 2, … 10 of each commune, not 1, 10, 100, 2.
    ordering = ("commune__code", Length("code").asc(), "code")  # as circonscriptions.stations.by_code
    search_fields = ("code", "place", "name", "commune__name", "commune__code")
    autocomplete_fields = ("commune", "circonscription")
    readonly_fields = ("shape_map",)
    exclude = ("location",)


def may_set_nuances(request: HttpRequest) -> bool:
    """Nuances are national data (one per election, for the whole country): national HQ only."""
    return request.user.is_staff and scope_for(request.user).is_national


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    """Elections; from each one, a page where a national HQ analyst sets the nuance of its
    candidates and lists by name (circonscriptions/nuance_services.py)."""

    list_display = ("slug", "kind", "year", "round", "date", "candidate_nuances_link")
    list_filter = ("kind", "year")
    search_fields = ("slug",)
    readonly_fields = ("candidate_nuances_link",)

    @admin.display(description=_("nuances of candidates and lists"))
    def candidate_nuances_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:circonscriptions_election_nuances", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Set the nuances of candidates and lists"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/nuances/", view(self.nuances_view), name="circonscriptions_election_nuances"),
            *super().get_urls(),
        ]

    def nuances_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not may_set_nuances(request):
            raise PermissionDenied
        election = get_object_or_404(Election, pk=pk)
        if request.method == "POST":
            return self._nuances_save(request, election)
        search = request.GET.get("q", "")
        listing = election_candidates(election, search=search, limit=NUANCE_PAGE_LIMIT)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Nuances of candidates and lists: {election}").format(election=election),
            "opts": self.model._meta,
            "election": election,
            "listing": listing,
            "search": search,
            "limit": NUANCE_PAGE_LIMIT,
            "unknown": blocs.UNKNOWN_NUANCE,
        }
        return TemplateResponse(request, "admin/circonscriptions/election/candidate_nuances.html", context)

    def _nuances_save(self, request: HttpRequest, election: Election) -> HttpResponse:
        """Each row whose code changed is set on its own: a bad code is refused with its
        name and reason, the other rows are saved."""
        changed = 0
        for key, value in request.POST.items():
            if not key.startswith("code-"):
                continue
            row = key.removeprefix("code-")
            candidate = request.POST.get(f"candidate-{row}", "")
            if value.strip().upper() == request.POST.get(f"current-{row}", "").strip().upper():
                continue
            try:
                candidate_nuance_set(election=election, candidate=candidate, code=value, by=request.user.email)
            except ValidationError as error:
                messages.error(request, f"{candidate} : {' '.join(error.messages)}")
            else:
                changed += 1
        if changed:
            messages.success(
                request,
                _("{count} candidate(s) or list(s) given a new nuance; the profiles will be recomputed.").format(
                    count=changed
                ),
            )
        return redirect(request.get_full_path())


@admin.register(Nuance)
class NuanceAdmin(admin.ModelAdmin):
    """HQ analysts map each election's nuance codes to a bloc, right in the list."""

    list_display = ("code", "label", "election", "bloc")
    list_editable = ("bloc",)
    list_filter = ("election", "bloc")
    list_select_related = ("election",)
    search_fields = ("code", "label")


@admin.register(CandidateNuance)
class CandidateNuanceAdmin(admin.ModelAdmin):
    """The nuances analysts chose by name: set from each election's page (they relabel the
    votes), listed here to see who chose what and when."""

    list_display = ("candidate", "code", "election", "set_by", "set_at")
    list_filter = ("election",)
    list_select_related = ("election",)
    search_fields = ("candidate", "code")

    def has_add_permission(self, request):
        return False  # through the election's « nuances of candidates and lists » page, which relabels the votes

    def has_change_permission(self, request, obj=None):
        return False


class ResultAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display_links = None
    readonly_fields = ("registered", "voters", "abstentions", "blank", "null", "expressed")

    def has_add_permission(self, request):
        return False  # results come from imports only

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PollingStationResult)
class PollingStationResultAdmin(ResultAdmin):
    list_display = ("election", "polling_station", "registered", "voters", "expressed")
    list_filter = ("election", "polling_station__commune__departement")
    list_select_related = ("election", "polling_station__commune")
    search_fields = ("polling_station__commune__name", "polling_station__commune__code", "polling_station__code")


@admin.register(CirconscriptionResult)
class CirconscriptionResultAdmin(ResultAdmin):
    list_display = ("election", "circonscription", "registered", "voters", "expressed")
    list_filter = ("election", "circonscription__departement")
    list_select_related = ("election", "circonscription__departement")
    search_fields = ("circonscription__code", "circonscription__name")


@admin.register(IndicatorVariable)
class IndicatorVariableAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "source", "origin")
    list_filter = ("source",)
    search_fields = ("code", "label")


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ("variable", "level", "territory_code", "vintage", "value")
    list_filter = ("level", "vintage", "variable__source")
    list_select_related = ("variable",)
    search_fields = ("territory_code", "variable__code", "variable__label")
    autocomplete_fields = ("variable",)
    show_full_result_count = False  # tens of thousands of rows: skip the extra count


def problems_html(errors: list[dict]) -> str:
    lines = _problem_lines(errors)
    if not lines:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))


def may_import(request: HttpRequest) -> bool:
    """Imports change national data: national HQ only."""
    return request.user.is_staff and scope_for(request.user).is_national


class ImportKindFilter(admin.SimpleListFilter):
    """The kinds of import by their French names (« Contours », not "boundaries")."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.kind, kind.label) for kind in registry.kinds().values()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("id", "kind_label", "file_name", "status", "rows", "started_by", "started_at", "finished_at")
    list_filter = ("status", ImportKindFilter)
    search_fields = ("file_name", "started_by", "checksum")
    date_hierarchy = "started_at"

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj: ImportRun) -> str:
        return obj.kind_label

    readonly_fields = (
        "kind_label",
        "file_name",
        "upload",
        "checksum",
        "election",
        "options_display",
        "started_by",
        "started_at",
        "finished_at",
        "status",
        "rows",
        "progress",
        "summary_display",
        "errors_display",
    )
    exclude = ("options", "summary", "errors")

    def has_add_permission(self, request):
        return False  # runs are made by imports (see the "import a file" page)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("options"))
    def options_display(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.options, ensure_ascii=False, indent=1))

    @admin.display(description=_("summary"))
    def summary_display(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.summary, ensure_ascii=False, indent=1))

    @admin.display(description=_("errors"))
    def errors_display(self, obj):
        return problems_html(obj.errors)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="circonscriptions_importrun_upload"),
            path("upload/<str:kind>/", view(self.upload_kind_view), name="circonscriptions_importrun_upload_kind"),
            path("<int:pk>/progress/", view(self.progress_view), name="circonscriptions_importrun_progress"),
            path("<int:pk>/progress.json", view(self.progress_json), name="circonscriptions_importrun_progress_json"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": may_import(request)}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not may_import(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a file"),
            "opts": self.model._meta,
            "kinds": registry.kinds().values(),
        }
        return TemplateResponse(request, "admin/circonscriptions/importrun/upload.html", context)

    def upload_kind_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        if not may_import(request):
            raise PermissionDenied
        try:
            spec = registry.get(kind)
        except KeyError:
            raise Http404 from None
        form = upload_form(spec, data=request.POST or None, files=request.FILES or None)
        if request.method == "POST" and form.is_valid():
            options = {k: v for k, v in form.cleaned_data.items() if k != "file" and v not in (None, "")}
            run = import_upload_start(
                kind=kind, upload=form.cleaned_data.get("file"), options=options, by=request.user.email
            )
            messages.info(request, _("The import is queued; this page follows it."))
            return redirect("admin:circonscriptions_importrun_progress", pk=run.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": spec.label,
            "opts": self.model._meta,
            "form": form,
            "spec": spec,
        }
        return TemplateResponse(request, "admin/circonscriptions/importrun/upload_kind.html", context)

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(ImportRun, pk=pk)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import n°{pk}").format(pk=run.pk),
            "opts": self.model._meta,
            "run": run,
            "poll_url": reverse("admin:circonscriptions_importrun_progress_json", args=[run.pk]),
            "run_url": reverse("admin:circonscriptions_importrun_change", args=[run.pk]),
        }
        return TemplateResponse(request, "admin/circonscriptions/importrun/progress.html", context)

    def progress_json(self, request: HttpRequest, pk: int) -> JsonResponse:
        run = get_object_or_404(ImportRun, pk=pk)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return JsonResponse(import_progress(run))


def import_progress(run: ImportRun) -> dict:
    """What the progress bar shows: the cache's live figure while running, the run's record after."""
    from django.core.cache import cache

    finished = run.status not in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
    if run.status == ImportRun.Status.RUNNING:
        live = cache.get(progress_key(run.pk)) or {}
        percent, step = int(live.get("percent", run.progress)), live.get("step", "")
    elif run.status == ImportRun.Status.QUEUED:
        percent, step = 0, "en attente d'un worker Celery"
    else:
        percent, step = 100, ""
    errors = [str(line) for line in _problem_lines(run.errors)]
    return {
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "finished": finished,
        "percent": percent,
        "step": step,
        "rows": run.rows,
        "errors": errors,
        "summary": run.summary,
    }


def _problem_lines(errors: list[dict]) -> list[str]:
    lines = []
    for error in errors or []:
        lines.append(
            str(
                Problem(
                    message=error.get("message", ""),
                    line=error.get("line"),
                    column=error.get("column"),
                    value=error.get("value"),
                )
            )
        )
    return lines


def upload_size_validate(upload) -> None:
    """Over QG_IMPORT_MAX_UPLOAD_BYTES, the form is refused before the file is stored."""
    refusal = upload_size_refusal(upload.size)
    if refusal:
        raise ValidationError(refusal)


def upload_form(spec: registry.ImportKind, **kwargs) -> forms.Form:
    fields: dict[str, forms.Field] = {}
    if spec.needs_file:
        fields["file"] = forms.FileField(label=_("File"), validators=[upload_size_validate])
    fields.update(spec.fields())
    form_class = type("ImportUploadForm", (forms.Form,), fields)
    return form_class(**kwargs)
