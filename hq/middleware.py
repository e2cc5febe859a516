import secrets
from functools import cache
from urllib.parse import unquote, urlsplit

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from hq.scoping import scope_for


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the person chose another language with the switcher (its cookie).

    QG is the tool of a French party: an activist whose phone or browser is set to
    English still gets the French interface; English is there for those who ask.
    Django's own middleware would follow the browser's Accept-Language instead.
    """

    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNulMiddleware:
    """400 for a request whose path or query string holds a NUL character.

    PostgreSQL refuses NUL in any text, so such a value reached a query and ended in a
    500 (`/carte/circonscription/75%0001/`, `?departement=%00`). No address or parameter
    of QG can contain one: refuse it before any view runs. Form fields are covered by
    Django's own NUL validator on every CharField.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return HttpResponseBadRequest(
                "Caractère nul refusé dans l'adresse.", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on every response, with a fresh nonce per request.

    Pages load scripts, styles and images from QG itself only (images also as data: URIs,
    which the authenticator set-up's QR code is). A fiche's Markdown image from an outside
    host (a tracking pixel) never loads, an injected <script> or inline handler never runs,
    and no other site may frame QG or receive its forms. The few inline scripts and
    styles QG writes itself carry `nonce="{{ csp_nonce }}"` (hq.context_processors.csp).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request.csp_nonce))
        return response


def _tile_origin() -> str:
    """The origin of the map tile server (MAP_TILE_URL), whose images the maps load; none by default."""
    tiles = settings.LEAFLET_CONFIG.get("TILES") or []
    if not tiles:
        return ""
    parts = urlsplit(tiles[0][1])
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("https", "http") and parts.netloc else ""


def content_security_policy(nonce: str) -> str:
    tiles = _tile_origin()
    directives = {
        "default-src": "'self'",
        "img-src": "'self' data:" + (f" {tiles}" if tiles else ""),
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        "object-src": "'none'",
        # The service worker (/sw.js) that keeps the street pages for offline use.
        "worker-src": "'self'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


SECOND_FACTOR_SESSION_KEY = "qg_second_factor_of"


@cache
def _paths_open_without_second_factor() -> tuple[str, ...]:
    # Setting up the second factor (allauth's /comptes/2fa/ pages, and the password
    # confirmation they may ask first), leaving, and the language switch.
    return (
        reverse("mfa_index"),
        reverse("account_reauthenticate"),
        reverse("account_logout"),
        reverse("set_language"),
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class SecondFactorRequiredMiddleware:
    """An HQ member without a second factor is sent to set one up, and reaches nothing else.

    National and federal HQ read and change members' and sympathisers' data: a stolen
    password must not be enough (settings.QG_MFA_REQUIRED_ROLES). Their log-in asks for
    the authenticator code (allauth.mfa) once they have one; until then every page but
    the set-up pages and the log-out answers with a redirect to the set-up, the admin
    included. The check costs one query per session: once the authenticator is seen, the
    session remembers it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.QG_MFA_REQUIRED_ROLES
            and user.is_authenticated
            and request.session.get(SECOND_FACTOR_SESSION_KEY) != user.pk
            and scope_for(user).role in settings.QG_MFA_REQUIRED_ROLES
            and not request.path.startswith(_paths_open_without_second_factor())
        ):
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                messages.warning(
                    request,
                    _("Your role gives access to members' data: set up a second factor before going further."),
                )
                return redirect("mfa_activate_totp")
            request.session[SECOND_FACTOR_SESSION_KEY] = user.pk
        return self.get_response(request)
