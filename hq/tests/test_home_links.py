"""Menus and home pages link the fiches and observations pages."""

import pytest

from hq.models import Role

pytestmark = pytest.mark.django_db


def nav(page: str) -> str:
    return page.split("<nav")[1].split("</nav>")[0]


def test_an_activist_is_offered_the_fiches_and_the_observation_form(client, make_member):
    client.force_login(make_member(Role.ACTIVIST, "29"))
    page = client.get("/militant/").content.decode()
    assert 'href="/fiches/"' in nav(page)
    assert 'href="/observations/nouvelle/"' in nav(page)
    main = page.split("<main")[1]
    assert 'href="/observations/nouvelle/"' in main and 'href="/observations/mes-observations/"' in main
    assert 'href="/fiches/"' in main


def test_the_secretariat_offers_the_batch_printing_once_it_exists(client, make_member):
    client.force_login(make_member(Role.SECRETARY, "29"))
    page = client.get("/secretariat/").content.decode()
    assert 'href="/fiches/impression/"' in page
    assert "pas encore disponible" not in page


def test_an_hq_reads_the_observations_list(client, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    assert 'href="/observations/"' in nav(client.get("/federation/29/").content.decode())
