"""An analyst sets the nuance of a candidate or list by name: the service, then the admin page.

On the real Brest export of the 2022 législatives (2nd circonscription), which gives no
nuance: the candidates the name table does not know are NC.
"""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from circonscriptions import nuance_services
from circonscriptions.importers.results import results_import
from circonscriptions.models import (
    CandidateNuance,
    CirconscriptionResult,
    CirconscriptionVotes,
    Departement,
    Election,
    ImportRun,
    Nuance,
    PollingStationResult,
    PollingStationVotes,
)
from circonscriptions.nuance_services import candidate_nuance_set, election_candidates, nuance_code_clean
from hq.models import Federation, Membership, Role, User
from hq.services import hq_staff_grant

SLUG = "legislatives-2022-1"
COLLARD = "Rémy COLLARD"  # NC in this file; labelled EXG by the ministry in its 2024 file


@pytest.fixture
def recomputes(monkeypatch) -> list[int]:
    """Profile recomputes asked for by the service: counted here, not enqueued."""
    asked: list[int] = []
    monkeypatch.setattr(nuance_services, "profiles_recompute_later", lambda: asked.append(1))
    return asked


@pytest.fixture
def brest_2022(territory, db, data_dir, recomputes) -> Election:
    """The Brest export imported into empty results tables."""
    with connection.cursor() as cursor:
        for model in (PollingStationVotes, CirconscriptionVotes, PollingStationResult, CirconscriptionResult, Nuance):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
        cursor.execute(f"DELETE FROM {ImportRun._meta.db_table} WHERE kind = 'results'")  # noqa: S608
    results_import(path=_brest_file(data_dir), election_slug=SLUG)
    return Election.objects.get(slug=SLUG)


def _brest_file(data_dir: Path) -> Path:
    return data_dir / "elections" / "lg2022-t1-bureaux-brest-circo-29-02.csv"


def _collard_codes() -> set[str]:
    votes = PollingStationVotes.objects.filter(result__election__slug=SLUG, candidate=COLLARD)
    return set(votes.values_list("nuance__code", flat=True))


def test_labelling_an_nc_candidate_moves_its_votes_and_records_the_choice(brest_2022, recomputes):
    nc_before = PollingStationVotes.objects.filter(result__election=brest_2022, nuance__code="NC").count()
    assert _collard_codes() == {"NC"}

    outcome = candidate_nuance_set(election=brest_2022, candidate=COLLARD, code=" exg ", by="analyste@example.org")

    assert (outcome.code, outcome.nuance_created, outcome.rows_changed) == ("EXG", True, 78)
    assert _collard_codes() == {"EXG"}
    assert PollingStationVotes.objects.filter(result__election=brest_2022, nuance__code="NC").count() == nc_before - 78
    assert Nuance.objects.get(election=brest_2022, code="EXG").bloc == "left"
    choice = CandidateNuance.objects.get(election=brest_2022, candidate=COLLARD)
    assert (choice.code, choice.set_by) == ("EXG", "analyste@example.org")
    assert recomputes == [1]


def test_a_later_import_of_the_election_keeps_the_analysts_nuance(brest_2022, data_dir, tmp_path):
    candidate_nuance_set(election=brest_2022, candidate=COLLARD, code="EXG", by="analyste@example.org")
    votes_before = sorted(
        PollingStationVotes.objects.filter(result__election=brest_2022).values_list("result_id", "panel", "nuance_id")
    )

    same = results_import(path=_brest_file(data_dir), election_slug=SLUG)
    # The same figures in a new file (another checksum): the importer reads it, and applies the choice.
    copy = tmp_path / _brest_file(data_dir).name
    copy.write_bytes(_brest_file(data_dir).read_bytes() + b"\n")
    again = results_import(path=copy, election_slug=SLUG)

    assert same.unchanged
    assert not again.unchanged and again.summary["votes_written"] == 0
    assert again.summary["nuances_set_by_analysts"] == 78
    assert _collard_codes() == {"EXG"}
    assert (
        sorted(
            PollingStationVotes.objects.filter(result__election=brest_2022).values_list(
                "result_id", "panel", "nuance_id"
            )
        )
        == votes_before
    )


def test_setting_the_same_nuance_again_changes_no_row(brest_2022):
    candidate_nuance_set(election=brest_2022, candidate=COLLARD, code="EXG", by="a@example.org")

    again = candidate_nuance_set(election=brest_2022, candidate=COLLARD, code="EXG", by="b@example.org")

    assert (again.rows_changed, again.nuance_created) == (0, False)
    assert CandidateNuance.objects.get(election=brest_2022, candidate=COLLARD).set_by == "b@example.org"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Le code de nuance est vide"),
        ("EXTREMEGAUCHE1", "trop long : 12 caractères au plus"),
        ("DV G", "lettres et chiffres seulement"),
        ("ÉCO", "lettres et chiffres seulement"),
    ],
)
def test_a_bad_code_is_refused_in_french(code, message):
    with pytest.raises(ValidationError) as caught:
        nuance_code_clean(code)

    assert message in " ".join(caught.value.messages)


def test_a_name_without_votes_in_the_election_is_refused(brest_2022):
    with pytest.raises(ValidationError) as caught:
        candidate_nuance_set(election=brest_2022, candidate="Personne INCONNUE", code="DVG", by="a@example.org")

    assert caught.value.messages == [
        "Aucun candidat ni liste « Personne INCONNUE » n'a de voix dans l'élection legislatives-2022-1."
    ]
    assert not CandidateNuance.objects.exists()


def test_the_listing_gives_votes_shares_and_the_unlabelled_votes(brest_2022):
    listing = election_candidates(brest_2022)

    total = sum(PollingStationVotes.objects.filter(result__election=brest_2022).values_list("votes", flat=True))
    nc = sum(
        PollingStationVotes.objects.filter(result__election=brest_2022, nuance__code="NC").values_list(
            "votes", flat=True
        )
    )
    assert listing.total_votes == total and listing.unlabelled_votes == nc
    first = listing.rows[0]
    assert first.votes == max(row.votes for row in listing.rows)
    cadalen = next(row for row in listing.rows if row.candidate == "Pierre-Yves CADALEN")
    collard = next(row for row in listing.rows if row.candidate == COLLARD)
    assert (cadalen.codes, cadalen.unlabelled, collard.codes, collard.unlabelled) == (["NUP"], False, ["NC"], True)
    assert len(listing.rows) == 16


# ------------------------------------------------------------------ the admin page


def _hq(role: str, code: str | None = None) -> User:
    user = User.objects.create_user(f"{role}@example.org", "pw-test-2026")
    federation = None
    if code:
        departement = Departement.objects.get(code=code)
        federation, _ = Federation.objects.get_or_create(departement=departement, defaults={"name": code})
    Membership.objects.create(
        user=user, role=role, federation=federation, consent_text="J'accepte.", consent_at=timezone.now()
    )
    hq_staff_grant(user=user, role=role)
    return user


def _url(election: Election) -> str:
    return f"/admin/circonscriptions/election/{election.pk}/nuances/"


def _row_of(page: str, candidate: str) -> str:
    """The form row number the page gave `candidate`."""
    marker = f'value="{candidate}"'
    before = page[: page.index(marker)]
    return before[before.rindex('name="candidate-') + len('name="candidate-') :].split('"')[0]


def test_the_page_lists_the_candidates_with_their_nuance_and_unlabelled_share(brest_2022, client):
    client.force_login(_hq(Role.NATIONAL_HQ))

    page = client.get(_url(brest_2022)).content.decode()

    assert "Pierre-Yves CADALEN" in page and COLLARD in page
    assert "sans nuance utilisable" in page
    listing = election_candidates(brest_2022)
    assert f"Voix sans nuance utilisable (NC ou aucune) : {listing.unlabelled_label}" in page
    assert (
        "Régler les nuances des candidats et listes"
        in client.get(f"/admin/circonscriptions/election/{brest_2022.pk}/change/").content.decode()
    )


def test_a_national_hq_changes_a_nuance_and_a_bad_code_is_refused_in_french(brest_2022, client):
    client.force_login(_hq(Role.NATIONAL_HQ))
    page = client.get(_url(brest_2022)).content.decode()
    collard, hita = _row_of(page, COLLARD), _row_of(page, "Melvyn HITA")

    response = client.post(
        _url(brest_2022),
        {
            f"candidate-{collard}": COLLARD,
            f"current-{collard}": "NC",
            f"code-{collard}": "EXG",
            f"candidate-{hita}": "Melvyn HITA",
            f"current-{hita}": "NC",
            f"code-{hita}": "EX G!",
        },
        follow=True,
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "1 candidat(s) ou liste(s) ont reçu une nouvelle nuance" in text
    assert "Melvyn HITA : Le code de nuance « EX G! » n&#x27;est pas valable" in text
    assert _collard_codes() == {"EXG"}
    assert set(
        PollingStationVotes.objects.filter(result__election=brest_2022, candidate="Melvyn HITA").values_list(
            "nuance__code", flat=True
        )
    ) == {"NC"}


def test_a_federal_hq_can_neither_see_nor_change_the_page(brest_2022, client):
    client.force_login(_hq(Role.FEDERAL_HQ, "29"))

    seen = client.get(_url(brest_2022))
    changed = client.post(_url(brest_2022), {"candidate-1": COLLARD, "current-1": "NC", "code-1": "EXG"})

    assert (seen.status_code, changed.status_code) == (403, 403)
    assert _collard_codes() == {"NC"}
    assert not CandidateNuance.objects.exists()
