"""The retention purge: sympathisers whose consent was not renewed in time, old observation
free texts (counts kept), expired sessions; each run recorded with its counts."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from config.celery import app
from hq.models import RetentionRun, RetentionSettings, Skill, Supporter
from hq.retention import personal_data_purge
from hq.tasks import personal_data_purge_task
from hq.tests.people_helpers import observation, supporter
from observations.models import Observation

pytestmark = pytest.mark.django_db

YEAR = timedelta(days=366)


@pytest.fixture
def old_and_new(federations):
    now = timezone.now()
    expired = supporter(federations["29"], name="Consent 4 ans", consent_at=now - 4 * YEAR)
    expired.skills.add(Skill.objects.get_or_create(slug="la-poste", defaults={"name": "La Poste"})[0])
    renewed = supporter(federations["29"], name="Renouvelé", consent_at=now - 4 * YEAR, consent_renewed_at=now - YEAR)
    recent = supporter(federations["75"], name="Récent", consent_at=now - YEAR)
    old_obs = observation(
        federations["29"], held_on=(now - 3 * YEAR).date(), reaction_text="Vieux texte", did_not_work="Rien"
    )
    old_obs.supporters.add(expired, renewed)
    new_obs = observation(federations["29"], held_on=(now - YEAR).date(), reaction_text="Texte récent")
    return {"expired": expired, "renewed": renewed, "recent": recent, "old_obs": old_obs, "new_obs": new_obs}


def test_the_purge_removes_expired_sympathisers_and_old_free_texts_and_keeps_counts(old_and_new):
    run = personal_data_purge(trigger="test")
    assert set(Supporter.objects.values_list("name", flat=True)) == {"Renouvelé", "Récent"}
    old_obs = Observation.objects.get(pk=old_and_new["old_obs"].pk)
    assert (old_obs.reaction_text, old_obs.did_not_work) == ("", "")
    assert (old_obs.doors_knocked, old_obs.conversations, old_obs.interested) == (40, 11, 4)
    assert list(old_obs.supporters.values_list("name", flat=True)) == ["Renouvelé"]
    assert Observation.objects.get(pk=old_and_new["new_obs"].pk).reaction_text == "Texte récent"
    assert (run.supporters_deleted, run.observation_texts_cleared) == (1, 1)
    assert (run.supporter_consent_years, run.observation_text_years, run.trigger) == (3, 2, "test")
    # No link row is left pointing at a deleted sympathiser (deferred foreign keys checked now).
    connection.check_constraints()
    assert not Supporter.skills.through.objects.exists()


def test_the_periods_are_the_ones_hq_set(old_and_new):
    policy = RetentionSettings.load()
    policy.supporter_consent_years, policy.observation_text_years = 5, 4
    policy.save()
    run = personal_data_purge()
    assert Supporter.objects.count() == 3
    assert Observation.objects.get(pk=old_and_new["old_obs"].pk).reaction_text == "Vieux texte"
    assert (run.supporters_deleted, run.observation_texts_cleared) == (0, 0)


def test_the_purge_deletes_expired_sessions_only():
    expired, live = SessionStore(), SessionStore()
    expired.create()
    live.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    run = personal_data_purge()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert run.sessions_deleted == 1


def test_the_command_runs_the_purge_and_logs_each_run(old_and_new):
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    call_command("purge_personal_data", stdout=StringIO())
    runs = list(RetentionRun.objects.order_by("pk").values_list("trigger", "supporters_deleted"))
    assert runs == [("command", 1), ("command", 0)]
    assert "Sympathisants supprimés : 1" in out.getvalue()


def test_beat_runs_the_purge_task_daily_and_the_task_logs_a_run():
    entry = app.conf.beat_schedule["personal-data-purge"]
    assert entry["task"] == personal_data_purge_task.name
    assert entry["schedule"].hour == {4} and entry["schedule"].minute == {15}
    run_pk = personal_data_purge_task.apply().get()
    assert RetentionRun.objects.get(pk=run_pk).trigger == "beat"


def test_hq_renews_a_sympathisers_consent_in_the_admin_which_keeps_them(client, make_member, old_and_new):
    client.force_login(make_member("federal_hq", "29"))
    expired = old_and_new["expired"]
    response = client.post("/admin/hq/supporter/", {"action": "consent_renewed", "_selected_action": [expired.pk]})
    assert response.status_code == 302
    expired.refresh_from_db()
    assert expired.consent_renewed_at is not None
    assert personal_data_purge().supporters_deleted == 0


def test_national_hq_sets_the_periods_in_the_admin_and_reads_the_runs(client, national, make_member):
    personal_data_purge()
    client.force_login(national)
    settings_row = RetentionSettings.load()
    url = f"/admin/hq/retentionsettings/{settings_row.pk}/change/"
    response = client.post(url, {"supporter_consent_years": "4", "observation_text_years": "2"})
    assert response.status_code == 302
    assert RetentionSettings.load().supporter_consent_years == 4
    assert client.get("/admin/hq/retentionrun/").status_code == 200
    client.force_login(make_member("federal_hq", "29"))
    assert client.post(url, {"supporter_consent_years": "9", "observation_text_years": "2"}).status_code == 403
    assert RetentionSettings.load().supporter_consent_years == 4
