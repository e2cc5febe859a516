import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from hq.models import Invitation, Membership, Role, User
from hq.services import CONSENT_WORDING, InvitationUnusable, invitation_accept, invitation_send

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Ker-Avel-29-Brest"


def accept_link(message) -> str:
    return re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)


def test_a_federal_hq_invites_an_activist_to_a_section_and_the_email_holds_the_absolute_link(
    make_member, federations, sections
):
    federal = make_member(Role.FEDERAL_HQ, "29", name="Fanch Fédéral")
    invitation = invitation_send(
        email="Nouvelle@Example.org",
        role=Role.ACTIVIST,
        federation=federations["29"],
        section=sections["29"],
        by=federal,
        base_url="https://qg.example.org/",
    )
    assert invitation.email == "nouvelle@example.org"
    assert invitation.invited_by == federal
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle@example.org"]
    assert accept_link(message) == f"https://qg.example.org/invitation/{invitation.token}/"
    assert "Fanch Fédéral vous invite" in message.body
    assert "Fédération du Finistère" in message.body


def test_the_invitation_is_written_in_french_even_when_the_inviter_reads_qg_in_english(make_member, federations):
    federal = make_member(Role.FEDERAL_HQ, "29", name="Fanch Fédéral")
    with translation.override("en"):
        invitation_send(
            email="anglais@example.org", role=Role.ACTIVIST, federation=federations["29"], section=None, by=federal
        )
    message = mail.outbox[0]
    assert message.subject == "Invitation à rejoindre QG"
    assert "Fanch Fédéral vous invite" in message.body


@pytest.mark.parametrize(
    ("inviter_role", "role", "federation_code"),
    [
        (Role.FEDERAL_HQ, Role.ACTIVIST, "75"),  # another federation
        (Role.FEDERAL_HQ, Role.NATIONAL_HQ, None),  # a role above their own
        (Role.SECRETARY, Role.ACTIVIST, "29"),
        (Role.ACTIVIST, Role.ACTIVIST, "29"),
    ],
)
def test_invitations_beyond_the_inviters_rights_are_refused_and_nothing_is_sent(
    make_member, federations, inviter_role, role, federation_code
):
    inviter = make_member(inviter_role, "29")
    with pytest.raises(PermissionDenied):
        invitation_send(
            email="x@example.org",
            role=role,
            federation=federations.get(federation_code),
            section=None,
            by=inviter,
        )
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_national_hq_invites_to_any_federation_and_to_the_national_hq(national, federations):
    to_paris = invitation_send(
        email="a@example.org", role=Role.SECRETARY, federation=federations["75"], section=None, by=national
    )
    to_national = invitation_send(
        email="b@example.org", role=Role.NATIONAL_HQ, federation=federations["29"], section=None, by=national
    )
    assert to_paris.federation == federations["75"]
    assert to_national.federation is None  # the national HQ belongs to no federation
    assert len(mail.outbox) == 2


def test_a_section_of_another_federation_is_refused(national, federations, sections):
    with pytest.raises(ValidationError):
        invitation_send(
            email="a@example.org", role=Role.ACTIVIST, federation=federations["29"], section=sections["75"], by=national
        )


def test_accepting_creates_the_account_and_membership_with_the_consent_shown_and_its_time(
    national, federations, sections
):
    invitation = invitation_send(
        email="new@example.org", role=Role.ACTIVIST, federation=federations["29"], section=sections["29"], by=national
    )
    before = timezone.now()
    user = invitation_accept(
        invitation=invitation, full_name=" Maël Le Gall ", password=GOOD_PASSWORD, consent="Texte vu."
    )
    membership = Membership.objects.get(user=user)
    assert (user.email, user.full_name) == ("new@example.org", "Maël Le Gall")
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff
    assert (membership.role, membership.federation, membership.section) == (
        Role.ACTIVIST,
        federations["29"],
        sections["29"],
    )
    assert membership.consent_text == "Texte vu."
    assert before <= membership.consent_at <= timezone.now()
    invitation.refresh_from_db()
    assert invitation.accepted_at == membership.consent_at


def test_an_invitation_works_once(national, federations):
    invitation = invitation_send(
        email="once@example.org", role=Role.ACTIVIST, federation=federations["29"], section=None, by=national
    )
    invitation_accept(invitation=invitation, full_name="Une Fois", password=GOOD_PASSWORD, consent="Oui.")
    with pytest.raises(InvitationUnusable):
        invitation_accept(invitation=invitation, full_name="Deux Fois", password=GOOD_PASSWORD, consent="Oui.")
    assert User.objects.filter(email="once@example.org").count() == 1


def test_a_federal_hq_who_accepts_gets_the_admin_with_the_federal_group(national, federations):
    invitation = invitation_send(
        email="fed@example.org", role=Role.FEDERAL_HQ, federation=federations["29"], section=None, by=national
    )
    user = invitation_accept(invitation=invitation, full_name="Fédé Rale", password=GOOD_PASSWORD, consent="Oui.")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["QG fédéral"]


# The pages


def test_the_invitation_page_of_a_federal_hq_offers_only_the_roles_it_may_give(client, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get("/federation/29/inviter/").content.decode()
    offered = re.findall(r'<option value="([a-z_]+)"', page.split('name="role"')[1].split("</select>")[0])
    assert offered == [Role.FEDERAL_HQ, Role.SECRETARY, Role.ACTIVIST]


def test_sending_from_the_page_emails_a_link_to_this_site_and_lists_the_invitation(client, make_member, sections):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post(
        "/federation/29/inviter/",
        {"email": "voisin@example.org", "role": Role.ACTIVIST, "section": sections["29"].pk},
        follow=True,
    )
    assert "Invitation envoyée à voisin@example.org." in response.content.decode()
    invitation = Invitation.objects.get()
    assert accept_link(mail.outbox[0]) == f"http://testserver/invitation/{invitation.token}/"
    assert "voisin@example.org" in client.get("/federation/29/").content.decode()


def test_inviting_an_address_that_has_an_account_says_so_in_french_and_keeps_the_input(client, make_member):
    existing = make_member(Role.ACTIVIST, "29")
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.post("/federation/29/inviter/", {"email": existing.email, "role": Role.SECRETARY}).content.decode()
    assert "Cette adresse a déjà un compte QG." in page
    assert f'value="{existing.email}"' in page
    assert '<option value="secretary" selected>' in page
    assert Invitation.objects.count() == 0


def test_the_accept_page_shows_the_consent_wording_and_logs_the_new_member_in_on_their_home(
    client, national, federations, sections
):
    invitation = invitation_send(
        email="joins@example.org", role=Role.ACTIVIST, federation=federations["29"], section=sections["29"], by=national
    )
    url = f"/invitation/{invitation.token}/"
    page = client.get(url).content.decode()
    shown = "J'accepte que le parti conserve mon nom, mon adresse e-mail et mon engagement militant"
    assert shown.replace("'", "&#x27;") in page
    response = client.post(
        url,
        {"full_name": "Joséphine Baker", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "consent": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/militant/"
    assert 'data-home="activist"' in response.content.decode()
    membership = Membership.objects.get(user__email="joins@example.org")
    with translation.override("fr"):
        assert membership.consent_text == str(CONSENT_WORDING)
    assert membership.consent_text.startswith(shown)


def test_accept_form_errors_are_in_french_and_keep_what_was_typed(client, national, federations):
    invitation = invitation_send(
        email="typo@example.org", role=Role.ACTIVIST, federation=federations["29"], section=None, by=national
    )
    page = client.post(
        f"/invitation/{invitation.token}/",
        {"full_name": "Anne Typo", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"},
    ).content.decode()
    assert "Les deux mots de passe sont différents" in page
    assert "Cochez la case pour donner votre accord" in page
    # the unticked box points screen readers at the wording and at its error
    assert 'id="id_consent_error"' in page
    assert 'aria-describedby="consent-wording id_consent_error"' in page
    assert 'value="Anne Typo"' in page
    assert not User.objects.filter(email="typo@example.org").exists()


def test_a_weak_password_is_refused_by_djangos_validators_in_french(client, national, federations):
    invitation = invitation_send(
        email="weak@example.org", role=Role.ACTIVIST, federation=federations["29"], section=None, by=national
    )
    page = client.post(
        f"/invitation/{invitation.token}/",
        {"full_name": "Faible", "password1": "12345678", "password2": "12345678", "consent": "on"},
    ).content.decode()
    assert "Ce mot de passe est entièrement numérique." in page
    assert not User.objects.filter(email="weak@example.org").exists()


def test_used_expired_and_unknown_links_get_a_clear_french_page(client, national, federations):
    used = invitation_send(
        email="u@example.org", role=Role.ACTIVIST, federation=federations["29"], section=None, by=national
    )
    invitation_accept(invitation=used, full_name="U", password=GOOD_PASSWORD, consent="Oui.")
    expired = invitation_send(
        email="e@example.org", role=Role.ACTIVIST, federation=federations["29"], section=None, by=national
    )
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(f"/invitation/{used.token}/")
    assert response.status_code == 410
    assert "Cette invitation a déjà servi" in response.content.decode()
    response = client.post(
        f"/invitation/{expired.token}/",
        {"full_name": "E", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "consent": "on"},
    )
    assert response.status_code == 410
    assert "Cette invitation a expiré" in response.content.decode()
    assert not User.objects.filter(email="e@example.org").exists()
    response = client.get("/invitation/pas-un-vrai-jeton/")
    assert response.status_code == 404
    assert "invitation est inconnu" in response.content.decode()


def test_the_national_invitation_page_offers_every_role_and_invites_to_the_national_hq(client, national, federations):
    client.force_login(national)
    page = client.get("/qg/inviter/").content.decode()
    offered = re.findall(r'<option value="([a-z_]+)"', page.split('name="role"')[1].split("</select>")[0])
    assert offered == [Role.NATIONAL_HQ, Role.FEDERAL_HQ, Role.SECRETARY, Role.ACTIVIST]
    assert "Fédération de Paris" in page and "Fédération du Finistère" in page
    response = client.post("/qg/inviter/", {"email": "analyste@example.org", "role": Role.NATIONAL_HQ})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="analyste@example.org")
    assert (invitation.role, invitation.federation) == (Role.NATIONAL_HQ, None)


def test_the_national_invitation_page_asks_for_a_federation_below_national_level(client, national):
    client.force_login(national)
    page = client.post("/qg/inviter/", {"email": "fede@example.org", "role": Role.ACTIVIST}).content.decode()
    assert "Choisissez la fédération de la personne que vous invitez." in page
    assert Invitation.objects.count() == 0
