"""A federal HQ declares, draws and launches a campaign experiment on a phone (issue 13), under QG's CSP.

Transactional: Django empties the tables after the test (the root conftest puts the seeds back).
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from circonscriptions.models import Departement, Election
from hq.models import Experiment, ExperimentStatus, Federation, Membership, Role, User
from hq.tests.test_experiments import load_brest_results

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = (390, 844)


@pytest.mark.browser
@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_a_federal_hq_declares_draws_and_launches_a_campaign_on_a_phone(page, live_server):
    load_brest_results()
    federation = Federation.objects.create(
        departement=Departement.objects.get(code="29"), name="Fédération du Finistère"
    )
    hq = User.objects.create_user("qg-29-experience@example.org", "pw-test-2026")
    Membership.objects.create(user=hq, role=Role.FEDERAL_HQ, federation=federation)
    client = Client()
    client.force_login(hq)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])

    page.goto("/experiences/")
    page.click("text=Déclarer une campagne")
    page.fill("input[name=name]", "Porte-à-porte <b>Brest</b>")
    page.select_option("select[name=method]", index=1)
    baseline = Election.objects.get(slug="legislatives-2024-1")
    page.select_option("select[name=baseline_election]", value=str(baseline.pk))
    page.fill("input[name=top]", "40")
    page.fill("input[name=control_share]", "0")
    today = timezone.localdate()
    page.fill("input[name=starts_on]", today.isoformat())
    page.fill("input[name=ends_on]", (today + timedelta(days=30)).isoformat())
    page.click("#contenu form button[type=submit]")
    # Refused next to the field, with what was typed kept.
    assert "strictement entre 0 et 100" in page.inner_text("#id_control_share_error")
    assert page.input_value("input[name=name]") == "Porte-à-porte <b>Brest</b>"
    page.fill("input[name=control_share]", "20")
    page.click("#contenu form button[type=submit]")
    page.locator("#power").wait_for()
    assert "peut détecter un effet de" in page.inner_text("#power")
    assert page.locator("h1").inner_text() == "Porte-à-porte <b>Brest</b>"  # escaped, shown as typed
    page.click("text=Tirer les bureaux témoins")
    seed = page.inner_text("#seed")
    assert seed.isdigit()
    page.click("text=Lancer la campagne")
    page.locator("text=Campagne lancée").wait_for()
    experiment = Experiment.objects.get()
    assert experiment.status == ExperimentStatus.RUNNING and str(experiment.seed) == seed
    assert page.locator("#bureaux tbody tr").count() == 40
    # The page fits the phone: the tables scroll inside their frame, the page does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
