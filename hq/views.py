from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hq.health import health_report
from hq.scoping import scope_for


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    body, status = health_report()
    return JsonResponse(body, status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "hq/home.html", {"scope": scope_for(request.user)})
