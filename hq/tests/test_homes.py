import re

import pytest
from django.urls import reverse

from circonscriptions.models import Circonscription, Departement, ImportRun
from hq.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_ROLES, DEMO_TOTP_SECRET, demo_load, totp_code
from hq.models import Federation, Invitation, Membership, Role, User

pytestmark = pytest.mark.django_db


def h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, "the page has no <h1>"
    return re.sub(r"\s+", " ", match.group(1)).strip()


def data_home(response) -> str | None:
    match = re.search(r'<body[^>]*data-home="([a-z]+)"', response.content.decode())
    return match.group(1) if match else None


@pytest.mark.parametrize(
    ("role", "code", "expected_url", "expected_home", "expected_h1"),
    [
        (Role.NATIONAL_HQ, None, "/qg/", "national", "QG national"),
        (Role.FEDERAL_HQ, "29", "/federation/29/", "federal", "Fédération du Finistère"),
        (Role.SECRETARY, "29", "/secretariat/", "secretary", "Fédération du Finistère — secrétariat"),
        (Role.ACTIVIST, "29", "/militant/", "activist", "Fédération du Finistère"),
        (None, None, "/sans-role/", "none", "Bienvenue sur QG"),
    ],
)
def test_home_sends_each_role_to_its_own_home_page(
    client, make_member, role, code, expected_url, expected_home, expected_h1
):
    client.force_login(make_member(role, code))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == expected_url
    page = client.get(expected_url)
    assert page.status_code == 200
    assert data_home(page) == expected_home
    assert h1(page) == expected_h1


def test_home_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_each_demo_account_logs_in_with_the_demo_password_and_reaches_its_home(client):
    demo_load()
    homes = {
        Role.NATIONAL_HQ: "national",
        Role.FEDERAL_HQ: "federal",
        Role.SECRETARY: "secretary",
        Role.ACTIVIST: "activist",
    }
    for email, _name, role, _code, _section in DEMO_ACCOUNTS:
        response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD}, follow=True)
        if role in DEMO_TOTP_ROLES:
            # HQ accounts have the demo's published authenticator key: the log-in asks for its code.
            assert response.redirect_chain[-1][0] == reverse("mfa_authenticate"), email
            response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)}, follow=True)
        assert data_home(response) == homes[role], email
        client.post(reverse("account_logout"))


def test_demo_federal_hq_accounts_are_staff_in_the_federal_group_and_reload_changes_nothing():
    demo_load()
    users_before = User.objects.count()
    assert demo_load() == ["données de démo déjà chargées."]
    assert User.objects.count() == users_before
    federal = User.objects.get(email="federation29@qg.example")
    assert federal.is_staff and not federal.is_superuser
    assert list(federal.groups.values_list("name", flat=True)) == ["QG fédéral"]
    assert federal.has_perm("hq.change_section") and not federal.has_perm("hq.add_invitation")


def test_national_home_lists_federations_with_members_pending_invitations_and_imports(
    client, national, make_member, federations
):
    make_member(Role.ACTIVIST, "29")
    make_member(Role.FEDERAL_HQ, "29")
    Invitation.objects.create(email="new@example.org", federation=federations["29"], invited_by=national)
    ImportRun.objects.create(kind="territory", file_name="circonscriptions-2024.geojson", checksum="0" * 64, rows=577)
    client.force_login(national)
    page = client.get("/qg/").content.decode()
    row_29 = re.search(r"<tr>\s*<td>29</td>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row_29) == ["2", "1"]  # members, pending invitations
    assert "circonscriptions-2024.geojson" in page


def test_national_home_names_each_import_kind_in_french_not_by_its_code(client, national):
    for kind in ("territory", "boundaries", "indicators", "results"):
        ImportRun.objects.create(kind=kind, file_name=f"{kind}.csv", checksum="0" * 64, rows=1)
    client.force_login(national)
    page = client.get("/qg/").content.decode()
    kinds = re.findall(
        r"<td>[^<]*</td>\s*<td>([^<]+)</td>\s*<td>(?:territory|boundaries|indicators|results)\.csv</td>", page
    )
    assert len(kinds) == 4
    assert not {"territory", "boundaries", "indicators", "results"} & set(kinds)
    assert "Résultats électoraux" in kinds


def test_national_home_says_when_nothing_was_imported_yet(client, national):
    client.force_login(national)
    assert "Aucune donnée officielle importée" in client.get("/qg/").content.decode()


def test_federal_home_lists_sections_members_and_invitations_in_constant_queries(
    client, make_member, federations, sections, django_assert_num_queries
):
    federal = make_member(Role.FEDERAL_HQ, "29", name="Fanch Fédéral")
    for i in range(6):
        make_member(Role.ACTIVIST, "29", section=sections["29"], name=f"Militant {i}")
    make_member(Role.ACTIVIST, "75", name="Parisien hors champ")
    for i in range(3):
        Invitation.objects.create(email=f"invite{i}@example.org", federation=federations["29"], invited_by=federal)
    client.force_login(federal)
    client.get("/federation/29/")  # warms the session
    # session, user, scope, federation, can_write, sections, members, invitations, audit entry (one INSERT)
    with django_assert_num_queries(9):
        response = client.get("/federation/29/")
    page = response.content.decode()
    assert page.count("Militant ") == 6
    assert "Parisien hors champ" not in page
    assert page.count("@example.org</td>") == 3
    assert "Brest centre" in page
    assert 'href="/federation/29/inviter/"' in page


def test_an_activist_reading_the_federation_page_sees_sections_but_no_member_list(client, make_member, sections):
    make_member(Role.ACTIVIST, "29", name="Voisine Discrète")
    activist = make_member(Role.ACTIVIST, "29")
    client.force_login(activist)
    page = client.get("/federation/29/").content.decode()
    assert "Brest centre" in page
    assert "Voisine Discrète" not in page
    assert "/inviter/" not in page


def test_secretary_home_lists_the_circonscriptions_of_the_departement_only(client, make_member, departements):
    # Numbers no real département reaches.
    Circonscription.objects.create(code="2998", departement=departements["29"], number=98, name="Essai Finistère")
    Circonscription.objects.create(code="7598", departement=departements["75"], number=98, name="Essai Paris")
    client.force_login(make_member(Role.SECRETARY, "29"))
    page = client.get("/secretariat/").content.decode()
    assert "Essai Finistère" in page
    assert 'href="/carte/circonscription/2998/"' in page  # its profiles page
    assert "Essai Paris" not in page
    assert "<button" not in page.split("<main")[1].split("</main>")[0]  # no fake print button


def test_secretary_home_explains_that_the_territory_is_not_imported_yet(client, make_member):
    # A département of its own, which no import has touched.
    departement = Departement.objects.create(code="9Z", name="Essai")
    federation = Federation.objects.create(departement=departement, name="Fédération d'essai")
    secretary = make_member(None)
    Membership.objects.create(user=secretary, role=Role.SECRETARY, federation=federation)
    client.force_login(secretary)
    page = client.get("/secretariat/").content.decode()
    assert "Aucune circonscription pour l'instant" in page


def test_activist_home_shows_federation_section_and_the_way_to_the_fiches(client, make_member, sections):
    client.force_login(make_member(Role.ACTIVIST, "29", section=sections["29"]))
    page = client.get("/militant/").content.decode()
    assert "Votre section : Brest centre." in page
    assert "Les fiches publiées pour votre fédération" in page


@pytest.mark.parametrize("url", ["/qg/", "/secretariat/", "/militant/"])
def test_a_home_page_of_another_role_is_refused(client, make_member, url):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    assert client.get(url).status_code == 403


def test_national_home_counts_every_federation_in_one_query(
    client, national, make_member, federations, django_assert_num_queries
):
    for code in ("29", "29", "75"):
        make_member(Role.ACTIVIST, code)
    client.force_login(national)
    client.get("/qg/")
    # session, user, scope, federations with their counts, import runs
    with django_assert_num_queries(5):
        page = client.get("/qg/").content.decode()
    assert "Fédération de Paris" in page and "Fédération du Finistère" in page
