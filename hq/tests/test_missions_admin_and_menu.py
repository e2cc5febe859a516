"""Missions in the admin and in the main menu: scoped as everything else (a federation's HQ
never sees another federation's missions, sign-ups, rides or profiles, not even by guessing
ids), read-only where QG's own pages hold the rules, and a « Transport » page for each role."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from hq.models import ActivistProfile, AuditEntry, Mission, MissionSignup, Ride, RideKind, Role
from hq.tests.ride_helpers import confirm, mission

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(federations, make_member) -> dict:
    """In each federation: a mission with a confirmed activist who has a profile and asks for a ride."""
    world = {}
    for code in ("29", "75"):
        m = mission(federations[code], title=f"Porte-à-porte {code}")
        person = make_member(Role.ACTIVIST, code, name=f"Militant {code}")
        confirm(m, person)
        profile = ActivistProfile.objects.create(
            user=person, consent_text="J'accepte.", consent_at=timezone.now(), max_distance_km=10
        )
        ride = Ride.objects.create(
            mission=m, user=person, kind=RideKind.REQUEST, place="Gare", location=Point(-4.48, 48.39, srid=4326),
            leaves_at=m.starts_at - timedelta(hours=1),
        )  # fmt: skip
        world[code] = {"mission": m, "person": person, "profile": profile, "ride": ride,
                       "signup": MissionSignup.objects.get(mission=m, user=person)}  # fmt: skip
    return world


ADMIN_PAGES = {"mission": "mission", "missionsignup": "signup", "ride": "ride", "activistprofile": "profile"}


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_a_federal_hq_lists_its_own_federations_rows_in_the_admin_and_not_the_others(client, make_member, two, model):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.get(f"/admin/hq/{model}/")
    assert response.status_code == 200
    listed = {obj.pk for obj in response.context["cl"].result_list}
    assert listed == {two["29"][ADMIN_PAGES[model]].pk}


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_another_federations_row_is_a_404_in_the_admin_even_with_its_id(client, make_member, two, model):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    own, other = two["29"][ADMIN_PAGES[model]], two["75"][ADMIN_PAGES[model]]
    assert client.get(f"/admin/hq/{model}/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/hq/{model}/{other.pk}/change/").status_code == 404


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_national_hq_lists_every_federations_rows(client, national, two, model):
    client.force_login(national)
    listed = {obj.pk for obj in client.get(f"/admin/hq/{model}/").context["cl"].result_list}
    assert listed == {two[code][ADMIN_PAGES[model]].pk for code in ("29", "75")}


def test_a_federal_hq_corrects_the_words_of_its_mission_but_not_its_slot_nor_another_federations(
    client, make_member, two
):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    own, other = two["29"]["mission"], two["75"]["mission"]
    form = client.get(f"/admin/hq/mission/{own.pk}/change/").context["adminform"].form
    assert {"title", "meeting_point", "open_to_other_federations"} <= set(form.fields)
    assert not {"starts_at", "capacity_max", "status", "seats_taken", "federation"} & set(form.fields)
    data = {"title": "Porte-à-porte du bourg", "description": "", "meeting_point": "Mairie", "organiser": ""}
    response = client.post(f"/admin/hq/mission/{own.pk}/change/", data)
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.title, own.meeting_point, own.capacity_max) == ("Porte-à-porte du bourg", "Mairie", 20)
    refused = client.post(f"/admin/hq/mission/{other.pk}/change/", data)
    assert refused.status_code == 404
    assert Mission.objects.get(pk=other.pk).title == "Porte-à-porte 75"


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_nobody_adds_or_deletes_missions_sign_ups_rides_or_profiles_in_the_admin(client, national, two, model):
    client.force_login(national)
    own = two["29"][ADMIN_PAGES[model]]
    assert client.get(f"/admin/hq/{model}/add/").status_code == 403
    assert client.post(f"/admin/hq/{model}/{own.pk}/delete/", {"post": "yes"}).status_code == 403
    assert type(own).objects.filter(pk=own.pk).exists()


def test_sign_ups_rides_and_profiles_are_changed_on_qgs_pages_only(client, national, two):
    client.force_login(national)
    signup = two["29"]["signup"]
    response = client.post(f"/admin/hq/missionsignup/{signup.pk}/change/", {"status": "cancelled"})
    assert response.status_code == 403
    assert MissionSignup.objects.get(pk=signup.pk).status == "confirmed"


def test_reading_the_admins_lists_of_sign_ups_is_logged(client, make_member, two):
    hq = make_member(Role.FEDERAL_HQ, "29")
    client.force_login(hq)
    client.get("/admin/hq/missionsignup/")
    assert AuditEntry.objects.filter(actor_id=hq.pk, page="admin missionsignup list").exists()


def test_activists_and_secretaries_do_not_get_into_the_admins_missions(client, make_member, two):
    for role in (Role.ACTIVIST, Role.SECRETARY):
        client.force_login(make_member(role, "29"))
        response = client.get("/admin/hq/mission/")
        assert response.status_code == 302 and "/admin/login/" in response.url


def _nav(client, url: str) -> str:
    return client.get(url).content.decode().split("<nav")[1].split("</nav>")[0]


def test_the_menu_offers_missions_and_transport_to_the_roles_that_use_them(client, make_member, national):
    client.force_login(make_member(Role.ACTIVIST, "29"))
    nav = _nav(client, "/militant/")
    assert 'href="/missions/pour-moi/"' in nav and "Missions pour moi" in nav
    assert 'href="/missions/transport/"' in nav and ">Transport<" in nav
    assert "/federation/29/missions/" not in nav
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    nav = _nav(client, "/federation/29/")
    assert 'href="/federation/29/missions/"' in nav and 'href="/missions/pour-moi/"' in nav
    assert 'href="/missions/transport/"' in nav
    client.force_login(national)
    nav = _nav(client, "/qg/")
    assert 'href="/admin/hq/mission/"' in nav and 'href="/missions/transport/"' in nav
    assert "/missions/pour-moi/" not in nav


def test_the_transport_page_tells_an_activist_how_they_get_to_each_of_their_missions(client, two, make_member):
    own = two["29"]
    driver = make_member(Role.ACTIVIST, "29", name="Yann Conducteur")
    confirm(own["mission"], driver)
    car = Ride.objects.create(
        mission=own["mission"], user=driver, kind=RideKind.OFFER, place="Gare de Brest", seats=3,
        location=Point(-4.48, 48.39, srid=4326), leaves_at=own["mission"].starts_at - timedelta(hours=1),
    )  # fmt: skip
    client.force_login(own["person"])
    page = client.get("/missions/transport/").content.decode()
    assert "Vous avez demandé une place : personne ne vous emmène encore." in page
    Ride.objects.filter(pk=own["ride"].pk).update(driver=car)
    page = client.get("/missions/transport/").content.decode()
    time = timezone.localtime(car.leaves_at).strftime("%H:%M")
    assert f"Vous partez avec Yann Conducteur, depuis Gare de Brest à {time}." in page
    assert f'href="/missions/{own["mission"].pk}/transport/"' in page
    client.force_login(driver)
    assert "Vous conduisez depuis Gare de Brest avec 3 places." in client.get("/missions/transport/").content.decode()


def test_the_transport_page_shows_hq_its_own_missions_and_who_waits_for_a_seat(client, make_member, two):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get("/missions/transport/").content.decode()
    hq = page[page.index('id="transport-hq"') :]
    assert f'data-mission="{two["29"]["mission"].pk}"' in hq and "0 voiture · " in hq
    assert "1 passager en attente" in hq
    assert f'data-mission="{two["75"]["mission"].pk}"' not in page
    assert "Porte-à-porte 75" not in page


def test_the_transport_page_leaves_out_missions_past_or_cancelled(client, two):
    own = two["29"]
    client.force_login(own["person"])
    Mission.objects.filter(pk=own["mission"].pk).update(status="cancelled")
    page = client.get("/missions/transport/").content.decode()
    assert "Vous n'êtes inscrit·e à aucune mission à venir." in page
