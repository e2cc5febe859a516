"""The demo has rides in Finistère (issue 11): its volunteers say where they live and how they
move, so that the missions they signed up for have a car offering seats and riders it picks up,
and the transport sheet shows « qui prend qui » on the first `make run`."""

import pytest

from hq.demo import DEMO_HOSPITAL_MISSION, demo_load, missions_demo_load
from hq.models import Mission, Ride, RideKind, User
from hq.ride_demo import demo_rides_load

pytestmark = pytest.mark.django_db


def test_the_demo_missions_have_a_driver_and_riders_matched_to_them(client, departements):
    demo_load()
    missions_demo_load()
    assert demo_rides_load() != []
    hospital = Mission.objects.get(title=DEMO_HOSPITAL_MISSION)
    offer = Ride.objects.get(mission=hospital, kind=RideKind.OFFER)
    assert offer.user.full_name == "Gwen Bénévole" and offer.seats == 3
    riders = Ride.objects.filter(mission=hospital, kind=RideKind.REQUEST)
    assert [r.user.full_name for r in riders] == ["Yann Bénévole"]
    assert riders.get().driver == offer
    assert demo_rides_load() == []  # idempotent, as the demo loader is

    client.force_login(User.objects.get(email="federation29@qg.example"))
    sheet = client.get(f"/missions/{hospital.pk}/transport/").content.decode()
    assert "Gwen Bénévole" in sheet and "Yann Bénévole" in sheet
    assert "Aucun conducteur n&#x27;a encore proposé de places." not in sheet
