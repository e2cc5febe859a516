"""Submitting a fiche d'observation: storage, validation in French, idempotency, scope,
consent of sympathisers, and independence from Redis."""

import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hq.models import Role, Supporter
from observations.forms import IDENTIFYING, SUPPORTER_CONSENT_TEXT
from observations.models import Observation
from observations.tests.conftest import form_data

URL = "/observations/nouvelle/"
JSON = {"HTTP_ACCEPT": "application/json"}

pytestmark = pytest.mark.django_db


def test_the_url_is_where_the_activist_home_can_link(client, activist):
    assert reverse("observations:new") == URL


def test_an_activist_submits_an_observation_and_it_is_stored_with_its_place_and_concerns(
    client, activist, catalogue, place
):
    client.force_login(activist)
    data = form_data(catalogue, place)
    response = client.post(URL, data, **JSON)
    assert response.status_code == 201, response.content
    observation = Observation.objects.get(idempotency_key=data["idempotency_key"])
    assert response.json() == {"ok": True, "id": observation.pk, "created": True, "key": data["idempotency_key"]}
    assert observation.filed_by == activist
    assert observation.departement.code == "29"
    assert observation.commune == place["commune"]
    # The station determines the circonscription, stored for the aggregates.
    assert observation.circonscription == place["circonscription"]
    assert list(observation.polling_stations.all()) == [place["stations"]["1"]]
    assert (observation.doors_knocked, observation.doors_opened, observation.conversations) == (40, 18, 11)
    assert [c.slug for c in observation.concerns.all()] == ["sante"]
    assert observation.concerns_other == ["fermeture du bureau de poste", "logement social"]
    assert [c.slug for c in observation.themes.all()] == ["logement"]


def test_the_page_warns_never_to_record_an_identifiable_voter(client, activist, catalogue, place):
    client.force_login(activist)
    page = client.get(URL).content.decode()
    assert "identifi" in page  # « … un électeur identifiable » / "a voter who could be identified"
    assert 'name="idempotency_key"' in page
    assert "observations/offline.js" in page


def test_the_same_key_sent_twice_stores_one_observation(client, activist, catalogue, place):
    client.force_login(activist)
    data = form_data(catalogue, place)
    first = client.post(URL, data, **JSON)
    second = client.post(URL, data, **JSON)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["created"] is False
    assert second.json()["id"] == first.json()["id"]
    assert Observation.objects.filter(idempotency_key=data["idempotency_key"]).count() == 1


def test_a_key_used_by_someone_else_is_refused_and_changes_nothing(client, activist, make_member, catalogue, place):
    data = form_data(catalogue, place)
    client.force_login(activist)
    client.post(URL, data, **JSON)
    client.force_login(make_member(Role.ACTIVIST, "29"))
    response = client.post(URL, data, **JSON)
    assert response.status_code == 400
    assert "quelqu'un d'autre" in response.json()["errors"]["__all__"][0]
    assert Observation.objects.get(idempotency_key=data["idempotency_key"]).filed_by == activist


def test_counts_that_contradict_each_other_are_refused_in_french_next_to_the_field_with_the_input_kept(
    client, activist, catalogue, place
):
    client.force_login(activist)
    data = form_data(catalogue, place, doors_knocked="10", doors_opened="12", conversations="13", interested="20")
    response = client.post(URL, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["doors_opened"] == ["12 portes ouvertes pour 10 frappées : pas plus d'ouvertes que de frappées."]
    assert form.errors["conversations"][0].startswith("13 conversations pour 12 portes ouvertes")
    assert form.errors["interested"][0].startswith("20 personnes intéressées pour 13 conversations")
    page = response.content.decode()
    # Each error sits in its field's block, and what the user typed is still there.
    block = page.split('data-field="doors_opened"')[1].split('data-field="conversations"')[0]
    assert "pas plus d&#x27;ouvertes que de frappées" in block
    assert 'value="12"' in block
    assert "Accueil plutôt chaleureux dans les tours." in page
    assert Observation.objects.count() == 0


def test_the_script_gets_the_same_errors_as_json(client, activist, catalogue, place):
    client.force_login(activist)
    data = form_data(catalogue, place, commune="", polling_stations=[], interested="12")
    body = client.post(URL, data, **JSON).json()
    assert body["ok"] is False
    assert body["errors"]["commune"] == ["Indiquez la commune, ou le bureau de vote (« utiliser ma position »)."]
    assert "pas plus d'intéressés que de conversations" in body["errors"]["interested"][0]


def test_a_market_without_doors_counts_conversations_alone(client, activist, catalogue, place):
    client.force_login(activist)
    data = form_data(
        catalogue, place, method=str(catalogue["methods"]["marche"].pk),
        doors_knocked="", doors_opened="", conversations="25", interested="6", polling_stations=[],
    )  # fmt: skip
    assert client.post(URL, data, **JSON).status_code == 201
    observation = Observation.objects.get()
    assert (observation.doors_knocked, observation.conversations) == (0, 25)
    # A commune in one circonscription gives it.
    assert observation.circonscription == place["circonscription"]


def test_free_texts_refuse_contact_details(client, activist, catalogue, place):
    client.force_login(activist)
    data = form_data(catalogue, place, worked="La dame du 3e, 06 12 34 56 78, veut aider")
    errors = client.post(URL, data, **JSON).json()["errors"]
    assert errors["worked"] == [IDENTIFYING]
    assert IDENTIFYING.startswith("Pas de coordonnées ici")


def test_a_free_text_of_a_hundred_thousand_letters_is_refused_in_french_and_not_stored(
    client, activist, catalogue, place
):
    # Before the cap and the anchored pattern, the e-mail check of such a text ran for hours.
    client.force_login(activist)
    data = form_data(catalogue, place, worked="a" * 102_000, reaction_text="b" * 60_000)
    response = client.post(URL, data, **JSON)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "au plus 2000 caractères" in errors["worked"][0]
    assert "au plus 2000 caractères" in errors["reaction_text"][0]
    assert not Observation.objects.filter(idempotency_key=data["idempotency_key"]).exists()


def test_contact_details_are_still_found_in_a_long_text_at_the_cap(client, activist, catalogue, place):
    client.force_login(activist)
    text = "x" * 1_950 + " ecrire a jean.dupont@example.org"
    data = form_data(catalogue, place, did_not_work=text)
    assert client.post(URL, data, **JSON).json()["errors"]["did_not_work"] == [IDENTIFYING]


def test_the_database_refuses_a_free_text_beyond_the_cap(client, activist, catalogue, place):
    from django.db import DataError, transaction

    client.force_login(activist)
    data = form_data(catalogue, place)
    assert client.post(URL, data, **JSON).status_code == 201
    stored = Observation.objects.filter(idempotency_key=data["idempotency_key"])
    with pytest.raises(DataError), transaction.atomic():
        stored.update(worked="z" * 2_001)
    assert stored.get().worked != "z" * 2_001


def test_a_date_in_the_future_is_refused(client, activist, catalogue, place):
    client.force_login(activist)
    errors = client.post(URL, form_data(catalogue, place, held_on="2999-01-01"), **JSON).json()["errors"]
    assert errors["held_on"] == ["La date ne peut pas être dans le futur."]


def test_a_polling_station_of_another_departement_is_not_a_choice(client, activist, catalogue, place):
    client.force_login(activist)
    data = form_data(catalogue, place, commune="", polling_stations=[str(place["paris_station"].pk)])
    errors = client.post(URL, data, **JSON).json()["errors"]
    assert "polling_stations" in errors
    assert Observation.objects.count() == 0


def test_each_scope_finds_its_own_polling_stations_one_after_the_other(client, activist, make_member, catalogue, place):
    # The station lookup is compiled once per scope and process: a département's query
    # must never answer for another one, nor the national one for a département.
    paris_activist, national = make_member(Role.ACTIVIST, "75"), make_member(Role.NATIONAL_HQ)
    finistere = [str(place["stations"]["1"].pk)]
    paris = [str(place["paris_station"].pk)]
    for user, stations, status in (
        (activist, finistere, 201),
        (paris_activist, finistere, 400),
        (paris_activist, paris, 201),
        (activist, paris, 400),
        (national, finistere, 201),
        (national, paris, 201),
    ):
        client.force_login(user)
        response = client.post(URL, form_data(catalogue, place, commune="", polling_stations=stations), **JSON)
        assert response.status_code == status, (user, stations, response.content)
    stored = Observation.objects.values_list("filed_by__email", "commune__code")
    expected = [(activist.email, "29990"), (paris_activist.email, "75990")]
    expected += [(national.email, "29990"), (national.email, "75990")]
    assert sorted(stored) == sorted(expected)


def test_a_sympathiser_is_kept_only_with_their_explicit_consent(client, activist, catalogue, place):
    client.force_login(activist)
    person = {"supporters-0-name": "Karim B.", "supporters-0-phone": "06 11 22 33 44",
              "supporters-0-skills": [str(catalogue["skills"]["la-poste"].pk)]}  # fmt: skip
    refused = client.post(URL, form_data(catalogue, place, **person), **JSON)
    assert refused.status_code == 400
    assert refused.json()["errors"]["supporters-0-consent"] == [
        "Sans son accord explicite, ne notez rien sur cette personne."
    ]
    assert Supporter.objects.count() == 0

    accepted = client.post(URL, form_data(catalogue, place, **person, **{"supporters-0-consent": "on"}), **JSON)
    assert accepted.status_code == 201
    supporter = Supporter.objects.get()
    assert supporter.consent_text == SUPPORTER_CONSENT_TEXT
    assert supporter.consent_at is not None
    assert supporter.federation.departement.code == "29"
    assert [s.slug for s in supporter.skills.all()] == ["la-poste"]
    assert list(Observation.objects.get().supporters.all()) == [supporter]


def test_other_activists_of_the_federation_can_be_named_as_participants(
    client, activist, make_member, catalogue, place
):
    colleague = make_member(Role.ACTIVIST, "29", name="Bruno Collègue")
    outsider = make_member(Role.ACTIVIST, "75")
    client.force_login(activist)
    ok = client.post(URL, form_data(catalogue, place, activists=[str(colleague.pk)]), **JSON)
    assert ok.status_code == 201
    assert list(Observation.objects.get().activists.all()) == [colleague]
    refused = client.post(URL, form_data(catalogue, place, activists=[str(outsider.pk)]), **JSON)
    assert "activists" in refused.json()["errors"]


def test_without_a_role_nothing_can_be_submitted(client, catalogue, place, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody@example.org", "pw"))
    assert client.post(URL, form_data(catalogue, place), **JSON).status_code == 403
    assert Observation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_submission_is_one_transaction_through_the_orm(client, activist, catalogue, place):
    # transaction=True: as in production, the view runs outside any transaction.
    from observations.forms import catalogue as form_catalogue

    client.force_login(activist)
    data = form_data(catalogue, place)
    form_catalogue()  # methods and causes are kept by each process for a minute
    # Session, user, scope; stations (with their commune); then one transaction: the
    # observation, the links of its three lists.
    with CaptureQueriesContext(connection) as queries:
        assert client.post(URL, data, **JSON).status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    assert statements[-1] == "COMMIT"
    begin = next(i for i, sql in enumerate(statements) if sql.startswith("BEGIN"))
    assert all(not sql.startswith(("INSERT", "UPDATE")) for sql in statements[:begin])
    assert sum(sql.startswith("INSERT") for sql in statements[begin:]) == 4  # observation, stations, themes, concerns
    observation = Observation.objects.get()
    assert observation.polling_stations.count() == 1
    assert observation.themes.count() == observation.concerns.count() == 1


def test_a_method_added_after_the_catalogue_was_read_is_accepted_at_once(client, activist, catalogue, place):
    from hq.models import Method
    from observations.forms import catalogue as form_catalogue

    client.force_login(activist)
    form_catalogue()
    debate = Method.objects.create(slug="debat", name="Débat")
    response = client.post(URL, form_data(catalogue, place, method=str(debate.pk)), **JSON)
    assert response.status_code == 201
    assert Observation.objects.get().method == debate
    unknown = client.post(URL, form_data(catalogue, place, method="999999"), **JSON)
    assert unknown.json()["errors"]["method"] == ["Cette méthode n'existe plus."]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stopped_redis(tmp_path):
    """A throwaway redis-server, started (to show the settings really point at it) then stopped.
    Yields its URL, where nothing listens any more."""
    executable = shutil.which("redis-server")
    assert executable, "redis-server is installed by scripts/setup.sh"
    port = _free_port()
    process = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=10)
    yield url


def test_the_observation_is_stored_while_redis_is_stopped(client, activist, catalogue, place, settings, stopped_redis):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": stopped_redis,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = settings.REDIS_URL = stopped_redis
    # Redis is really down at that address: whatever used it would fail.
    with pytest.raises(redis.ConnectionError):
        cache.get("anything")
    client.force_login(activist)
    data = form_data(catalogue, place)
    response = client.post(URL, data, **JSON)
    assert response.status_code == 201
    assert Observation.objects.filter(idempotency_key=data["idempotency_key"]).count() == 1
    # The plain form (no script) too: stored, then redirected to the thanks page.
    plain = client.post(URL, form_data(catalogue, place))
    assert plain.status_code == 302
    assert client.get(plain["Location"]).status_code == 200
    assert Observation.objects.count() == 2


def test_a_plain_form_post_redirects_to_a_thank_you_page(client, activist, catalogue, place):
    client.force_login(activist)
    response = client.post(URL, form_data(catalogue, place), follow=True)
    assert response.redirect_chain[0][0].startswith(URL + "?envoyee=")
    assert response.context["sent"] is True
    assert Observation.objects.count() == 1


def test_an_idempotency_key_must_be_a_uuid(client, activist, catalogue, place):
    client.force_login(activist)
    errors = client.post(URL, form_data(catalogue, place, idempotency_key="abc"), **JSON).json()["errors"]
    assert "idempotency_key" in errors
    assert uuid.UUID(client.get(URL).context["form"].initial["idempotency_key"].hex)


def test_the_database_refuses_a_sympathiser_without_consent_wording_or_contact(federations):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    base = {"name": "X", "federation": federations["29"], "consent_at": timezone.now()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Supporter.objects.create(**base, phone="0611223344", consent_text="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Supporter.objects.create(**base, consent_text="J'accepte.")
    assert Supporter.objects.count() == 0


def test_a_report_with_a_sympathiser_sent_twice_keeps_one_person(client, activist, catalogue, place):
    client.force_login(activist)
    person = {"supporters-0-name": "Léa P.", "supporters-0-email": "lea@example.org", "supporters-0-consent": "on"}
    data = form_data(catalogue, place, **person)
    assert client.post(URL, data, **JSON).status_code == 201
    assert client.post(URL, data, **JSON).status_code == 200
    assert Supporter.objects.count() == 1
    assert list(Observation.objects.get().supporters.values_list("name", flat=True)) == ["Léa P."]


def test_a_method_deleted_within_the_cached_minute_is_a_french_error_not_a_crash(client, activist, catalogue, place):
    from django.db import connection

    from hq.models import Method
    from observations.forms import catalogue as form_catalogue

    client.force_login(activist)
    gone = Method.objects.create(slug="disparue", name="Méthode supprimée")
    gone_pk = gone.pk
    form_catalogue(refresh=True)  # the process still lists it…
    gone.delete()  # …when HQ deletes it in the admin
    with connection.cursor() as cursor:
        # Outside a test's transaction the statement is checked when it ends: do the same here.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    response = client.post(URL, form_data(catalogue, place, method=str(gone_pk)), **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["method"] == ["Cette méthode n'existe plus."]
    assert Observation.objects.count() == 0


def test_a_secretary_who_changes_nothing_cannot_file_an_observation(client, make_member, catalogue, place):
    client.force_login(make_member(Role.SECRETARY, "29"))
    assert client.get(URL).status_code == 403
    data = form_data(catalogue, place)
    assert client.post(URL, data, **JSON).status_code == 403
    assert not Observation.objects.filter(idempotency_key=data["idempotency_key"]).exists()
