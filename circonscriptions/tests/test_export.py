"""The results export: exact header and rows computed by hand from the real files; the UI download is scoped."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from circonscriptions.importers.results import results_import
from circonscriptions.models import Departement
from circonscriptions.tests.test_results import ELECTIONS, LG24_BUREAUX, results_territory, territory_db  # noqa: F401
from hq.models import Federation, Membership, Role, User

HEADER = (
    "departement,commune,polling_station,circonscription,registered,voters,abstentions,"
    "expressed,blank,null,nuance,bloc,votes"
)
pytestmark = pytest.mark.usefixtures("territory_db")
NATIONAL_FILE = ELECTIONS / "lg2024-t1-circonscriptions-par-candidat.csv"


def _export(**options) -> list[str]:
    out = io.StringIO()
    call_command("export_results", stdout=out, **options)
    return out.getvalue().splitlines()


def test_the_polling_station_export_has_the_exact_header_and_hand_computed_rows(brest_polling_stations):
    results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")

    lines = _export(election="legislatives-2024-1", departement="29")

    assert lines[0] == HEADER
    # File line 8 (Brest, bureau 1): SMOLARZ, UG, 220 votes. Brest is split between two
    # circonscriptions: its bureau 1 takes the 3rd from its contour.
    assert "29,29019,1,2903,910,653,257,628,25,0,UG,left,220" in lines
    # File line 2 (Bohars, bureau 1): two EXG candidates, HITA 4 + COLLARD 6, make one row;
    # Bohars lies wholly in the 2nd circonscription, which its bureaux get from it.
    assert "29,29011,1,2902,997,787,210,776,8,3,EXG,left,10" in lines
    assert sum(1 for line in lines if line.startswith("29,29011,1,")) == 9  # 10 candidates, 9 nuances
    assert len(lines) - 1 == sum(
        len({row["Nuance candidat " + str(i)] for i in range(1, 20) if row.get("Nuance candidat " + str(i))})
        for row in csv.DictReader(LG24_BUREAUX.open(encoding="utf-8"), delimiter=";")
    )


def test_the_circonscription_export_sums_candidates_sharing_a_nuance():
    results_import(path=NATIONAL_FILE, election_slug="legislatives-2024-1", tolerate={"votes_sum"})

    lines = _export(election="legislatives-2024-1", level="circonscription", departement="29")

    assert lines[0] == HEADER
    # 2902: 78166 inscrits, 54557 votants, 23609 abstentions, 53426 exprimés, 1075 blancs, 56 nuls;
    # EXG = HITA 172 + COLLARD 357.
    assert "29,,,2902,78166,54557,23609,53426,1075,56,EXG,left,529" in lines
    assert "29,,,2902,78166,54557,23609,53426,1075,56,UG,left,18850" in lines
    assert {line.split(",")[3] for line in lines[1:]} == {f"290{n}" for n in range(1, 9)}


def test_the_export_keeps_leading_zeros_and_overseas_codes():
    results_import(path=NATIONAL_FILE, election_slug="legislatives-2024-1", tolerate={"votes_sum"})

    lines = _export(election="legislatives-2024-1", level="circonscription")

    assert any(line.startswith("01,,,0101,86843,") for line in lines)
    assert any(line.startswith("971,,,97101,") for line in lines)
    assert any(line.startswith("99,,,9901,") for line in lines)


# ------------------------------------------------------------------ the UI download


def _member(role: str, code: str | None = None) -> User:
    user = User.objects.create_user(f"{role}{code or ''}@example.org", "pw-test-2026")
    federation = None
    if code:
        federation, _ = Federation.objects.get_or_create(
            departement=Departement.objects.get(code=code), defaults={"name": f"Fédération {code}"}
        )
    Membership.objects.create(user=user, role=role, federation=federation)
    return user


def _download(client, user, **params) -> tuple[int, list[str]]:
    client.force_login(user)
    url = reverse("circonscriptions:results_export", kwargs={"slug": "legislatives-2024-1"})
    response = client.get(url, {"level": "circonscription", **params})
    if response.status_code != 200:
        return response.status_code, []
    return 200, b"".join(response.streaming_content).decode().splitlines()


@pytest.fixture
def national_results(db):
    results_import(path=NATIONAL_FILE, election_slug="legislatives-2024-1", tolerate={"votes_sum"})


def test_a_federal_hq_downloads_its_own_departement_only(national_results, client):
    user = _member(Role.FEDERAL_HQ, "29")

    status, lines = _download(client, user)

    assert status == 200
    assert lines[0] == HEADER
    assert {line.split(",")[0] for line in lines[1:]} == {"29"}
    assert _download(client, user, departement="29")[1] == lines


def test_a_federal_hq_asking_for_another_departement_gets_a_404(national_results, client):
    user = _member(Role.FEDERAL_HQ, "29")

    assert _download(client, user, departement="69")[0] == 404


def test_the_national_hq_downloads_all_of_france_and_strangers_nothing(national_results, client):
    national = _member(Role.NATIONAL_HQ)
    stranger = User.objects.create_user("nobody@example.org", "pw-test-2026")

    status, lines = _download(client, national)

    assert status == 200
    assert len({line.split(",")[3] for line in lines[1:]}) == 577
    assert _download(client, stranger)[0] == 404
    client.logout()
    anonymous = client.get(reverse("circonscriptions:results_export", kwargs={"slug": "legislatives-2024-1"}))
    assert anonymous.status_code == 302


def test_the_results_page_links_to_the_downloads(national_results, client):
    client.force_login(_member(Role.FEDERAL_HQ, "29"))

    response = client.get(reverse("circonscriptions:results_list"))

    assert response.status_code == 200
    assert (
        reverse("circonscriptions:results_export", kwargs={"slug": "legislatives-2024-1"}) in response.content.decode()
    )


def test_the_paris_file_is_filtered_by_election_and_exported_with_ministry_bureau_numbers():
    path = ELECTIONS / "paris-75056-bureaux-2017-2024-long.csv.gz"
    results_import(path=path, election_slug="presidentielle-2017-1", tolerate={"votes_sum", "voters_sum"})

    lines = _export(election="presidentielle-2017-1", departement="75")

    # Bureau '14-20' is 1420 in commune 75056 (11th circonscription); 1417 inscrits, 1193 votants,
    # 1174 exprimés, 16 blancs, 3 nuls; EXG = ARTHAUD 10 + POUTOU 12; FI = MÉLENCHON 298.
    assert "75,75056,1420,7511,1417,1193,224,1174,16,3,EXG,left,22" in lines
    assert "75,75056,1420,7511,1417,1193,224,1174,16,3,FI,left,298" in lines
    assert len({line.split(",")[2] for line in lines[1:]}) == 896


def test_the_export_also_streams_under_debug(settings):
    # DEBUG wraps cursors in Django's debug wrapper, whose copy() takes no parameters.
    settings.DEBUG = True
    results_import(path=LG24_BUREAUX, election_slug="legislatives-2024-1")

    lines = _export(election="legislatives-2024-1", departement="29")

    assert lines[0] == HEADER and "29,29019,1" in "\n".join(lines)


def test_codes_and_nuances_that_a_spreadsheet_would_run_as_formulas_are_exported_as_text():
    from circonscriptions.models import Election, Nuance

    results_import(path=NATIONAL_FILE, election_slug="legislatives-2024-1", tolerate={"votes_sum"})
    election = Election.objects.get(slug="legislatives-2024-1")
    # Written as an attacker's file could have named them (importers refuse such codes too).
    Nuance.objects.filter(election=election, code="EXG").update(code="@SUM(1,1)")
    Nuance.objects.filter(election=election, code="UG").update(code="=2+3")

    lines = _export(election="legislatives-2024-1", level="circonscription", departement="29")

    assert '29,,,2902,78166,54557,23609,53426,1075,56,"\'@SUM(1,1)",left,529' in lines
    assert "29,,,2902,78166,54557,23609,53426,1075,56,'=2+3,left,18850" in lines
    assert not any(cell.startswith(("=", "@", "+", "-")) for line in lines[1:] for cell in line.split(","))
