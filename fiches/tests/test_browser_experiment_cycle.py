"""The whole cycle of a campaign run as an experiment, in Debian's chromium, as the Finistère
federal HQ on the real Brest data: declare the campaign, draw the controls from a seed, launch
it, create missions from the priorities (none in a control bureau; an activist is never
offered one), import the next election's results (simulated between two browser steps, as an
import would be), estimate the effect with « Estimer » and read the estimate."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from circonscriptions.models import Circonscription, Election
from hq.models import ActivistProfile, Experiment, ExperimentStatus, Method, Mission, Role
from observations.evaluation import simulate_outcome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOP = 20
SEED = 4242


def _log_in(page, user, live_server) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def _submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def test_hq_runs_a_campaign_as_an_experiment_from_declaration_to_estimate(page, live_server, brest_data, make_member):
    hq = make_member(Role.FEDERAL_HQ, "29")
    activist = make_member(Role.ACTIVIST, "29")
    ActivistProfile.objects.create(
        user=activist, consent_text="J'accepte.", consent_at=timezone.now(), max_distance_km=200
    )
    circonscription = Circonscription.objects.get(code="2902")
    baseline = Election.objects.get(slug="legislatives-2024-1")
    door = Method.objects.get(slug="porte-a-porte")
    today = timezone.localdate()
    _log_in(page, hq, live_server)

    # 1. Declare the campaign on the 20 best bureaux of the circonscription.
    page.goto("/experiences/nouvelle/")
    page.fill("input[name=name]", "Porte-à-porte d'hiver, Brest")
    page.select_option("select[name=method]", str(door.pk))
    page.select_option("select[name=baseline_election]", str(baseline.pk))
    page.select_option("select[name=circonscription]", str(circonscription.pk))
    page.fill("input[name=top]", str(TOP))
    page.fill("input[name=control_share]", "20")
    page.fill("input[name=starts_on]", today.isoformat())
    page.fill("input[name=ends_on]", (today + timedelta(days=60)).isoformat())
    _submit(page, "main form[method=post]")
    experiment = Experiment.objects.get(name="Porte-à-porte d'hiver, Brest")
    assert page.url.endswith(f"/experiences/{experiment.pk}/")
    assert experiment.bureaux.count() == TOP and experiment.status == ExperimentStatus.DRAFT

    # 2. Draw the controls from a recorded seed, then launch: the draw is frozen.
    page.fill("input[name=seed]", str(SEED))
    _submit(page, f"form[action='/experiences/{experiment.pk}/tirage/']")
    assert page.locator("#seed").inner_text() == str(SEED)
    _submit(page, f"form[action='/experiences/{experiment.pk}/lancer/']")
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING and experiment.seed == SEED
    controls = set(experiment.bureaux.filter(treated=False).values_list("polling_station_id", flat=True))
    treated = set(experiment.bureaux.filter(treated=True).values_list("polling_station_id", flat=True))
    assert controls and treated

    # 3. Missions from the same priorities: created in treated bureaux only, and HQ is told why not elsewhere.
    page.goto("/federation/29/missions/en-serie/")
    page.select_option("select[name=circonscription]", str(circonscription.pk))
    page.fill("input[name=top]", str(TOP))
    starts = (timezone.localtime() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    page.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    _submit(page, "main form[method=post]")
    assert page.url.endswith("/federation/29/missions/")
    assert "Sans mission" in page.locator(".messages").inner_text()
    missions = Mission.objects.filter(federation__departement__code="29")
    in_missions = set(missions.values_list("polling_stations", flat=True))
    assert in_missions and in_missions <= treated and not in_missions & controls

    # The activist's side: missions for them are all in treated bureaux, and the bureaux they may
    # propose a mission in leave the controls out, without a word about them.
    _log_in(page, activist, live_server)
    page.goto("/missions/pour-moi/")
    shown = {int(card.get_attribute("data-mission")) for card in page.locator("[data-mission]").all()}
    assert shown and shown <= set(missions.values_list("pk", flat=True))
    page.goto("/federation/29/missions/nouvelle/")
    offered = {
        int(v)
        for v in page.locator("[name=polling_stations] option, input[name=polling_stations]").evaluate_all(
            "nodes => nodes.map(n => n.value)"
        )
        if v
    }
    assert offered and not offered & controls
    assert "témoin" not in page.content()

    # 4. The next election's results come in (simulated here, with an effect of 3 points).
    outcome = simulate_outcome(experiment, effect_points=3.0, seed=11)

    # 5. HQ estimates the effect on that election and reads it.
    _log_in(page, hq, live_server)
    page.goto(f"/experiences/{experiment.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Estimer l'effet").click()
    assert page.url.endswith(f"/experiences/{experiment.pk}/resultats/")
    assert "Pas encore d'estimation" in page.locator("main").inner_text()
    page.select_option("select[name=outcome_election]", outcome.slug)
    _submit(page, ".experiment-estimate form")
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.FINISHED and experiment.outcome_election == outcome
    text = page.locator("main").inner_text()
    assert "Résultat simulé — pas un vrai scrutin" in text
    assert experiment.result["summary"] in text
    assert "Effet sur la part de la gauche (points des suffrages exprimés) :" in text
    assert f"{experiment.result['n_bureaux']} bureaux estimés ({experiment.result['n_treated']} ciblés" in text
    assert "Une seule élection" in text
    assert page.locator(".experiment-chart svg circle").count() == 2
    # A simulated result never feeds the priorities, and only national HQ is offered that button.
    assert page.locator(".experiment-use").count() == 0
    # On a phone, the chart shrinks to the screen: nothing wider than it.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pdf = page.request.get(page.get_by_role("link", name="PDF d'une page").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    assert f"experience-{experiment.pk}-resultats.pdf" in pdf.headers["content-disposition"]
