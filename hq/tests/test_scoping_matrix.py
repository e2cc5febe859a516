"""The scoping matrix: role × object of one's own federation (29) or another's (75) × read/write.

Pages and admin URLs are requested by each kind of user, including URLs guessed with
the ids of the other federation. What is out of scope answers 403 or 404 (or sends an
anonymous visitor to log in), never 200; a refused POST changes nothing.
"""

from dataclasses import dataclass

import pytest
from django.core import mail

from hq.models import Invitation, Membership, Role, Section, User

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to a log-in page
ROLES = ["national", "federal29", "secretary29", "activist29", "no_membership", "anonymous"]
TARGETS = ["own", "other"]  # objects of federation 29 (the users' own) or of federation 75

# What each role gets for an object of its own federation and of the other one.
READ = {
    "national": {"own": 200, "other": 200},
    "federal29": {"own": 200, "other": 404},
    "secretary29": {"own": 200, "other": 404},
    "activist29": {"own": 200, "other": 404},
    "no_membership": {"own": 404, "other": 404},
    "anonymous": {"own": LOGIN, "other": LOGIN},
}
WRITE = {
    "national": {"own": 200, "other": 200},
    "federal29": {"own": 200, "other": 404},
    "secretary29": {"own": 403, "other": 404},
    "activist29": {"own": 403, "other": 404},
    "no_membership": {"own": 404, "other": 404},
    "anonymous": {"own": LOGIN, "other": LOGIN},
}
# The admin: only HQ staff get in; the others are sent to the admin's log-in page.
ADMIN = {
    "national": {"own": 200, "other": 200},
    "federal29": {"own": 200, "other": 404},
    "secretary29": {"own": LOGIN, "other": LOGIN},
    "activist29": {"own": LOGIN, "other": LOGIN},
    "no_membership": {"own": LOGIN, "other": LOGIN},
    "anonymous": {"own": LOGIN, "other": LOGIN},
}


@dataclass
class World:
    users: dict[str, User | None]
    codes: dict[str, str]
    sections: dict[str, Section]
    memberships: dict[str, Membership]
    invitations: dict[str, Invitation]


@pytest.fixture
def world(make_member, federations, sections, national) -> World:
    members = {"own": make_member(Role.ACTIVIST, "29", name="Cible 29"), "other": make_member(Role.ACTIVIST, "75")}
    return World(
        users={
            "national": national,
            "federal29": make_member(Role.FEDERAL_HQ, "29"),
            "secretary29": make_member(Role.SECRETARY, "29"),
            "activist29": make_member(Role.ACTIVIST, "29"),
            "no_membership": make_member(None),
            "anonymous": None,
        },
        codes={"own": "29", "other": "75"},
        sections={"own": sections["29"], "other": sections["75"]},
        memberships={target: user.membership for target, user in members.items()},
        invitations={
            target: Invitation.objects.create(email=f"{target}@example.org", federation=federations[code])
            for target, code in (("own", "29"), ("other", "75"))
        },
    )


def as_(client, world: World, role: str):
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def outcome(response) -> int | str:
    """200 / 403 / 404 as they are; a redirect to a log-in page is LOGIN; anything else is shown whole."""
    if response.status_code == 302 and ("/comptes/login/" in response.url or "/admin/login/" in response.url):
        return LOGIN
    return response.status_code


# Pages of the site


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_reading_a_federation_page(client, world, role, target):
    response = as_(client, world, role).get(f"/federation/{world.codes[target]}/")
    assert outcome(response) == READ[role][target]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_opening_the_section_edit_page(client, world, role, target):
    section = world.sections[target]
    response = as_(client, world, role).get(f"/federation/{world.codes[target]}/sections/{section.pk}/modifier/")
    assert outcome(response) == WRITE[role][target]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_renaming_a_section(client, world, role, target):
    section = world.sections[target]
    old_name = section.name
    response = as_(client, world, role).post(
        f"/federation/{world.codes[target]}/sections/{section.pk}/modifier/", {"name": "Nouveau nom"}
    )
    section.refresh_from_db()
    if WRITE[role][target] == 200:
        assert response.status_code == 302
        assert section.name == "Nouveau nom"
    else:
        assert outcome(response) == WRITE[role][target]
        assert section.name == old_name


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_opening_the_invitation_page(client, world, role, target):
    response = as_(client, world, role).get(f"/federation/{world.codes[target]}/inviter/")
    assert outcome(response) == WRITE[role][target]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_sending_an_invitation(client, world, role, target):
    before = Invitation.objects.count()
    response = as_(client, world, role).post(
        f"/federation/{world.codes[target]}/inviter/", {"email": "nouveau@example.org", "role": Role.ACTIVIST}
    )
    if WRITE[role][target] == 200:
        assert response.status_code == 302
        assert Invitation.objects.filter(email="nouveau@example.org").count() == 1
        assert len(mail.outbox) == 1
    else:
        assert outcome(response) == WRITE[role][target]
        assert Invitation.objects.count() == before
        assert mail.outbox == []


@pytest.mark.parametrize("role", ROLES)
def test_a_section_id_guessed_under_another_federations_code_is_not_found(client, world, role):
    """/federation/29/sections/<a section of 75>/: the code in the URL does not widen the scope."""
    section = world.sections["other"]
    client = as_(client, world, role)
    get = client.get(f"/federation/29/sections/{section.pk}/modifier/")
    post = client.post(f"/federation/29/sections/{section.pk}/modifier/", {"name": "Piraté"})
    expected = LOGIN if role == "anonymous" else 404
    assert outcome(get) == expected
    assert outcome(post) == expected
    section.refresh_from_db()
    assert section.name == "Paris 11e"


# The admin


def admin_objects(world: World, target: str) -> dict[str, object]:
    return {
        "section": world.sections[target],
        "membership": world.memberships[target],
        "invitation": world.invitations[target],
        "user": world.memberships[target].user,
    }


@pytest.mark.parametrize("model", ["section", "membership", "invitation"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_admin_change_delete_and_history_pages(client, world, role, target, model):
    obj = admin_objects(world, target)[model]
    client = as_(client, world, role)
    for action in ("change", "delete", "history"):
        url = f"/admin/hq/{model}/{obj.pk}/{action}/"
        assert outcome(client.get(url)) == ADMIN[role][target], url


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_admin_user_accounts(client, world, role, target):
    """Accounts are read-only for a federal HQ: seen in its département, deleted by nobody but national HQ."""
    user = admin_objects(world, target)["user"]
    client = as_(client, world, role)
    assert outcome(client.get(f"/admin/hq/user/{user.pk}/change/")) == ADMIN[role][target]
    expected_delete = 403 if (role, target) == ("federal29", "own") else ADMIN[role][target]
    assert outcome(client.get(f"/admin/hq/user/{user.pk}/delete/")) == expected_delete


@pytest.mark.parametrize("model", ["section", "membership", "invitation", "user"])
@pytest.mark.parametrize("role", ROLES)
def test_admin_lists_show_only_what_is_in_scope(client, world, role, model):
    response = as_(client, world, role).get(f"/admin/hq/{model}/")
    assert outcome(response) == ADMIN[role]["own"]
    if response.status_code == 200:
        listed = {obj.pk for obj in response.context["cl"].result_list}
        own, other = admin_objects(world, "own")[model], admin_objects(world, "other")[model]
        assert own.pk in listed
        assert (other.pk in listed) == (ADMIN[role]["other"] == 200)


@pytest.mark.parametrize("model", ["section", "membership", "invitation"])
@pytest.mark.parametrize("role", ROLES)
def test_admin_delete_of_another_federations_object_deletes_nothing(client, world, role, model):
    obj = admin_objects(world, "other")[model]
    response = as_(client, world, role).post(f"/admin/hq/{model}/{obj.pk}/delete/", {"post": "yes"})
    still_there = type(obj).objects.filter(pk=obj.pk).exists()
    if ADMIN[role]["other"] == 200:
        assert response.status_code == 302
        assert not still_there
    else:
        assert outcome(response) == ADMIN[role]["other"]
        assert still_there


@pytest.mark.parametrize("role", ROLES)
def test_admin_change_of_another_federations_section_changes_nothing(client, world, role):
    section = world.sections["other"]
    response = as_(client, world, role).post(
        f"/admin/hq/section/{section.pk}/change/", {"name": "Piraté", "federation": section.federation_id}
    )
    section.refresh_from_db()
    if ADMIN[role]["other"] == 200:
        assert response.status_code == 302
        assert section.name == "Piraté"
    else:
        assert outcome(response) == ADMIN[role]["other"]
        assert section.name == "Paris 11e"


def test_a_federal_hq_cannot_move_a_member_to_another_federation_or_make_them_national_hq(client, world, federations):
    membership = world.memberships["own"]
    client.force_login(world.users["federal29"])
    response = client.post(
        f"/admin/hq/membership/{membership.pk}/change/",
        {"role": Role.NATIONAL_HQ, "federation": federations["75"].pk, "section": ""},
    )
    assert response.status_code == 200  # the form comes back with its errors
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"role", "federation"}
    membership.refresh_from_db()
    assert (membership.role, membership.federation_id) == (Role.ACTIVIST, federations["29"].pk)


def test_a_federal_hq_cannot_give_itself_admin_powers(client, world):
    federal = world.users["federal29"]
    client.force_login(federal)
    response = client.post(
        f"/admin/hq/user/{federal.pk}/change/",
        {"email": federal.email, "full_name": "Moi", "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    assert response.status_code == 403
    federal.refresh_from_db()
    assert not federal.is_superuser
    assert federal.full_name == ""
