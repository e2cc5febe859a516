"""The methods catalogue (/methodes/): each method's script and published evidence, and next
to it the figures measured over the reports of missions that used it (observations/missions.py),
over the observations the reader may see (hq.scoping)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hq.models import Method
from hq.scoping import scope_for, scope_queryset
from observations.missions import measured_by_method
from observations.models import Observation


@login_required
def method_catalogue(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).can_read_territory:
        raise PermissionDenied
    measured = measured_by_method(scope_queryset(Observation.objects.all(), request.user))
    methods = [(method, measured.get(method.pk)) for method in Method.objects.all()]
    return render(request, "observations/methods.html", {"methods": methods})
