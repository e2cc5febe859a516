"""Profile pages: scoped, complete, constant in queries; the server-side SVG chart; the settings form."""

import re

import pytest
from django.utils import timezone

from circonscriptions.models import CirconscriptionShape, Departement, PollingStationShape
from circonscriptions.profiles.admin import ProfileSettingsForm
from circonscriptions.profiles.charts import vote_history_svg
from circonscriptions.profiles.services import profiles_recompute
from circonscriptions.tests.profile_data import lg2022_brest_rows, lg2024_rows, store_results
from hq.models import Federation, Membership, Role, User

BREST = [("29019", str(n)) for n in range(1, 41)]


def _member(role: str, code: str | None) -> User:
    user = User.objects.create_user(f"{role}-{code}@example.org", "pw-test-2026")
    federation = None
    if code:
        departement, _ = Departement.objects.get_or_create(code=code, defaults={"name": code})
        federation, _ = Federation.objects.get_or_create(departement=departement, defaults={"name": f"Féd. {code}"})
    Membership.objects.create(
        user=user, role=role, federation=federation, consent_text="J'accepte.", consent_at=timezone.now()
    )
    return user


@pytest.fixture
def computed(db):
    ids = store_results(lg2024_rows(set(BREST)) + lg2022_brest_rows({"040"}))
    profiles_recompute()
    return ids


def test_a_federal_hq_sees_its_circonscriptions_ranked_and_not_the_others(client, computed):
    client.force_login(_member(Role.FEDERAL_HQ, "29"))
    page = client.get("/carte/")
    assert page.status_code == 200
    ranked = page.context["ranked"]
    assert [row["circonscription"].code for row in ranked] in (["2902", "2903"], ["2903", "2902"])
    assert ranked[0]["opportunity"] >= ranked[1]["opportunity"]
    assert sum(row["stations"] for row in ranked) == 40
    # The map is drawn when contours are loaded (the session's territory fixture may have loaded them).
    has_shapes = CirconscriptionShape.objects.filter(circonscription__departement__code="29").exists()
    assert (b'id="profile-map-data"' in page.content) == has_shapes

    client.force_login(_member(Role.FEDERAL_HQ, "75"))
    assert client.get("/carte/").context["ranked"] == []
    assert client.get("/carte/circonscription/2902/").status_code == 404
    assert client.get(f"/carte/bureau/{computed['29019_40']}/").status_code == 404


def test_pages_need_a_login(client, computed):
    response = client.get("/carte/circonscription/2902/")
    assert response.status_code == 302 and "/comptes/" in response["Location"]


def test_the_circonscription_page_lists_its_stations_types_and_map(client, computed):
    client.force_login(_member(Role.NATIONAL_HQ, None))
    page = client.get("/carte/circonscription/2903/")
    assert page.status_code == 200
    profiles = page.context["profiles"]
    # Brest bureaux 1 to 26 are in the 3rd circonscription (their slate has Pierre Smolarz).
    assert len(profiles) == 26
    assert [p.rank_circonscription for p in profiles] == sorted(p.rank_circonscription for p in profiles)
    assert sum(t.count for t in page.context["types"]) == 26
    html = page.content.decode()
    assert "secteur " in html and 'name="map-mode" value="priority"' in html
    # Stations without a contour are off the map, and the page says how many.
    drawn = len(page.context["map_data"]["features"])
    assert drawn == PollingStationShape.objects.filter(polling_station__profiles__in=profiles).count()
    assert page.context["unmapped"] == 26 - drawn
    csv_response = client.get("/carte/circonscription/2903/profils.csv")
    assert csv_response.content.decode().count("\n") == 27


@pytest.mark.parametrize("n_stations", [3, 30])
def test_the_circonscription_page_query_count_does_not_grow_with_stations(
    client, db, n_stations, django_assert_num_queries
):
    rows = [r for r in lg2024_rows() if r["circonscription"] == "2902"]
    keep = sorted({r["polling_station_id"] for r in rows})[:n_stations]
    store_results([r for r in rows if r["polling_station_id"] in keep])
    profiles_recompute()
    client.force_login(_member(Role.FEDERAL_HQ, "29"))
    # session, user, membership (scope), circonscription, current run, profiles, types;
    # then the observations reported there (never cached: 6 aggregate queries).
    with django_assert_num_queries(13):
        page = client.get("/carte/circonscription/2902/")
    assert len(page.context["profiles"]) == n_stations
    # The body of a complete run is cached (in the project's Redis): the scope is still
    # checked on every request, the profiles are not read again.
    with django_assert_num_queries(11):
        again = client.get("/carte/circonscription/2902/")
    assert again.context["body"] == page.context["body"]
    assert page.context["body"]["html"] in again.content.decode()
    # A new run is new content.
    profiles_recompute()
    with django_assert_num_queries(13):
        client.get("/carte/circonscription/2902/")


def test_the_polling_station_page_explains_the_leaning_and_draws_the_history(client, computed):
    client.force_login(_member(Role.FEDERAL_HQ, "29"))
    page = client.get(f"/carte/bureau/{computed['29019_40']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "La gauche devance le premier bloc adverse de" in html and "acquis à gauche" in html
    history = page.context["history"]
    assert [h["label"][-7:] for h in history] == ["2022 T1", "2024 T1"]
    assert history[1]["shares"]["left"] == pytest.approx(428 / 648)
    assert history[0]["abstention"] == pytest.approx(394 / 886)
    assert "<svg" in html and html.count('data-series="left"') == 2


def test_the_vote_history_svg_is_plain_markup_with_one_point_per_value():
    svg = vote_history_svg(
        [
            {"label": "Législatives 2022 T1", "shares": {"left": 0.56, "centre": 0.11}, "abstention": 0.44},
            {"label": "Législatives <2024> T1", "shares": {"left": 0.66, "centre": 0.21, "far_right": 0.11}},
        ]
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "&lt;2024&gt;" in svg and "<2024>" not in svg
    assert len(re.findall(r'data-series="left"', svg)) == 2
    assert len(re.findall(r'data-series="far_right"', svg)) == 1
    assert len(re.findall(r'data-series="abstention"', svg)) == 1
    # A single value draws a point but no line; two values draw one polyline.
    assert svg.count("<polyline") == 2  # left and centre
    assert "Aucun résultat" in vote_history_svg([])


def test_the_settings_form_refuses_meaningless_values_in_french(db):
    form = ProfileSettingsForm(
        data={
            "half_life_years": 5,
            "first_rounds_only": True,
            "leaning_margin": 0.05,
            "margin_sd_floor": 0.05,
            "hotspot_z": 1,
            "hotspot_min_group": 3,
            "doors_per_hour": 12,
            "contact_rate": 1.5,
            "mobilisation_effect": 0.14,
            "persuasion_effect": 0.1,
            "activist_hours": 20,
            "max_types": 4,
            "min_type_size": 5,
            "type_distinct_delta": 0.03,
            "kmeans_seed": 2012,
        }
    )
    assert not form.is_valid()
    assert "contact_rate (part des portes ouvertes) doit être entre 0 et 1 (valeur 1.5)" in str(form.errors)
