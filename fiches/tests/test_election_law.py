"""Election law in the fiches: no publishing nor batch printing during the electoral silence
(Code électoral L49), the next polling date on each fiche, the legal warnings of the events,
and no source « à vérifier » in a fiche."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from circonscriptions.models import Circonscription, Departement, Election
from fiches.models import BatchPrint, FicheVersion
from fiches.services import batch_print_request, fiche_create, fiche_preview, fiche_publish, print_departement
from hq.electoral_law import ElectoralSilenceError
from hq.models import Method, Role

pytestmark = pytest.mark.django_db


def election_in_silence_now() -> Election:
    """A national election whose silence holds right now in Paris (its polling day is today or tomorrow)."""
    now = timezone.localtime()
    day = now.date() if now.hour < 20 else now.date() + dt.timedelta(days=1)
    return Election.objects.create(slug="legislatives-2099-1", kind="legislatives", year=2099, round=1, date=day)


@pytest.fixture
def fiche(brest_data):
    return fiche_create(circonscription=Circonscription.objects.get(code="2902"), title="Brest : avant le vote")


def test_publishing_is_refused_during_the_silence_with_the_law_cited(fiche):
    election_in_silence_now()
    with pytest.raises(ElectoralSilenceError) as refusal:
        fiche_publish(fiche=fiche, by=None)
    assert "Impossible de publier cette fiche : le Code électoral (art. L49)" in str(refusal.value)
    assert not FicheVersion.objects.filter(fiche=fiche).exists()


def test_the_publish_button_answers_with_the_french_reason(client, fiche, make_member):
    election_in_silence_now()
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post(reverse("fiches:publish", kwargs={"pk": fiche.pk}), follow=True)
    assert response.redirect_chain[-1][0] == reverse("fiches:preview", kwargs={"pk": fiche.pk})
    text = response.content.decode()
    assert "art. L49" in text and "veille du scrutin à zéro heure" in text
    assert not FicheVersion.objects.filter(fiche=fiche).exists()


def test_batch_printing_is_refused_during_the_silence(client, brest_data, make_member):
    election_in_silence_now()
    finistere = Departement.objects.get(code="29")
    with pytest.raises(ElectoralSilenceError, match="Impossible d'imprimer les fiches"):
        print_departement(departement=finistere)
    with pytest.raises(ElectoralSilenceError):
        batch_print_request(departement=finistere, by=None)
    client.force_login(make_member(Role.SECRETARY, "29"))
    response = client.post(reverse("fiches:batch_start"), {"departement": "29"})
    assert response.status_code == 200 and "art. L49" in response.content.decode()
    assert not BatchPrint.objects.exists()


def test_a_silence_elsewhere_or_over_changes_nothing(fiche):
    Election.objects.create(
        slug="municipales-2099-1",
        kind="municipales",
        year=2099,
        round=1,
        date=timezone.localdate() - dt.timedelta(days=3),
    )
    version = fiche_publish(fiche=fiche, by=None)
    assert version.number == 1


def test_each_fiche_shows_the_next_polling_date_of_its_territory(fiche):
    Election.objects.create(slug="europeennes-2099-1", kind="europeennes", year=2099, round=1, date=dt.date(2099, 6, 7))
    _content, body = fiche_preview(fiche=fiche)
    assert "Prochain scrutin : Européennes 2099, dimanche 7 juin 2099." in body
    version = fiche_publish(fiche=fiche, by=None)
    assert "Prochain scrutin : Européennes 2099" in version.html


def test_the_events_carry_their_legal_warning_into_the_fiche(fiche):
    fete = Method.objects.get(slug="fete")
    assert "L106" in fete.legal_warning and "L52-8" in fete.legal_warning and "L52-12" in fete.legal_warning
    assert "L106" in Method.objects.get(slug="reunion-publique").legal_warning
    assert Method.objects.get(slug="porte-a-porte").legal_warning == ""
    fiche.methods.set([fete])
    _content, body = fiche_preview(fiche=fiche)
    assert "Droit électoral" in body and "art. L106" in body and "L52-12" in body


def test_no_source_of_the_catalogue_is_left_a_verifier_and_nickerson_is_cited_in_full(fiche):
    for method in Method.objects.all():
        for field in ("evidence", "sources", "script", "summary"):
            assert "vérifier" not in getattr(method, field), (method.slug, field)
    assert (
        "« Quality Is Job One: Professional and Volunteer Voter Mobilization Calls », American Journal of "
        "Political Science 51(2), 2007" in Method.objects.get(slug="phoning").sources
    )


def test_a_passage_hq_marks_a_verifier_stays_out_of_the_fiche(fiche):
    method = Method.objects.get(slug="tractage")
    method.evidence = "Un tract court aide. Il triple la participation (à vérifier)."
    method.save(update_fields=["evidence"])
    fiche.methods.set([method])
    _content, body = fiche_preview(fiche=fiche)
    assert "Un tract court aide." in body and "triple" not in body
