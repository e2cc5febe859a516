"""A fiche's Markdown image from an outside host (a tracking pixel) never loads: the
Content-Security-Policy refuses it, and no request leaves for that host.

Transactional (the browser reads committed rows): Django empties the tables after it.
"""

import pytest
from django.test import Client
from django.urls import reverse

from circonscriptions.models import Circonscription, Departement
from fiches.services import fiche_create, fiche_publish
from fiches.tests.conftest import load_brest_data
from hq.models import Federation, Membership, Role, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIXEL = "http://pixel.tracker.example/p.gif"


def test_an_outside_image_in_a_fiche_is_refused_and_never_requested(page, live_server, request):
    load_brest_data()
    fiche = fiche_create(circonscription=Circonscription.objects.get(code="2902"), title="Brest : pixel")
    fiche.free_text = f"Rendez-vous place de la Liberté.\n\n![pixel]({PIXEL})"
    fiche.save(update_fields=["free_text"])
    fiche_publish(fiche=fiche, by=None)
    federation, _ = Federation.objects.get_or_create(
        departement=Departement.objects.get(code="29"), defaults={"name": "Fédération du Finistère"}
    )
    reader = User.objects.create_user("lectrice-pixel@example.org", "pw-test-2026")
    Membership.objects.create(user=reader, role=Role.ACTIVIST, federation=federation)
    client = Client()
    client.force_login(reader)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    # What would go out on the network passes through this route first; answer it ourselves
    # (the test never reaches the internet). Requests the page asked for, and how they ended:
    left = []
    page.route(lambda url: "tracker.example" in url, lambda route: (left.append(route.request.url), route.abort()))
    failed = {}
    page.on("requestfailed", lambda r: failed.__setitem__(r.url, r.failure))
    request.node.csp_violations_expected = True  # this test is about one

    response = page.goto(reverse("fiches:detail", kwargs={"pk": fiche.pk}))
    page.wait_for_load_state("load")
    assert "img-src 'self' data:" in response.headers["content-security-policy"]
    assert page.locator(f'img.fiche-image[src="{PIXEL}"]').count() == 1  # in the page, as typed…
    assert left == []  # …but never sent out
    assert failed.get(PIXEL) == "csp"  # refused by the page's policy
    assert any(PIXEL in text and "img-src" in text for text in page.csp_violations)
    assert all(PIXEL in text for text in page.csp_violations)  # and nothing else refused
