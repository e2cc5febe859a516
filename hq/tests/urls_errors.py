"""A test-only URL configuration: the project's addresses plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret-detail-of-the-failure in /srv/qg/settings.py")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("secret-detail-of-the-refusal")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("secret-detail-of-the-permission")


urlpatterns = [
    path("essai/panne/", boom),
    path("essai/suspect/", suspicious),
    path("essai/interdit/", forbidden),
    *project_urlpatterns,
]
