"""The fiche pages: scoping (through hq.scoping), the edit form's French errors, the feed, query counts."""

import pytest
from django.urls import reverse

from circonscriptions.models import Circonscription
from fiches.models import Fiche
from fiches.queries import fiches_feed_for
from fiches.services import fiche_create, fiche_publish
from hq.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(brest_data):
    return fiche_create(circonscription=Circonscription.objects.get(code="2902"), title="Brest : porte-à-porte")


def test_federal_hq_of_another_departement_can_neither_see_nor_publish(client, draft, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "75"))
    assert client.get(reverse("fiches:preview", kwargs={"pk": draft.pk})).status_code == 404
    assert client.get(reverse("fiches:edit", kwargs={"pk": draft.pk})).status_code == 404
    assert client.post(reverse("fiches:publish", kwargs={"pk": draft.pk})).status_code == 404
    fiche_publish(fiche=draft, by=None)
    assert client.get(reverse("fiches:detail", kwargs={"pk": draft.pk})).status_code == 404
    assert client.get(reverse("fiches:pdf", kwargs={"pk": draft.pk})).status_code == 404
    assert draft.versions.count() == 1  # the refused POST published nothing


def test_federal_hq_of_the_departement_previews_and_publishes(client, draft, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    preview = client.get(reverse("fiches:preview", kwargs={"pk": draft.pk}))
    assert preview.status_code == 200 and b"fiche-draft-banner" in preview.content
    response = client.post(reverse("fiches:publish", kwargs={"pk": draft.pk}))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.current_version.number == 1
    pdf = client.get(reverse("fiches:pdf", kwargs={"pk": draft.pk}))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_activists_read_published_fiches_of_their_departement_only(client, draft, make_member):
    activist = make_member(Role.ACTIVIST, "29")
    client.force_login(activist)
    detail = reverse("fiches:detail", kwargs={"pk": draft.pk})
    assert client.get(detail).status_code == 404  # a draft is HQ's business
    assert fiches_feed_for(activist) == []
    version = fiche_publish(fiche=draft, by=None)
    page = client.get(detail)
    assert page.status_code == 200 and '<article class="fiche" lang="fr">' in page.content.decode()  # not escaped
    assert client.post(reverse("fiches:publish", kwargs={"pk": draft.pk})).status_code == 403
    assert client.get(reverse("fiches:edit", kwargs={"pk": draft.pk})).status_code == 403
    assert fiches_feed_for(activist) == [version]
    assert fiches_feed_for(make_member(Role.ACTIVIST, "75")) == []


def test_the_feed_include_lists_the_fiche_with_its_link(rf, draft, make_member):
    from django.template import Context, Template

    version = fiche_publish(fiche=draft, by=None)
    request = rf.get("/militant/")
    request.user = make_member(Role.ACTIVIST, "29")
    html = Template("{% load fiches_tags %}{% fiches_feed %}").render(Context({"request": request}))
    assert reverse("fiches:detail", kwargs={"pk": draft.pk}) in html and version.title in html


def test_the_edit_form_keeps_input_and_says_what_to_fix_in_french(client, draft, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post(
        reverse("fiches:edit", kwargs={"pk": draft.pk}),
        {"title": "x", "free_text": "Texte gardé", "targeting_notes": "Notes gardées", "sector": ["999999999"]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le titre doit faire au moins 3 caractères." in html
    assert "Texte gardé" in html and "Notes gardées" in html
    assert "Sélectionnez un choix valide" in html  # Django's French message for the unknown station
    assert Fiche.objects.get(pk=draft.pk).title == "Brest : porte-à-porte"


def test_creating_a_fiche_composes_its_automatic_parts(client, brest_data, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post(reverse("fiches:new"), {"circonscription": "2903", "title": ""})
    fiche = Fiche.objects.get(circonscription__code="2903")
    assert response.status_code == 302 and response["Location"] == reverse("fiches:edit", kwargs={"pk": fiche.pk})
    assert fiche.title.startswith("Fiche militante — 2903") and fiche.automatic["targeting"]["available"]
    refused = client.post(reverse("fiches:new"), {"circonscription": "7501"})
    assert "pas dans votre fédération" in refused.content.decode()


def test_the_fiche_page_takes_a_fixed_number_of_queries(client, draft, make_member, django_assert_num_queries):
    fiche_publish(fiche=draft, by=None)
    client.force_login(make_member(Role.ACTIVIST, "29"))
    url = reverse("fiches:detail", kwargs={"pk": draft.pk})
    client.get(url)
    # session, user, scope (membership), the fiche with its current version; nothing per station.
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200


def test_hq_writes_a_local_issue_from_the_fiche(client, draft, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    url = reverse("fiches:local_issue_new", kwargs={"pk": draft.pk})
    refused = client.post(url, {"title": "", "description": "Description gardée"})
    assert "Donnez un titre à l&#x27;enjeu local." in refused.content.decode()
    assert "Description gardée" in refused.content.decode()
    response = client.post(url, {"title": "Ligne de bus 3 supprimée", "description": "Pétition en cours."})
    assert response.status_code == 302
    issue = draft.local_issues.get()
    assert (issue.title, issue.circonscription_id, issue.departement.code) == (
        "Ligne de bus 3 supprimée",
        draft.circonscription_id,
        "29",
    )
    client.force_login(make_member(Role.FEDERAL_HQ, "75"))
    assert client.post(url, {"title": "Intrusion"}).status_code == 404


def test_the_history_keeps_every_version_readable(client, draft, make_member):
    from fiches.services import fiche_update

    first = fiche_publish(fiche=draft, by=None)
    fiche_update(
        fiche=draft, title="Brest : deuxième version", local_issues=[], methods=[], free_text="", targeting_notes=""
    )
    fiche_publish(fiche=draft, by=None)
    client.force_login(make_member(Role.ACTIVIST, "29"))
    history = client.get(reverse("fiches:versions", kwargs={"pk": draft.pk})).content.decode()
    assert reverse("fiches:version", kwargs={"pk": draft.pk, "number": 1}) in history
    assert reverse("fiches:version", kwargs={"pk": draft.pk, "number": 2}) in history
    old = client.get(reverse("fiches:version", kwargs={"pk": draft.pk, "number": 1})).content.decode()
    current = client.get(reverse("fiches:detail", kwargs={"pk": draft.pk})).content.decode()
    assert first.title in old and "Brest : deuxième version" in current
    old_pdf = client.get(reverse("fiches:version_pdf", kwargs={"pk": draft.pk, "number": 1}))
    with first.pdf.open("rb") as handle:
        assert b"".join(old_pdf.streaming_content) == handle.read()


def test_the_admin_lists_fiches_and_shows_versions_read_only(admin_client, draft):
    version = fiche_publish(fiche=draft, by=None)
    for name in ("fiche", "ficheversion", "batchprint"):
        assert admin_client.get(reverse(f"admin:fiches_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:fiches_fiche_change", args=[draft.pk])).status_code == 200
    page = admin_client.get(reverse("admin:fiches_ficheversion_change", args=[version.pk]))
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()  # no editable field


def test_national_hq_edits_and_publishes_everywhere(client, draft, make_member):
    client.force_login(make_member(Role.NATIONAL_HQ))
    assert client.get(reverse("fiches:edit", kwargs={"pk": draft.pk})).status_code == 200
    assert client.post(reverse("fiches:publish", kwargs={"pk": draft.pk})).status_code == 302
    assert client.post(reverse("fiches:new"), {"circonscription": "7501"}).status_code == 302
    assert Fiche.objects.filter(circonscription__code="7501").exists()


def test_an_activist_finds_the_published_fiche_on_their_home_page(client, draft, make_member):
    version = fiche_publish(fiche=draft, by=None)
    client.force_login(make_member(Role.ACTIVIST, "29"))
    html = client.get("/militant/").content.decode()
    assert reverse("fiches:detail", kwargs={"pk": draft.pk}) in html and version.title in html
