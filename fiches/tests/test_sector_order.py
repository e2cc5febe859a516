"""The fiche's sector (the bureaux HQ ticks) comes by commune and in numeric order, as everywhere
in QG (circonscriptions.stations): Brest's bureau 2 before its bureau 10, not after bureau 19."""

import re

import pytest
from django.urls import reverse

from circonscriptions.models import Circonscription
from circonscriptions.stations import natural_key
from fiches.services import fiche_create
from hq.models import Role

pytestmark = pytest.mark.django_db


def test_the_sector_lists_brests_bureaux_in_numeric_order(client, make_member, brest_data):
    fiche = fiche_create(circonscription=Circonscription.objects.get(code="2902"), title="Brest centre")
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get(reverse("fiches:edit", kwargs={"pk": fiche.pk})).content.decode()
    sector = page.split('name="sector"', 1)[1]
    brest = re.findall(r"Brest — bureau (\w+)", sector)
    assert len(brest) > 20
    assert brest == sorted(brest, key=natural_key)
    assert brest.index("27") < brest.index("100")
