"""The default grouping of nuance codes into blocs (circonscriptions/blocs.py)."""

import pytest

from circonscriptions import blocs


@pytest.mark.parametrize(
    ("code", "year", "bloc"),
    [
        ("REN", 2024, "centre"),
        ("LREN", 2024, "centre"),
        ("ENS", 2024, "centre"),
        # ECO: EELV in 2017 (left); greens outside the union of the left from 2022 (other).
        ("ECO", 2017, "left"),
        ("ECO", 2022, "other"),
        ("ECO", 2024, "other"),
        ("ECO", None, "other"),
        ("LECO", 2019, "left"),
        ("LECO", 2024, "other"),
        ("VEC", 2024, "left"),
        ("LVEC", 2024, "left"),
        # The européennes list grid.
        ("LFI", 2024, "left"),
        ("LUG", 2024, "left"),
        ("LCOM", 2024, "left"),
        ("LSOC", 2024, "left"),
        ("LENS", 2024, "centre"),
        ("LLR", 2024, "right"),
        ("LRN", 2024, "far_right"),
        ("LREC", 2024, "far_right"),
        ("LDSV", 2024, "far_right"),
        ("LDLF", 2019, "far_right"),
        ("LREG", 2024, "other"),
        ("LDIV", 2024, "other"),
        ("LGJ", 2019, "other"),
        # Unknown and undecided.
        ("NC", 2022, "other"),
        ("DIV", 2022, "other"),
        ("REG", 2024, "other"),
        ("ZZZ", 2024, "other"),
    ],
)
def test_each_code_gets_its_default_bloc_for_the_year(code, year, bloc):
    assert blocs.default_bloc(code, year) == bloc


def test_nc_is_the_unknown_nuance_and_div_stays_the_ministrys():
    assert blocs.UNKNOWN_NUANCE == "NC"
    assert blocs.default_label("NC") == "Nuance non renseignée"
    assert blocs.default_label("DIV") == "Divers"
    assert blocs.presidential_nuance(2022, "Inconnu") == "NC"
    assert blocs.candidate_nuance("legislatives-2022-1", "COATANEA") == "NC"
    assert blocs.list_head_nuance("europeennes-2024-1", "traore_hamada") == "NC"


def test_every_code_of_the_ministry_grids_has_a_label():
    codes = set().union(*blocs.LEGISLATIVES_CODES.values(), *blocs.EUROPEENNES_CODES.values())
    for year in (2017, 2019, 2022, 2024):
        assert [code for code in sorted(codes) if not blocs.default_label(code, year)] == []


def test_the_main_paris_list_heads_get_their_party_list_code():
    heads = {
        "glucksmann_raphael": "LSOC",
        "hayer_valerie": "LENS",
        "aubry_manon": "LFI",
        "toussaint_marie": "LVEC",
        "bellamy_francois_xavier": "LLR",
        "bardella_jordan": "LRN",
        "marechal_marion": "LREC",
        "deffontaines_leon": "LCOM",
        "philippot_florian": "LDSV",
        "asselineau_francois": "LDSV",
    }
    assert {slug: blocs.list_head_nuance("europeennes-2024-1", slug) for slug in heads} == heads
    assert blocs.list_head_nuance("europeennes-2019-1", "dupont_aignan_nicolas") == "LDLF"


def test_jadot_2022_is_counted_with_the_left_though_eco_is_not():
    code = blocs.presidential_nuance(2022, "Jadot")
    assert (code, blocs.default_bloc(code, 2022)) == ("VEC", "left")


def test_the_grid_of_a_set_of_codes_and_the_list_years():
    assert blocs.grid_of({"LFI", "LRN", "LENS"}) == "listes"
    assert blocs.grid_of({"UG", "RN", "ENS"}) == "candidats"
    assert blocs.grid_of({"NC"}) is None
    assert blocs.list_grid_years({"LENS", "LRN"}) == {2024}
    assert blocs.list_grid_years({"LREM", "LRN"}) == {2019}
    assert blocs.list_grid_years({"LFI", "LRN"}) == {2019, 2024}
    assert blocs.list_grid_years({"RN"}) is None
