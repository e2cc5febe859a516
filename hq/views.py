from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hq.health import check_database, check_redis
from hq.scoping import scope_for


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    problems = {name: msg for name, msg in (("postgresql", check_database()), ("redis", check_redis())) if msg}
    body = {"status": "ok" if not problems else "error", "postgresql": "ok", "redis": "ok"}
    body.update(problems)
    return JsonResponse(body, status=200 if not problems else 503)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "hq/home.html", {"scope": scope_for(request.user)})
