"""The field's contact rate (doors opened ÷ doors knocked) that the voter profiles use once reports are enough."""

import uuid

import pytest
from django.utils import timezone

from circonscriptions.profiles import services as profile_services
from observations.models import Observation
from observations.queries import contact_rate_observed

pytestmark = pytest.mark.django_db


def _report(place, catalogue, *, knocked, opened, method="porte-a-porte"):
    return Observation.objects.create(
        idempotency_key=uuid.uuid4(),
        held_on=timezone.localdate(),
        departement=place["commune"].departement,
        commune=place["commune"],
        method=catalogue["methods"][method],
        reaction=3,
        doors_knocked=knocked,
        doors_opened=opened,
        conversations=min(opened, 5),
    )


def test_the_observed_rate_is_doors_opened_over_doors_knocked_across_reports(place, catalogue):
    assert contact_rate_observed() == (None, 0)
    _report(place, catalogue, knocked=40, opened=10)
    _report(place, catalogue, knocked=60, opened=35)
    _report(place, catalogue, knocked=0, opened=0, method="marche")  # a market: no doors, not a report of doors
    # (10 + 35) / (40 + 60) = 0.45, from two reports: each door counts, not each report.
    assert contact_rate_observed() == (pytest.approx(0.45), 2)


def test_the_profiles_read_it_through_the_registry_and_name_its_source(place, catalogue):
    for _ in range(3):
        _report(place, catalogue, knocked=50, opened=20)
    params, sources = profile_services.parameters_resolve(
        profile_services.ProfileParameters(contact_rate_min_reports=3)
    )
    assert params.contact_rate == pytest.approx(0.4)
    assert sources["contact_rate"]["source"] == (
        "Taux observé sur le terrain : 40\u202f% des portes frappées se sont ouvertes, "
        "d'après 3 comptes rendus d'observation (seuil : 3)."
    )
    params, sources = profile_services.parameters_resolve(profile_services.ProfileParameters())
    assert params.contact_rate == 0.5
    assert sources["contact_rate"]["source"].startswith("Réglage des profils (50\u202f%) : 3 compte(s) rendu(s)")
