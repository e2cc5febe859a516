"""People's rights: export of everything QG holds about a person, and erasure in one action,
cascading to observations and published fiches; who may do it; a member's « Mes données »."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from fiches.models import FicheVersion, FicheVersionRedaction
from fiches.services import REDACTED_NOTICE
from hq.models import AuditEntry, ErasureRequest, Invitation, Membership, Role, Supporter, User
from hq.privacy import person_erase, person_export
from hq.tests.people_helpers import observation, published_version, supporter
from observations.models import Observation

pytestmark = pytest.mark.django_db

QUOTE = "Madame Le Goff au 12 rue de Siam nous a dit de repasser"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def people(make_member, federations):
    """Anne (activist, 29) filed an observation with texts and took part with Bruno and the sympathiser Sam."""
    anne = make_member(Role.ACTIVIST, "29", name="Anne Militante")
    bruno = make_member(Role.ACTIVIST, "29", name="Bruno Autre")
    sam = supporter(federations["29"], name="Sam Sympathisant", email="sam@example.org")
    zoe = supporter(federations["29"], name="Zoé Autre", email="zoe@example.org")
    filed = observation(federations["29"], filed_by=anne, reaction_text=QUOTE, worked="Parler santé d'abord.")
    filed.activists.add(anne, bruno)
    filed.supporters.add(sam, zoe)
    joined = observation(federations["29"], filed_by=bruno, reaction_text="Texte de Bruno.")
    joined.activists.add(anne, bruno)
    joined.supporters.add(sam)
    return {"anne": anne, "bruno": bruno, "sam": sam, "zoe": zoe, "filed": filed, "joined": joined}


def _zip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_members_export_holds_their_data_and_nothing_of_anothers(people, national):
    export = person_export(person=people["anne"], by=national, reason="demande écrite du 3 décembre")
    files = _zip(export.zip_bytes())
    assert set(files) == {"donnees.json", "donnees.csv"}
    data = json.loads(files["donnees.json"])
    text = files["donnees.json"].decode() + files["donnees.csv"].decode("utf-8-sig")
    assert data["données"]["identité"][0]["e-mail"] == people["anne"].email
    assert data["données"]["adhésion et consentement"][0]["consentement (texte)"] == "J'accepte."
    filed = data["données"]["observations remplies"]
    assert [row["réaction (texte)"] for row in filed] == [QUOTE]
    assert len(data["données"]["actions auxquelles la personne a participé"]) == 2
    assert "Anne Militante" in text and QUOTE in text
    for other in ("Bruno Autre", people["bruno"].email, "Sam Sympathisant", "sam@example.org", "Texte de Bruno."):
        assert other not in text


def test_a_sympathisers_export_holds_their_contact_and_consent_only(people, national):
    export = person_export(person=people["sam"], by=national, reason="appel du 2 décembre")
    data = export.as_dict()["données"]
    text = export.json_bytes().decode() + export.csv_bytes().decode("utf-8-sig")
    assert data["identité et contact"][0]["e-mail"] == "sam@example.org"
    assert data["consentement"][0]["texte"] == "J'accepte d'être recontacté."
    assert len(data["actions auxquelles la personne a participé"]) == 2
    for other in ("Zoé Autre", "zoe@example.org", "Anne Militante", QUOTE):
        assert other not in text


def test_an_export_is_logged_with_its_reason_and_needs_one(people, national):
    with pytest.raises(ValidationError):
        person_export(person=people["sam"], by=national, reason="  ")
    person_export(person=people["sam"], by=national, reason="appel du 2 décembre")
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor_id, entry.person_kind, entry.person_id) == (national.pk, "supporter", people["sam"].pk)
    assert entry.reason == "appel du 2 décembre"


def test_erasing_a_member_cascades_to_observations_and_published_fiches(
    people, make_member, media, django_capture_on_commit_callbacks
):
    hq29 = make_member(Role.FEDERAL_HQ, "29")
    anne, filed, joined = people["anne"], people["filed"], people["joined"]
    quotes = [
        {
            "date": filed.held_on.isoformat(),
            "reaction_text": QUOTE,
            "worked": "Parler santé d'abord.",
            "did_not_work": "",
        },
        {"date": joined.held_on.isoformat(), "reaction_text": "Texte de Bruno.", "worked": "", "did_not_work": ""},
    ]
    version = published_version(
        people["anne"].membership.federation,
        quotes,
        html=f"<p>{QUOTE}</p><p>Parler santé d’abord.</p><p>Texte de Bruno.</p>",
    )
    old_pdf = version.pdf.name
    membership_pk, anne_pk = anne.membership.pk, anne.pk
    Invitation.objects.create(email=anne.email, federation=anne.membership.federation)

    with django_capture_on_commit_callbacks(execute=True):
        counts = person_erase(person=anne, by=hq29, reason="demande du 1er décembre")

    assert not User.objects.filter(pk=anne_pk).exists()
    assert not Membership.objects.filter(pk=membership_pk).exists()  # the consent record
    assert not Invitation.objects.filter(email__iexact=anne.email).exists()
    filed.refresh_from_db()
    joined.refresh_from_db()
    # Counts stay; the texts and the link to Anne go; Bruno's text and participation stay.
    assert (filed.doors_knocked, filed.conversations, filed.interested) == (40, 11, 4)
    assert (filed.reaction_text, filed.worked, filed.filed_by_id) == ("", "", None)
    assert list(filed.activists.all()) == [people["bruno"]]
    assert list(joined.activists.all()) == [people["bruno"]]
    assert joined.reaction_text == "Texte de Bruno."
    assert counts["participant links"] == 2 and counts["observation texts cleared"] == 1
    # The published version no longer holds the quote anywhere, and says a redaction happened.
    version = FicheVersion.objects.get(pk=version.pk)
    items = version.content["observations"]["items"]
    assert items[0]["reaction_text"] == REDACTED_NOTICE and items[0]["worked"] == REDACTED_NOTICE
    assert items[1]["reaction_text"] == "Texte de Bruno."
    assert QUOTE not in version.html and QUOTE not in json.dumps(version.content)
    assert not version.pdf and not default_storage.exists(old_pdf)
    redaction = FicheVersionRedaction.objects.get(version=version)
    assert redaction.quotes == [{"item": 0, "fields": ["reaction_text", "worked"]}]
    assert redaction.redacted_by == hq29 and QUOTE not in json.dumps(redaction.quotes)
    entry = AuditEntry.objects.get(action="erase")
    assert (entry.person_kind, entry.person_id, entry.reason) == ("member", anne_pk, "demande du 1er décembre")
    assert "Anne" not in entry.target


def test_erasing_a_sympathiser_removes_them_and_their_links_and_keeps_counts(people, national):
    sam = people["sam"]
    person_erase(person=sam, by=national, reason="appel du 2 décembre")
    assert not Supporter.objects.filter(pk=sam.pk).exists()
    filed = Observation.objects.get(pk=people["filed"].pk)
    assert list(filed.supporters.all()) == [people["zoe"]]
    assert filed.doors_knocked == 40 and filed.reaction_text == QUOTE


@pytest.mark.parametrize(
    ("role", "code", "status"),
    [
        (Role.FEDERAL_HQ, "75", 404),  # another federation: the person does not exist for them
        (Role.ACTIVIST, "29", 403),
        (Role.SECRETARY, "29", 403),
        (Role.FEDERAL_HQ, "29", 302),
        (Role.NATIONAL_HQ, None, 302),
    ],
)
def test_only_national_hq_and_the_persons_federal_hq_may_erase(client, people, make_member, role, code, status):
    client.force_login(make_member(role, code))
    sam = people["sam"]
    url = reverse("hq:person", kwargs={"kind": "sympathisant", "pk": sam.pk})
    response = client.post(url, {"erase-reason": "demande", "erase-confirm": "on", "erase": "1"})
    assert response.status_code == status
    assert Supporter.objects.filter(pk=sam.pk).exists() == (status != 302)


@pytest.mark.parametrize(("role", "code", "status"), [(Role.FEDERAL_HQ, "75", 404), (Role.ACTIVIST, "29", 403)])
def test_nobody_outside_the_persons_hq_may_export_or_read_their_page(client, people, make_member, role, code, status):
    client.force_login(make_member(role, code))
    url = reverse("hq:person", kwargs={"kind": "adherent", "pk": people["anne"].pk})
    assert client.get(url).status_code == status
    assert client.post(url, {"export-reason": "curiosité", "export": "1"}).status_code == status
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_federal_hq_exports_from_the_persons_page_with_a_reason(client, people, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    url = reverse("hq:person", kwargs={"kind": "sympathisant", "pk": people["sam"].pk})
    assert client.post(url, {"export-reason": "", "export": "1"}).status_code == 400
    response = client.post(url, {"export-reason": "appel du 2 décembre", "export": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"sam@example.org" in _zip(response.content)["donnees.json"]


def test_erasure_without_confirmation_changes_nothing(client, people, make_member):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    url = reverse("hq:person", kwargs={"kind": "sympathisant", "pk": people["sam"].pk})
    response = client.post(url, {"erase-reason": "demande", "erase": "1"})
    assert response.status_code == 400
    assert Supporter.objects.filter(pk=people["sam"].pk).exists()


def test_a_member_downloads_their_data_and_asks_for_erasure_which_their_hq_executes(client, people, make_member):
    anne = people["anne"]
    client.force_login(anne)
    assert client.get(reverse("hq:my_data")).status_code == 200
    response = client.post(reverse("hq:my_data_export"))
    assert response.status_code == 200
    data = json.loads(_zip(response.content)["donnees.json"])
    assert data["données"]["identité"][0]["e-mail"] == anne.email

    response = client.post(reverse("hq:my_data_erasure_request"), {"reason": "je quitte le parti"})
    assert response.status_code == 302
    request = ErasureRequest.objects.get(user=anne)
    assert request.status == ErasureRequest.Status.PENDING and request.federation.departement.code == "29"

    # Their federal HQ sees the request; another federation's does not.
    client.force_login(make_member(Role.FEDERAL_HQ, "75"))
    assert anne.email not in client.get(reverse("hq:erasure_requests")).content.decode()
    hq29 = make_member(Role.FEDERAL_HQ, "29")
    client.force_login(hq29)
    assert "Anne Militante" in client.get(reverse("hq:erasure_requests")).content.decode()
    url = reverse("hq:person", kwargs={"kind": "adherent", "pk": anne.pk})
    assert (
        client.post(url, {"erase-reason": "demande de la personne", "erase-confirm": "on", "erase": "1"}).status_code
        == 302
    )
    request.refresh_from_db()
    assert (request.status, request.user, request.handled_by) == (ErasureRequest.Status.DONE, None, hq29)


def test_hq_cannot_erase_itself(national):
    with pytest.raises(ValidationError):
        person_erase(person=national, by=national, reason="test")
    assert User.objects.filter(pk=national.pk).exists()
