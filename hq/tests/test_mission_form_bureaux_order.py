"""The mission form lists its priority bureaux by commune and in numeric order (bureau 2 before
bureau 10, as everywhere in QG: circonscriptions.stations), with their polling place."""

import re

import pytest

from circonscriptions.models import Circonscription, Commune, Leaning, PollingStation, PollingStationProfile, ProfileRun
from hq.models import Role

pytestmark = pytest.mark.django_db


def test_the_mission_forms_bureaux_come_in_numeric_order(client, make_member, departements):
    dep = departements["29"]
    circo = Circonscription.objects.create(code="2906", departement=dep, number=6, name="6e circonscription")
    brest = Commune.objects.create(code="29019", name="Brest", departement=dep)
    guipavas = Commune.objects.create(code="29075", name="Guipavas", departement=dep)
    ProfileRun.objects.filter(is_current=True).update(is_current=False)
    run = ProfileRun.objects.create(status=ProfileRun.Status.SUCCEEDED, is_current=True)
    # Created, and ranked, in an order that is neither the text order nor the numeric one.
    for rank, (commune, code) in enumerate(
        [(brest, "10"), (guipavas, "3"), (brest, "2"), (brest, "100"), (brest, "1")], start=1
    ):
        station = PollingStation.objects.create(
            commune=commune, code=code, circonscription=circo, place=f"École {code}"
        )
        PollingStationProfile.objects.create(
            run=run, polling_station=station, circonscription=circo, n_elections=2, first_year=2022, last_year=2024,
            leaning=Leaning.SWING, confidence=0.9, abstention_hotspot=False, left_abstention_hotspot=False,
            priority_score=10.0 - rank, rank_circonscription=rank, rank_departement=rank,
        )  # fmt: skip
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get("/federation/29/missions/nouvelle/").content.decode()
    select = page.split('name="polling_stations"')[1].split("</select>")[0]
    assert re.findall(r">([^<]+)</option>", select) == [
        "Brest — bureau 1 (École 1)",
        "Brest — bureau 2 (École 2)",
        "Brest — bureau 10 (École 10)",
        "Brest — bureau 100 (École 100)",
        "Guipavas — bureau 3 (École 3)",
    ]
