import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from circonscriptions.models import Commune, Departement, ImportRun, PollingStation
from circonscriptions.tasks import import_file_task
from hq.models import Federation, Membership, Role, User
from hq.services import hq_staff_grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def analyst(client):
    user = User.objects.create_superuser("analyste@example.org", "pw-test-2026")
    client.force_login(user)
    return user


@pytest.fixture
def federal29(territory):
    user = User.objects.create_user("federal29@example.org", "pw-test-2026")
    federation = Federation.objects.create(departement=Departement.objects.get(code="29"), name="Fédération 29")
    Membership.objects.create(
        user=user, role=Role.FEDERAL_HQ, federation=federation, consent_text="J'accepte.", consent_at=timezone.now()
    )
    hq_staff_grant(user=user, role=Role.FEDERAL_HQ)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_commune", "view_importrun"]))
    return user


@pytest.mark.parametrize("model", ["departement", "circonscription", "commune", "canton", "pollingstation"])
def test_territory_lists_never_load_geometries(territory, analyst, client, model):
    url = reverse(f"admin:circonscriptions_{model}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert not [q["sql"] for q in queries if '"geom' in q["sql"]]
    assert len(queries) <= 12


def test_a_commune_change_page_draws_its_shape_without_tiles(territory, analyst, client):
    brest = Commune.objects.get(code="29019")
    response = client.get(reverse("admin:circonscriptions_commune_change", args=[brest.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="qg-shape-map"' in page and "MultiPolygon" in page
    assert 'data-tiles=""' in page  # no tile server configured: the polygon draws alone
    assert "leaflet/leaflet.js" in page and "circonscriptions/admin/shape_map.js" in page


def test_a_federal_hq_sees_only_the_communes_of_its_departement(territory, federal29, client):
    client.force_login(federal29)
    response = client.get(reverse("admin:circonscriptions_commune_changelist"), {"q": "Paris"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    response = client.get(reverse("admin:circonscriptions_commune_changelist"))
    assert response.context["cl"].result_count == Commune.objects.filter(departement__code="29").count()
    paris = Commune.objects.get(code="75056")
    assert client.get(reverse("admin:circonscriptions_commune_change", args=[paris.pk])).status_code in (302, 404)
    # Importing changes national data: not for a federal HQ.
    assert client.get(reverse("admin:circonscriptions_importrun_upload")).status_code == 403


def test_uploading_a_file_queues_an_import_that_the_task_runs(
    territory, analyst, client, data_dir, django_capture_on_commit_callbacks
):
    # The City of Brest's layout (the module fixture `brest_polling_stations` loads the other one).
    content = (data_dir / "boundaries" / "bureaux" / "bureaux-de-vote-brest-29019-ville.geojson").read_bytes()
    upload = SimpleUploadedFile("bureaux-brest-ville.geojson", content, content_type="application/geo+json")
    url = reverse("admin:circonscriptions_importrun_upload_kind", args=["boundaries"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"file": upload, "level": "polling_station"})
    run = ImportRun.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:circonscriptions_importrun_progress", args=[run.pk])
    assert run.status == ImportRun.Status.QUEUED and run.upload.name.startswith("imports/")
    assert run.options == {"level": "polling_station"}
    assert len(callbacks) == 1  # the task is sent only once the run is committed

    # What the worker does with the message.
    assert import_file_task.apply(args=[run.pk]).get() == ImportRun.Status.SUCCEEDED
    assert PollingStation.objects.filter(commune__code="29019", shape__isnull=False).count() == 104
    progress = client.get(reverse("admin:circonscriptions_importrun_progress_json", args=[run.pk])).json()
    assert progress["finished"] and progress["percent"] == 100 and progress["errors"] == []
    assert progress["summary"]["territories"] == 122
    page = client.get(reverse("admin:circonscriptions_importrun_progress", args=[run.pk]))
    assert b"<progress" in page.content


def test_a_refused_upload_shows_its_problems_in_french(territory, analyst, client, data_dir):
    text = (data_dir / "boundaries" / "bureaux" / "bureaux-de-vote-brest-29019.geojson").read_text()
    broken = text.replace('"29019_0076"', '"29999_0076"', 1)
    upload = SimpleUploadedFile("bureaux-brest.geojson", broken.encode())
    url = reverse("admin:circonscriptions_importrun_upload_kind", args=["boundaries"])
    client.post(url, {"file": upload, "level": "polling_station"})
    run = ImportRun.objects.latest("pk")
    assert import_file_task.apply(args=[run.pk]).get() == ImportRun.Status.FAILED
    progress = client.get(reverse("admin:circonscriptions_importrun_progress_json", args=[run.pk])).json()
    assert progress["finished"] and progress["status"] == "failed"
    assert len(progress["errors"]) == 1
    assert "colonne codeBureauVote" in progress["errors"][0] and "commune inconnue" in progress["errors"][0]
    assert "29999_0076" in progress["errors"][0]
    detail = client.get(reverse("admin:circonscriptions_importrun_change", args=[run.pk])).content.decode()
    assert "commune inconnue" in detail


def test_the_upload_form_keeps_what_was_typed_and_says_what_is_missing(analyst, client):
    url = reverse("admin:circonscriptions_importrun_upload_kind", args=["boundaries"])
    response = client.post(url, {"level": "commune", "code_field": "INSEE_COM"})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert 'value="INSEE_COM"' in response.content.decode()
    assert not ImportRun.objects.filter(kind="boundaries", status=ImportRun.Status.QUEUED).exists()


def test_the_upload_page_lists_every_registered_kind(analyst, client):
    page = client.get(reverse("admin:circonscriptions_importrun_upload")).content.decode()
    for kind in ("territory", "boundaries", "indicators"):
        assert reverse("admin:circonscriptions_importrun_upload_kind", args=[kind]) in page


def test_a_queued_import_shows_it_waits_for_a_worker(analyst, client):
    run = ImportRun.objects.create(kind="indicators", file_name="x.csv", status=ImportRun.Status.QUEUED)
    progress = client.get(reverse("admin:circonscriptions_importrun_progress_json", args=[run.pk])).json()
    assert progress == {
        "status": "queued",
        "status_label": str(run.get_status_display()),
        "finished": False,
        "percent": 0,
        "step": "en attente d'un worker Celery",
        "rows": 0,
        "errors": [],
        "summary": {},
    }


def test_a_running_import_shows_the_progress_its_importer_reports(analyst, client):
    from circonscriptions.importers.base import Progress

    run = ImportRun.objects.create(kind="indicators", file_name="x.csv", status=ImportRun.Status.RUNNING)
    Progress(run_id=run.pk)(42, "écriture")
    progress = client.get(reverse("admin:circonscriptions_importrun_progress_json", args=[run.pk])).json()
    assert (progress["percent"], progress["step"], progress["finished"]) == (42, "écriture", False)
