"""Missions: creation (one by one, from the priorities, proposed by an activist), sign-ups and their
waiting list, reminders, .ics, the activist's profile and the recruitment follow-up."""

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from hq import missions as services
from hq.models import (
    ActivistProfile,
    AuditEntry,
    FollowupStatus,
    Mission,
    MissionSignup,
    MissionStatus,
    Role,
    SignupStatus,
    Supporter,
)
from hq.tests.mission_helpers import BREST, CARHAIX, catalogue, finistere_place, mission, profile

pytestmark = pytest.mark.django_db


def _slot(days: int = 3, hour: int = 10) -> tuple[str, str]:
    start = (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0)
    return start.strftime("%Y-%m-%dT%H:%M"), (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")


def _form(method, **changes) -> dict:
    starts, ends = _slot()
    data = {
        "title": "Porte-à-porte pour la maternité",
        "method": method.pk,
        "starts_at": starts,
        "ends_at": ends,
        "capacity_min": 2,
        "capacity_max": 6,
        "meeting_point": "Place de la mairie",
        "meeting_coordinates": "48.276, -3.573",
    }
    data.update(changes)
    return data


# --- Creation ------------------------------------------------------------------------------


def test_federal_hq_creates_an_open_mission_from_the_phone_form(client, make_member):
    c = catalogue()
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post("/federation/29/missions/nouvelle/", _form(c["door"]))
    created = Mission.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/missions/{created.pk}/"
    assert created.status == MissionStatus.OPEN
    assert created.location is not None and abs(created.location.y - 48.276) < 1e-6


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"starts_at": "2020-01-04T10:00", "ends_at": "2020-01-04T12:00"}, "starts_at", "déjà passé"),
        ({"capacity_min": 0}, "capacity_min", "au moins une personne"),
        ({"capacity_min": 5, "capacity_max": 3}, "capacity_max", "inférieur au minimum"),
        ({"meeting_coordinates": "40.4, -3.7"}, "meeting_coordinates", "n'est pas en France"),
        ({"meeting_coordinates": "n'importe quoi"}, "meeting_coordinates", "latitude"),
        # Beyond the columns' range: a sentence next to the field, not an error page.
        ({"capacity_max": 10**12}, "capacity_max", "Au plus 1000 personnes"),
        ({"capacity_min": 40000, "capacity_max": 40000}, "capacity_min", "Au plus 1000 personnes"),
        ({"fiche_id": 10**12}, "fiche_id", "Aucune fiche de votre fédération ne porte ce numéro"),
        ({"fiche_id": 999_999}, "fiche_id", "Aucune fiche de votre fédération ne porte ce numéro"),
    ],
)
def test_a_bad_mission_is_refused_next_to_its_field_and_nothing_is_saved(client, make_member, changes, field, words):
    c = catalogue()
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post("/federation/29/missions/nouvelle/", _form(c["door"], **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert words in " ".join(errors[field]), errors
    assert not Mission.objects.exists()


def test_the_fiche_to_bring_must_be_one_of_the_federations_fiches(client, make_member, departements):
    from circonscriptions.models import Circonscription
    from fiches.models import Fiche

    c = catalogue()
    fiches = {
        code: Fiche.objects.create(
            circonscription=Circonscription.objects.get_or_create(
                code=f"{code}01", defaults={"departement": departements[code], "number": 1}
            )[0],
            title=f"Fiche {code}",
        )
        for code in ("29", "75")
    }
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    refused = client.post("/federation/29/missions/nouvelle/", _form(c["door"], fiche_id=fiches["75"].pk))
    assert "Aucune fiche de votre fédération" in " ".join(refused.context["form"].errors["fiche_id"])
    assert not Mission.objects.exists()
    client.post("/federation/29/missions/nouvelle/", _form(c["door"], fiche_id=fiches["29"].pk))
    assert Mission.objects.get().fiche_id == fiches["29"].pk


def test_the_service_refuses_a_bad_slot_even_without_the_form(make_member, federations):
    c = catalogue()
    hq = make_member(Role.FEDERAL_HQ, "29")
    past = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.mission_create(
            by=hq, federation=federations["29"], method=c["door"], title="x", starts_at=past, ends_at=past
        )
    assert set(refused.value.message_dict) == {"starts_at", "ends_at"}
    assert not Mission.objects.exists()


def test_no_action_is_scheduled_during_the_electoral_silence(make_member, federations):
    from zoneinfo import ZoneInfo

    from circonscriptions.models import Election

    c = catalogue()
    hq = make_member(Role.FEDERAL_HQ, "29")
    paris = ZoneInfo("Europe/Paris")
    today = timezone.now().astimezone(paris).date()
    sunday = today + timedelta(days=(6 - today.weekday()) % 7 + 7)  # a Sunday at least a week ahead
    Election.objects.create(slug="legislatives-2099-1", kind="legislatives", year=2099, round=1, date=sunday)
    saturday_morning = datetime.combine(sunday - timedelta(days=1), time(10), tzinfo=paris)
    with pytest.raises(ValidationError) as refused:
        services.mission_create(
            by=hq, federation=federations["29"], method=c["door"], title="Porte-à-porte de la veille",
            starts_at=saturday_morning, ends_at=saturday_morning + timedelta(hours=2), meeting_location=CARHAIX,
        )  # fmt: skip
    assert "L49" in refused.value.message_dict["starts_at"][0]
    assert not Mission.objects.exists()
    # The Friday before is allowed.
    friday = saturday_morning - timedelta(days=1)
    services.mission_create(
        by=hq, federation=federations["29"], method=c["door"], title="Porte-à-porte du vendredi",
        starts_at=friday, ends_at=friday + timedelta(hours=2), meeting_location=CARHAIX,
    )  # fmt: skip
    assert Mission.objects.count() == 1


def test_an_activist_proposes_a_mission_which_their_federal_hq_approves(client, make_member):
    c = catalogue()
    activist = make_member(Role.ACTIVIST, "29")
    client.force_login(activist)
    client.post("/federation/29/missions/nouvelle/", _form(c["door"]))
    proposed = Mission.objects.get()
    assert proposed.status == MissionStatus.PROPOSED
    # Nobody may sign up before the approval.
    with pytest.raises(ValidationError):
        services.signup_create(mission=proposed, user=make_member(Role.ACTIVIST, "29"))
    # Another federation's activist cannot propose here, and cannot approve.
    with pytest.raises(PermissionDenied):
        services.mission_approve(mission=proposed, by=activist)
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    assert client.post(f"/missions/{proposed.pk}/approuver/").status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == MissionStatus.OPEN


def test_a_proposal_whose_slot_has_passed_is_not_approved(client, make_member, federations):
    c = catalogue()
    late = mission(federations["29"], c["door"], days=-2, status=MissionStatus.PROPOSED)
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.post(f"/missions/{late.pk}/approuver/", follow=True).content.decode()
    assert "déjà passé" in page
    late.refresh_from_db()
    assert late.status == MissionStatus.PROPOSED


def test_an_activist_of_another_federation_cannot_propose_there(make_member, federations):
    c = catalogue()
    start = timezone.now() + timedelta(days=2)
    with pytest.raises(PermissionDenied):
        services.mission_create(
            by=make_member(Role.ACTIVIST, "75"),
            federation=federations["29"],
            method=c["door"],
            title="x",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            meeting_location=CARHAIX,
        )


def test_missions_in_bulk_from_the_top_priority_bureaux_with_the_suited_method(make_member, departements, federations):
    place = finistere_place(departements)
    catalogue()
    hq = make_member(Role.FEDERAL_HQ, "29")
    start = timezone.now() + timedelta(days=5)
    made = services.missions_create_from_priorities(
        by=hq,
        circonscription=place["circonscription"],
        top=3,
        group_m=500,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    # Bureaux 1 and 2 of Carhaix are 150 m apart: one team; bureau 3 is 3.7 km away: another.
    assert [sorted(s.code for s in m.polling_stations.all()) for m in made] == [["1", "2"], ["3"]]
    first, second = made
    # The best bureau is a left-abstention hotspot: a method aimed at abstention; the other is swing.
    assert "abstention" in first.method.suited_kinds()
    assert "swing" in second.method.suited_kinds()
    assert first.title == f"{first.method.name} — Carhaix-Plouguer, bureau 1 (École 1) (+1 bureau voisin)"
    # Each title names the bureau's polling place, as everywhere in QG.
    assert second.title == f"{second.method.name} — Carhaix-Plouguer, bureau 3 (École 3)"
    assert first.circonscription == place["circonscription"] and first.federation == federations["29"]
    one_each = services.missions_create_from_priorities(
        by=hq, circonscription=place["circonscription"], top=2, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    assert len(one_each) == 2


def test_bulk_creation_is_for_the_circonscriptions_hq_only(make_member, departements):
    place = finistere_place(departements)
    catalogue()
    start = timezone.now() + timedelta(days=5)
    with pytest.raises(PermissionDenied):
        services.missions_create_from_priorities(
            by=make_member(Role.FEDERAL_HQ, "75"),
            circonscription=place["circonscription"],
            top=3,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )


def test_the_bulk_page_refuses_a_zero_capacity_next_to_the_field(client, make_member, departements):
    place = finistere_place(departements)
    catalogue()
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    starts, ends = _slot()
    response = client.post(
        "/federation/29/missions/en-serie/",
        {
            "circonscription": place["circonscription"].pk,
            "top": 3,
            "group_m": 0,
            "starts_at": starts,
            "ends_at": ends,
            "capacity_min": 0,
            "capacity_max": 0,
        },
    )
    assert "au moins une personne" in " ".join(response.context["form"].errors["capacity_min"])
    assert not Mission.objects.exists()


def test_the_bulk_page_refuses_a_huge_capacity_next_to_the_field(client, make_member, departements):
    place = finistere_place(departements)
    catalogue()
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    starts, ends = _slot()
    data = {"circonscription": place["circonscription"].pk, "top": 3, "group_m": 0, "starts_at": starts}
    response = client.post(
        "/federation/29/missions/en-serie/", {**data, "ends_at": ends, "capacity_min": 2, "capacity_max": 10**12}
    )
    assert response.status_code == 200
    assert "Au plus 1000 personnes" in " ".join(response.context["form"].errors["capacity_max"])
    assert f'value="{starts}"' in response.content.decode()
    assert not Mission.objects.exists()


def test_bulk_creation_survives_a_polling_place_misplaced_outside_france(client, make_member, departements):
    place = finistere_place(departements)
    catalogue()
    misplaced = place["stations"]["Carhaix-Plouguer-1"]
    misplaced.location = Point(-63.08, 18.07, srid=4326)  # latitude and longitude of Saint-Martin
    misplaced.save(update_fields=["location"])
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    starts, ends = _slot()
    data = {"circonscription": place["circonscription"].pk, "top": 3, "group_m": 0, "starts_at": starts}
    response = client.post(
        "/federation/29/missions/en-serie/", {**data, "ends_at": ends, "capacity_min": 2, "capacity_max": 6}
    )
    assert response.status_code == 302
    there = Mission.objects.get(polling_stations=misplaced)
    assert there.meeting_location is None and there.meeting_point == "École 1"
    assert Mission.objects.count() == 3


def test_a_mission_form_sent_twice_creates_one_mission(client, make_member):
    c = catalogue()
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    data = _form(c["door"])
    first = client.post("/federation/29/missions/nouvelle/", data)
    second = client.post("/federation/29/missions/nouvelle/", data)
    created = Mission.objects.get()
    assert first["Location"] == second["Location"] == f"/missions/{created.pk}/"
    # Another slot, or another meeting point at the same time (a second team), is another mission.
    starts, ends = _slot(days=4)
    client.post("/federation/29/missions/nouvelle/", {**data, "starts_at": starts, "ends_at": ends})
    client.post("/federation/29/missions/nouvelle/", {**data, "meeting_point": "Place du marché"})
    assert Mission.objects.count() == 3


def test_the_bulk_form_sent_twice_creates_each_mission_once(client, make_member, departements):
    place = finistere_place(departements)
    catalogue()
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    starts, ends = _slot()
    data = {
        "circonscription": place["circonscription"].pk,
        "top": 3,
        "group_m": 0,
        "starts_at": starts,
        "ends_at": ends,
        "capacity_min": 2,
        "capacity_max": 6,
    }
    assert client.post("/federation/29/missions/en-serie/", data).status_code == 302
    again = client.post("/federation/29/missions/en-serie/", data, follow=True)
    assert Mission.objects.count() == 3
    assert "Ces missions existent déjà à ce créneau" in again.content.decode()


# --- Sign-ups -----------------------------------------------------------------------------------


def test_sign_ups_fill_the_places_then_the_waiting_list_and_a_cancellation_moves_the_first_up(make_member, federations):
    c = catalogue()
    m = mission(federations["29"], c["door"], capacity_max=2)
    a, b, waiting1, waiting2 = (make_member(Role.ACTIVIST, "29") for _ in range(4))
    statuses = [services.signup_create(mission=m, user=u) for u in (a, b, waiting1, waiting2)]
    assert [(s.status, s.position) for s in statuses] == [
        ("confirmed", None),
        ("confirmed", None),
        ("waiting", 1),
        ("waiting", 2),
    ]
    # Signing up twice changes nothing.
    assert services.signup_create(mission=m, user=a).pk == statuses[0].pk
    with django_capture_on_commit():
        promoted = services.signup_cancel(signup=statuses[0], by=a)
    assert promoted.user == waiting1
    assert MissionSignup.objects.get(user=waiting1).status == SignupStatus.CONFIRMED
    m.refresh_from_db()
    assert m.seats_taken == 2
    assert mail.outbox[-1].to == [waiting1.email] and "place s'est libérée" in mail.outbox[-1].subject
    # The e-mail links to the mission, where one cancels, finds a ride and the fiche.
    assert f"/missions/{m.pk}/" in mail.outbox[-1].body


def django_capture_on_commit():
    # The promoted member's e-mail leaves after the commit; tests run inside a transaction.
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_once_the_mission_has_started_nobody_cancels_nor_is_told_a_place_freed_up(client, make_member, federations):
    c = catalogue()
    started = mission(federations["29"], c["door"], days=-1, capacity_max=1)
    came, waiting = make_member(Role.ACTIVIST, "29"), make_member(Role.ACTIVIST, "29")
    MissionSignup.objects.create(mission=started, user=came, status=SignupStatus.CONFIRMED)
    MissionSignup.objects.create(mission=started, user=waiting, status=SignupStatus.WAITING, position=1)
    Mission.objects.filter(pk=started.pk).update(seats_taken=1)
    client.force_login(came)
    with django_capture_on_commit():
        page = client.post(f"/missions/{started.pk}/desinscription/", follow=True).content.decode()
    assert "La mission a déjà commencé" in page
    assert MissionSignup.objects.get(user=came).status == SignupStatus.CONFIRMED
    # A person's erasure still cancels their sign-up, but the next in line is not sent to a past mission.
    with django_capture_on_commit():
        assert services.signup_cancel(signup=MissionSignup.objects.get(user=came), by=came) is None
    assert MissionSignup.objects.get(user=waiting).status == SignupStatus.WAITING
    assert Mission.objects.get(pk=started.pk).seats_taken == 0
    assert not mail.outbox


def test_a_cancelled_or_foreign_mission_refuses_sign_ups_in_french(make_member, federations):
    c = catalogue()
    cancelled = mission(federations["29"], c["door"], status=MissionStatus.CANCELLED)
    with pytest.raises(ValidationError, match="annulée"):
        services.signup_create(mission=cancelled, user=make_member(Role.ACTIVIST, "29"))
    closed = mission(federations["29"], c["door"])
    with pytest.raises(PermissionDenied):
        services.signup_create(mission=closed, user=make_member(Role.ACTIVIST, "75"))
    opened = mission(federations["29"], c["door"], open_to_other_federations=True)
    assert services.signup_create(mission=opened, user=make_member(Role.ACTIVIST, "75")).status == "confirmed"


def test_sign_up_in_one_tap_from_the_mission_page(client, make_member, federations):
    c = catalogue()
    m = mission(federations["29"], c["door"], capacity_max=1)
    client.force_login(make_member(Role.ACTIVIST, "29"))
    response = client.post(f"/missions/{m.pk}/inscription/", follow=True)
    assert "Vous êtes inscrit" in response.content.decode()
    other = make_member(Role.ACTIVIST, "29")
    client.force_login(other)
    page = client.post(f"/missions/{m.pk}/inscription/", follow=True).content.decode()
    assert "liste d'attente" in page
    # A mission of another federation not opened to others is not even shown.
    client.force_login(make_member(Role.ACTIVIST, "75"))
    assert client.get(f"/missions/{m.pk}/").status_code == 404
    assert client.post(f"/missions/{m.pk}/inscription/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_sign_ups_on_five_places_leave_exactly_five_confirmed(make_member, federations):
    c = catalogue()
    m = mission(federations["29"], c["door"], capacity_max=5)
    users = [make_member(Role.ACTIVIST, "29") for _ in range(30)]
    barrier = threading.Barrier(len(users))
    failures = []

    def sign_up(user):
        try:
            barrier.wait()
            services.signup_create(mission=m, user=user)
        except Exception as error:  # noqa: BLE001 — reported to the test below
            failures.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=sign_up, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    m.refresh_from_db()
    assert m.seats_taken == 5
    assert MissionSignup.objects.filter(mission=m, status="confirmed").count() == 5
    waiting = MissionSignup.objects.filter(mission=m, status="waiting").order_by("position")
    assert [s.position for s in waiting] == list(range(1, 26))


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_arriving_at_once_creates_one_mission(make_member, federations):
    c = catalogue()
    hq = make_member(Role.FEDERAL_HQ, "29")
    start = timezone.now() + timedelta(days=2)
    barrier = threading.Barrier(2)
    failures = []

    def create():
        try:
            barrier.wait()
            services.mission_create(
                by=hq, federation=federations["29"], method=c["door"], title="Tractage au marché",
                starts_at=start, ends_at=start + timedelta(hours=2), meeting_location=CARHAIX,
            )  # fmt: skip
        except Exception as error:  # noqa: BLE001 — reported to the test below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert Mission.objects.filter(title="Tractage au marché").count() == 1


def test_reminders_go_the_day_before_once(make_member, federations):
    c = catalogue()
    tomorrow = mission(federations["29"], c["door"], days=1, hour=10, title="Demain à Carhaix")
    later = mission(federations["29"], c["door"], days=5)
    member = make_member(Role.ACTIVIST, "29")
    services.signup_create(mission=tomorrow, user=member)
    services.signup_create(mission=later, user=member)
    waiting = make_member(Role.ACTIVIST, "29")
    MissionSignup.objects.create(mission=tomorrow, user=waiting, status=SignupStatus.WAITING, position=1)
    call_command("send_mission_reminders")
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert mail.outbox[0].subject == "Demain : Demain à Carhaix"
    call_command("send_mission_reminders")
    assert len(mail.outbox) == 1


def test_the_beat_task_runs_the_reminder_command(make_member, federations):
    from config.celery import app
    from hq.tasks import mission_reminders_send_task

    assert app.conf.beat_schedule["mission-reminders"]["task"] == "hq.tasks.mission_reminders_send_task"
    c = catalogue()
    member = make_member(Role.ACTIVIST, "29")
    services.signup_create(mission=mission(federations["29"], c["door"], days=1, hour=15), user=member)
    mission_reminders_send_task.apply()
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_the_ics_file_is_an_event_in_utc(client, make_member, federations):
    c = catalogue()
    m = mission(federations["29"], c["door"], title="Porte-à-porte, Carhaix", meeting_point="Mairie; parvis")
    client.force_login(make_member(Role.ACTIVIST, "29"))
    response = client.get(f"/missions/{m.pk}/mission.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "\r\nEND:VCALENDAR\r\n" in body
    assert f"DTSTART:{m.starts_at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}" in body
    assert "SUMMARY:Porte-à-porte\\, Carhaix" in body and "LOCATION:Mairie\\; parvis" in body


def test_a_line_break_typed_in_a_title_never_reaches_the_mails_nor_the_calendar(client, make_member):
    c = catalogue()
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    typed = _form(
        c["door"],
        title="Porte-à-porte\r\nBcc: tous@example.org",
        meeting_point="Mairie\r\nparvis",
        description="Ligne un\r\nLigne deux",
        capacity_min=1,
        capacity_max=1,
    )
    assert client.post("/federation/29/missions/nouvelle/", typed).status_code == 302
    m = Mission.objects.get()
    assert m.title == "Porte-à-porte Bcc: tous@example.org" and m.meeting_point == "Mairie parvis"
    # The waiting member moved up gets the « une place s'est libérée » mail (a line break in
    # the subject made the mail refused, after the cancellation was committed).
    first, second = make_member(Role.ACTIVIST, "29"), make_member(Role.ACTIVIST, "29")
    signup = services.signup_create(mission=m, user=first)
    services.signup_create(mission=m, user=second)
    with django_capture_on_commit():
        services.signup_cancel(signup=signup, by=first)
    assert mail.outbox[-1].to == [second.email] and "Bcc" in mail.outbox[-1].subject
    body = client.get(f"/missions/{m.pk}/mission.ics").content.decode()
    assert "\r" not in body.replace("\r\n", "") and "DESCRIPTION:Porte-à-porte ciblé — Ligne un\\nLigne deux" in body


def test_the_mission_page_links_to_the_fiches_of_its_circonscription(client, make_member, departements, federations):
    place = finistere_place(departements)
    c = catalogue()
    m = mission(federations["29"], c["door"], circonscription=place["circonscription"])
    client.force_login(make_member(Role.ACTIVIST, "29"))
    assert 'href="/fiches/?circonscription=2906"' in client.get(f"/missions/{m.pk}/").content.decode()
    m.fiche_id = 42
    m.save(update_fields=["fiche_id"])
    assert 'href="/fiches/42/"' in client.get(f"/missions/{m.pk}/").content.decode()


# --- The activist's profile -------------------------------------------------------------------------


def test_an_activist_fills_their_profile_with_consent_and_their_hq_reads_it(client, make_member, sections):
    c = catalogue()
    activist = make_member(Role.ACTIVIST, "29", section=sections["29"])
    client.force_login(activist)
    data = {
        "skills": [c["nurse"].pk],
        "free_skills": "postière, aide-soignante",
        "causes": [c["health"].pk],
        "home_section": sections["29"].pk,
        "home_coordinates": "48.39, -4.486",
        "availability": ["saturday", "weekday_evening"],
        "transport": "car",
        "car_seats": 3,
        "max_distance_km": 60,
    }
    refused = client.post("/militant/profil/", data)
    assert "consentement" in " ".join(refused.context["form"].errors["consent"])
    assert not ActivistProfile.objects.exists()
    assert client.post("/militant/profil/", {**data, "consent": "on"}).status_code == 302
    saved = ActivistProfile.objects.get(user=activist)
    assert (saved.free_skills, saved.availability, saved.car_seats) == (
        ["aide-soignante", "postière"],
        ["saturday", "weekday_evening"],
        3,
    )
    assert saved.consent_text == services.CONSENT_WORDING_PROFILE and saved.consent_at is not None
    assert list(saved.skills.all()) == [c["nurse"]]
    # Their HQ reads it (and the read is logged); another activist and another federation do not.
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get(f"/personnes/militant/{activist.pk}/profil/").content.decode()
    assert "Infirmière" in page and "postière" in page
    assert AuditEntry.objects.filter(page="activist profile").exists()
    client.force_login(make_member(Role.ACTIVIST, "29"))
    assert client.get(f"/personnes/militant/{activist.pk}/profil/").status_code == 404
    client.force_login(make_member(Role.FEDERAL_HQ, "75"))
    assert client.get(f"/personnes/militant/{activist.pk}/profil/").status_code == 404


def test_a_free_skill_too_long_is_refused_next_to_the_field_with_what_was_typed(client, make_member):
    client.force_login(make_member(Role.ACTIVIST, "29"))
    typed = "aide-soignante, " + "accompagnement des personnes âgées à domicile et en établissement"
    response = client.post(
        "/militant/profil/",
        {"free_skills": typed, "transport": "public", "car_seats": 0, "max_distance_km": 20, "consent": "on"},
    )
    assert response.status_code == 200
    assert "60 caractères" in " ".join(response.context["form"].errors["free_skills"])
    assert typed in response.content.decode()
    assert not ActivistProfile.objects.exists()


def test_a_home_outside_france_is_refused(client, make_member):
    client.force_login(make_member(Role.ACTIVIST, "29"))
    response = client.post(
        "/militant/profil/",
        {
            "home_coordinates": "-4.486, 48.39",
            "transport": "foot",
            "car_seats": 0,
            "max_distance_km": 5,
            "consent": "on",
        },
    )
    assert "n'est pas en France" in " ".join(response.context["form"].errors["home_coordinates"])
    assert not ActivistProfile.objects.exists()


def test_hq_merges_a_skill_typed_by_members_into_the_catalogue(client, make_member):
    c = catalogue()
    member = make_member(Role.ACTIVIST, "29")
    profile(member, free_skills=["Infirmière libérale", "cycliste"])
    outsider = make_member(Role.ACTIVIST, "75")
    profile(outsider, free_skills=["infirmière libérale"])
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    assert "Infirmière libérale" in client.get("/federation/29/recrutement/").content.decode()
    client.post("/federation/29/recrutement/competences/", {"name": "infirmière libérale", "into": c["nurse"].pk})
    mine = ActivistProfile.objects.get(user=member)
    assert mine.free_skills == ["cycliste"] and list(mine.skills.all()) == [c["nurse"]]
    # Another federation's members are not HQ 29's to change.
    assert ActivistProfile.objects.get(user=outsider).free_skills == ["infirmière libérale"]


def test_missions_for_me_shows_the_reason_and_a_sign_up_button(client, make_member, federations):
    c = catalogue()
    nurse = make_member(Role.ACTIVIST, "29")
    profile(nurse, skills=[c["nurse"]], home=BREST)
    m = mission(federations["29"], c["door"], title="Campagne pour l'hôpital de Carhaix", skills=[c["nurse"]])
    client.force_login(nurse)
    page = client.get("/missions/pour-moi/").content.decode()
    assert "vous êtes infirmière : Campagne pour l&#x27;hôpital de Carhaix" in page
    assert f'action="/missions/{m.pk}/inscription/"' in page


# --- Recruitment follow-up --------------------------------------------------------------------------


def _supporter(federation, name: str, *, days_ago: int, status=FollowupStatus.TO_CONTACT) -> Supporter:
    return Supporter.objects.create(
        name=name,
        phone="0600000000",
        federation=federation,
        consent_text="J'accepte d'être recontacté.",
        consent_at=timezone.now(),
        followup_status=status,
        followup_changed_at=timezone.now() - timedelta(days=days_ago),
    )


def test_the_funnel_and_who_waits_for_a_call(client, make_member, federations):
    old = _supporter(federations["29"], "Anne", days_ago=12)
    _supporter(federations["29"], "Bruno", days_ago=2)
    _supporter(federations["29"], "Chloé", days_ago=30, status=FollowupStatus.CONTACTED)
    _supporter(federations["75"], "Paul", days_ago=40)
    assert [(step, n) for step, _label, n in services.funnel(federations["29"])] == [
        ("to_contact", 2),
        ("contacted", 1),
        ("came", 0),
        ("member", 0),
    ]
    assert [s.name for s in services.supporters_waiting(federations["29"], days=7)] == ["Anne"]
    hq = make_member(Role.FEDERAL_HQ, "29")
    client.force_login(hq)
    page = client.get("/federation/29/recrutement/", {"jours": 7}).content.decode()
    assert "Anne" in page and "Bruno" not in page and "Paul" not in page
    client.post(f"/sympathisants/{old.pk}/suivi/", {"status": "contacted"})
    old.refresh_from_db()
    assert old.followup_status == "contacted" and old.followup_changed_at > timezone.now() - timedelta(minutes=1)
    # Paris's HQ cannot touch a Finistère sympathiser.
    client.force_login(make_member(Role.FEDERAL_HQ, "75"))
    assert client.post(f"/sympathisants/{old.pk}/suivi/", {"status": "member"}).status_code == 404


def test_members_without_a_mission_for_weeks_are_listed_for_an_invitation(make_member, federations):
    c = catalogue()
    active = make_member(Role.ACTIVIST, "29", name="Active")
    idle = make_member(Role.ACTIVIST, "29", name="Idle")
    newcomer = make_member(Role.ACTIVIST, "29", name="Newcomer")
    for user in (active, idle):
        user.date_joined = timezone.now() - timedelta(weeks=20)
        user.save(update_fields=["date_joined"])
    services.signup_create(mission=mission(federations["29"], c["door"]), user=active)
    names = [u.full_name for u in services.members_idle(federations["29"], weeks=8)]
    assert names == ["Idle"]
    assert newcomer.full_name not in names


def test_erasing_a_confirmed_member_gives_their_place_to_the_first_in_line(make_member, federations):
    from hq.privacy import person_erase, person_export

    c = catalogue()
    m = mission(federations["29"], c["door"], capacity_max=1)
    leaving, waiting = make_member(Role.ACTIVIST, "29"), make_member(Role.ACTIVIST, "29")
    profile(leaving)
    services.signup_create(mission=m, user=leaving)
    services.signup_create(mission=m, user=waiting)
    export = person_export(person=leaving, by=make_member(Role.FEDERAL_HQ, "29"), reason="demande de la personne")
    assert export.sections["inscriptions aux missions"][0]["mission"] == m.title
    assert export.sections["profil militant"][0]["consentement (texte)"] == "J'accepte."
    person_erase(person=leaving, by=make_member(Role.FEDERAL_HQ, "29"), reason="demande de la personne")
    assert not ActivistProfile.objects.filter(user_id=leaving.pk).exists()
    assert MissionSignup.objects.get(mission=m, user=waiting).status == SignupStatus.CONFIRMED
    m.refresh_from_db()
    assert m.seats_taken == 1


def test_the_demo_has_missions_sign_ups_and_a_funnel_in_finistere_and_loads_once(departements):
    from hq.demo import DEMO_HOSPITAL_MISSION, demo_load, missions_demo_load
    from hq.matching import missions_for
    from hq.models import User

    demo_load()
    assert missions_demo_load()[0] == f"mission de démo : {DEMO_HOSPITAL_MISSION}"
    counts = (Mission.objects.count(), MissionSignup.objects.count(), Supporter.objects.count())
    assert missions_demo_load() == ["missions de démo déjà chargées."]
    assert (Mission.objects.count(), MissionSignup.objects.count(), Supporter.objects.count()) == counts
    hospital = Mission.objects.get(title=DEMO_HOSPITAL_MISSION)
    assert hospital.seats_taken == 2 and hospital.federation.departement.code == "29"
    assert Mission.objects.filter(status=MissionStatus.PROPOSED).count() == 1
    assert {s for s, _label, n in services.funnel(hospital.federation) if n} == {
        "to_contact",
        "contacted",
        "came",
        "member",
    }
    mael = User.objects.get(email="militant29@qg.example")
    first, facts = missions_for(mael)[0]
    assert facts.title == DEMO_HOSPITAL_MISSION
    assert first.reasons[0] == f"vous êtes infirmière : {DEMO_HOSPITAL_MISSION}"


def test_the_federation_page_links_to_the_profiles_its_members_filled(client, make_member):
    member = make_member(Role.ACTIVIST, "29")
    profile(member)
    without = make_member(Role.ACTIVIST, "29")
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get("/federation/29/").content.decode()
    assert f'href="/personnes/militant/{member.pk}/profil/"' in page
    assert f'href="/personnes/militant/{without.pk}/profil/"' not in page
