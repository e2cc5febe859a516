"""Names as French readers see them (the admin's columns and filters, the kinds of import) and
the places a map without tiles draws from QG's own data."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import translation

from circonscriptions.models import Commune, CommuneShape, Departement, ImportRun, Nuance, PollingStation, Region
from circonscriptions.places import commune_places, places_for_map


def test_relations_named_as_their_model_read_in_french_in_the_admin(admin_client):
    Region.objects.get_or_create(code="53", defaults={"name": "Bretagne"})
    with translation.override("fr"):
        assert str(Departement._meta.get_field("region").verbose_name) == "région"
        assert str(Nuance._meta.get_field("election").verbose_name) == "élection"
        assert str(PollingStation._meta.get_field("commune").verbose_name) == "commune"
        # A relation with a name of its own keeps it.
        assert str(Commune._meta.get_field("parent").verbose_name) == "parent"
    page = admin_client.get("/admin/circonscriptions/departement/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Par région" in page and "Par region" not in page


def test_import_kinds_are_named_in_french():
    assert ImportRun(kind="boundaries").kind_label == "Contours (GeoJSON, shapefile zippé)"
    assert ImportRun(kind="results").kind_label == "Résultats électoraux"
    assert ImportRun(kind="something-else").kind_label == "something-else"


def _square(lon: float, lat: float, size: float) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat))), srid=4326
    )


@pytest.mark.django_db
def test_a_map_without_tiles_gets_commune_outlines_and_a_name_inside_each(departements, settings):
    brest = Commune.objects.create(code="29919", name="Brest-test", departement=departements["29"])
    CommuneShape.objects.create(commune=brest, geom=_square(-4.5, 48.38, 0.04))
    Commune.objects.create(code="29918", name="Sans-contour", departement=departements["29"])
    places = commune_places(Commune.objects.filter(code__in=["29919", "29918"]))
    assert [p["name"] for p in places] == ["Brest-test"]
    lon, lat = places[0]["label"]
    assert -4.5 < lon < -4.46 and 48.38 < lat < 48.42
    assert places[0]["geometry"]["type"] == "MultiPolygon"
    settings.LEAFLET_CONFIG = {
        **settings.LEAFLET_CONFIG,
        "TILES": [("Carte", "https://tiles.example/{z}/{x}/{y}.png", {})],
    }
    assert places_for_map(Commune.objects.filter(code="29919")) == []


def test_the_admin_lists_a_communes_bureaux_in_numeric_order(admin_client, departements):
    commune = Commune.objects.create(code="29917", name="Ordre-test", departement=departements["29"])
    for code in ("10", "2", "1", "100"):
        PollingStation.objects.create(commune=commune, code=code)
    page = admin_client.get("/admin/circonscriptions/pollingstation/", {"q": "Ordre-test"})
    listed = [str(station) for station in page.context["cl"].result_list]
    assert listed == [f"Ordre-test — bureau {code}" for code in ("1", "2", "10", "100")]


def test_counts_in_words_take_the_singular_for_zero_and_one():
    from circonscriptions.profiles.formats import counted

    assert [counted(n, "bureau", "bureaux") for n in (0, 1, 2, 1500)] == [
        "0 bureau",
        "1 bureau",
        "2 bureaux",
        "1\u202f500 bureaux",
    ]
