"""The admin import progress page works under QG's Content-Security-Policy: its inline script
and style carry the response's nonce (the `page` fixture fails the test on any CSP refusal).

Transactional: Django empties the tables after it (the root conftest puts the seeds back).
"""

import pytest
from django.test import Client
from django.urls import reverse

from circonscriptions.models import ImportRun
from hq.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_import_progress_page_polls_and_shows_the_summary_under_the_csp(page, live_server):
    run = ImportRun.objects.create(
        kind="results", file_name="essai.csv", checksum="0" * 64, status=ImportRun.Status.SUCCEEDED,
        progress=100, summary={"lignes": 3},
    )  # fmt: skip
    client = Client()
    client.force_login(User.objects.create_superuser("analyste-csp@example.org", "pw-test-2026"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    response = page.goto(reverse("admin:circonscriptions_importrun_progress", args=[run.pk]))
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    # The inline script ran: it polled the JSON and filled the summary.
    summary = page.locator("#qg-import-summary")
    summary.wait_for(state="visible")
    assert '"lignes": 3' in summary.inner_text()
    # The inline style applied.
    assert page.locator("#qg-import-bar").evaluate("bar => getComputedStyle(bar).maxWidth") == "640px"
    assert page.csp_violations == []
