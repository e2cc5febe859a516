"""Pages of the fiches: thin views; objects come through fiches.queries (hq.scoping underneath)."""

import io
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circonscriptions.models import Circonscription, Departement
from fiches.forms import FicheCreateForm, FicheEditForm, LocalIssueForm
from fiches.models import BatchPrint, Fiche, FicheVersion
from fiches.queries import (
    batch_print_for_user,
    fiche_for_user,
    fiche_version_for_user,
    fiches_for_user,
    may_edit_fiches,
)
from fiches.services import (
    batch_print_request,
    fiche_create,
    fiche_preview,
    fiche_publish,
    fiche_update,
    fiche_version_pdf_bytes,
    local_issue_create,
)
from fiches.svgmap import LEGEND_TITLE, NUMBERED_NOTE, leaning_legend
from hq.electoral_law import ElectoralSilenceError
from hq.experiments import control_lines
from hq.models import Role
from hq.scoping import get_for_user, scope_for, scope_queryset

PRINTING_ROLES = {Role.NATIONAL_HQ, Role.FEDERAL_HQ, Role.SECRETARY}


def _tiles() -> dict | None:
    tiles = settings.LEAFLET_CONFIG.get("TILES") or []
    if not tiles:
        return None
    _name, url, options = tiles[0]
    return {"url": url, "attribution": options.get("attribution", "")}


def _page(request: HttpRequest, *, fiche: Fiche, content: dict, body, version: FicheVersion | None) -> HttpResponse:
    if version is not None:
        # A version's HTML was rendered by our own templates (analysts' text escaped) when published.
        body = mark_safe(version.html)  # noqa: S308
    can_edit = may_edit_fiches(request.user)
    return render(
        request,
        "fiches/fiche_page.html",
        {
            "fiche": fiche,
            "version": version,
            "body": body,
            "map_data": content["map"],
            "map_style": {"title": LEGEND_TITLE, "leanings": leaning_legend(), "numbered": NUMBERED_NOTE},
            "tiles": _tiles(),
            "can_edit": can_edit,
            # HQ only: which bureaux of the territory are left out of the targets, and why.
            "held_back": control_lines(
                list(fiche.sector.values_list("pk", flat=True))
                or fiche.circonscription.polling_stations.values_list("pk", flat=True)
            )
            if can_edit
            else [],
            "share_url": request.build_absolute_uri(reverse("fiches:detail", kwargs={"pk": fiche.pk})),
        },
    )


# QG stores a circonscription's code as its département then its number on two digits
# ('2902', '2A01', '97101'): anything else in an address is a typo, not an unknown place.
CIRCONSCRIPTION_CODE = re.compile(r"(\d{2}|2[AB]|9[78]\d)\d{2}")


def _circonscription_filter(request: HttpRequest) -> tuple[Circonscription | None, str, int]:
    """(circonscription, error, status) of `?circonscription=<code>`: 400 for a malformed code,
    404 for one unknown or outside the reader's territory (the same answer for both)."""
    raw = request.GET.get("circonscription", "")
    if not raw.strip():
        return None, "", 200
    code = raw.strip().upper()
    if not CIRCONSCRIPTION_CODE.fullmatch(code):
        return (
            None,
            f"« {raw[:12]} » n'est pas un code de circonscription : le numéro du département puis celui "
            "de la circonscription sur deux chiffres, par exemple 2902.",
            400,
        )
    circonscription = scope_queryset(Circonscription.objects.all(), request.user).filter(code=code).first()
    if circonscription is None:
        return None, f"Circonscription {code} inconnue ou hors de votre territoire.", 404
    return circonscription, "", 200


@login_required
def fiche_list(request: HttpRequest) -> HttpResponse:
    """The fiches the reader may see; `?circonscription=2902` keeps those of one circonscription
    (the links of the missions and of the campaign page)."""
    circonscription, error, status = _circonscription_filter(request)
    fiches = fiches_for_user(request.user).for_listing()
    if circonscription is not None:
        fiches = fiches.filter(circonscription=circonscription)
    elif error:
        fiches = fiches.none()
    return render(
        request,
        "fiches/fiche_list.html",
        {
            "fiches": fiches,
            "circonscription": circonscription,
            "filter_error": error,
            "can_edit": may_edit_fiches(request.user),
            "can_print": scope_for(request.user).role in PRINTING_ROLES,
        },
        status=status,
    )


@login_required
def fiche_new(request: HttpRequest) -> HttpResponse:
    if not may_edit_fiches(request.user):
        raise PermissionDenied
    form = FicheCreateForm(request.POST or None, user=request.user, initial=request.GET)
    if request.method == "POST" and form.is_valid():
        fiche = fiche_create(
            circonscription=form.cleaned_data["circonscription"], title=form.cleaned_data["title"], by=request.user
        )
        messages.success(request, _("Draft created from the data: add local issues and methods, then publish."))
        return redirect("fiches:edit", pk=fiche.pk)
    return render(request, "fiches/fiche_new.html", {"form": form})


@login_required
def fiche_edit(request: HttpRequest, pk: int) -> HttpResponse:
    fiche = fiche_for_user(request.user, pk, write=True)
    form = FicheEditForm(request.POST or None, instance=fiche)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fiche_update(
            fiche=fiche,
            title=data["title"],
            local_issues=data["local_issues"],
            methods=data["methods"],
            free_text=data["free_text"],
            targeting_notes=data["targeting_notes"],
            station_ids=[s.pk for s in data["sector"]],
        )
        messages.success(request, _("Draft saved. Check the preview before publishing."))
        return redirect("fiches:preview", pk=fiche.pk)
    return render(request, "fiches/fiche_edit.html", {"fiche": fiche, "form": form, "issue_form": LocalIssueForm()})


@login_required
def local_issue_new(request: HttpRequest, pk: int) -> HttpResponse:
    fiche = fiche_for_user(request.user, pk, write=True)
    issue_form = LocalIssueForm(request.POST or None)
    if request.method == "POST" and issue_form.is_valid():
        data = issue_form.cleaned_data
        local_issue_create(
            fiche=fiche, title=data["title"], description=data["description"], causes=data["causes"], by=request.user
        )
        messages.success(request, _("Local issue added to the fiche."))
        return redirect("fiches:edit", pk=fiche.pk)
    form = FicheEditForm(instance=fiche)
    return render(request, "fiches/fiche_edit.html", {"fiche": fiche, "form": form, "issue_form": issue_form})


@login_required
def fiche_preview_page(request: HttpRequest, pk: int) -> HttpResponse:
    fiche = fiche_for_user(request.user, pk, write=True)
    content, body = fiche_preview(fiche=fiche)
    return _page(request, fiche=fiche, content=content, body=body, version=None)


@login_required
@require_POST
def fiche_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    fiche = fiche_for_user(request.user, pk, write=True)
    try:
        version = fiche_publish(fiche=fiche, by=request.user)
    except ElectoralSilenceError as refusal:
        messages.error(request, str(refusal))
        return redirect("fiches:preview", pk=fiche.pk)
    messages.success(
        request,
        _("Version %(n)s published; the activists of the federation are told by e-mail.") % {"n": version.number},
    )
    return redirect("fiches:detail", pk=fiche.pk)


@login_required
def fiche_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The shareable page: the current published version (HQ is sent to the draft until there is one)."""
    fiche = fiche_for_user(request.user, pk)
    version = fiche.current_version
    if version is None:
        return redirect("fiches:preview", pk=fiche.pk)
    return _page(request, fiche=fiche, content=version.content, body=version.html, version=version)


def _pdf_response(version: FicheVersion) -> FileResponse:
    # A version whose quotes were redacted has its PDF printed again on first demand.
    return FileResponse(
        io.BytesIO(fiche_version_pdf_bytes(version=version)),
        content_type="application/pdf",
        filename=f"fiche-{version.fiche_id}-v{version.number}.pdf",
    )


@login_required
def fiche_pdf(request: HttpRequest, pk: int) -> FileResponse:
    fiche = fiche_for_user(request.user, pk)
    if fiche.current_version is None:
        raise Http404
    return _pdf_response(fiche.current_version)


@login_required
def fiche_versions(request: HttpRequest, pk: int) -> HttpResponse:
    fiche = fiche_for_user(request.user, pk)
    versions = fiche.versions.select_related("published_by").only(
        "number", "title", "published_at", "published_by__email", "published_by__full_name", "fiche_id"
    )
    return render(request, "fiches/fiche_versions.html", {"fiche": fiche, "versions": versions})


@login_required
def fiche_version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    fiche = fiche_for_user(request.user, pk)
    version = fiche_version_for_user(request.user, fiche, number)
    return _page(request, fiche=fiche, content=version.content, body=version.html, version=version)


@login_required
def fiche_version_pdf(request: HttpRequest, pk: int, number: int) -> FileResponse:
    fiche = fiche_for_user(request.user, pk)
    return _pdf_response(fiche_version_for_user(request.user, fiche, number))


# --- Batch printing ----------------------------------------------------------------------


def _require_printer(request: HttpRequest) -> None:
    # Batches are for those who print for the federation: secretaries and HQ, not activists.
    if scope_for(request.user).role not in PRINTING_ROLES:
        raise PermissionDenied


def _batch(request: HttpRequest, pk: int) -> BatchPrint:
    _require_printer(request)
    return batch_print_for_user(request.user, pk)


def _printing_departement(request: HttpRequest) -> Departement:
    _require_printer(request)
    scope = scope_for(request.user)
    code = request.POST.get("departement") or request.GET.get("departement") or scope.departement_code
    if not code:
        raise Http404
    return get_for_user(Departement, request.user, code=code)


@login_required
def batch_start(request: HttpRequest) -> HttpResponse:
    _require_printer(request)
    if scope_for(request.user).is_national and not (request.POST.get("departement") or request.GET.get("departement")):
        # National HQ prints for any federation: it picks the département first.
        return render(request, "fiches/batch_choose.html", {"departements": Departement.objects.order_by("code")})
    departement = _printing_departement(request)
    if request.method == "POST":
        try:
            batch = batch_print_request(departement=departement, by=request.user)
        except ElectoralSilenceError as refusal:
            messages.error(request, str(refusal))
        else:
            return redirect("fiches:batch_detail", pk=batch.pk)
    recent = BatchPrint.objects.filter(departement=departement).select_related("departement")[:5]
    return render(request, "fiches/batch_start.html", {"departement": departement, "recent": recent})


def _batch_state(batch: BatchPrint) -> dict:
    state = {"status": batch.status, "label": batch.get_status_display(), "done": batch.done, "total": batch.total,
             "percent": batch.percent, "error": batch.error}  # fmt: skip
    if batch.status == BatchPrint.Status.SUCCEEDED:
        state["pdf"] = reverse("fiches:batch_download", kwargs={"pk": batch.pk, "kind": "pdf"})
        state["zip"] = reverse("fiches:batch_download", kwargs={"pk": batch.pk, "kind": "zip"})
    return state


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return render(request, "fiches/batch_detail.html", {"batch": batch, "state": _batch_state(batch)})


@login_required
def batch_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(_batch_state(_batch(request, pk)))


@login_required
def batch_download(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    batch = _batch(request, pk)
    field = {"pdf": batch.merged_pdf, "zip": batch.zip_file}.get(kind)
    if not field:
        raise Http404
    content_type = "application/pdf" if kind == "pdf" else "application/zip"
    return FileResponse(
        field.open("rb"), content_type=content_type, as_attachment=True, filename=field.name.rsplit("/", 1)[-1]
    )
