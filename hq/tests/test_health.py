from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from hq.models import WorkerHeartbeat


@pytest.mark.django_db
def test_healthz_is_ok_when_postgis_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["postgresql"], body["redis"]) == ("ok", "ok", "ok")


@pytest.mark.django_db
def test_healthz_names_redis_when_it_does_not_answer(client):
    # A port nothing listens on: the real client really fails to connect.
    with override_settings(REDIS_URL="redis://:s3cret-pass@127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["postgresql"] == "ok"
    assert body["redis"] == "unreachable"
    # Public endpoint: neither the URL nor its password nor the client's error text.
    assert "s3cret" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_no_heartbeat_before_any_worker_ran(client):
    response = client.get("/healthz")
    assert response.json()["worker_heartbeat_age_seconds"] is None


@pytest.mark.django_db
def test_healthz_reports_the_age_of_the_freshest_worker_heartbeat(client):
    now = timezone.now()
    WorkerHeartbeat.objects.create(hostname="worker-old", seen_at=now - timedelta(hours=2))
    WorkerHeartbeat.objects.create(hostname="worker-fresh", seen_at=now - timedelta(seconds=90))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert 90 <= response.json()["worker_heartbeat_age_seconds"] < 120


@pytest.mark.django_db
def test_a_stale_heartbeat_does_not_take_the_web_process_out_of_rotation(client):
    WorkerHeartbeat.objects.create(hostname="worker", seen_at=timezone.now() - timedelta(days=3))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker_heartbeat_age_seconds"] >= 3 * 24 * 3600


@pytest.mark.django_db
def test_doctor_explains_what_is_down():
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"), pytest.raises(CommandError) as excinfo:
        call_command("doctor")
    assert "Redis unreachable" in str(excinfo.value)
    assert "make services" in str(excinfo.value)
