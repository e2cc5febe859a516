"""People-facing pages of hq: home pages per role, federations, sections, invitations.

Every object is fetched through hq.scoping (get_for_user, scope_queryset): no view
decides on its own who may see or change what.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from circonscriptions.models import Circonscription
from hq import services
from hq.audit import audit_read
from hq.forms import InvitationAcceptForm, InvitationForm, SectionForm
from hq.health import health_report
from hq.models import ActivistProfile, Federation, Invitation, Membership, Role, Section
from hq.queries import latest_import_runs
from hq.scoping import can_write, get_for_user, scope_for, scope_queryset


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    body, status = health_report()
    return JsonResponse(body, status=status)


@login_required
def media_image(request: HttpRequest, name: str) -> FileResponse:
    """One of the site's images (the only public-to-members folder of the storage), for logged-in members."""
    path = settings.MEDIA_IMAGES_DIR + name
    if ".." in name.split("/") or not default_storage.exists(path):
        raise Http404
    return FileResponse(default_storage.open(path, "rb"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Sends each member to the home page of their role."""
    scope = scope_for(request.user)
    if scope.role == Role.NATIONAL_HQ:
        return redirect("hq:national_home")
    if scope.role == Role.FEDERAL_HQ:
        return redirect("hq:federation_detail", code=scope.departement_code)
    if scope.role == Role.SECRETARY:
        return redirect("hq:secretary_home")
    if scope.role == Role.ACTIVIST:
        return redirect("hq:activist_home")
    return redirect("hq:no_role")


@login_required
def no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "hq/no_role.html")


def _require_role(request: HttpRequest, *roles: str) -> None:
    if scope_for(request.user).role not in roles:
        raise PermissionDenied


@login_required
def national_home(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.NATIONAL_HQ)
    federations = scope_queryset(Federation.objects.with_counts(), request.user)
    return render(
        request,
        "hq/national_home.html",
        {"federations": federations, "import_runs": latest_import_runs()},
    )


@login_required
def federation_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The federal HQ's home; members of the federation may read its sections."""
    federation = get_for_user(Federation.objects.select_related("departement"), request.user, departement__code=code)
    may_manage = can_write(request.user, federation)
    context = {
        "federation": federation,
        "may_manage": may_manage,
        "sections": federation.sections.with_member_count(),
    }
    if may_manage:
        # Members' names and consent are personal data: only their HQ sees the list.
        context["memberships"] = (
            Membership.objects.filter(federation=federation)
            .for_listing()
            .annotate(has_profile=Exists(ActivistProfile.objects.filter(user_id=OuterRef("user_id"))))
        )
        context["invitations"] = Invitation.objects.filter(federation=federation).pending().for_listing()

        audit_read(request, page="federation members", target=f"federation {code}")
    return render(request, "hq/federation_detail.html", context)


@login_required
def section_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    section = get_for_user(
        Section.objects.select_related("federation__departement"),
        request.user,
        write=True,
        pk=pk,
        federation__departement__code=code,
    )
    form = SectionForm(request.POST or None, section=section, initial={"name": section.name})
    if request.method == "POST" and form.is_valid():
        services.section_update(section=section, name=form.cleaned_data["name"], by=request.user)
        messages.success(request, _("Section renamed."))
        return redirect("hq:federation_detail", code=code)
    return render(request, "hq/section_edit.html", {"section": section, "federation": section.federation, "form": form})


def _invitation_form_page(request: HttpRequest, *, federation: Federation | None) -> HttpResponse:
    """The invitation form, from a federation's page or (federation=None) from the national HQ's."""
    roles = services.invitable_roles(request.user)
    if not roles:
        raise PermissionDenied
    if federation is None:
        roles_here = roles
        form_kwargs = {"federations": scope_queryset(Federation.objects.all(), request.user, write=True)}
    else:
        roles_here = [role for role in roles if role != Role.NATIONAL_HQ]
        form_kwargs = {"federation": federation}
    form = InvitationForm(request.POST or None, roles=roles_here, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_send(
                email=data["email"],
                role=data["role"],
                federation=federation or data.get("federation"),
                section=data.get("section"),
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect(request.path)
    return render(request, "hq/invitation_form.html", {"form": form, "federation": federation})


@login_required
def invitation_create(request: HttpRequest, code: str) -> HttpResponse:
    federation = get_for_user(
        Federation.objects.select_related("departement"), request.user, write=True, departement__code=code
    )
    return _invitation_form_page(request, federation=federation)


@login_required
def national_invite(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.NATIONAL_HQ)
    return _invitation_form_page(request, federation=None)


@sensitive_post_parameters("password1", "password2")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("federation", "section").filter(token=token).first()
    if invitation is None:
        return render(request, "hq/invitation_unusable.html", {"reason": "unknown"}, status=404)
    if not invitation.is_usable:
        reason = "used" if invitation.accepted_at else "expired"
        return render(request, "hq/invitation_unusable.html", {"reason": reason, "invitation": invitation}, status=410)

    consent_wording = str(services.CONSENT_WORDING)  # in the language of the page being shown
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_accept(
                invitation=invitation, full_name=data["full_name"], password=data["password1"], consent=consent_wording
            )
        except services.InvitationUnusable:
            return render(
                request, "hq/invitation_unusable.html", {"reason": "used", "invitation": invitation}, status=410
            )
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to QG, %(name)s.") % {"name": user.get_short_name()})
            return redirect("home")
    return render(
        request,
        "hq/invitation_accept.html",
        {"invitation": invitation, "form": form, "consent_wording": consent_wording},
    )


@login_required
def secretary_home(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.SECRETARY)
    scope = scope_for(request.user)
    federation = get_for_user(
        Federation.objects.select_related("departement"), request.user, departement__code=scope.departement_code
    )
    circonscriptions = scope_queryset(
        Circonscription.objects.filter(departement=federation.departement), request.user
    ).order_by("number")
    return render(request, "hq/secretary_home.html", {"federation": federation, "circonscriptions": circonscriptions})


@login_required
def activist_home(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.ACTIVIST)
    membership = Membership.objects.select_related("federation__departement", "section").get(user=request.user)
    return render(request, "hq/activist_home.html", {"membership": membership})
