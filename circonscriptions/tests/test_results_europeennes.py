"""The ministry's européennes 2024 file by bureau: list blocks, the list grid, and refusals.

There is no real européennes file in the shared data: the fixture is written here, in
the published layout (fixed columns as in the législatives file, then 38 blocks
« Numéro de panneau N », « Nuance liste N », « Libellé abrégé de liste N », « Libellé de
liste N », « Voix N », « % Voix/inscrits N », « % Voix/exprimés N », « Sièges N »;
semicolons, decimal commas, % signs), from the hand-written table below: three Brest
bureaux and seven of the 38 lists with their real labels (the other blocks are empty).
"""

from pathlib import Path

import pytest

from circonscriptions.importers.base import ImportRefused
from circonscriptions.importers.results import results_import
from circonscriptions.models import (
    Nuance,
    PollingStationResult,
    PollingStationVotes,
)

# panel → (nuance, short label, label)
LISTS = {
    3: ("LREC", "LA FRANCE FIERE", "LA FRANCE FIERE, MENEE PAR MARION MARECHAL ET SOUTENUE PAR ÉRIC ZEMMOUR"),
    4: ("LFI", "LA FRANCE INSOUMISE", "LA FRANCE INSOUMISE - UNION POPULAIRE"),
    5: ("LRN", "LA FRANCE REVIENT !", "LA FRANCE REVIENT ! AVEC JORDAN BARDELLA ET MARINE LE PEN"),
    6: ("LVEC", "EUROPE ECOLOGIE", "EUROPE ECOLOGIE"),
    11: ("LENS", "BESOIN D'EUROPE", "BESOIN D'EUROPE"),
    18: ("LLR", "LA DROITE POUR FAIRE ENTENDRE", "LA DROITE POUR FAIRE ENTENDRE LA VOIX DE LA FRANCE EN EUROPE"),
    27: ("LSOC", "REVEILLER L'EUROPE", "REVEILLER L'EUROPE"),
}
# Brest bureau → (inscrits, blancs, nuls, votes by panel); votants = exprimés + blancs + nuls.
BUREAUX = {
    "0001": (910, 14, 6, {3: 21, 4: 88, 5: 97, 6: 52, 11: 101, 18: 33, 27: 142}),
    "0002": (1024, 11, 3, {3: 18, 4: 131, 5: 80, 6: 61, 11: 77, 18: 20, 27: 150}),
    "0003": (875, 9, 5, {3: 25, 4: 64, 5: 120, 6: 33, 11: 95, 18: 41, 27: 99}),
}
FIXED = [
    "Code département",
    "Libellé département",
    "Code commune",
    "Libellé commune",
    "Code BV",
    "Inscrits",
    "Votants",
    "% Votants",
    "Abstentions",
    "% Abstentions",
    "Exprimés",
    "% Exprimés/inscrits",
    "% Exprimés/votants",
    "Blancs",
    "% Blancs/inscrits",
    "% Blancs/votants",
    "Nuls",
    "% Nuls/inscrits",
    "% Nuls/votants",
]
BLOCK = [
    "Numéro de panneau",
    "Nuance liste",
    "Libellé abrégé de liste",
    "Libellé de liste",
    "Voix",
    "% Voix/inscrits",
    "% Voix/exprimés",
    "Sièges",
]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}".replace(".", ",") + "%"


def _write(path: Path, *, drop: str | None = None, edit: tuple[str, str, str] | None = None) -> Path:
    """The fixture in the ministry's layout; `drop` removes a column (header and cells),
    `edit` = (bureau, column, value) changes one cell."""
    header = FIXED + [f"{field} {n}" for n in range(1, 39) for field in BLOCK]
    rows = []
    for bureau, (registered, blank, null, votes) in BUREAUX.items():
        expressed = sum(votes.values())
        voters = expressed + blank + null
        row = {
            "Code département": "29",
            "Libellé département": "Finistère",
            "Code commune": "29019",
            "Libellé commune": "Brest",
            "Code BV": bureau,
            "Inscrits": str(registered),
            "Votants": str(voters),
            "% Votants": _pct(voters, registered),
            "Abstentions": str(registered - voters),
            "% Abstentions": _pct(registered - voters, registered),
            "Exprimés": str(expressed),
            "% Exprimés/inscrits": _pct(expressed, registered),
            "% Exprimés/votants": _pct(expressed, voters),
            "Blancs": str(blank),
            "% Blancs/inscrits": _pct(blank, registered),
            "% Blancs/votants": _pct(blank, voters),
            "Nuls": str(null),
            "% Nuls/inscrits": _pct(null, registered),
            "% Nuls/votants": _pct(null, voters),
        }
        for panel, (nuance, short, label) in LISTS.items():
            cells = [str(panel), nuance, short, label, str(votes[panel])]
            cells += [_pct(votes[panel], registered), _pct(votes[panel], expressed), "0"]
            row.update({f"{field} {panel}": cell for field, cell in zip(BLOCK, cells, strict=True)})
        if edit and edit[0] == bureau:
            row[edit[1]] = edit[2]
        rows.append(row)
    columns = [c for c in header if c != drop]
    lines = [";".join(columns)] + [";".join(row.get(c, "") for c in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def brest_db(territory, db):
    """The territory, and no results: each test imports those it checks."""


def _refusal(path: Path, slug: str) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        results_import(path=path, election_slug=slug)
    return [str(p) for p in caught.value.problems]


def test_it_imports_the_europeennes_lists_with_their_labels_and_list_nuances(brest_db, tmp_path):
    path = _write(tmp_path / "resultats-europeennes-2024-bv-brest.csv")

    outcome = results_import(path=path, election_slug="europeennes-2024-1")

    assert outcome.summary["territories"] == 3 and outcome.summary["candidates"] == 3 * 7
    assert (outcome.summary["decimal"], outcome.summary["percent_cells"]) == (",", True)
    bureau = PollingStationResult.objects.get(
        election__slug="europeennes-2024-1", polling_station__commune__code="29019", polling_station__code="2"
    )
    assert (bureau.registered, bureau.expressed, bureau.blank, bureau.null, bureau.voters) == (1024, 537, 11, 3, 551)
    votes = {v.panel: (v.candidate, v.nuance.code, v.votes) for v in bureau.votes.select_related("nuance")}
    assert votes[5] == ("LA FRANCE REVIENT ! AVEC JORDAN BARDELLA ET MARINE LE PEN", "LRN", 80)
    assert votes[27] == ("REVEILLER L'EUROPE", "LSOC", 150)
    assert votes[3][0] == "LA FRANCE FIERE, MENEE PAR MARION MARECHAL ET SOUTENUE PAR ÉRIC ZEMMOUR"
    blocs = dict(Nuance.objects.filter(election__slug="europeennes-2024-1").values_list("code", "bloc"))
    assert blocs == {
        "LREC": "far_right",
        "LFI": "left",
        "LRN": "far_right",
        "LVEC": "left",
        "LENS": "centre",
        "LLR": "right",
        "LSOC": "left",
    }


def test_without_the_full_label_a_list_keeps_its_short_label(brest_db, tmp_path):
    path = _write(tmp_path / "europeennes-courtes.csv", drop="Libellé de liste 5")

    results_import(path=path, election_slug="europeennes-2024-1")

    assert PollingStationVotes.objects.filter(panel=5, candidate="LA FRANCE REVIENT !").count() == 3


def test_a_list_file_named_as_legislatives_is_refused_in_one_french_sentence(brest_db, tmp_path):
    path = _write(tmp_path / "europeennes.csv")

    problems = _refusal(path, "legislatives-2024-1")

    assert problems == [
        "ligne 1, colonne Nuance liste : Ce fichier ne correspond pas aux législatives 2024 (legislatives-2024-1) : "
        "ses nuances (LSOC, LRN, LFI…) sont celles de listes (européennes, régionales ou municipales), "
        "pas de candidats aux législatives."
    ]
    assert not PollingStationResult.objects.exists()


def test_a_legislatives_file_named_as_europeennes_is_refused(brest_db, data_dir):
    problems = _refusal(data_dir / "elections" / "lg2024-t1-bureaux-29-circos-02-03.csv", "europeennes-2024-1")

    assert problems == [
        "ligne 1, colonne Nuance candidat : Ce fichier ne correspond pas aux européennes 2024 (europeennes-2024-1) : "
        "ses nuances (UG, ENS, RN…) sont celles de candidats aux législatives, pas de listes."
    ]


def test_a_2024_list_file_named_as_the_2019_europeennes_is_refused_by_its_grid(brest_db, tmp_path):
    problems = _refusal(_write(tmp_path / "europeennes.csv"), "europeennes-2019-1")

    # LENS, LVEC and LREC are codes of the 2024 grid only (2019 had LREM, LECO for EELV, no Reconquête).
    assert problems == [
        "ligne 1, colonne Nuance liste : Ce fichier ne correspond pas aux européennes 2019 (europeennes-2019-1) : "
        "ses nuances (LENS, LVEC, LREC) sont celles de 2024."
    ]


def test_it_refuses_a_copy_without_a_votes_column(brest_db, tmp_path):
    problems = _refusal(_write(tmp_path / "sans-voix.csv", drop="Voix 4"), "europeennes-2024-1")

    assert (
        "ligne 1, colonne Numéro de panneau 4 : colonne « Voix 4 » absente : "
        "le bloc de « Numéro de panneau 4 » n'a pas de voix" in problems
    ), problems
    assert not PollingStationResult.objects.exists()


def test_it_refuses_a_non_numeric_vote_naming_line_column_and_value(brest_db, tmp_path):
    problems = _refusal(_write(tmp_path / "illisible.csv", edit=("0002", "Voix 11", "7x7")), "europeennes-2024-1")

    assert "ligne 3, colonne Voix 11 : nombre illisible (valeur « 7x7 »)" in problems, problems
