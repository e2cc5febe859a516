"""The transport sheet of a mission: on the phone and printed; participants offer or ask for
a ride, federal HQ matches and assigns. Access goes through hq.ride_services.mission_for_transport,
which scopes through hq.scoping."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hq.models import Ride, User
from hq.ride_forms import AssignForm, RideForm
from hq.ride_services import (
    is_participant,
    mission_for_transport,
    ride_assign,
    ride_save,
    rides_match,
    transport_overview,
    transport_sheet,
)


def _add_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _page(request: HttpRequest, mission, manage: bool, *, form=None, assign_errors=None, status=200) -> HttpResponse:
    sheet = transport_sheet(mission)
    mine = Ride.objects.filter(mission=mission, user=request.user).first()
    if form is None and is_participant(request.user, mission):
        initial = {"kind": "request", "leaves_at": mission.starts_at, "detour_km": 10}
        if mine is not None:
            initial = {
                "kind": mine.kind,
                "place": mine.place,
                "point": f"{mine.location.y:.5f}, {mine.location.x:.5f}",
                "leaves_at": mine.leaves_at,
                "latest_at": mine.latest_at,
                "seats": mine.seats or None,
                "detour_km": mine.detour_km,
            }
        form = RideForm(initial=initial, mission=mission)
    return render(
        request,
        "hq/transport_sheet.html",
        {
            "mission": mission,
            "manage": manage,
            "form": form,
            "mine": mine,
            "assign_form": AssignForm(offers=sheet["cars"]) if manage else None,
            "assign_errors": assign_errors or [],
            **sheet,
        },
        status=status,
    )


@login_required
def transport_index(request: HttpRequest) -> HttpResponse:
    """The menu's « Transport »: my missions to come and how I get there; HQ's missions and who waits."""
    return render(request, "hq/transport_index.html", transport_overview(request.user))


@login_required
def transport_sheet_page(request: HttpRequest, pk: int) -> HttpResponse:
    mission, manage = mission_for_transport(request.user, pk)
    return _page(request, mission, manage)


@login_required
@require_POST
def ride_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant's own offer or request."""
    mission, manage = mission_for_transport(request.user, pk)
    if not is_participant(request.user, mission):
        raise PermissionDenied
    form = RideForm(request.POST, mission=mission)
    if form.is_valid():
        try:
            ride_save(mission=mission, user=request.user, data=form.ride_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Trajet enregistré.")
            return redirect("hq:transport_sheet", pk=mission.pk)
    return _page(request, mission, manage, form=form, status=400)


@login_required
@require_POST
def ride_match_run(request: HttpRequest, pk: int) -> HttpResponse:
    mission, manage = mission_for_transport(request.user, pk)
    if not manage:
        raise PermissionDenied
    matched = rides_match(mission=mission)
    messages.success(request, f"{matched} passager(s) placé(s) dans une voiture.")
    return redirect("hq:transport_sheet", pk=mission.pk)


@login_required
@require_POST
def ride_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    mission, manage = mission_for_transport(request.user, pk)
    if not manage:
        raise PermissionDenied
    sheet = transport_sheet(mission)
    form = AssignForm(request.POST, offers=sheet["cars"])
    if form.is_valid():
        rider = User.objects.filter(pk=form.cleaned_data["rider"]).first()
        driver = Ride.objects.filter(pk=form.cleaned_data["driver"], mission=mission).first()
        try:
            if rider is None or driver is None:
                raise ValidationError({"driver": "Choix invalide."})
            ride_assign(mission=mission, rider=rider, driver=driver, by=request.user)
        except ValidationError as error:
            errors = [m for ms in error.message_dict.values() for m in ms]
        else:
            messages.success(request, f"{rider} part avec {driver.user}.")
            return redirect("hq:transport_sheet", pk=mission.pk)
    else:
        errors = [m for ms in form.errors.values() for m in ms]
    return _page(request, mission, manage, assign_errors=errors, status=400)
