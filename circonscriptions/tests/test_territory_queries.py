import pytest

from circonscriptions.importers.indicators import indicators_import
from circonscriptions.models import Circonscription, Commune
from circonscriptions.queries import commune_codes_current, indicator_values, single_circonscription_by_commune

pytestmark = pytest.mark.django_db


def test_old_and_current_codes_lead_to_the_current_commune(territory):
    assert commune_codes_current(["29019", "29096", "29003", "29052", "99999"]) == {
        "29019": "29019",
        "29096": "29019",  # Lambézellec
        "29003": "29003",
        "29052": "29003",  # Esquibien, now Audierne
    }


def test_only_communes_in_one_circonscription_give_it(territory, django_assert_num_queries):
    brest, audierne = Commune.objects.get(code="29019"), Commune.objects.get(code="29003")
    with django_assert_num_queries(1):
        single = single_circonscription_by_commune([brest.pk, audierne.pk])
    assert single == {audierne.pk: Circonscription.objects.get(code="2907").pk}


def test_indicator_values_of_circonscriptions(data_dir):
    indicators_import(path=data_dir / "insee" / "indic-stat-circonscriptions-legislatives-2022.csv")
    values = indicator_values(level="circonscription", territory_codes=["2902", "2903"], vintage="2022")
    assert len(values) == 2 * 122
    assert values[("2902", "Inscrit_22")] > 50000
