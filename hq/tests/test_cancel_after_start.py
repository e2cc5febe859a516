"""A sign-up is cancelled before the mission starts, not after: who went stays on record for the
report, and nobody on the waiting list is e-mailed that a place freed up on a mission under way."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hq.models import Mission, MissionSignup, Role, SignupStatus
from hq.tests.ride_helpers import mission

pytestmark = pytest.mark.django_db


def test_a_sign_up_is_not_cancelled_once_the_mission_has_started(client, make_member, federations):
    m = mission(federations["29"], title="Porte-à-porte du matin", hours=-1)
    went, waiting = make_member(Role.ACTIVIST, "29"), make_member(Role.ACTIVIST, "29")
    MissionSignup.objects.create(mission=m, user=went, status=SignupStatus.CONFIRMED)
    MissionSignup.objects.create(mission=m, user=waiting, status=SignupStatus.WAITING, position=1)
    Mission.objects.filter(pk=m.pk).update(capacity_max=1, seats_taken=1)
    client.force_login(went)
    page = client.get(f"/missions/{m.pk}/").content.decode()
    assert "Vous êtes inscrit·e." in page and f'action="/missions/{m.pk}/desinscription/"' not in page

    response = client.post(f"/missions/{m.pk}/desinscription/", follow=True)
    assert "La mission a déjà commencé : votre inscription ne peut plus être annulée." in response.content.decode()
    assert MissionSignup.objects.get(user=went).status == SignupStatus.CONFIRMED
    assert MissionSignup.objects.get(user=waiting).status == SignupStatus.WAITING
    assert Mission.objects.get(pk=m.pk).seats_taken == 1
    assert mail.outbox == []


def test_before_the_start_the_sign_up_is_still_cancelled(client, make_member, federations):
    m = mission(federations["29"], title="Porte-à-porte de demain", hours=20)
    person = make_member(Role.ACTIVIST, "29")
    MissionSignup.objects.create(mission=m, user=person, status=SignupStatus.CONFIRMED)
    Mission.objects.filter(pk=m.pk).update(seats_taken=1)
    client.force_login(person)
    assert f'action="/missions/{m.pk}/desinscription/"' in client.get(f"/missions/{m.pk}/").content.decode()
    client.post(f"/missions/{m.pk}/desinscription/")
    assert MissionSignup.objects.get(user=person).status == SignupStatus.CANCELLED
    assert Mission.objects.get(pk=m.pk).seats_taken == 0
    assert timezone.now() < Mission.objects.get(pk=m.pk).starts_at - timedelta(hours=19)


def test_hq_cancels_a_mission_to_come_but_not_one_that_took_place(client, make_member, federations):
    past = mission(federations["29"], title="Porte-à-porte d'hier", hours=-26)
    to_come = mission(federations["29"], title="Porte-à-porte de demain", hours=20)
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    assert f'action="/missions/{past.pk}/annuler/"' not in client.get(f"/missions/{past.pk}/").content.decode()

    response = client.post(f"/missions/{past.pk}/annuler/", follow=True)
    assert "Cette mission a déjà eu lieu : elle ne s&#x27;annule plus." in response.content.decode()
    assert Mission.objects.get(pk=past.pk).status == "open"
    client.post(f"/missions/{to_come.pk}/annuler/")
    assert Mission.objects.get(pk=to_come.pk).status == "cancelled"
