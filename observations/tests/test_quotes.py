"""Free texts reach a fiche only as quotes HQ approved: the detector's warnings, HQ's review
page (scoped, one click per decision, CSRF), the composition of fiches, and erasure."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hq.models import Role
from hq.privacy import person_erase
from observations.detector import flags
from observations.models import Observation, Quote
from observations.queries import quotes_to_review
from observations.services import QuoteRefused, quote_review

pytestmark = pytest.mark.django_db

NAMED = "Madame Le Goff au 12 rue de Siam nous a dit de repasser"


def _observation(place, catalogue, *, by, commune=None, **texts) -> Observation:
    commune = commune or place["commune"]
    return Observation.objects.create(
        idempotency_key=uuid.uuid4(),
        filed_by=by,
        held_on=timezone.localdate(),
        departement=commune.departement,
        commune=commune,
        circonscription=place["circonscription"] if commune == place["commune"] else None,
        method=catalogue["methods"]["porte-a-porte"],
        reaction=4,
        doors_knocked=30,
        doors_opened=12,
        conversations=7,
        **texts,
    )


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.excerpt) for f in flags(text)]


def test_the_detector_flags_civilities_names_addresses_phones_and_emails():
    assert _kinds(NAMED) == [("name", "Madame Le Goff"), ("address", "12 rue de Siam nous")]
    assert _kinds("M. Martin, 3 bis, allée des Tilleuls") == [
        ("name", "M. Martin"),
        ("address", "3 bis, allée des Tilleuls"),
    ]
    assert _kinds("Jean Dupont veut aider : 06 12 34 56 78 ou jean.d@exemple.fr") == [
        ("name", "Jean Dupont"),
        ("phone", "06 12 34 56 78"),
        ("email", "jean.d@exemple.fr"),
    ]
    assert _kinds("Vu Mme Kerjean impasse du Moulin, 4 impasse du Moulin") == [
        ("name", "Mme Kerjean"),
        ("address", "4 impasse du Moulin"),
    ]


def test_the_detector_leaves_a_description_of_the_population_alone():
    for text in (
        "Accueil plutôt chaleureux dans les tours, méfiance dans les pavillons.",
        "Les Verts tractaient aussi. Bon accueil rue de Siam.",  # a street without a number is a place
        "Sonner après 20 h, 30 portes, 12 ouvertes.",
        "",
    ):
        assert flags(text) == [], text


def test_the_detector_answers_on_texts_built_to_make_a_pattern_backtrack():
    # Each of these made a naive pattern retry from every position; the answer must simply come.
    for text in ("A-" * 1000, "1" + " " * 1999, "x@y.z" * 400, "Mme " + "A " * 998):
        assert isinstance(flags(text), list)


def test_a_text_waits_for_hq_until_decided_and_each_decision_is_kept(activist, catalogue, place, make_member):
    hq29 = make_member(Role.FEDERAL_HQ, "29")
    obs = _observation(place, catalogue, by=activist, reaction_text=NAMED, worked="Parler santé.", did_not_work="")
    assert list(quotes_to_review(Observation.objects.all())) == [obs]

    edited = quote_review(observation=obs, field="reaction_text", decision="edit", text=" Une dame  ", by=hq29)
    assert (edited.status, edited.text, edited.edited, edited.reviewed_by) == ("approved", "Une dame", True, hq29)
    assert list(quotes_to_review(Observation.objects.all())) == [obs]  # « ce qui a marché » still waits
    quote_review(observation=obs, field="worked", decision="approve", by=hq29)
    assert list(quotes_to_review(Observation.objects.all())) == []
    assert Quote.objects.get(observation=obs, field="worked").text == "Parler santé."

    # A new decision replaces the former one; a rejected text keeps no copy.
    rejected = quote_review(observation=obs, field="reaction_text", decision="reject", text="ignored", by=hq29)
    assert (rejected.pk, rejected.status, rejected.text) == (edited.pk, "rejected", "")
    obs.refresh_from_db()
    assert obs.reaction_text == NAMED  # the report itself is never changed by the review


def test_a_decision_that_cannot_be_recorded_says_why_in_french(activist, catalogue, place, make_member):
    hq29 = make_member(Role.FEDERAL_HQ, "29")
    obs = _observation(place, catalogue, by=activist, reaction_text="Bon accueil.")
    with pytest.raises(QuoteRefused, match="vide"):
        quote_review(observation=obs, field="reaction_text", decision="edit", text="   ", by=hq29)
    with pytest.raises(QuoteRefused, match="rien à relire"):
        quote_review(observation=obs, field="did_not_work", decision="approve", by=hq29)
    with pytest.raises(QuoteRefused, match="n'existe pas"):
        quote_review(observation=obs, field="action", decision="approve", by=hq29)
    with pytest.raises(QuoteRefused, match="2000 au plus"):
        quote_review(observation=obs, field="reaction_text", decision="edit", text="x" * 2001, by=hq29)
    assert not Quote.objects.exists()


def test_hq_reviews_the_texts_of_its_territory_with_warnings_next_to_them(
    client, activist, catalogue, place, make_member
):
    mine = _observation(place, catalogue, by=activist, reaction_text=NAMED)
    paris = _observation(place, catalogue, by=None, commune=place["paris"], worked="Texte de Paris.")
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get(reverse("observations:quotes")).content.decode()
    assert f'id="quote-{mine.pk}-reaction_text"' in page
    assert "Nom probable : « Madame Le Goff »" in page
    assert "Adresse probable : « 12 rue de Siam nous »" in page
    assert "1 texte attend votre décision" in page
    assert "Texte de Paris." not in page and f"quote-{paris.pk}-" not in page
    for label in ("Approuver tel quel", "Approuver avec mes modifications", "Rejeter"):
        assert label in page


def test_one_click_approves_edits_or_rejects_and_another_federation_cannot(activist, catalogue, place, make_member):
    obs = _observation(place, catalogue, by=activist, reaction_text=NAMED, worked="Parler santé.", did_not_work="Non.")
    hq29 = make_member(Role.FEDERAL_HQ, "29")
    client = Client(enforce_csrf_checks=True)
    client.force_login(hq29)
    queue = client.get(reverse("observations:quotes"))
    token = queue.cookies["csrftoken"].value

    def decide(field: str, decision: str, text: str = "", who: Client = client):
        url = reverse("observations:quote_decide", kwargs={"pk": obs.pk, "field": field})
        return who.post(url, {"decision": decision, "text": text, "csrfmiddlewaretoken": token}, follow=True)

    response = decide("reaction_text", "edit", "Une habitante nous a dit de repasser.")
    assert "Citation modifiée et approuvée" in response.content.decode()
    decide("worked", "approve")
    decide("did_not_work", "reject")
    assert dict(Quote.objects.values_list("field", "text")) == {
        "reaction_text": "Une habitante nous a dit de repasser.",
        "worked": "Parler santé.",
        "did_not_work": "",
    }
    assert "Rien à relire" in client.get(reverse("observations:quotes")).content.decode()

    # Without the CSRF token: refused.
    url = reverse("observations:quote_decide", kwargs={"pk": obs.pk, "field": "worked"})
    assert client.post(url, {"decision": "reject"}).status_code == 403
    # Another federation's HQ: the observation does not exist for them; an activist may not review.
    other = Client()
    other.force_login(make_member(Role.FEDERAL_HQ, "75"))
    assert other.post(url, {"decision": "reject"}).status_code == 404
    other.force_login(activist)
    assert other.post(url, {"decision": "reject"}).status_code == 403
    assert other.get(reverse("observations:quotes")).status_code == 403
    other.force_login(make_member(Role.SECRETARY, "29"))
    assert other.get(reverse("observations:quotes")).status_code == 403
    assert Quote.objects.get(field="worked").status == "approved"


def test_a_refused_decision_is_a_french_message_not_an_error_page(client, activist, catalogue, place, make_member):
    obs = _observation(place, catalogue, by=activist, reaction_text="Bon accueil.")
    client.force_login(make_member(Role.NATIONAL_HQ))
    url = reverse("observations:quote_decide", kwargs={"pk": obs.pk, "field": "reaction_text"})
    response = client.post(url, {"decision": "edit", "text": ""}, follow=True)
    assert response.status_code == 200
    assert "La citation modifiée est vide" in response.content.decode()
    response = client.post(url, {"decision": "publish"}, follow=True)
    assert "Décision inconnue" in response.content.decode()
    bad_field = reverse("observations:quote_decide", kwargs={"pk": obs.pk, "field": "filed_by"})
    assert "Ce texte n&#x27;existe pas" in client.post(bad_field, {"decision": "approve"}, follow=True).content.decode()
    # An outside "next" is not followed.
    response = client.post(url, {"decision": "approve", "next": "https://ailleurs.example/"})
    assert response.url == reverse("observations:quotes")
    assert not Quote.objects.exclude(status="approved").exists()


def test_a_fiche_prints_only_approved_quotes_in_hqs_words(activist, catalogue, place, make_member):
    from fiches.compose import recent_observations

    hq29 = make_member(Role.FEDERAL_HQ, "29")
    obs = _observation(place, catalogue, by=activist, reaction_text=NAMED, worked="Parler santé.", did_not_work="Non.")
    items = recent_observations(place["circonscription"])["items"]
    assert [(i["reaction_text"], i["worked"], i["did_not_work"]) for i in items] == [("", "", "")]
    assert items[0]["doors_knocked"] == 30  # the counts are not held back

    quote_review(observation=obs, field="reaction_text", decision="edit", text="Une habitante : repassez.", by=hq29)
    quote_review(observation=obs, field="worked", decision="approve", by=hq29)
    quote_review(observation=obs, field="did_not_work", decision="reject", by=hq29)
    items = recent_observations(place["circonscription"])["items"]
    assert [(i["reaction_text"], i["worked"], i["did_not_work"]) for i in items] == [
        ("Une habitante : repassez.", "Parler santé.", "")
    ]


def test_erasing_the_author_or_the_retention_purge_takes_the_quotes_along(
    activist, catalogue, place, make_member, federations
):
    from hq.retention import personal_data_purge

    hq29 = make_member(Role.FEDERAL_HQ, "29")
    obs = _observation(place, catalogue, by=activist, reaction_text=NAMED)
    quote_review(observation=obs, field="reaction_text", decision="edit", text="Une habitante.", by=hq29)
    person_erase(person=activist, by=hq29, reason="demande de la personne")
    assert not Quote.objects.filter(observation=obs).exists()
    obs.refresh_from_db()
    assert obs.reaction_text == "" and obs.doors_knocked == 30

    old = _observation(place, catalogue, by=None, worked="Vieux texte.")
    Observation.objects.filter(pk=old.pk).update(
        held_on=timezone.localdate().replace(year=timezone.localdate().year - 3)
    )
    quote_review(observation=old, field="worked", decision="approve", by=hq29)
    personal_data_purge(trigger="test")
    assert not Quote.objects.filter(observation=old).exists()


def test_a_reviewers_export_lists_their_decisions_without_the_texts(activist, catalogue, place, make_member):
    from hq.privacy import person_export

    hq29 = make_member(Role.FEDERAL_HQ, "29")
    obs = _observation(place, catalogue, by=activist, reaction_text=NAMED)
    quote_review(observation=obs, field="reaction_text", decision="reject", by=hq29)
    export = person_export(person=hq29, by=make_member(Role.NATIONAL_HQ), reason="demande écrite")
    rows = export.as_dict()["données"]["citations relues pour les fiches"]
    assert [(str(r["texte"]), str(r["décision"])) for r in rows] == [("comment les gens ont réagi", "rejeté")]
    assert "Le Goff" not in export.json_bytes().decode()


def test_hq_homes_lead_to_the_quotes_to_review(client, make_member, federations):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    assert reverse("observations:quotes") in client.get("/federation/29/").content.decode()
    client.force_login(make_member(Role.NATIONAL_HQ))
    assert reverse("observations:quotes") in client.get("/qg/").content.decode()
    client.force_login(make_member(Role.SECRETARY, "29"))
    assert reverse("observations:quotes") not in client.get("/federation/29/").content.decode()
