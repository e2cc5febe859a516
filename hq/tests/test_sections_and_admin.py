import pytest

from hq.models import Role, Section

pytestmark = pytest.mark.django_db


def test_renaming_a_section_to_a_name_taken_in_the_federation_is_refused_in_french(client, make_member, sections):
    other = Section.objects.create(federation=sections["29"].federation, name="Quimper")
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.post(f"/federation/29/sections/{other.pk}/modifier/", {"name": "brest centre"}).content.decode()
    assert "Une autre section de cette fédération porte déjà ce nom." in page
    assert 'value="brest centre"' in page
    other.refresh_from_db()
    assert other.name == "Quimper"


def test_a_federal_hq_adds_sections_in_the_admin_only_to_its_own_federation(client, make_member, federations):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    form = client.get("/admin/hq/section/add/").context["adminform"].form
    assert list(form.fields["federation"].queryset) == [federations["29"]]
    refused = client.post("/admin/hq/section/add/", {"name": "Intruse", "federation": federations["75"].pk})
    assert refused.status_code == 200 and "federation" in refused.context["adminform"].form.errors
    accepted = client.post("/admin/hq/section/add/", {"name": "Morlaix", "federation": federations["29"].pk})
    assert accepted.status_code == 302
    assert list(Section.objects.filter(name__in=["Intruse", "Morlaix"]).values_list("name", "federation")) == [
        ("Morlaix", federations["29"].pk)
    ]


def test_changing_a_role_in_the_admin_changes_the_admin_access_that_goes_with_it(client, make_member, federations):
    secretary = make_member(Role.SECRETARY, "29")
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    url = f"/admin/hq/membership/{secretary.membership.pk}/change/"
    promoted = client.post(url, {"role": Role.FEDERAL_HQ, "federation": federations["29"].pk, "section": ""})
    assert promoted.status_code == 302
    secretary.refresh_from_db()
    assert secretary.is_staff and list(secretary.groups.values_list("name", flat=True)) == ["QG fédéral"]
    client.post(url, {"role": Role.ACTIVIST, "federation": federations["29"].pk, "section": ""})
    secretary.refresh_from_db()
    assert not secretary.is_staff and not secretary.groups.exists()
