"""Every link of the main menu opens for the role that sees it: a menu never leads a member to
a « forbidden » or « not found » page. The secretary reads and prints for the federation and
files no report (hq.scoping.Scope.can_file_observations), so their menu offers no report form."""

import re

import pytest

from hq.models import Role

pytestmark = pytest.mark.django_db

HOMES = {
    Role.NATIONAL_HQ: "/qg/",
    Role.FEDERAL_HQ: "/federation/29/",
    Role.SECRETARY: "/secretariat/",
    Role.ACTIVIST: "/militant/",
}


def _menu_links(client, home: str) -> list[str]:
    page = client.get(home)
    assert page.status_code == 200
    nav = page.content.decode().split("<nav")[1].split("</nav>")[0]
    return re.findall(r'<a href="(/[^"]*)"', nav)


@pytest.mark.parametrize("role", list(HOMES))
def test_each_link_of_the_menu_opens_for_the_role_that_sees_it(client, make_member, role):
    client.force_login(make_member(role, None if role == Role.NATIONAL_HQ else "29"))
    links = _menu_links(client, HOMES[role])
    assert len(links) >= 5, links
    refused = {link: client.get(link).status_code for link in links}
    assert {link: status for link, status in refused.items() if status >= 400} == {}


def test_the_secretarys_menu_offers_no_report_form_they_may_not_send(client, make_member):
    client.force_login(make_member(Role.SECRETARY, "29"))
    links = _menu_links(client, "/secretariat/")
    assert "/observations/nouvelle/" not in links
    # What the secretary does use stays in the menu.
    assert "/secretariat/" in links and "/fiches/" in links
    client.force_login(make_member(Role.ACTIVIST, "29"))
    assert "/observations/nouvelle/" in _menu_links(client, "/militant/")
