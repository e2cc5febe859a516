"""The phone form in the street, in Debian's chromium on a 390×844 screen: the confirmation
is where the user is, and the form and the activist's home open again without network."""

import pytest

from observations.models import Observation
from observations.tests.test_browser import PHONE, _fill, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUS_BOX = (
    "(() => { const r = document.getElementById('obs-status').getBoundingClientRect(); return [r.top, r.bottom]; })()"
)


def _in_view(page) -> bool:
    top, bottom = page.evaluate(STATUS_BOX)
    return 0 <= top and bottom <= PHONE[1] and bottom > top


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_after_sending_the_confirmation_is_on_screen_and_read_out(page, live_server, activist, place, catalogue):
    _log_in(page, activist, live_server)
    _fill(page, place, catalogue, action="Marché du dimanche")
    page.click("#obs-submit")  # at the bottom of a long form: the status box is far above
    page.locator("#obs-status[data-state=sent]").wait_for()
    assert _in_view(page), page.evaluate(STATUS_BOX)
    assert page.get_attribute("#obs-status", "aria-live") == "polite"
    assert Observation.objects.get().action == "Marché du dimanche"
    assert page.input_value("input[name=action]") == ""  # emptied once QG has it

    # Offline: kept on the phone, said where the user is, and only then the form is emptied.
    _fill(page, place, catalogue, action="Sans réseau")
    page.context.set_offline(True)
    page.click("#obs-submit")
    page.locator("#obs-status[data-state=saved-offline]").wait_for()
    assert _in_view(page), page.evaluate(STATUS_BOX)
    assert "Sans réseau" in page.evaluate("localStorage.getItem('qg-observations-outbox')")
    assert page.input_value("input[name=action]") == ""


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_the_form_and_the_home_open_offline_after_a_first_visit(page, live_server, activist, place, catalogue):
    _log_in(page, activist, live_server)
    page.goto("/observations/nouvelle/")
    # The worker installs in the background and keeps both pages (and the static files).
    page.wait_for_function(
        "() => Promise.all([caches.match('/observations/nouvelle/'), caches.match('/militant/')])"
        ".then(found => found.every(Boolean))",
        timeout=20_000,
        polling=250,
    )
    page.wait_for_function("() => !!navigator.serviceWorker.controller", timeout=20_000)  # active, in charge
    page.context.set_offline(True)
    # The network is really gone for the page and its worker.
    assert page.evaluate("fetch('/healthz').then(() => 'online', () => 'offline')") == "offline"
    page.reload()
    assert page.locator("#observation-form").is_visible()
    assert page.locator("input[name=action]").is_visible()
    page.goto("/militant/")
    assert page.locator("body[data-home=activist]").count() == 1
    assert page.locator("a[href='/observations/nouvelle/']").first.is_visible()
