"""The audit log: reads of pages listing people, exports and erasures are written down;
national HQ reads and filters it; nobody edits or deletes it, not even through the database."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from hq.models import AuditEntry, Role
from hq.tests.people_helpers import observation, supporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq29(make_member):
    return make_member(Role.FEDERAL_HQ, "29")


@pytest.fixture
def a_report(federations, make_member):
    sam = supporter(federations["29"])
    obs = observation(federations["29"], filed_by=make_member(Role.ACTIVIST, "29"))
    obs.supporters.add(sam)
    return obs


def test_reading_the_people_to_mobilise_writes_one_entry_with_its_filters(client, hq29, a_report):
    client.force_login(hq29)
    response = client.get(reverse("observations:participants") + "?method=&reaction=4")
    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.page, entry.actor_id, entry.actor_role) == (
        "read",
        "people to mobilise",
        hq29.pk,
        "federal_hq",
    )
    assert entry.target == "method=&reaction=4"


def test_reading_an_observations_participants_and_a_federations_members_is_logged(client, hq29, a_report):
    client.force_login(hq29)
    assert client.get(reverse("observations:detail", kwargs={"pk": a_report.pk})).status_code == 200
    assert client.get(reverse("hq:federation_detail", kwargs={"code": "29"})).status_code == 200
    assert list(AuditEntry.objects.order_by("pk").values_list("page", "target")) == [
        ("observation participants", f"observation {a_report.pk}"),
        ("federation members", "federation 29"),
    ]


def test_a_page_without_people_writes_nothing(client, make_member, a_report):
    secretary = make_member(Role.SECRETARY, "29")
    client.force_login(secretary)
    # A secretary's observation page shows no participant: nothing personal was read.
    assert client.get(reverse("observations:detail", kwargs={"pk": a_report.pk})).status_code == 200
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("model", ["user", "membership", "supporter"])
def test_the_admins_lists_of_people_are_logged(client, national, a_report, model):
    client.force_login(national)
    # Supporter is an hq model (registered in the admin by the observations app).
    assert client.get(f"/admin/hq/{model}/").status_code == 200
    assert AuditEntry.objects.get().page == f"admin {model} list"


def test_a_persons_admin_page_is_logged_with_their_id(client, national, a_report):
    sam = a_report.supporters.get()
    client.force_login(national)
    assert client.get(f"/admin/hq/supporter/{sam.pk}/change/").status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.person_kind, entry.person_id) == ("supporter", sam.pk)


def test_national_hq_reads_and_filters_the_log_in_the_admin(client, national, hq29, a_report):
    client.force_login(hq29)
    client.get(reverse("observations:participants"))
    client.force_login(national)
    response = client.get("/admin/hq/auditentry/?action__exact=read&q=" + hq29.email)
    assert response.status_code == 200
    assert "people to mobilise" in response.content.decode()
    response = client.get("/admin/hq/auditentry/?action__exact=export")
    assert "people to mobilise" not in response.content.decode()


def test_federal_hq_cannot_read_the_log(client, hq29):
    AuditEntry.objects.create(action="read", page="x")
    client.force_login(hq29)
    assert client.get("/admin/hq/auditentry/").status_code == 403


def test_nobody_changes_or_deletes_an_entry_in_the_admin(client, make_member):
    entry = AuditEntry.objects.create(action="read", page="people to mobilise")
    superuser = make_member(None)
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    client.force_login(superuser)
    change = f"/admin/hq/auditentry/{entry.pk}/change/"
    response = client.post(change, {"page": "rien", "action": "read"})
    assert response.status_code == 403
    assert client.post(f"/admin/hq/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post("/admin/hq/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.page == "people to mobilise"


def test_the_database_refuses_to_update_or_delete_an_entry():
    entry = AuditEntry.objects.create(action="export", page="export", reason="demande")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="effacé")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "demande"
