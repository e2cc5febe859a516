"""End to end, on committed data: a fiche read on a phone-sized chromium, and a batch built by a real worker.

These tests are transactional: Django empties the tables after each (the root conftest puts the seeds back).
"""

import time

import pytest
from django.test import Client
from django.urls import reverse

from circonscriptions.models import Circonscription, Departement
from conftest import ARTIFACTS
from fiches.models import BatchPrint
from fiches.services import batch_print_request, fiche_create, fiche_publish
from fiches.tests.conftest import load_brest_data
from hq.models import Federation, Membership, Role, User

pytestmark = pytest.mark.django_db(transaction=True)


def _activist() -> User:
    federation, _ = Federation.objects.get_or_create(
        departement=Departement.objects.get(code="29"), defaults={"name": "Fédération du Finistère"}
    )
    user = User.objects.create_user("militante-telephone@example.org", "pw-test-2026")
    Membership.objects.create(user=user, role=Role.ACTIVIST, federation=federation)
    return user


@pytest.mark.browser
@pytest.mark.parametrize("page", [(390, 844)], indirect=True)
def test_an_activist_reads_a_fiche_on_a_phone(page, live_server):
    load_brest_data()
    fiche = fiche_create(circonscription=Circonscription.objects.get(code="2902"), title="Brest centre : samedi")
    version = fiche_publish(fiche=fiche, by=None)
    client = Client()
    client.force_login(_activist())
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(reverse("fiches:detail", kwargs={"pk": fiche.pk}))
    page.wait_for_load_state("load")
    assert errors == []
    page.locator("#fiche-leaflet[data-ready]").wait_for()
    drawn = page.locator("#fiche-leaflet path.leaflet-interactive").count()
    assert drawn == len(version.content["map"]["stations"]) > 50
    box = page.locator("#fiche-leaflet").bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    # The interactive map has the SVG map's legend: a title and the five leaning classes.
    assert page.locator(".fiche-legend-title").inner_text() == "Ancrage des bureaux de vote"
    legend = page.locator(".fiche-legend li").all_inner_texts()
    assert "dominé par l'extrême droite" in legend and len(legend) == 6  # five classes and « sans profil »
    # The Leaflet box is hidden from screen readers (the SVG map says the same in text): nothing
    # in it may take the keyboard focus (axe: aria-hidden-focus).
    focusable = page.evaluate(
        "() => Array.from(document.querySelectorAll('[aria-hidden=true] *'))"
        ".filter(el => el.tabIndex >= 0 || el.getAttribute('tabindex') === '0').length"
    )
    assert focusable == 0
    assert page.get_attribute("#fiche-leaflet", "tabindex") in (None, "-1")
    # No tile server configured: the communes are named on the map.
    assert "Brest" in page.locator(".map-place-label").all_inner_texts()
    assert page.locator("h2", has_text="Recommended methods").count() + page.locator("#fiche-methodes h2").count() >= 1
    # Phone-first: nothing wider than the screen, and no request leaves the site (no tiles).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert all(url.startswith(live_server.url) for url in requested)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fiche-phone-390x844.png"), full_page=False)
    # Printed from the browser, the page swaps the interactive map for the SVG one.
    page.emulate_media(media="print")
    assert page.locator(".fiche-map-svg-wrap svg").is_visible()
    assert not page.locator("#fiche-leaflet").is_visible()
    assert not page.locator(".fiche-legend").is_visible()
    assert not page.locator(".site-header").is_visible()


@pytest.mark.celery_worker
def test_a_real_worker_builds_the_batch(celery_worker_queue):
    load_brest_data()
    finistere = Departement.objects.get(code="29")
    batch = batch_print_request(departement=finistere, by=None, queue=celery_worker_queue)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status in (BatchPrint.Status.SUCCEEDED, BatchPrint.Status.FAILED):
            break
        time.sleep(0.5)
    assert batch.status == BatchPrint.Status.SUCCEEDED, batch.error
    assert batch.done == batch.total == 8 and all(item["draft"] for item in batch.summary)
    with batch.merged_pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


@pytest.mark.browser
@pytest.mark.celery_worker
def test_the_progress_page_follows_the_worker_to_the_download_links(page, live_server, celery_worker_queue):
    load_brest_data()
    finistere = Departement.objects.get(code="29")
    federation, _ = Federation.objects.get_or_create(departement=finistere, defaults={"name": "Fédération"})
    secretary = User.objects.create_user("secretaire@example.org", "pw-test-2026")
    Membership.objects.create(user=secretary, role=Role.SECRETARY, federation=federation)
    client = Client()
    client.force_login(secretary)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    batch = batch_print_request(departement=finistere, by=secretary, queue=celery_worker_queue)
    page.goto(reverse("fiches:batch_detail", kwargs={"pk": batch.pk}))
    page.locator("#batch-links").wait_for(state="visible", timeout=90_000)
    assert page.locator("#batch-progress").get_attribute("value") == "100"
    href = page.locator("#batch-pdf").get_attribute("href")
    assert href == reverse("fiches:batch_download", kwargs={"pk": batch.pk, "kind": "pdf"})
    download = client.get(href)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
