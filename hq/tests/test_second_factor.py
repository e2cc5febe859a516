"""National and federal HQ must log in with a second factor (allauth.mfa: authenticator app + recovery codes).

An HQ member without one is sent to set it up and reaches no other page, the admin
included; activists and secretaries may add one but need not.
"""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from hq.adapters import MFAAdapter
from hq.demo import totp_code
from hq.models import Role

pytestmark = pytest.mark.django_db

PASSWORD = "pw-test-2026"


@pytest.fixture(autouse=True)
def second_factor_required(settings):
    settings.QG_MFA_REQUIRED_ROLES = ["national_hq", "federal_hq"]
    # One step of tolerance: a test that logs in twice within 30 s uses the next step's
    # code the second time (a code is accepted once only).
    settings.MFA_TOTP_TOLERANCE = 1


TEST_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 — a key for tests only


def give_totp(user) -> None:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": TEST_SECRET})


@pytest.mark.parametrize("role", [Role.NATIONAL_HQ, Role.FEDERAL_HQ])
def test_an_hq_member_without_second_factor_is_sent_to_set_it_up_from_every_page(client, make_member, role):
    user = make_member(role, None if role == Role.NATIONAL_HQ else "29")
    client.force_login(user)
    for url in ["/", "/qg/", "/federation/29/", reverse("admin:index"), "/fiches/", "/observations/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("mfa_activate_totp"), url
    # (A session opened without the log-in page confirms the password first: allauth's reauthentication.)
    assert client.get(reverse("mfa_activate_totp")).url.startswith(reverse("account_reauthenticate"))
    # Leaving stays possible.
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_superuser_counts_as_national_hq_and_needs_one_too(client, make_member):
    user = make_member(None)
    user.is_superuser = user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    client.force_login(user)
    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [Role.ACTIVIST, Role.SECRETARY])
def test_activists_and_secretaries_need_no_second_factor_but_may_add_one(client, make_member, role):
    client.force_login(make_member(role, "29"))
    home = client.get("/", follow=True)
    assert home.status_code == 200 and home.redirect_chain[-1][0] != reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_index")).status_code == 200


def test_an_hq_member_with_an_authenticator_reaches_the_hq_pages(client, make_member):
    user = make_member(Role.FEDERAL_HQ, "29")
    give_totp(user)
    client.force_login(user)
    assert client.get("/federation/29/").status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_whole_flow_set_up_then_log_in_with_password_and_code(client, make_member):
    user = make_member(Role.FEDERAL_HQ, "29")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    secret = response.context["form"].secret
    assert f'<code id="totp-secret">{secret}</code>' in response.content.decode()
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=user).exists()
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}, follow=True)
    assert activated.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    assert "Codes de secours" in activated.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/federation/29/").status_code == 200
    client.post(reverse("account_logout"))

    # The password alone no longer logs in: the code is asked, a wrong one refused.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/federation/29/").status_code == 302
    refused = client.post(reverse("mfa_authenticate"), {"code": "12345"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, time.time() + 30)}, follow=True)
    assert done.redirect_chain[-1][0] == "/federation/29/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_admin_log_in_page_sends_to_the_log_in_that_asks_for_the_code(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_hq_member_cannot_remove_the_authenticator_but_an_activist_can(make_member):
    adapter = MFAAdapter()
    hq = Authenticator.objects.create(
        user=make_member(Role.FEDERAL_HQ, "29"), type=Authenticator.Type.TOTP, data={"secret": "A" * 32}
    )
    activist = Authenticator.objects.create(
        user=make_member(Role.ACTIVIST, "29"), type=Authenticator.Type.TOTP, data={"secret": "A" * 32}
    )
    assert not adapter.can_delete_authenticator(hq)
    assert adapter.can_delete_authenticator(activist)


def test_the_demo_code_helper_matches_allauths_own_computation():
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    at = 1_800_000_000
    assert totp_code(TEST_SECRET, at) == format_hotp_value(hotp_value(TEST_SECRET, at // 30))
