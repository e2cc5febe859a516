"""`/fiches/?circonscription=<code>`: the fiches of one circonscription, for the links of the
missions and of the campaign page. A malformed code is a 400, an unknown one or one outside
the reader's territory a 404 (the same sentence), each in French in the page; never a 500."""

from datetime import timedelta

import pytest
from django.utils import timezone

from circonscriptions.models import Circonscription, Commune, PollingStation
from fiches.models import Fiche
from hq.models import Federation, Membership, Method, Mission, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(departements) -> dict:
    circos = {
        code: Circonscription.objects.create(
            code=code, departement=departements[code[:2]], number=int(code[2:]), name=f"{int(code[2:])}e de {code[:2]}"
        )
        for code in ("2902", "2903", "7501")
    }
    fiches = {code: Fiche.objects.create(circonscription=c, title=f"Fiche {code}") for code, c in circos.items()}
    feds = {
        code: Federation.objects.create(departement=departements[code], name=f"Fédération {code}")
        for code in ("29", "75")
    }
    return {"circos": circos, "fiches": fiches, "federations": feds}


def member(world, role: str, code: str | None = None) -> User:
    user = User.objects.create_user(f"{role}{code}-{User.objects.count()}@example.org", "pw")
    Membership.objects.create(
        user=user, role=role, federation=world["federations"][code] if code else None,
        consent_text="J'accepte.", consent_at=timezone.now(),
    )  # fmt: skip
    return user


def test_the_list_keeps_the_fiches_of_the_circonscription_asked_for(client, world):
    client.force_login(member(world, Role.FEDERAL_HQ, "29"))
    response = client.get("/fiches/?circonscription=2902")
    assert response.status_code == 200
    assert [f.pk for f in response.context["fiches"]] == [world["fiches"]["2902"].pk]
    page = response.content.decode()
    assert "Fiches de la circonscription 2e de 29 (2902)." in page
    assert "Fiche 2903" not in page
    everything = client.get("/fiches/")
    assert {f.pk for f in everything.context["fiches"]} == {world["fiches"][c].pk for c in ("2902", "2903")}


def test_a_code_in_lower_case_or_with_spaces_is_read(client, world):
    client.force_login(member(world, Role.NATIONAL_HQ))
    response = client.get("/fiches/?circonscription=%207501%20")
    assert response.status_code == 200
    assert [f.pk for f in response.context["fiches"]] == [world["fiches"]["7501"].pk]


@pytest.mark.parametrize("raw", ["29-02", "abc", "2902x", "29021234", "<b>29</b>", "%E2%80%AE2902"])
def test_a_malformed_code_is_a_400_with_a_french_sentence_and_no_fiche(client, world, raw):
    client.force_login(member(world, Role.FEDERAL_HQ, "29"))
    response = client.get(f"/fiches/?circonscription={raw}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "n&#x27;est pas un code de circonscription" in page and "par exemple 2902" in page
    assert list(response.context["fiches"]) == []
    assert "<b>29</b>" not in page  # the reader's text is escaped


@pytest.mark.parametrize("code", ["2999", "7501"])
def test_an_unknown_circonscription_or_another_federations_is_the_same_404(client, world, code):
    client.force_login(member(world, Role.FEDERAL_HQ, "29"))
    response = client.get(f"/fiches/?circonscription={code}")
    assert response.status_code == 404
    assert f"Circonscription {code} inconnue ou hors de votre territoire." in response.content.decode()
    assert list(response.context["fiches"]) == []


def test_an_activist_sees_only_published_fiches_of_the_circonscription(client, world):
    client.force_login(member(world, Role.ACTIVIST, "29"))
    response = client.get("/fiches/?circonscription=2902")
    assert response.status_code == 200
    assert "Pas encore de fiche pour cette circonscription." in response.content.decode()


def test_the_campaign_page_links_to_the_fiches_of_its_circonscription(client, world):
    client.force_login(member(world, Role.FEDERAL_HQ, "29"))
    page = client.get("/fiches/campagne/2902/").content.decode()
    assert 'href="/fiches/?circonscription=2902"' in page


def test_a_missions_page_links_to_the_fiches_of_its_bureaux_circonscription(client, world):
    commune = Commune.objects.create(code="29019", name="Brest", departement=world["circos"]["2902"].departement)
    station = PollingStation.objects.create(commune=commune, code="1", circonscription=world["circos"]["2903"])
    method, _ = Method.objects.get_or_create(slug="porte-a-porte", defaults={"name": "Porte-à-porte"})
    start = timezone.now() + timedelta(days=2)
    mission = Mission.objects.create(
        federation=world["federations"]["29"], method=method, title="Porte-à-porte",
        starts_at=start, ends_at=start + timedelta(hours=2),
    )  # fmt: skip
    mission.polling_stations.set([station])
    client.force_login(member(world, Role.FEDERAL_HQ, "29"))
    page = client.get(f"/missions/{mission.pk}/").content.decode()
    assert 'href="/fiches/?circonscription=2903"' in page
    assert client.get("/fiches/?circonscription=2903").context["fiches"][0] == world["fiches"]["2903"]
