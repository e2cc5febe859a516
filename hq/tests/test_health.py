import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_is_ok_when_postgis_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "postgresql": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_healthz_names_redis_when_it_does_not_answer(client):
    # A port nothing listens on: the real client really fails to connect.
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["postgresql"] == "ok"
    assert "Redis unreachable" in body["redis"]


@pytest.mark.django_db
def test_doctor_explains_what_is_down():
    from django.core.management.base import CommandError

    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"), pytest.raises(CommandError) as excinfo:
        call_command("doctor")
    assert "Redis unreachable" in str(excinfo.value)
    assert "make services" in str(excinfo.value)
