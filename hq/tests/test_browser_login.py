"""Each demo role logs in through the real login page in chromium and lands on its home page."""

import re

import pytest

from hq.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_ROLES, DEMO_TOTP_SECRET, demo_load, totp_code
from hq.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where `/` sends each role, and the marker its home page carries on <body>.
HOMES = {
    Role.NATIONAL_HQ: ("/qg/", "national"),
    Role.FEDERAL_HQ: ("/federation/{code}/", "federal"),
    Role.SECRETARY: ("/secretariat/", "secretary"),
    Role.ACTIVIST: ("/militant/", "activist"),
}

PHONE = (390, 844)


def _log_in_from_the_front_door(page, email: str) -> None:
    page.goto("/")
    # Not logged in: `/` leads to the login page, in French.
    assert re.search(r"/comptes/login/", page.url), page.url
    assert page.locator("html").get_attribute("lang") == "fr"
    # French labels (the wording of headings may change; a field is still « Mot de passe »).
    page.get_by_label("Mot de passe", exact=False).wait_for()
    assert "Log in" not in page.locator("main").inner_text()
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    # The server answers with redirects (login → `/` → the role's home): one navigation.
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize(("email", "role", "code"), [(a[0], a[2], a[3]) for a in DEMO_ACCOUNTS])
def test_each_demo_role_logs_in_and_lands_on_its_home_page(page, live_server, email, role, code):
    demo_load()
    _log_in_from_the_front_door(page, email)
    if role in DEMO_TOTP_ROLES:
        # HQ accounts log in with a second factor: the demo's is a published key (README).
        assert page.url == live_server.url + "/comptes/2fa/authenticate/"
        page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
    path, marker = HOMES[role]
    assert page.url == live_server.url + path.format(code=code)
    assert page.locator("body").get_attribute("data-home") == marker


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_an_activist_logs_in_on_a_phone_sized_screen(page, live_server):
    demo_load()
    _log_in_from_the_front_door(page, "militant29@qg.example")
    assert page.url == live_server.url + "/militant/"
    assert page.locator("body").get_attribute("data-home") == "activist"
    # Phone-first: nothing wider than the screen, no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
