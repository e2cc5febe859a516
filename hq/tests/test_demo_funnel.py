"""The demo's recruitment funnel is one a reviewer can believe: its sympathisers were met on a
mission that had already taken place (a first wave at Carhaix's hospital, two or three weeks
ago), not on next Saturday's; and Maël, who went, finds that mission's report to file, with
the place, the method and the other participants filled in."""

import pytest
from django.utils import timezone

from hq.demo import DEMO_FIRST_WAVE_MISSION, DEMO_HOSPITAL_MISSION, demo_load, missions_demo_load
from hq.models import Mission, MissionStatus, Supporter, User

pytestmark = pytest.mark.django_db


def test_the_demo_sympathisers_were_met_on_a_mission_that_took_place(client, departements):
    demo_load()
    missions_demo_load()
    now = timezone.now()
    met = Supporter.objects.filter(met_on_mission__isnull=False).select_related("met_on_mission")
    assert met.count() >= 3
    for supporter in met:
        assert supporter.met_on_mission.ends_at <= supporter.consent_at <= supporter.followup_changed_at <= now
    assert {s.met_on_mission.title for s in met} == {DEMO_FIRST_WAVE_MISSION}
    assert Mission.objects.get(title=DEMO_HOSPITAL_MISSION).starts_at > now
    first_wave = Mission.objects.get(title=DEMO_FIRST_WAVE_MISSION)
    assert first_wave.status == MissionStatus.DONE and first_wave.seats_taken == 3

    client.force_login(User.objects.get(email="militant29@qg.example"))
    form = client.get("/observations/nouvelle/").content.decode()
    assert f'href="/observations/nouvelle/?mission={first_wave.pk}"' in form
    prefilled = client.get(f"/observations/nouvelle/?mission={first_wave.pk}").content.decode()
    assert "Gwen Bénévole" in prefilled and 'value="' + DEMO_FIRST_WAVE_MISSION.replace("'", "&#x27;") in prefilled
    assert f'value="{timezone.localtime(first_wave.starts_at).date().isoformat()}"' in prefilled
    # The coming missions are still the ones recommended.
    assert DEMO_FIRST_WAVE_MISSION not in client.get("/missions/pour-moi/").content.decode()
