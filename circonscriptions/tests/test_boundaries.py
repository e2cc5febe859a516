import gzip
import json
import zipfile

import geopandas as gpd
import pytest

from circonscriptions.importers.base import ImportRefused
from circonscriptions.importers.boundaries import boundaries_import
from circonscriptions.importers.territory import territory_import
from circonscriptions.models import (
    CirconscriptionShape,
    DepartementShape,
    ImportRun,
    PollingStation,
    PollingStationShape,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def boundaries(data_dir):
    return data_dir / "boundaries"


def _finistere_circonscriptions(boundaries):
    return boundaries_import(
        path=boundaries / "circonscriptions-29-finistere.geojson",
        level="circonscription",
        departement="29",
        force=True,
    )


def test_finistere_circonscriptions_are_dissolved_into_eight(territory, boundaries):
    outcome = _finistere_circonscriptions(boundaries)

    assert outcome.summary["rows"] == 19 and outcome.summary["territories"] == 8
    shapes = CirconscriptionShape.objects.filter(circonscription__departement__code="29")
    assert shapes.count() == 8
    assert set(shapes.values_list("source", flat=True)) == {"circonscriptions-29-finistere.geojson"}
    assert all(shape.geom.valid and shape.geom.geom_type == "MultiPolygon" for shape in shapes)
    # The 6th (Crozon peninsula and the islands of Sein, Molène, Ouessant) comes in several pieces.
    assert len(shapes.get(circonscription__code="2906").geom) > 1


def test_brest_bureaux_get_contours_places_and_their_circonscription(territory, boundaries):
    _finistere_circonscriptions(boundaries)
    boundaries_import(path=boundaries / "bureaux" / "bureaux-de-vote-brest-29019.geojson", level="polling_station")

    stations = PollingStation.objects.filter(commune__code__in=["29019", "29061", "29189"])
    assert stations.count() == 122
    assert PollingStationShape.objects.filter(polling_station__in=stations).count() == 122
    assert not stations.filter(circonscription__isnull=True).exists()
    brest = stations.filter(commune__code="29019")
    assert set(brest.values_list("circonscription__code", flat=True)) == {"2902", "2903"}
    kerinou = brest.get(code="76")
    assert kerinou.place == "GS KERINOU"
    assert kerinou.location is not None and kerinou.shape.geom.contains(kerinou.location)


def test_the_city_of_brest_layout_matches_the_same_bureaux(territory, boundaries):
    boundaries_import(path=boundaries / "bureaux" / "bureaux-de-vote-brest-29019.geojson", level="polling_station")
    before = set(PollingStation.objects.values_list("pk", flat=True))
    outcome = boundaries_import(
        path=boundaries / "bureaux" / "bureaux-de-vote-brest-29019-ville.geojson", level="polling_station"
    )
    assert outcome.summary["polling_stations"]["created"] == 0
    assert set(PollingStation.objects.values_list("pk", flat=True)) == before


def test_paris_sectors_are_bureaux_of_75056_numbered_like_the_ministry(territory, boundaries):
    boundaries_import(
        path=boundaries / "bureaux" / "secteurs-bureaux-de-vote-paris-75056.geojson", level="polling_station"
    )
    paris = PollingStation.objects.filter(commune__code="75056")
    assert paris.count() == 896
    assert paris.filter(code="1905").exists() and paris.filter(code="107").exists()
    assert set(paris.values_list("circonscription__code", flat=True)) <= {f"75{n:02d}" for n in range(1, 19)}


def test_national_circonscriptions_2012_map_electoral_overseas_codes(territory, boundaries):
    outcome = boundaries_import(
        path=boundaries / "circonscriptions-legislatives-2012.geojson", level="circonscription", force=True
    )
    assert outcome.summary["territories"] == 566
    shape = CirconscriptionShape.objects.get(circonscription__code="97101")  # ZA001
    assert shape.source == "circonscriptions-legislatives-2012.geojson"
    assert CirconscriptionShape.objects.get(circonscription__code="97701").source == shape.source  # ZX001


def test_gzipped_departements_and_a_lambert93_zipped_shapefile(territory, boundaries, tmp_path):
    boundaries_import(path=boundaries / "departements-avec-outre-mer.geojson.gz", level="departement", force=True)
    assert DepartementShape.objects.get(departement__code="976").source == "departements-avec-outre-mer.geojson.gz"

    # The same Finistère circonscriptions, reprojected to Lambert-93 and written as a zipped shapefile.
    frame = gpd.read_file(boundaries / "circonscriptions-29-finistere.geojson").to_crs(2154)
    frame.to_file(tmp_path / "circos29.shp")
    archive = tmp_path / "circos29.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in tmp_path.glob("circos29.*"):
            if part != archive:
                zipped.write(part, part.name)
    boundaries_import(path=archive, level="circonscription", departement="29")
    shape = CirconscriptionShape.objects.get(circonscription__code="2902")
    assert shape.source == "circos29.zip" and shape.geom.srid == 4326
    assert shape.geom.extent[0] == pytest.approx(-4.6, abs=0.2)  # back in degrees, around Brest


def test_an_invalid_polygon_is_repaired(territory, boundaries, tmp_path):
    data = json.loads((boundaries / "bureaux" / "bureaux-de-vote-brest-29019.geojson").read_text())
    (x0, y0), (x1, y1) = data["features"][0]["geometry"]["coordinates"][0][:2]
    # A bow-tie: the ring crosses itself.
    data["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x0 + 0.01, y0 + 0.01], [x0 + 0.01, y0], [x0, y0 + 0.01], [x0, y0]]],
    }
    path = tmp_path / "bowtie.geojson"
    path.write_text(json.dumps(data))
    boundaries_import(path=path, level="polling_station")
    code = data["features"][0]["properties"]["codeBureauVote"].split("_")[1].lstrip("0")
    shape = PollingStationShape.objects.get(polling_station__commune__code="29019", polling_station__code=code)
    assert shape.geom.valid and shape.geom.geom_type == "MultiPolygon" and len(shape.geom) == 2


def _broken_brest(boundaries, tmp_path, change, *, gz=False):
    data = json.loads((boundaries / "bureaux" / "bureaux-de-vote-brest-29019.geojson").read_text())
    change(data["features"])
    path = tmp_path / ("broken.geojson.gz" if gz else "broken.geojson")
    raw = json.dumps(data).encode()
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def _refusal(path, **options):
    runs = ImportRun.objects.count()
    stations = PollingStation.objects.count()
    with pytest.raises(ImportRefused) as refused:
        boundaries_import(path=path, level="polling_station", **options)
    assert PollingStation.objects.count() == stations
    assert ImportRun.objects.count() == runs + 1
    assert ImportRun.objects.latest("pk").status == ImportRun.Status.FAILED
    return refused.value.problems


def test_unknown_commune_is_refused_with_feature_property_and_value(territory, boundaries, tmp_path):
    def change(features):
        features[56]["properties"]["codeBureauVote"] = "29999_0001"

    problems = _refusal(_broken_brest(boundaries, tmp_path, change, gz=True))
    assert [(p.line, p.column, p.value) for p in problems] == [(57, "codeBureauVote", "29999_0001")]
    assert "commune inconnue" in problems[0].message


def test_missing_code_property_is_refused(territory, boundaries, tmp_path):
    def change(features):
        for feature in features:
            feature["properties"]["numero"] = feature["properties"].pop("codeBureauVote")

    problems = _refusal(_broken_brest(boundaries, tmp_path, change))
    assert "propriété de code introuvable" in problems[0].message


def test_empty_geometry_and_unreadable_code_are_refused(territory, boundaries, tmp_path):
    def change(features):
        x, y = features[3]["geometry"]["coordinates"][0][0]
        features[3]["geometry"] = {"type": "Polygon", "coordinates": [[[x, y], [x, y], [x, y], [x, y]]]}
        features[9]["properties"]["codeBureauVote"] = "29019-"

    problems = _refusal(_broken_brest(boundaries, tmp_path, change))
    assert {(p.line, p.column) for p in problems} == {(4, "geometry"), (10, "codeBureauVote")}


def test_duplicate_codes_with_different_places_are_refused(territory, boundaries, tmp_path):
    def change(features):
        features[1]["properties"]["codeBureauVote"] = features[0]["properties"]["codeBureauVote"]
        features[1]["properties"]["llieu"] = "AUTRE LIEU"

    problems = _refusal(_broken_brest(boundaries, tmp_path, change))
    assert problems[0].line == 2 and problems[0].column == "llieu" and "AUTRE LIEU" in problems[0].value


def test_a_point_layer_is_refused(territory, boundaries, tmp_path):
    frame = gpd.read_file(boundaries / "bureaux" / "bureaux-de-vote-brest-29019.geojson")
    frame["geometry"] = frame.geometry.representative_point()
    path = tmp_path / "points.geojson"
    frame.to_file(path, driver="GeoJSON")
    problems = _refusal(path)
    assert "pas faite de polygones" in problems[0].message


def test_importing_the_same_contours_twice_changes_nothing(territory, boundaries):
    path = boundaries / "bureaux" / "secteurs-bureaux-de-vote-paris-75056.geojson"
    boundaries_import(path=path, level="polling_station")
    snapshot = list(PollingStationShape.objects.order_by("pk").values_list("pk", "polling_station_id", "source"))
    assert boundaries_import(path=path, level="polling_station").unchanged
    forced = boundaries_import(path=path, level="polling_station", force=True)
    assert forced.summary["shapes"] == {"created": 0, "updated": 0}
    assert forced.summary["polling_stations"] == {"created": 0, "updated": 0}
    assert (
        list(PollingStationShape.objects.order_by("pk").values_list("pk", "polling_station_id", "source")) == snapshot
    )


def test_the_shared_brest_fixture_gives_bureaux_with_their_circonscription(brest_polling_stations):
    brest = PollingStation.objects.filter(commune__code="29019")
    assert brest.count() == 104 and not brest.filter(shape__isnull=True).exists()
    assert brest.filter(circonscription__code="2902").count() == 78
    assert brest.filter(circonscription__code="2903").count() == 26


def test_toulouse_bureaux_numbered_within_the_commune_and_one_without_an_area(territory, boundaries):
    territory_import(departements=["31"])
    outcome = boundaries_import(
        path=boundaries / "bureaux" / "bureaux-de-vote-toulouse-31555-2026.geojson.gz",
        level="polling_station",
        commune="31555",
    )
    toulouse = PollingStation.objects.filter(commune__code="31555")
    assert toulouse.count() == 277
    # The « bureau dérogatoire » of the Capitole has no area: kept, without a contour.
    assert outcome.summary["without_geometry"] == [{"line": 145, "code": "0001A"}]
    special = toulouse.get(code="1A")
    assert special.place.startswith("Capitole") and not PollingStationShape.objects.filter(polling_station=special)
    assert toulouse.filter(shape__isnull=False).count() == 276
    assert not toulouse.filter(shape__isnull=False, circonscription__isnull=True).exists()


def _brest_features(boundaries) -> dict[str, dict]:
    data = json.loads((boundaries / "bureaux" / "bureaux-de-vote-brest-29019.geojson").read_text())
    return {f["properties"]["codeBureauVote"]: f for f in data["features"]}


def test_bureaux_of_a_commune_wholly_inside_one_circonscription_keep_it_whatever_their_contour(
    territory, boundaries, tmp_path
):
    _finistere_circonscriptions(boundaries)
    outcome = boundaries_import(
        path=boundaries / "bureaux" / "bureaux-de-vote-brest-29019.geojson", level="polling_station", force=True
    )
    # The real contours: Gouesnou and Plougastel-Daoulas lie wholly in one circonscription each,
    # and every Brest bureau has at least 80 % of its area in its circonscription.
    assert "stations_to_check" not in outcome.summary
    assert set(
        PollingStation.objects.filter(commune__code="29061").values_list("circonscription__code", flat=True)
    ) == {"2902"}
    assert set(
        PollingStation.objects.filter(commune__code="29189").values_list("circonscription__code", flat=True)
    ) == {"2906"}

    # A hand-made neighbour: a Gouesnou bureau whose contour was drawn over Brest bureau 1, in the 3rd.
    features = _brest_features(boundaries)
    stray = json.loads(json.dumps(features["29019_0001"]))
    stray["properties"]["codeBureauVote"] = "29061_0098"
    path = tmp_path / "gouesnou.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [stray]}))
    boundaries_import(path=path, level="polling_station")
    assert PollingStation.objects.get(commune__code="29019", code="1").circonscription.code == "2903"
    assert PollingStation.objects.get(commune__code="29061", code="98").circonscription.code == "2902"


def test_a_bureau_of_a_split_commune_astride_two_circonscriptions_is_listed_for_an_analyst(
    territory, boundaries, tmp_path
):
    from django.contrib.gis.geos import GEOSGeometry

    _finistere_circonscriptions(boundaries)
    boundaries_import(path=boundaries / "bureaux" / "bureaux-de-vote-brest-29019.geojson", level="polling_station")
    features = _brest_features(boundaries)
    stations = PollingStation.objects.filter(commune__code="29019").select_related("circonscription")
    third = {s.code for s in stations if s.circonscription.code == "2903"}
    second = {s.code for s in stations if s.circonscription.code == "2902"}
    shapes = {str(int(k.split("_")[1])): GEOSGeometry(json.dumps(f["geometry"])) for k, f in features.items()}
    # Brest bureau 1 (3rd circonscription) with the 2nd's bureau closest to it in area: about half and half.
    first = shapes["1"]
    partner = min(second, key=lambda code: abs(shapes[code].area - first.area))
    astride = first.union(shapes[partner])
    largest = max(first.area, shapes[partner].area) / astride.area
    assert "1" in third and largest < 0.8
    path = tmp_path / "astride.geojson"
    feature = {"type": "Feature", "properties": {"codeBureauVote": "29019_0099"}, "geometry": json.loads(astride.json)}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))

    outcome = boundaries_import(path=path, level="polling_station")
    bureau = PollingStation.objects.get(commune__code="29019", code="99")
    expected = "2903" if first.area >= shapes[partner].area else "2902"
    assert bureau.circonscription.code == expected
    [line] = outcome.summary["stations_to_check"]
    assert line.startswith("Brest (29019), bureau 99 : ")
    assert line.endswith(f"de son contour seulement dans la circonscription {expected}, à vérifier")
    assert f"{round(100 * largest)}\u202f%" in line
