"""A mission's report is its observation: the prefilled form, the link kept, the figures per
mission type and profil-type, and the methods catalogue's measured figures."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from circonscriptions.models import Leaning, PollingStationProfile, ProfileRun, ProfileType
from hq.models import Mission, MissionSignup, Role, Supporter
from hq.tests.ride_helpers import confirm
from hq.tests.ride_helpers import mission as make_mission
from observations.models import Observation
from observations.tests.conftest import form_data


@pytest.fixture
def done_mission(place, catalogue, federations, activist, make_member):
    m = make_mission(federations["29"], title="Porte-à-porte au bourg", hours=-26)
    Mission.objects.filter(pk=m.pk).update(ends_at=m.starts_at + timedelta(hours=2))
    m.refresh_from_db()
    m.polling_stations.set([place["stations"]["1"], place["stations"]["2"]])
    colleague = make_member(Role.ACTIVIST, "29", name="Claude Collègue")
    confirm(m, activist, colleague)
    return {"mission": m, "colleague": colleague}


def test_the_report_form_opened_from_a_mission_comes_filled_in(client, activist, done_mission, place, catalogue):
    m = done_mission["mission"]
    client.force_login(activist)
    page = client.get(reverse("observations:new") + f"?mission={m.pk}").content.decode()
    assert f'name="mission" value="{m.pk}"' in page
    assert 'value="Porte-à-porte au bourg"' in page
    assert f'<option value="{place["commune"].pk}" selected>' in page
    for code in ("1", "2"):
        assert f'<option value="{place["stations"][code].pk}" selected>' in page
    assert f'value="{catalogue["methods"]["porte-a-porte"].pk}" id="id_method_0" checked' in page or (
        f'value="{catalogue["methods"]["porte-a-porte"].pk}"' in page and "checked" in page
    )
    assert f'value="{done_mission["colleague"].pk}"' in page and "Claude Collègue" in page
    assert f'value="{timezone.localtime(m.starts_at).date().isoformat()}"' in page


def test_a_mission_at_a_point_comes_with_the_commune_that_holds_the_point(
    client, activist, place, catalogue, federations
):
    # A mission at a place rather than at bureaux (« devant l'hôpital »): the report's commune
    # is the one whose contour holds the point; the bureaux are left for the activist to pick.
    m = make_mission(federations["29"], title="Devant la mairie", hours=-26)
    Mission.objects.filter(pk=m.pk).update(location=Point(-5.585, 47.51, srid=4326))
    confirm(m, activist)
    client.force_login(activist)
    page = client.get(reverse("observations:new") + f"?mission={m.pk}").content.decode()
    communes = page.split('name="commune"')[1].split("</select>")[0]
    assert f'<option value="{place["commune"].pk}" selected>' in communes
    assert 'value="Devant la mairie"' in page
    stations = page.split('name="polling_stations"')[1].split("</select>")[0]
    assert " selected>" not in stations


def test_a_mission_at_a_point_outside_any_known_commune_leaves_the_commune_to_pick(
    client, activist, place, catalogue, federations
):
    m = make_mission(federations["29"], title="En mer", hours=-26)
    Mission.objects.filter(pk=m.pk).update(location=Point(-6.5, 47.0, srid=4326))
    confirm(m, activist)
    client.force_login(activist)
    page = client.get(reverse("observations:new") + f"?mission={m.pk}").content.decode()
    assert 'value="En mer"' in page
    communes = page.split('name="commune"')[1].split("</select>")[0]
    assert f'<option value="{place["commune"].pk}">' in communes
    assert f'<option value="{place["commune"].pk}" selected>' not in communes


def test_a_report_sent_from_a_mission_keeps_the_mission(client, activist, done_mission, place, catalogue):
    client.force_login(activist)
    m = done_mission["mission"]
    response = client.post(reverse("observations:new"), form_data(catalogue, place, mission=str(m.pk)))
    assert response.status_code == 302
    assert Observation.objects.get().mission == m


def test_a_missions_report_is_not_dated_before_the_mission(client, activist, place, catalogue, federations):
    # Signed up for next week's mission, the activist cannot file its report today.
    m = make_mission(federations["29"], title="Porte-à-porte de la semaine prochaine", hours=24 * 7)
    confirm(m, activist)
    client.force_login(activist)
    response = client.post(reverse("observations:new"), form_data(catalogue, place, mission=str(m.pk)))
    assert response.status_code == 400
    day = date_format(timezone.localtime(m.starts_at).date(), "j F Y")
    assert f"La mission a lieu le {day} : son compte rendu se remplit ce jour-là ou après." in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert not Observation.objects.exists()
    # On the mission's day it goes through.
    held_on = timezone.localtime(m.starts_at).date()
    Mission.objects.filter(pk=m.pk).update(
        starts_at=m.starts_at - timedelta(days=8), ends_at=m.ends_at - timedelta(days=8)
    )
    response = client.post(
        reverse("observations:new"),
        form_data(catalogue, place, mission=str(m.pk), held_on=(held_on - timedelta(days=8)).isoformat()),
    )
    assert response.status_code == 302 and Observation.objects.get().mission == m


def test_someone_who_was_not_on_the_mission_cannot_attach_a_report_to_it(
    client, make_member, done_mission, place, catalogue
):
    stranger = make_member(Role.ACTIVIST, "29")
    client.force_login(stranger)
    m = done_mission["mission"]
    page = client.get(reverse("observations:new") + f"?mission={m.pk}").content.decode()
    assert "Porte-à-porte au bourg" not in page
    response = client.post(reverse("observations:new"), form_data(catalogue, place, mission=str(m.pk)))
    assert response.status_code == 400
    assert "Cette mission n&#x27;est pas la vôtre" in response.content.decode()
    assert not Observation.objects.exists()


def test_the_form_lists_the_missions_still_to_report(client, activist, done_mission):
    client.force_login(activist)
    page = client.get(reverse("observations:new")).content.decode()
    assert f'?mission={done_mission["mission"].pk}"' in page


def _profiles(place):
    ProfileRun.objects.filter(is_current=True).update(is_current=False)
    run = ProfileRun.objects.create(status=ProfileRun.Status.SUCCEEDED, is_current=True)
    circo = place["circonscription"]
    kind = ProfileType.objects.create(run=run, circonscription=circo, key=1, name="bourgs ouvriers", count=2)
    for code in ("1", "2"):
        PollingStationProfile.objects.create(
            run=run, polling_station=place["stations"][code], circonscription=circo, profile_type=kind,
            n_elections=2, first_year=2022, last_year=2024, leaning=Leaning.SWING, confidence=0.9,
            abstention_hotspot=False, left_abstention_hotspot=False,
        )  # fmt: skip


def test_hq_reads_contact_rates_per_mission_type_and_profile_type(
    client, activist, done_mission, place, catalogue, make_member
):
    _profiles(place)
    client.force_login(activist)
    m = done_mission["mission"]
    client.post(reverse("observations:new"), form_data(catalogue, place, mission=str(m.pk)))
    # A report without mission does not count in the « par mission » table.
    client.post(reverse("observations:new"), form_data(catalogue, place, doors_knocked="100", doors_opened="50"))
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get(reverse("observations:aggregates")).content.decode()
    section = page[page.index('id="par-mission"') :]
    # 40 doors, 11 conversations, 4 interested: 28 % (Wilson 16 – 43 %); the other report is not there.
    assert "Porte-à-porte · bourgs ouvriers</th><td>1</td><td>40</td><td>11</td><td>4</td>" in section
    assert "<td>28 %</td><td>16 – 43 %</td>" in section
    assert "<td>100</td>" not in section


def test_the_methods_catalogue_shows_measured_figures_next_to_the_evidence(
    client, activist, done_mission, place, catalogue
):
    method = catalogue["methods"]["porte-a-porte"]
    method.evidence = "Green & Gerber : environ une voix pour quatorze contacts."
    method.save(update_fields=["evidence"])
    client.force_login(activist)
    client.post(reverse("observations:new"), form_data(catalogue, place, mission=str(done_mission["mission"].pk)))
    page = client.get("/methodes/").content.decode()
    block = page[page.index('id="methode-porte-a-porte"') :][:2000]
    assert "Green &amp; Gerber" in block
    assert "1 compte rendu de mission" in block and "11 conversations, 4 personnes intéressées" in block
    assert "28 %" in block


def test_the_methods_catalogue_counts_only_reports_in_the_readers_scope(
    client, make_member, done_mission, place, catalogue, activist
):
    client.force_login(activist)
    client.post(reverse("observations:new"), form_data(catalogue, place, mission=str(done_mission["mission"].pk)))
    client.force_login(make_member(Role.ACTIVIST, "75"))
    page = client.get("/methodes/").content.decode()
    block = page[page.index('id="methode-porte-a-porte"') :][:2000]
    assert "Pas encore de compte rendu de mission avec cette méthode." in block
    assert MissionSignup.objects.count() == 2


SYMPATHISER = {"supporters-0-name": "Karim B.", "supporters-0-phone": "06 11 22 33 44", "supporters-0-consent": "on"}


def test_a_sympathiser_recorded_in_a_missions_report_keeps_the_mission_they_were_met_on(
    client, activist, done_mission, place, catalogue
):
    client.force_login(activist)
    m = done_mission["mission"]
    response = client.post(reverse("observations:new"), form_data(catalogue, place, mission=str(m.pk), **SYMPATHISER))
    assert response.status_code == 302
    supporter = Supporter.objects.get()
    assert (supporter.name, supporter.met_on_mission) == ("Karim B.", m)
    assert list(Observation.objects.get().supporters.all()) == [supporter]


def test_a_sympathiser_recorded_in_a_report_without_mission_was_met_on_none(client, activist, place, catalogue):
    client.force_login(activist)
    response = client.post(reverse("observations:new"), form_data(catalogue, place, **SYMPATHISER))
    assert response.status_code == 302
    assert Supporter.objects.get().met_on_mission is None


def test_the_recruitment_follow_up_says_which_mission_each_sympathiser_was_met_on(
    client, activist, done_mission, place, catalogue, make_member
):
    client.force_login(activist)
    m = done_mission["mission"]
    client.post(reverse("observations:new"), form_data(catalogue, place, mission=str(m.pk), **SYMPATHISER))
    other = {**SYMPATHISER, "supporters-0-name": "Léa P."}
    client.post(reverse("observations:new"), form_data(catalogue, place, mission=str(m.pk), **other))
    client.post(reverse("observations:new"), form_data(catalogue, place, **{**SYMPATHISER, "supporters-0-name": "Zoé"}))
    # Karim has been waiting for a call for ten days; Léa was called.
    Supporter.objects.filter(name="Karim B.").update(followup_changed_at=timezone.now() - timedelta(days=10))
    Supporter.objects.filter(name="Léa P.").update(followup_status="contacted")
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get(reverse("hq:recruitment", kwargs={"code": "29"})).content.decode()
    row = page[page.index(f'<tr data-mission="{m.pk}">') :].split("</tr>")[0]
    # One to contact, one contacted, none came, none joined (Zoé was met outside any mission).
    assert "Porte-à-porte au bourg</a>" in row
    assert row.endswith("<td>1</td><td>1</td><td>0</td><td>0</td>")
    waiting = page[page.index('id="waiting"') :]
    card = waiting[waiting.index("Karim B.") :].split("</li>")[0]
    date = timezone.localtime(m.starts_at).strftime("%d/%m/%Y")
    assert f"Rencontré·e lors de la mission « Porte-à-porte au bourg » ({date})." in card
