"""Publishing: an immutable version with its content, HTML and PDF; the PDF's text; foreign URLs never fetched."""

import http.server
import threading

import pytest
from django.utils import translation
from django.utils.translation import gettext

from circonscriptions.models import Circonscription, Departement
from fiches.models import FicheVersion
from fiches.pdf import ProjectOnlyFetcher
from fiches.services import fiche_create, fiche_publish, fiche_update, fiches_refresh_after_profiles
from hq.models import LocalIssue, Method, Role
from observations.models import Quote

pytestmark = pytest.mark.django_db

SECTIONS = [
    "Map of the territory",
    "Key figures",
    "Where to go first, whom to aim at",
    "Local issues",
    "Recommended methods",
    "Recent observations",
]


@pytest.fixture
def fiche(brest_data):
    circo = Circonscription.objects.get(code="2902")
    issue = LocalIssue.objects.create(
        departement=Departement.objects.get(code="29"),
        circonscription=circo,
        title="Urgences de l'hôpital de la Cavale Blanche",
        description="Les urgences ferment la nuit : recueillir les témoignages.",
    )
    fiche = fiche_create(circonscription=circo, title="Brest centre : printemps 2026")
    fiche_update(
        fiche=fiche,
        title=fiche.title,
        local_issues=[issue],
        methods=Method.objects.filter(slug__in=["porte-a-porte", "marche"]),
        free_text="Rendez-vous samedi 10 h place de la Liberté.",
        targeting_notes="Commencer par Kerangoff.",
    )
    return fiche


def _text(version, tmp_path):
    from fiches.tests.helpers import pdf_text

    with version.pdf.open("rb") as handle:
        return pdf_text(handle.read(), tmp_path)


def test_the_published_pdf_holds_every_section_and_the_map(fiche, tmp_path):
    version = fiche_publish(fiche=fiche, by=None)
    text = _text(version, tmp_path)
    flat = " ".join(text.split())
    with translation.override("fr"):
        for section in SECTIONS:
            assert gettext(section) in flat
    assert "Urgences de l'hôpital de la Cavale Blanche" in flat
    assert "Porte-à-porte" in flat and "Rendez-vous samedi" in flat
    assert "Aucune observation pour l'instant" in flat
    # The map is drawn as SVG: its legend is text of the SVG, its paths one per station in the HTML.
    assert "Numérotés : bureaux prioritaires" in flat
    stations = version.content["map"]["stations"]
    assert version.html.count("data-station=") == len(stations) > 50
    assert "Page 1 / " in text
    assert "BROUILLON" not in text


def test_a_foreign_image_in_the_content_is_refused_and_never_fetched(fiche, tmp_path):
    hits = []

    class Spy(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Spy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spy_url = f"http://127.0.0.1:{server.server_port}/pixel.png"
    try:
        fiche_update(
            fiche=fiche,
            title=fiche.title,
            local_issues=fiche.local_issues.all(),
            methods=fiche.methods.all(),
            free_text=f"Voyez le plan : ![plan du quartier]({spy_url})",
            targeting_notes="",
        )
        fetcher = ProjectOnlyFetcher()
        version = fiche_publish(fiche=fiche, by=None, fetcher=fetcher)
    finally:
        server.shutdown()
        server.server_close()
    assert f'src="{spy_url}"' in version.html  # the link is in the content…
    assert fetcher.refused == [spy_url]  # …the fetcher refused it (the project's stylesheet was read)
    assert hits == []  # …and nothing reached the server
    assert "Voyez le plan" in _text(version, tmp_path)


def test_versions_are_immutable_and_the_newest_replaces_the_older_for_readers(fiche):
    first = fiche_publish(fiche=fiche, by=None)
    fiche.refresh_from_db()
    fiche_update(
        fiche=fiche,
        title="Brest centre : version 2",
        local_issues=[],
        methods=[],
        free_text="",
        targeting_notes="",
    )
    fiche.refresh_from_db()
    assert fiche.draft_pending and fiche.current_version_id == first.pk  # readers still get version 1
    second = fiche_publish(fiche=fiche, by=None)
    fiche.refresh_from_db()

    assert (first.number, second.number) == (1, 2)
    assert fiche.current_version_id == second.pk and not fiche.draft_pending
    first = FicheVersion.objects.get(pk=first.pk)
    assert first.title == "Brest centre : printemps 2026"
    assert first.content["local_issues"][0]["title"].startswith("Urgences")  # the snapshot kept its parts
    assert second.content["local_issues"] == []
    first.title = "réécrit"
    with pytest.raises(ValueError, match="ne se modifie pas"):
        first.save()
    assert first.pdf.name != second.pdf.name


def test_new_profiles_refresh_the_draft_not_the_published_version(fiche):
    version = fiche_publish(fiche=fiche, by=None)
    before = version.content["composed_at"]
    assert fiches_refresh_after_profiles(departement_codes=["29"]) >= 1
    fiche.refresh_from_db()
    assert fiche.draft_pending and fiche.automatic["composed_at"] > before
    assert FicheVersion.objects.get(pk=version.pk).content["composed_at"] == before


def test_publishing_emails_the_federations_activists_after_commit(
    fiche, make_member, mailoutbox, django_capture_on_commit_callbacks
):
    activist = make_member(Role.ACTIVIST, "29")
    make_member(Role.ACTIVIST, "75")
    make_member(Role.SECRETARY, "29")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = fiche_publish(fiche=fiche, by=None)
    assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [[activist.email]]
    assert version.title in mailoutbox[0].subject
    assert f"/fiches/{fiche.pk}/" in mailoutbox[0].body


def test_the_fiche_reports_what_activists_observed_there(fiche, tmp_path):
    import uuid
    from datetime import date

    from hq.models import Cause
    from observations.models import Observation

    observation = Observation.objects.create(
        idempotency_key=uuid.uuid4(),
        held_on=date(2026, 3, 14),
        departement=fiche.circonscription.departement,
        circonscription=fiche.circonscription,
        method=Method.objects.get(slug="porte-a-porte"),
        doors_knocked=40,
        doors_opened=20,
        conversations=12,
        interested=3,
        reaction=4,
        worked="Parler de l'hôpital d'abord",
    )
    observation.concerns.set([Cause.objects.get_or_create(slug="sante", defaults={"name": "Santé"})[0]])
    # The free text is printed once HQ approved it (observations.models.Quote).
    Quote.objects.create(observation=observation, field="worked", status="approved", text=observation.worked)
    version = fiche_publish(fiche=fiche, by=None)

    observed = version.content["observations"]
    assert [item["date"] for item in observed["items"]] == ["2026-03-14"]
    assert observed["top_concerns"] == [["santé", 1]]  # as the observations app normalises them
    assert observed["by_method"][0]["rate"] == pytest.approx(12 / 40)
    flat = " ".join(_text(version, tmp_path).split())
    assert "Parler de l'hôpital d'abord" in flat and "Aucune observation" not in flat
