"""The campaign team's briefing for a circonscription and a day: a page and a one-page PDF
(fiches/campaign.py composes it). HQ only (national, federal, secretary of the federation):
it names the activists available that day. Scoped through hq.scoping."""

import io
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from circonscriptions.models import Circonscription
from fiches.campaign import campaign_briefing
from fiches.pdf import pdf_bytes
from hq.audit import audit_read
from hq.models import Federation, Role
from hq.scoping import get_for_user, scope_for, scope_queryset

HQ_ROLES = (Role.NATIONAL_HQ, Role.FEDERAL_HQ, Role.SECRETARY)


def _day(request: HttpRequest) -> tuple[date | None, str]:
    raw = request.GET.get("jour", "").strip()
    if not raw:
        return timezone.localdate(), ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return None, f"« {raw[:20]} » n'est pas une date : choisissez le jour dans le calendrier (AAAA-MM-JJ)."


def _briefing(request: HttpRequest, code: str) -> tuple[dict | None, str]:
    if scope_for(request.user).role not in HQ_ROLES:
        raise PermissionDenied
    circonscription = get_for_user(Circonscription.objects.select_related("departement"), request.user, code=code)
    day, error = _day(request)
    if day is None:
        return {"circonscription": circonscription, "day": None}, error
    federation = Federation.objects.filter(departement=circonscription.departement).first()
    audit_read(request, page="campaign briefing", target=f"{code} {day.isoformat()}")
    return campaign_briefing(circonscription=circonscription, day=day, federation=federation), ""


@login_required
def campaign_page(request: HttpRequest, code: str) -> HttpResponse:
    briefing, error = _briefing(request, code)
    return render(
        request,
        "fiches/campaign.html",
        {**briefing, "day_error": error, "day_value": request.GET.get("jour", "")},
        status=400 if error else 200,
    )


@login_required
def campaign_pdf(request: HttpRequest, code: str) -> HttpResponse:
    briefing, error = _briefing(request, code)
    if error:
        return render(
            request,
            "fiches/campaign.html",
            {**briefing, "day_error": error, "day_value": request.GET.get("jour", "")},
            status=400,
        )
    html = render_to_string("fiches/campaign_pdf.html", briefing)
    return FileResponse(
        io.BytesIO(pdf_bytes(html)),
        content_type="application/pdf",
        filename=f"campagne-{code}-{briefing['day'].isoformat()}.pdf",
    )


@login_required
def campaign_index(request: HttpRequest) -> HttpResponse:
    """Choose the circonscription (in the user's scope) and the day of the briefing."""
    if scope_for(request.user).role not in HQ_ROLES:
        raise PermissionDenied
    circonscriptions = scope_queryset(Circonscription.objects.all(), request.user).order_by("code")
    code = request.GET.get("circonscription", "")
    if code and circonscriptions.filter(code=code).exists():
        url = reverse("fiches:campaign", kwargs={"code": code})
        return redirect(url + "?" + urlencode({"jour": request.GET.get("jour", "")}))
    return render(
        request,
        "fiches/campaign_index.html",
        {
            "circonscriptions": circonscriptions,
            "error": "Circonscription inconnue ou hors de votre territoire." if code else "",
            "day": timezone.localdate(),
        },
        status=400 if code else 200,
    )
