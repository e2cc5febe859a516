"""A fiche with its « Observations récentes » read on a phone-sized chromium: the table of
doors knocked and conversations per door (with its interval) stays within the screen, so the
page never scrolls sideways. Transactional, on committed data, like test_view_on_phone."""

import pytest
from django.test import Client
from django.urls import reverse

from circonscriptions.models import Circonscription, Departement
from fiches.services import fiche_create, fiche_publish
from fiches.tests.conftest import load_brest_data
from hq.models import Federation, Membership, Role, User
from observations.demo import observations_demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_the_observations_table_of_a_fiche_fits_a_phone(page, live_server):
    load_brest_data()
    federation, _ = Federation.objects.get_or_create(
        departement=Departement.objects.get(code="29"), defaults={"name": "Fédération du Finistère"}
    )
    activist = User.objects.create_user("militante-tableaux@example.org", "pw-test-2026")
    Membership.objects.create(user=activist, role=Role.ACTIVIST, federation=federation)
    # Demo reports in Brest: door-to-door and market reports, with their rates and intervals.
    assert observations_demo_load(filer_email=activist.email) > 0
    fiche = fiche_create(circonscription=Circonscription.objects.get(code="2902"), title="Brest centre : samedi")
    version = fiche_publish(fiche=fiche, by=None)
    assert version.content["observations"]["by_method"], "the fiche needs its table of methods"
    client = Client()
    client.force_login(activist)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(reverse("fiches:detail", kwargs={"pk": fiche.pk}))
    table = page.locator("#fiche-observations table")
    table.wait_for()
    # The interval is on the page, with the rate it qualifies.
    assert "–" in table.locator("tbody td").nth(1).inner_text()
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE[0]
