"""HQ analysts set the profile parameters in the admin; only a national HQ may change them."""

import pytest
from django.utils import timezone

from circonscriptions.models import Departement, ProfileSettings
from hq.models import Federation, Membership, Role, User
from hq.services import hq_staff_grant

URL = "/admin/circonscriptions/profilesettings/1/change/"
VALID = {
    "half_life_years": "4",
    "first_rounds_only": "on",
    "leaning_margin": "0.05",
    "margin_sd_floor": "0.05",
    "hotspot_z": "1",
    "hotspot_min_group": "3",
    "doors_per_hour": "10",
    "contact_rate": "0.5",
    "mobilisation_effect": "0.14",
    "persuasion_effect": "0.1",
    "persuasion_effect_low": "0.03",
    "persuasion_effect_high": "0.15",
    "mobilisation_effect_low": "0",
    "mobilisation_effect_high": "0.14",
    "activist_hours": "20",
    "contact_rate_min_reports": "20",
    "unlabelled_threshold": "0.1",
    "redistricting_threshold": "0.15",
    "margin_sd_scale": "1",
    "kmeans_starts": "10",
    "max_types": "4",
    "min_type_size": "5",
    "type_distinct_delta": "0.03",
    "kmeans_seed": "2012",
}


def _hq(role: str, code: str | None = None) -> User:
    user = User.objects.create_user(f"{role}@example.org", "pw-test-2026")
    federation = None
    if code:
        departement, _ = Departement.objects.get_or_create(code=code, defaults={"name": code})
        federation, _ = Federation.objects.get_or_create(departement=departement, defaults={"name": code})
    Membership.objects.create(
        user=user, role=role, federation=federation, consent_text="J'accepte.", consent_at=timezone.now()
    )
    hq_staff_grant(user=user, role=role)
    return user


@pytest.mark.django_db
def test_a_national_hq_changes_the_parameters_and_french_errors_keep_the_input(client):
    ProfileSettings.load()
    client.force_login(_hq(Role.NATIONAL_HQ))
    refused = client.post(URL, {**VALID, "contact_rate": "1.5"})
    assert refused.status_code == 200
    assert "contact_rate (part des portes ouvertes) doit être entre 0 et 1 (valeur 1.5)" in refused.content.decode()
    assert 'value="1.5"' in refused.content.decode()
    assert ProfileSettings.load().contact_rate == 0.5

    saved = client.post(URL, VALID)
    assert saved.status_code == 302
    settings = ProfileSettings.load()
    assert (settings.half_life_years, settings.doors_per_hour) == (4.0, 10.0)
    assert settings.parameters().half_life_years == 4.0


@pytest.mark.django_db
def test_each_setting_out_of_range_is_named_next_to_its_field(client):
    ProfileSettings.load()
    client.force_login(_hq(Role.NATIONAL_HQ))
    refused = client.post(URL, {**VALID, "unlabelled_threshold": "1.5", "persuasion_effect_low": "0.2"})
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "unlabelled_threshold (part des voix sans nuance) doit être entre 0 et 1 (valeur 1.5)" in page
    assert "persuasion_effect_low, persuasion_effect et persuasion_effect_high" in page
    assert ProfileSettings.load().unlabelled_threshold == 0.10
    # An empty range end is Django's to refuse; the order of the range is then not checked.
    empty = client.post(URL, {**VALID, "persuasion_effect_low": ""})
    assert empty.status_code == 200 and "Ce champ est obligatoire" in empty.content.decode()


@pytest.mark.django_db
def test_a_federal_hq_cannot_change_the_national_parameters(client):
    ProfileSettings.load()
    client.force_login(_hq(Role.FEDERAL_HQ, "29"))
    response = client.post(URL, {**VALID, "doors_per_hour": "99"})
    assert response.status_code == 403
    assert ProfileSettings.load().doors_per_hour == 12.0


@pytest.mark.django_db
def test_a_run_shows_where_each_figure_it_used_came_from(client):
    from circonscriptions.models import ProfileRun

    run = ProfileRun.objects.create(
        started_by="test",
        sources={"contact_rate": {"value": 0.4, "source": "Taux observé sur le terrain : 40 % des portes."}},
    )
    client.force_login(User.objects.create_superuser("root@example.org", "pw-test-2026"))
    page = client.get(f"/admin/circonscriptions/profilerun/{run.pk}/change/").content.decode()
    assert "<code>contact_rate</code> = 0.4 : Taux observé sur le terrain : 40 % des portes." in page
