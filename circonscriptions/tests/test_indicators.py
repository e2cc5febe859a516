import csv

import pytest

from circonscriptions.importers.base import ImportRefused
from circonscriptions.importers.indicators import indicators_import
from circonscriptions.models import ImportRun, IndicatorValue, IndicatorVariable

pytestmark = pytest.mark.django_db

SOURCE = "indic-stat-circonscriptions-legislatives"


@pytest.fixture
def insee(data_dir):
    return data_dir / "insee"


def _snapshot():
    return {
        (code, level, territory, vintage): value
        for code, level, territory, vintage, value in IndicatorValue.objects.filter(
            variable__source=SOURCE
        ).values_list("variable__code", "level", "territory_code", "vintage", "value")
    }


def test_the_xlsx_and_the_csv_give_the_same_values(insee):
    xlsx = indicators_import(path=insee / "indic-stat-circonscriptions-legislatives-2022.xlsx")
    from_xlsx = _snapshot()
    csv_outcome = indicators_import(path=insee / "indic-stat-circonscriptions-legislatives-2022.csv")

    assert xlsx.summary["variables"] == csv_outcome.summary["variables"] == 122
    assert csv_outcome.summary["values_written"] == {"created": 0, "updated": 0}
    assert _snapshot() == from_xlsx
    assert len(from_xlsx) == 567 * 122
    # '29002' is circonscription 2902; '00000' is the national figure.
    assert from_xlsx[("Inscrit_22", "circonscription", "2902", "2022")] > 50000
    assert ("Inscrit_22", "nation", "FR", "2022") in from_xlsx
    assert ("Inscrit_22", "circonscription", "97101", "2022") in from_xlsx
    assert ("Inscrit_22", "circonscription", "2A01", "2022") in from_xlsx
    variable = IndicatorVariable.objects.get(source=SOURCE, code="Inscrit_22")
    assert variable.label.startswith("Nombre d’inscrits") and variable.origin.startswith("Ministère")


def test_nd_cells_are_stored_as_null(insee):
    path = insee / "indic-stat-circonscriptions-legislatives-2022.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[0]
    row, column = next((r, header[i]) for r in rows[1:] for i, cell in enumerate(r) if cell == "nd")

    outcome = indicators_import(path=path)
    assert outcome.summary["nulls"] == sum(cell in ("nd", "") for r in rows[1:] for cell in r[2:])
    code = row[0]
    territory = ("nation", "FR") if code == "00000" else ("circonscription", code[:2] + code[3:])
    value = IndicatorValue.objects.get(
        variable__source=SOURCE, variable__code=column, level=territory[0], territory_code=territory[1]
    )
    assert value.value is None


def test_a_cell_that_is_not_a_number_refuses_the_file(insee, tmp_path):
    lines = (insee / "indic-stat-circonscriptions-legislatives-2022.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[40].split(";")
    cells[5] = "1,2x"
    lines[40] = ";".join(cells)
    broken = tmp_path / "indic-stat-circonscriptions-legislatives-2022.csv"
    broken.write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "indic-stat-circonscriptions-legislatives-2022-variables.csv").write_bytes(
        (insee / "indic-stat-circonscriptions-legislatives-2022-variables.csv").read_bytes()
    )

    before = IndicatorValue.objects.count()
    with pytest.raises(ImportRefused) as refused:
        indicators_import(path=broken)
    header = lines[0].split(";")
    assert [(p.line, p.column, p.value) for p in refused.value.problems] == [(41, header[5], "1,2x")]
    assert "ligne 41" in str(refused.value) and "1,2x" in str(refused.value)
    assert IndicatorValue.objects.count() == before
    assert ImportRun.objects.latest("pk").status == ImportRun.Status.FAILED


def test_commune_unemployment_takes_its_vintage_from_annee(insee):
    indicators_import(path=insee / "bretagne-communes-taux-chomage-2022.csv")
    indicators_import(path=insee / "bretagne-communes-taux-chomage-2024.csv")
    brest = IndicatorValue.objects.filter(variable__code="chomage", level="commune", territory_code="29019")
    assert sorted(brest.values_list("vintage", flat=True)) == ["2022", "2024"]
    assert IndicatorVariable.objects.get(code="chomage").label == "Taux de chômage trimestriel (en %)"


def test_urban_unit_status_is_one_or_zero_and_true_duplicates_are_kept_once(insee):
    outcome = indicators_import(path=insee / "bretagne-communes-unite-urbaine-2022.csv")
    assert outcome.summary["rows"] == 847 and outcome.summary["values"] == 846  # 35317 appears twice, same status
    values = IndicatorValue.objects.filter(variable__code="unite_urbaine")
    assert set(values.values_list("value", flat=True)) == {0.0, 1.0}
    assert values.get(territory_code="29019").value == 1.0


def test_rents_listed_twice_with_different_values_are_refused(insee):
    before = IndicatorValue.objects.count()
    with pytest.raises(ImportRefused) as refused:
        indicators_import(path=insee / "bretagne-communes-loyer-predit-2024.csv")
    first = refused.value.problems[0]
    assert first.column == "Loyer prédit en euros par m²" and "deux fois" in first.message
    assert IndicatorValue.objects.count() == before


def test_importing_the_same_file_twice_changes_nothing(insee):
    path = insee / "bretagne-communes-niveau-etude-rp2022.csv"
    first = indicators_import(path=path)
    assert first.summary["values_written"]["created"] == first.summary["values"]
    rows = list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "import_run_id"))
    assert indicators_import(path=path).unchanged
    assert indicators_import(path=path, force=True).summary["values_written"] == {"created": 0, "updated": 0}
    assert list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "import_run_id")) == rows


def test_an_unknown_circonscription_is_refused_once_the_territory_is_loaded(territory, insee, tmp_path):
    lines = (insee / "indic-stat-circonscriptions-legislatives-2022.csv").read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("29008;"))
    lines[row] = "29009;" + lines[row].split(";", 1)[1]  # Finistère has 8 circonscriptions
    broken = tmp_path / "indic-stat-circonscriptions-legislatives-2022.csv"
    broken.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        indicators_import(path=broken)
    assert [(p.line, p.column, p.value) for p in refused.value.problems] == [(row + 1, "circo", "29009")]
