"""End to end in chromium: a federal HQ is made to set up the authenticator, then logs in with password and code."""

import re
import time

import pytest

from hq.demo import totp_code
from hq.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def second_factor_required(settings):
    settings.QG_MFA_REQUIRED_ROLES = ["national_hq", "federal_hq"]
    settings.MFA_TOTP_TOLERANCE = 1  # the second log-in uses the next step's code (each code works once)


def _log_in(page, email: str) -> None:
    page.goto("/comptes/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("pw-test-2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_a_federal_hq_sets_up_the_authenticator_then_logs_in_with_password_and_code(page, live_server, make_member):
    user = make_member(Role.FEDERAL_HQ, "29")
    _log_in(page, user.email)
    # Sent to the set-up, in French, and nowhere else until it is done.
    assert page.url == live_server.url + "/comptes/2fa/totp/activate/"
    assert "Activez votre second facteur" in page.locator("main h1").inner_text()
    page.goto("/federation/29/")
    assert page.url == live_server.url + "/comptes/2fa/totp/activate/"
    page.goto("/admin/")
    assert page.url == live_server.url + "/comptes/2fa/totp/activate/"
    assert page.locator("img.totp-qr").evaluate("img => img.complete && img.naturalWidth > 0")

    secret = page.locator("#totp-secret").inner_text().strip()
    page.locator("input[name=code]").fill(totp_code(secret))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == live_server.url + "/comptes/2fa/recovery-codes/"
    codes = page.locator("#recovery-codes").inner_text().split()
    assert len(codes) == 10 and all(re.fullmatch(r"\d{8}", code) for code in codes)
    with page.expect_navigation():
        page.get_by_role("link", name="Continuer vers ma page d'accueil").click()
    assert page.url == live_server.url + "/federation/29/"

    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    _log_in(page, user.email)
    assert page.url == live_server.url + "/comptes/2fa/authenticate/"
    assert "Second facteur" in page.locator("main h1").inner_text()
    page.locator("input[name=code]").fill(totp_code(secret, time.time() + 30))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.url == live_server.url + "/federation/29/"
    assert page.locator("body").get_attribute("data-home") == "federal"
