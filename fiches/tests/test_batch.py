"""Batch printing of a federation's fiches: one merged PDF, a ZIP, drafts marked « brouillon » on every page."""

import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from circonscriptions.models import Circonscription, Departement
from fiches.models import BatchPrint
from fiches.services import batch_print_build, fiche_create, fiche_publish, print_departement
from fiches.tests.helpers import pdf_text
from hq.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(brest_data):
    fiche = fiche_create(circonscription=Circonscription.objects.get(code="2902"), title="Brest centre publiée")
    return fiche_publish(fiche=fiche, by=None)


def test_every_circonscription_gets_a_sheet_and_drafts_say_so_on_every_page(published, tmp_path):
    finistere = Departement.objects.get(code="29")
    printed = print_departement(departement=finistere)

    circos = Circonscription.objects.filter(departement=finistere).count()
    assert circos == 8 and len(printed) == 8
    assert [p.draft for p in printed].count(False) == 1
    with published.pdf.open("rb") as handle:
        assert next(p for p in printed if not p.draft).pdf == handle.read()  # the stored PDF, unchanged
    for item in printed:
        pages = pdf_text(item.pdf, tmp_path, item.filename).split("\f")
        pages = [p for p in pages if p.strip()]
        marked = ["BROUILLON" in page for page in pages]
        assert all(marked) if item.draft else not any(marked)


def test_the_command_writes_separate_pdfs_a_merged_pdf_and_a_zip(published, tmp_path):
    call_command("print_fiches", departement="29", out=tmp_path / "out")
    out = tmp_path / "out"
    singles = sorted(p.name for p in out.glob("29*.pdf"))
    assert len(singles) == 8
    with zipfile.ZipFile(out / "fiches-29.zip") as archive:
        assert sorted(archive.namelist()) == singles
    merged = pdf_text((out / "fiches-29.pdf").read_bytes(), tmp_path, "merged.pdf")
    assert "Brest centre publiée" in merged
    assert merged.count("Fiche militante — 29") >= 7  # the seven automatic drafts' titles


def test_a_secretary_starts_a_batch_and_downloads_its_files(
    client, published, make_member, django_capture_on_commit_callbacks
):
    client.force_login(make_member(Role.SECRETARY, "29"))
    assert client.get(reverse("fiches:batch_start")).status_code == 200
    # The task is enqueued on commit; here the callback is not run, the build is called below.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("fiches:batch_start"), {"departement": "29"})
    batch = BatchPrint.objects.get()
    assert response["Location"] == reverse("fiches:batch_detail", kwargs={"pk": batch.pk}) and len(callbacks) == 1
    status = client.get(reverse("fiches:batch_status", kwargs={"pk": batch.pk})).json()
    assert status["status"] == "queued" and status["percent"] == 0

    batch_print_build(batch=batch)
    status = client.get(reverse("fiches:batch_status", kwargs={"pk": batch.pk})).json()
    assert status["status"] == "succeeded" and status["percent"] == 100 and status["done"] == 8
    merged = client.get(status["pdf"])
    assert merged.status_code == 200 and b"".join(merged.streaming_content).startswith(b"%PDF")
    assert client.get(status["zip"]).status_code == 200


def test_other_federations_and_activists_cannot_print(client, published, make_member):
    client.force_login(make_member(Role.SECRETARY, "75"))
    assert client.post(reverse("fiches:batch_start"), {"departement": "29"}).status_code == 404
    client.force_login(make_member(Role.ACTIVIST, "29"))
    assert client.post(reverse("fiches:batch_start"), {"departement": "29"}).status_code == 403
    assert BatchPrint.objects.count() == 0


def test_national_hq_picks_the_departement_first(client, published, make_member):
    client.force_login(make_member(Role.NATIONAL_HQ))
    chooser = client.get(reverse("fiches:batch_start"))
    assert chooser.status_code == 200 and 'value="29"' in chooser.content.decode()
    page = client.get(reverse("fiches:batch_start"), {"departement": "29"})
    assert page.status_code == 200 and 'name="departement" value="29"' in page.content.decode()
