"""The campaign team's briefing: places, what was said there, method and message, who is free."""

import uuid
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from circonscriptions.models import (
    Circonscription,
    Commune,
    Leaning,
    PollingStation,
    PollingStationProfile,
    ProfileRun,
    ProfileType,
)
from fiches.campaign import campaign_briefing, day_availability
from fiches.tests.helpers import pdf_text
from hq.models import ActivistProfile, Availability, Cause, Federation, LocalIssue, Membership, Method, Role, User
from observations.models import Observation, Quote

SATURDAY = date(2026, 12, 12)


@pytest.fixture
def territory(departements):
    fed29 = Federation.objects.get_or_create(departement=departements["29"], defaults={"name": "Fédération 29"})[0]
    fed75 = Federation.objects.get_or_create(departement=departements["75"], defaults={"name": "Fédération 75"})[0]
    circo, _ = Circonscription.objects.get_or_create(
        code="2991", defaults={"departement": departements["29"], "number": 91, "name": "Circonscription d'essai"}
    )
    commune, _ = Commune.objects.get_or_create(
        code="29991", defaults={"name": "Kerbourg", "departement": departements["29"]}
    )
    commune.circonscriptions.add(circo)
    ProfileRun.objects.filter(is_current=True).update(is_current=False)
    run = ProfileRun.objects.create(status=ProfileRun.Status.SUCCEEDED, is_current=True)
    popular = ProfileType.objects.create(run=run, circonscription=circo, key=1, name="quartiers populaires", count=1)
    town = ProfileType.objects.create(run=run, circonscription=circo, key=2, name="bourgs", count=1)
    stations = {}
    for code, kind, leaning, score, mob, pers, hotspot in (
        ("1", popular, Leaning.LEFT, 9.0, 7.0, 2.0, True),
        ("2", town, Leaning.SWING, 4.0, 1.0, 3.0, False),
    ):
        station = PollingStation.objects.create(commune=commune, code=code, name=f"École {code}", circonscription=circo)
        PollingStationProfile.objects.create(
            run=run, polling_station=station, circonscription=circo, profile_type=kind, n_elections=2,
            first_year=2022, last_year=2024, leaning=leaning, confidence=0.9, abstention_hotspot=hotspot,
            left_abstention_hotspot=hotspot, priority_score=score, mobilisation_score=mob, persuasion_score=pers,
        )  # fmt: skip
        stations[code] = station
    Method.objects.filter(slug__in=["mobilisation-test", "debat-test"]).delete()
    Method.objects.create(
        slug="mobilisation-test", name="Relance des abstentionnistes", suits=["abstention"], position=0
    )
    Method.objects.create(slug="debat-test", name="Débat de quartier", suits=["swing"], position=1)
    return {"circo": circo, "commune": commune, "stations": stations, "fed29": fed29, "fed75": fed75}


def _member(federation, role, name="", **profile) -> User:
    user = User.objects.create_user(f"{uuid.uuid4().hex[:8]}@example.org", "pw", full_name=name)
    Membership.objects.create(
        user=user, role=role, federation=federation, consent_text="Oui", consent_at=timezone.now()
    )
    if profile:
        ActivistProfile.objects.create(user=user, consent_text="Oui", consent_at=timezone.now(), **profile)
    return user


def _said(territory, hq):
    sante, _ = Cause.objects.get_or_create(slug="sante", defaults={"name": "Santé"})
    o = Observation.objects.create(
        idempotency_key=uuid.uuid4(), held_on=timezone.localdate(), departement=territory["circo"].departement,
        commune=territory["commune"], circonscription=territory["circo"], method=Method.objects.first(), reaction=4,
        doors_knocked=30, doors_opened=10, conversations=8, reaction_text="La maternité a fermé, 06 12 34 56 78",
        worked="Parler des urgences.", concerns_other=["fermeture de la maternité"],
    )  # fmt: skip
    o.concerns.add(sante)
    o.polling_stations.add(territory["stations"]["1"])
    Quote.objects.create(
        observation=o, field="reaction_text", status="approved", text="La maternité a fermé.", reviewed_by=hq
    )
    LocalIssue.objects.create(
        departement=territory["circo"].departement,
        circonscription=territory["circo"],
        title="Fermeture de la maternité",
    )


def test_a_saturday_is_for_those_free_on_saturdays_and_a_tuesday_for_weekdays():
    assert day_availability(SATURDAY) == [Availability.SATURDAY]
    assert Availability.WEEKDAY_EVENING in day_availability(date(2026, 12, 8))


def test_the_briefing_lists_priority_places_with_method_message_and_who_is_free(territory):
    hq = _member(territory["fed29"], Role.FEDERAL_HQ)
    _said(territory, hq)
    _member(territory["fed29"], Role.ACTIVIST, "Sam Samedi", availability=[Availability.SATURDAY])
    _member(territory["fed29"], Role.ACTIVIST, "Dora Dimanche", availability=[Availability.SUNDAY])
    _member(territory["fed75"], Role.ACTIVIST, "Paul Parisien", availability=[Availability.SATURDAY])
    b = campaign_briefing(circonscription=territory["circo"], day=SATURDAY, federation=territory["fed29"])
    first, second = b["places"]
    assert first["label"] == "Kerbourg — bureau 1 (École 1)" and first["profile_type"] == "quartiers populaires"
    # The catalogue's method fitting most of the place's kinds (here: left, abstention hotspot).
    assert "abstention" in Method.objects.get(name=first["method"]).suited_kinds()
    assert "abstentionnistes" in first["audience"]
    assert "Santé" in first["message"]
    assert "swing" in Method.objects.get(name=second["method"]).suited_kinds() and "hésitants" in second["audience"]
    # Only HQ's approved words are quoted, never the text as typed.
    assert [q["text"] for q in b["quotes"]] == ["La maternité a fermé."]
    assert [i.title for i in b["issues"]] == ["Fermeture de la maternité"]
    assert [a["name"] for a in b["activists"]] == ["Sam Samedi"]


def test_the_page_is_for_hq_of_the_federation_only(territory, client):
    url = reverse("fiches:campaign", kwargs={"code": "2991"})
    client.force_login(_member(territory["fed29"], Role.ACTIVIST))
    assert client.get(url).status_code == 403
    client.force_login(_member(territory["fed75"], Role.FEDERAL_HQ))
    assert client.get(url).status_code == 404
    client.force_login(_member(territory["fed29"], Role.FEDERAL_HQ))
    page = client.get(url + "?jour=2026-12-12").content.decode()
    assert "Kerbourg — bureau 1" in page and "samedi 12 décembre 2026" in page


def test_a_day_that_is_not_a_date_gets_a_french_message_next_to_the_field(territory, client):
    client.force_login(_member(territory["fed29"], Role.FEDERAL_HQ))
    response = client.get(reverse("fiches:campaign_pdf", kwargs={"code": "2991"}) + "?jour=samedi")
    assert response.status_code == 400
    assert 'id="id_jour_error"' in response.content.decode() and "n&#x27;est pas une date" in response.content.decode()


def test_the_pdf_briefing_fits_on_one_page(territory, client, tmp_path):
    hq = _member(territory["fed29"], Role.FEDERAL_HQ)
    _said(territory, hq)
    for i in range(12):
        _member(
            territory["fed29"],
            Role.ACTIVIST,
            f"Militant {i}",
            availability=[Availability.SATURDAY],
            free_skills=["infirmière"],
        )
    client.force_login(hq)
    response = client.get(reverse("fiches:campaign_pdf", kwargs={"code": "2991"}) + "?jour=2026-12-12")
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_text(b"".join(response.streaming_content), tmp_path).rstrip("\f").split("\f")
    assert len(pages) == 1
    assert "Kerbourg" in pages[0] and "Militant 0" in pages[0]


def test_hq_chooses_a_circonscription_of_its_own_and_a_day(territory, client):
    client.force_login(_member(territory["fed29"], Role.FEDERAL_HQ))
    index = reverse("fiches:campaign_index")
    assert 'value="2991"' in client.get(index).content.decode()
    response = client.get(index, {"circonscription": "2991", "jour": "2026-12-12"})
    assert response.status_code == 302 and response["Location"].endswith("/campagne/2991/?jour=2026-12-12")
    client.force_login(_member(territory["fed75"], Role.FEDERAL_HQ))
    response = client.get(index, {"circonscription": "2991", "jour": "2026-12-12"})
    assert response.status_code == 400 and "hors de votre territoire" in response.content.decode()
