"""An erased person's quotes leave the published fiches: content and HTML redacted, PDF printed
again from the redacted HTML, batch files removed, the redaction recorded (not the text)."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from circonscriptions.models import Circonscription, Departement
from fiches.models import BatchPrint, FicheVersion, FicheVersionRedaction
from fiches.services import REDACTED_NOTICE, fiche_create, fiche_publish
from fiches.tests.helpers import pdf_text
from hq.models import Method, Role
from hq.privacy import person_erase
from hq.retention import personal_data_purge
from observations.models import Observation, Quote

pytestmark = pytest.mark.django_db

QUOTE = "Monsieur Kerjean du 4 rue Danton veut des tracts"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _observation(circo, *, filed_by, held_on: date, text: str, quote: str | None = None) -> Observation:
    """An observation whose text HQ approved for the fiches (as written, or as `quote`)."""
    observation = Observation.objects.create(
        idempotency_key=uuid.uuid4(),
        held_on=held_on,
        departement=circo.departement,
        circonscription=circo,
        method=Method.objects.get(slug="porte-a-porte"),
        doors_knocked=30,
        doors_opened=15,
        conversations=9,
        interested=2,
        reaction=4,
        reaction_text=text,
        filed_by=filed_by,
    )
    Quote.objects.create(observation=observation, field="reaction_text", status="approved", text=quote or text)
    return observation


def test_erasing_a_member_redacts_their_quote_in_the_published_fiche_and_its_pdf(
    brest_data, make_member, client, tmp_path, django_capture_on_commit_callbacks
):
    circo = Circonscription.objects.get(code="2902")
    anne = make_member(Role.ACTIVIST, "29")
    _observation(circo, filed_by=anne, held_on=timezone.localdate(), text=QUOTE)
    _observation(circo, filed_by=None, held_on=timezone.localdate() - timedelta(days=1), text="Bon accueil au marché")
    version = fiche_publish(fiche=fiche_create(circonscription=circo, title="Brest : effacement"), by=None)
    assert QUOTE in version.html
    old_pdf = version.pdf.name
    batch = BatchPrint.objects.create(departement=Departement.objects.get(code="29"), status="succeeded")
    batch.merged_pdf.save("batch.pdf", ContentFile(b"%PDF quote"), save=True)
    hq29 = make_member(Role.FEDERAL_HQ, "29")

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=anne, by=hq29, reason="demande de la personne")

    version = FicheVersion.objects.get(pk=version.pk)
    assert QUOTE not in version.html
    assert "Texte retiré" in version.html  # the notice, in French typography (thin space before « : »)
    assert version.content["observations"]["items"][0]["reaction_text"] == REDACTED_NOTICE
    assert "Bon accueil au marché" in version.html  # the other report's quote stays
    assert version.content["map"]  # the rest of the composition is unchanged
    assert not default_storage.exists(old_pdf)
    assert FicheVersionRedaction.objects.get(version=version).redacted_by == hq29
    batch.refresh_from_db()
    assert not batch.merged_pdf and not default_storage.exists("batch.pdf")

    # The PDF is printed again, from the redacted HTML, when next asked for.
    client.force_login(make_member(Role.ACTIVIST, "29"))
    response = client.get(reverse("fiches:version_pdf", kwargs={"pk": version.fiche_id, "number": version.number}))
    text = " ".join(pdf_text(b"".join(response.streaming_content), tmp_path).split())
    assert QUOTE.split()[1] not in text and "Texte retiré" in text
    assert FicheVersion.objects.get(pk=version.pk).pdf  # stored for the next readers


def test_the_retention_purge_redacts_quotes_of_old_free_texts(brest_data, make_member):
    circo = Circonscription.objects.get(code="2902")
    old = _observation(circo, filed_by=None, held_on=timezone.localdate() - timedelta(days=3 * 366), text=QUOTE)
    version = fiche_publish(fiche=fiche_create(circonscription=circo, title="Brest : purge"), by=None)
    assert QUOTE in version.html
    run = personal_data_purge(trigger="test")
    assert run.observation_texts_cleared >= 1 and run.fiche_versions_redacted >= 1
    assert QUOTE not in FicheVersion.objects.get(pk=version.pk).html
    old.refresh_from_db()
    assert (old.reaction_text, old.doors_knocked) == ("", 30)


def test_a_quote_hq_edited_is_redacted_too_when_its_author_is_erased(brest_data, make_member):
    circo = Circonscription.objects.get(code="2902")
    anne = make_member(Role.ACTIVIST, "29")
    edited = "Un habitant de la rue Danton veut des tracts"
    _observation(circo, filed_by=anne, held_on=timezone.localdate(), text=QUOTE, quote=edited)
    version = fiche_publish(fiche=fiche_create(circonscription=circo, title="Brest : citation modifiée"), by=None)
    assert edited in version.html and QUOTE not in version.html  # HQ's words are printed, not the report's
    person_erase(person=anne, by=make_member(Role.FEDERAL_HQ, "29"), reason="demande de la personne")
    version = FicheVersion.objects.get(pk=version.pk)
    assert edited not in version.html
    assert version.content["observations"]["items"][0]["reaction_text"] == REDACTED_NOTICE
    assert not Quote.objects.filter(text=edited).exists()
