"""Log-in limits and password resets as an attacker would try them."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from hq.models import Role

pytestmark = pytest.mark.django_db


def _client_ip() -> str:
    # Each test its own addresses: the limits live in the shared Redis cache.
    n = uuid.uuid4().int
    return f"198.51.{n % 250}.{(n >> 8) % 250 + 1}"


def test_failed_logins_behind_the_load_balancer_block_the_attacker_not_every_member(client, make_member, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    member = make_member(Role.ACTIVIST, "29")
    attacker, colleague = _client_ip(), _client_ip()
    for i in range(12):
        client.post(
            reverse("account_login"),
            {"login": f"guess-{i}@example.org", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=attacker,
        )
    blocked = client.post(
        reverse("account_login"), {"login": member.email, "password": "pw-test-2026"}, HTTP_X_FORWARDED_FOR=attacker
    )
    assert blocked.status_code == 200  # the form again, with the limit's message, not logged in
    assert "_auth_user_id" not in client.session
    assert "tentatives" in blocked.content.decode()
    # Same load balancer (same REMOTE_ADDR), another member: logs in.
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": "pw-test-2026"}, HTTP_X_FORWARDED_FOR=colleague
    )
    assert response.status_code == 302


def test_a_password_reset_for_an_unknown_address_sends_no_mail(client):
    response = client.post(reverse("account_reset_password"), {"email": f"{uuid.uuid4().hex}@example.org"})
    assert response.status_code == 302  # the same answer as for a member: nothing is revealed
    assert mail.outbox == []
