"""The federation's HQ reads an activist's profile in words about that person: « Disponibilités »,
« Déplacements », not the activist's own form's « quand vous êtes disponible »."""

import pytest

from hq.models import Role
from hq.tests.mission_helpers import profile

pytestmark = pytest.mark.django_db


def test_hq_reads_an_activists_profile_in_the_third_person(client, make_member):
    member = make_member(Role.ACTIVIST, "29", name="Maël Militant")
    profile(member, availability=["saturday"], transport="car", car_seats=3)
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get(f"/personnes/militant/{member.pk}/profil/").content.decode()
    assert "<dt>Disponibilités</dt><dd>samedis</dd>" in page
    assert "<dt>Déplacements</dt><dd>voiture (3 places libres), jusqu'à 100 km</dd>" in page
    assert "vous" not in page.split("<dl")[1].split("</dl>")[0].replace("J'accepte.", "")
