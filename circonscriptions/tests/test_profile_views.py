"""Profile pages: scoped, complete, constant in queries; the server-side SVG chart; the settings form."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.utils import timezone

from circonscriptions.models import (
    CirconscriptionShape,
    Departement,
    IndicatorValue,
    IndicatorVariable,
    PollingStationProfile,
    PollingStationShape,
    ProfileRun,
)
from circonscriptions.profiles import formats
from circonscriptions.profiles.admin import ProfileSettingsForm
from circonscriptions.profiles.charts import vote_history_svg
from circonscriptions.profiles.leanings import LEANING_COLOURS
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
    # The map is drawn when contours are loaded (the module's territory fixtures may have loaded them).
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
    # session, user, membership (scope), circonscription, current run, profiles, types, the
    # communes' outlines and names (a map without tiles), the communes' areas of the bureaux
    # that have no contour; then the observations reported there (never cached: 6 aggregate queries).
    with django_assert_num_queries(15):
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
    with django_assert_num_queries(15):
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


def test_numbers_follow_one_french_rule_decimal_comma_and_narrow_spaces():
    assert formats.number(21310, 0) == "21\u202f310"
    assert formats.number(1234567.891, 2) == "1\u202f234\u202f567,89"
    assert formats.percent(0.28) == "28,0\u202f%"
    assert formats.points(0.0123) == "+1,2\u202fpt"
    assert formats.number(-0.0001, 1) == "0,0"
    assert formats.percent(None) == formats.number(float("nan")) == "—"
    assert formats.number(1234.5, 1, separators=formats.ENGLISH) == "1,234.5"


def test_the_overview_counts_the_five_classes_and_hands_the_map_its_legends(client, computed):
    run = ProfileRun.objects.current()
    one = PollingStationProfile.objects.filter(run=run, circonscription__code="2902").order_by("pk").first()
    PollingStationProfile.objects.filter(pk=one.pk).update(leaning="far_right")
    client.force_login(_member(Role.NATIONAL_HQ, None))
    page = client.get("/carte/")
    html = unescape(page.content.decode())
    for label in ("Acquis à gauche", "Dominé par Ensemble", "Dominé par la droite", "Dominé par l'extrême droite"):
        assert label in html
    rows = {row["circonscription"].code: row for row in page.context["ranked"]}
    far_right = PollingStationProfile.objects.filter(run=run, circonscription__code="2902", leaning="far_right")
    assert rows["2902"]["n_far_right"] == far_right.count() >= 1
    assert sum(rows["2902"][f"n_{v}"] for v in LEANING_COLOURS) == rows["2902"]["stations"]
    config = page.context["map_config"]
    assert [(item["value"], item["colour"]) for item in config["leanings"]] == list(LEANING_COLOURS.items())
    assert config["legends"]["opportunity"]["title"] == "Opportunité (voix gagnées pour 20 h, moyenne par bureau)"
    assert config["legends"]["abstention"]["title"] == "Abstention (%)"
    assert ('id="profile-map-config"' in html) == bool(page.context["map_data"]["features"])
    # No colour table is repeated in the script: it reads the page's.
    script = (settings.BASE_DIR / "circonscriptions/static/circonscriptions/profile_map.js").read_text()
    assert not any(colour in script for colour in LEANING_COLOURS.values())
    assert "innerHTML" not in script


def test_the_circonscription_page_says_which_elections_were_left_out_in_how_many_bureaux(client, computed):
    run = ProfileRun.objects.current()
    # Whatever the rules left out themselves, this test states its own exclusions.
    PollingStationProfile.objects.filter(run=run).update(excluded_elections=[], redistricting_suspected=False)
    profiles = PollingStationProfile.objects.filter(run=run, circonscription__code="2902").order_by("pk")
    left_out = [
        {
            "election": "legislatives-2022-t1",
            "label": "Législatives 2022 T1",
            "reason": "Plus de 10 % des exprimés sans nuance utilisable.",
            "unlabelled_share": 0.5,
        }
    ]
    PollingStationProfile.objects.filter(pk__in=[p.pk for p in profiles[:3]]).update(excluded_elections=left_out)
    PollingStationProfile.objects.filter(pk=profiles[0].pk).update(
        redistricting_suspected=True, redistricting_note="Inscrits passés de 886 à 1 240."
    )
    client.force_login(_member(Role.NATIONAL_HQ, None))
    html = unescape(client.get("/carte/circonscription/2902/").content.decode())
    assert "Législatives 2022 T1 : laissée de côté dans 3 bureaux" in html
    assert "Plus de 10 % des exprimés sans nuance utilisable." in html
    assert "1 bureau a probablement été redécoupé" in html
    overview = client.get("/carte/").context["ranked"]
    assert {row["circonscription"].code: row["with_exclusions"] for row in overview} == {"2902": 3, "2903": 0}
    assert 'value="turnout_differential"' in html and "Priorité (voix pour 20 h)" in html


def test_the_polling_station_page_shows_curated_facts_with_units_and_levels(client, computed):
    station_id = computed["29019_40"]
    insee = "indic-stat-circonscriptions-legislatives-2022"
    median = IndicatorVariable.objects.create(
        source=insee, code="nivvie_median_diff", label="Niveau de vie médian (en %)"
    )
    owners = IndicatorVariable.objects.create(source=insee, code="proprio", label="Part des propriétaires (en %)")
    population = IndicatorVariable.objects.create(
        source="bretagne", code="population_totale", label="population_totale"
    )
    youth = IndicatorVariable.objects.create(source="bretagne", code="taux_universitaire_16_24_ans")
    circo = {"level": IndicatorValue.Level.CIRCONSCRIPTION, "territory_code": "2902", "vintage": "2022"}
    commune = {"level": IndicatorValue.Level.COMMUNE, "territory_code": "29019", "vintage": "2022"}
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(variable=median, value=21310, **circo),
            IndicatorValue(variable=owners, value=46.2, **circo),
            IndicatorValue(variable=population, value=142722, **commune),
            IndicatorValue(variable=youth, value=26.84, **commune),
        ]
    )
    client.force_login(_member(Role.FEDERAL_HQ, "29"))
    page = client.get(f"/carte/bureau/{station_id}/")
    facts = {f["label"]: f for f in page.context["key_facts"]}
    assert facts["Niveau de vie médian (par an)"]["value"] == "21\u202f310\u00a0€".replace("\u00a0", "\u202f")
    assert facts["Niveau de vie médian (par an)"]["same_as_circonscription"] is True
    assert facts["Propriétaires de leur logement"]["value"] == "46,2\u202f%"
    assert facts["Population"]["value"] == "142\u202f722\u202fhabitants"
    assert facts["Population"]["level"] == "commune" and not facts["Population"]["same_as_circonscription"]
    html = unescape(page.content.decode())
    assert "comme la circonscription" in html and "tous les indicateurs" in html
    assert "Diplômés du supérieur ou étudiants, 16-24 ans : 26,8" in html
    assert "population_totale" not in html and "taux_universitaire" not in html
    assert "(en %) :" not in html


def test_the_polling_station_page_explains_the_priority_next_to_it_and_names_the_opponent(client, computed):
    station_id = computed["29019_40"]
    run = ProfileRun.objects.current()
    PollingStationProfile.objects.filter(run=run, polling_station_id=station_id).update(
        leaning="centre",
        opponent="centre",
        priority_score=7.5,
        priority_low=3.25,
        priority_high=9.75,
        turnout_differential=0.084,
        turnout_differential_hotspot=True,
        excluded_elections=[
            {
                "election": "lg2022",
                "label": "Législatives 2022 T1",
                "reason": "50\u202f% des suffrages exprimés sans nuance utilisable.",
                "unlabelled_share": 0.5,
            }
        ],
        redistricting_suspected=True,
        redistricting_note="Inscrits passés de 886 à 1 240 entre 2022 et 2024.",
    )
    ProfileRun.objects.filter(pk=run.pk).update(
        sources={"contact_rate": {"value": 0.43, "source": "Les observations du terrain (212 fiches)."}}
    )
    client.force_login(_member(Role.FEDERAL_HQ, "29"))
    html = unescape(client.get(f"/carte/bureau/{station_id}/").content.decode())
    assert "Dominé par Ensemble" in html and "face à Ensemble" in html
    priority = html.index('class="profile-priority"')
    assert html.index("Participation") > priority  # the explanation comes with the figure, before the rest
    assert "7,5" in html[priority : priority + 400] and "entre 3,2 et 9,8 voix" in html
    assert "voix gagnées pour 20 heures de porte-à-porte" in html
    assert "rencontrées par heure). Les observations du terrain (212 fiches)" in html and "43\u202f%" in html
    reason = "Législatives 2022 T1 : 50\u202f% des suffrages exprimés sans nuance utilisable."
    assert reason in html and html.count("des suffrages exprimés sans nuance") == 1  # said once
    assert "Redécoupage probable" in html and "Inscrits passés de 886 à 1 240" in html
    assert "+8,4\u202fpt" in html and "foyer de vote intermittent" in html


def test_the_vote_history_svg_has_a_legend_title_and_french_percentages():
    svg = vote_history_svg([{"label": "Législatives 2024 T1", "shares": {"left": 0.28}, "abstention": 0.31}])
    assert "Part des exprimés (%)" in svg and "abstention : % des inscrits" in svg
    assert "<title>Gauche : 28,0\u202f%</title>" in svg and "50\u202f%</text>" in svg
    assert f'fill="{LEANING_COLOURS["left"]}"' in svg
