"""Headers and error pages: a strict Content-Security-Policy on every response, and French
error pages (400, 403, 404, 500) that say nothing of the failure's cause."""

import re

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from hq.middleware import ContentSecurityPolicyMiddleware
from hq.models import Role

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize("url", ["/comptes/login/", "/healthz", "/adresse-inconnue/", "/static/css/qg.css"])
def test_every_response_carries_a_strict_content_security_policy(client, url):
    response = client.get(url)
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert re.fullmatch(r"'self' 'nonce-[\w-]{24}'", policy["script-src"])
    assert re.fullmatch(r"'self' 'nonce-[\w-]{24}'", policy["style-src"])
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    # No 'unsafe-inline', no other host anywhere: a fiche's outside image (a tracking pixel) never loads.
    header = response.headers["Content-Security-Policy"]
    assert "unsafe" not in header and "http" not in header and "*" not in header


def test_each_response_has_its_own_nonce_and_templates_see_it(client):
    first, second = (directives(client.get("/comptes/login/"))["script-src"] for _ in range(2))
    assert first != second
    request = RequestFactory().get("/")
    seen = {}

    def view(request):
        from django.http import HttpResponse
        from django.template.loader import render_to_string

        html = render_to_string("admin/circonscriptions/importrun/progress.html", {"run": None}, request=request)
        seen["html"] = html
        return HttpResponse(html)

    response = ContentSecurityPolicyMiddleware(view)(request)
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
    # The admin import progress page's inline script and style carry this response's nonce.
    assert seen["html"].count(f'nonce="{nonce}"') == 2
    assert "<script>" not in seen["html"] and "style=" not in seen["html"]


def test_django_leaflet_maps_render_no_inline_script():
    html = Template('{% load leaflet_tags %}{% leaflet_map "carte" callback="window.qgProfileMap" %}').render(
        Context({})
    )
    # The map's options go in data- attributes; the only script is QG's own file.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/leaflet_maps.js" defer>']
    assert 'data-qg-leaflet-map="carte"' in html and 'data-callback="window.qgProfileMap"' in html


# --- Error pages ----------------------------------------------------------------------------


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "hq.tests.urls_errors"
    return Client(raise_request_exception=False)


def test_a_server_error_shows_the_french_page_and_no_traceback(production_errors):
    response = production_errors.get("/essai/panne/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Erreur du serveur" in text
    for leak in ("secret-detail", "Traceback", "RuntimeError", "/srv/qg", "settings.py"):
        assert leak not in text


def test_a_refused_request_shows_the_french_400_page_and_no_detail(production_errors):
    response = production_errors.get("/essai/suspect/")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Requête refusée" in text
    assert "secret-detail" not in text and "SuspiciousOperation" not in text


def test_an_unknown_host_gets_the_french_400_page(production_errors):
    response = production_errors.get("/healthz", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "Requête refusée" in response.content.decode()


def test_a_forbidden_page_shows_the_french_403_page_and_no_detail(production_errors, make_member):
    production_errors.force_login(make_member(Role.ACTIVIST, "29"))
    response = production_errors.get("/essai/interdit/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "Accès refusé" in text and "secret-detail" not in text


def test_an_unknown_page_shows_the_french_404_page_without_echoing_the_address(production_errors, make_member):
    production_errors.force_login(make_member(Role.ACTIVIST, "29"))
    response = production_errors.get("/adresse-secrete-inconnue/")
    assert response.status_code == 404
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    # (The language switcher below keeps the visitor's own address to come back to it.)
    assert "Page introuvable" in main and "adresse-secrete-inconnue" not in main


def test_a_form_sent_without_its_token_gets_the_french_csrf_page(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post("/comptes/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "Formulaire expiré" in text and "CSRF" not in text


def test_the_policy_admits_qgs_service_worker_and_only_the_configured_tile_server(client, settings):
    assert directives(client.get("/comptes/login/"))["worker-src"] == "'self'"
    tile_url = (
        "https://data.geopf.fr/wmts?LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    )
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": [("Carte", tile_url, {"attribution": "IGN"})]}
    assert directives(client.get("/comptes/login/"))["img-src"] == "'self' data: https://data.geopf.fr"
