"""The campaign day's « Où aller » says why it lists no place when the circonscription's bureaux
have no profile (their results by bureau are not imported), instead of an empty heading."""

import pytest
from django.urls import reverse

from circonscriptions.models import PollingStationProfile
from hq.models import Role

pytestmark = pytest.mark.django_db

WHY = (
    "Aucun bureau de cette circonscription n&#x27;a encore de profil (ses résultats par bureau ne sont pas "
    "importés) : pas de lieu prioritaire."
)


def test_a_circonscription_without_profiles_says_why_it_has_no_place(client, make_member, brest_data):
    # Brest's data: profiles for circonscriptions 2 and 3 only.
    assert not PollingStationProfile.objects.filter(circonscription__code="2901").exists()
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    empty = client.get(reverse("fiches:campaign", kwargs={"code": "2901"})).content.decode()
    assert WHY in empty.replace("'", "&#x27;")
    full = client.get(reverse("fiches:campaign", kwargs={"code": "2903"})).content.decode()
    assert WHY not in full.replace("'", "&#x27;") and "bureau" in full.split('id="c-places"')[1].split("</section>")[0]
