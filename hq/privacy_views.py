"""Pages of people's rights: a member's « Mes données », HQ's page of a person (export,
erasure) and the list of erasure requests. Rules in hq/privacy.py; scoping in hq/scoping.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hq.audit import audit_read
from hq.forms import ErasureForm, ErasureRequestForm, ReasonForm
from hq.models import ErasureRequest, Membership
from hq.privacy import KINDS, erasure_request_create, person_erase, person_export, person_for_hq
from hq.scoping import scope_for, scope_queryset


def _zip_response(export) -> HttpResponse:
    response = HttpResponse(export.zip_bytes(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """A member's own data: what QG holds, download it now, ask for erasure."""
    membership = Membership.objects.filter(user=request.user).select_related("federation", "section").first()
    pending = ErasureRequest.objects.filter(user=request.user, status=ErasureRequest.Status.PENDING).first()
    return render(
        request,
        "hq/my_data.html",
        {"membership": membership, "pending": pending, "erasure_form": ErasureRequestForm()},
    )


@login_required
@require_POST
def my_data_export(request: HttpRequest) -> HttpResponse:
    return _zip_response(person_export(person=request.user, by=request.user, reason="demande de la personne"))


@login_required
@require_POST
def my_data_erasure_request(request: HttpRequest) -> HttpResponse:
    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long (500 characters at most)."))
        return redirect("hq:my_data")
    erasure_request_create(user=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("Your request was sent to your HQ, who will erase your data."))
    return redirect("hq:my_data")


# The address says it in French; the code says member / supporter.
KIND_SLUGS = {"adherent": "member", "sympathisant": "supporter"}


def _kind(slug: str) -> str:
    kind = KIND_SLUGS.get(slug)
    if kind not in KINDS:
        raise Http404
    return kind


@login_required
def person_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """HQ's page of one person: who they are, and the export and erasure forms (each asks why)."""
    slug, kind = kind, _kind(kind)
    person = person_for_hq(request.user, kind, pk)
    export_form, erase_form = ReasonForm(prefix="export"), ErasureForm(prefix="erase")
    status = 200
    if request.method == "POST":
        if "export" in request.POST:
            export_form = ReasonForm(request.POST, prefix="export")
            if export_form.is_valid():
                return _zip_response(
                    person_export(person=person, by=request.user, reason=export_form.cleaned_data["reason"])
                )
        else:
            erase_form = ErasureForm(request.POST, prefix="erase")
            if erase_form.is_valid():
                try:
                    person_erase(person=person, by=request.user, reason=erase_form.cleaned_data["reason"])
                except ValidationError as error:
                    erase_form.add_error(None, error)
                else:
                    messages.success(request, _("The person's data was erased."))
                    return redirect("hq:erasure_requests")
        status = 400
    else:
        audit_read(request, page="person", target=f"{kind} {pk}", person=person)
    return render(
        request,
        "hq/person.html",
        {"person": person, "kind": kind, "slug": slug, "export_form": export_form, "erase_form": erase_form},
        status=status,
    )


@login_required
def erasure_requests(request: HttpRequest) -> HttpResponse:
    """The erasure requests HQ has to execute (its federation's; national HQ: all)."""
    if not scope_for(request.user).can_write_territory:
        raise PermissionDenied
    requests = scope_queryset(ErasureRequest.objects.select_related("user", "federation", "handled_by"), request.user)
    audit_read(request, page="erasure requests")
    return render(request, "hq/erasure_requests.html", {"requests": requests[:200]})
