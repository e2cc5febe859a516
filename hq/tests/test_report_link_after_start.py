"""The mission's page and its transport sheet offer the prefilled report once the mission has
started, not a week before (the report is dated on the mission's day or after: observations.forms)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hq.models import Mission, Role
from hq.tests.ride_helpers import confirm, mission

pytestmark = pytest.mark.django_db

REPORT = "Après la mission : la fiche d'observation, déjà remplie"


def test_the_report_link_appears_once_the_mission_has_started(client, make_member, federations):
    m = mission(federations["29"], title="Porte-à-porte de samedi", hours=24 * 7)
    activist = make_member(Role.ACTIVIST, "29")
    confirm(m, activist)
    client.force_login(activist)
    for url in (f"/missions/{m.pk}/", f"/missions/{m.pk}/transport/"):
        page = client.get(url).content.decode()
        assert "Feuille de transport" in page
        assert REPORT not in page and f"?mission={m.pk}" not in page, url
    now = timezone.now()
    Mission.objects.filter(pk=m.pk).update(starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2))
    for url in (f"/missions/{m.pk}/", f"/missions/{m.pk}/transport/"):
        page = client.get(url).content.decode()
        assert REPORT in page and f'href="/observations/nouvelle/?mission={m.pk}"' in page, url
