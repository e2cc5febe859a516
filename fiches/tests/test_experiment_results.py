"""The estimate of a campaign experiment: page, chart, one-page PDF, « Estimer » form, scoping,
the catalogue's measured effects and the national HQ's « use this effect for the priorities ».

The experiments carry a `result` written by hand, key for key as the issue 13 contract
fixes it (observations/evaluation.py writes it in real use)."""

import copy
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from circonscriptions.models import (
    Commune,
    Election,
    PollingStation,
    PollingStationResult,
    ProfileRun,
    ProfileSettings,
)
from circonscriptions.profiles.formats import NNBSP
from circonscriptions.profiles.services import parameters_resolve
from fiches import evaluation_views
from fiches.evaluation_chart import experiment_effect_svg
from fiches.tests.helpers import pdf_text
from hq import experiment_words as words
from hq.experiment_stats import ExperimentError
from hq.models import Experiment, ExperimentBureau, ExperimentStatus, Federation, Membership, Method, Role, User

pytestmark = pytest.mark.django_db

RESULT = {
    "baseline_election": {"slug": "t-lg-2024", "label": "Législatives 2024, tour 1"},
    "outcome_election": {"slug": "t-mun-2026", "label": "Municipales 2026, tour 1"},
    "simulated": False,
    "n_bureaux": 40,
    "n_treated": 32,
    "n_control": 8,
    "n_strata": 6,
    "excluded": [
        {
            "bureau": "Brest — bureau 12 (École Jean Zay)",
            "reason": "Redécoupé entre les deux élections : inscrits passés de 1 020 à 1 480.",
        }
    ],
    "left_share": {
        "effect": 1.2,
        "se": 0.45,
        "ci_low": 0.3,
        "ci_high": 2.1,
        "p_value": 0.03,
        "permutations": 1000,
        "treated_mean_change": 2.4,
        "control_mean_change": 1.1,
    },
    "turnout": {
        "effect": 0.4,
        "se": 0.5,
        "ci_low": -0.6,
        "ci_high": 1.4,
        "p_value": 0.41,
        "permutations": 1000,
        "treated_mean_change": -3.0,
        "control_mean_change": -3.4,
    },
    "per_door": {
        "effect": 3.1,
        "ci_low": 0.4,
        "ci_high": 5.8,
        "doors_treated": 1200,
        "doors_control": 40,
        "compliance": 0.75,
    },
    "noncompliance": {"control_bureaux": 1, "observations": 2, "doors": 40},
    "caveats": ["L'élection de sortie est une municipale, l'élection de référence une législative."],
    "summary": "Effet estimé sur la part de la gauche : +1,2 point [0,3 ; 2,1] (p = 0,03).",
}


def _member(federation, role) -> User:
    user = User.objects.create_user(f"{uuid.uuid4().hex[:8]}@example.org", "pw")
    Membership.objects.create(
        user=user, role=role, federation=federation, consent_text="Oui", consent_at=timezone.now()
    )
    return user


@pytest.fixture
def place(departements):
    fed29 = Federation.objects.get_or_create(departement=departements["29"], defaults={"name": "Fédération 29"})[0]
    fed75 = Federation.objects.get_or_create(departement=departements["75"], defaults={"name": "Fédération 75"})[0]
    commune = Commune.objects.create(code="29993", name="Kerexp", departement=departements["29"])
    elections = {
        slug: Election.objects.create(slug=slug, kind=kind, year=day.year, round=1, date=day)
        for slug, kind, day in (
            ("t-lg-2022", "legislatives", date(2022, 6, 12)),
            ("t-lg-2024", "legislatives", date(2024, 6, 30)),
            ("t-mun-2026", "municipales", date(2026, 3, 15)),
            ("t-eu-2026", "europeennes", date(2026, 6, 7)),  # later, but no results loaded
        )
    }
    stations = [PollingStation.objects.create(commune=commune, code=str(i), name=f"École {i}") for i in range(1, 5)]
    for station in stations:
        for slug in ("t-lg-2022", "t-lg-2024", "t-mun-2026"):
            PollingStationResult.objects.create(
                election=elections[slug], polling_station=station, registered=1000, voters=600,
                abstentions=400, blank=10, null=5, expressed=585,
            )  # fmt: skip
    return {"fed29": fed29, "fed75": fed75, "elections": elections, "stations": stations}


def _experiment(place, *, federation="fed29", result=None, status=ExperimentStatus.FINISHED, name="Printemps 29"):
    experiment = Experiment.objects.create(
        federation=place[federation] if federation else None,
        name=name,
        method=Method.objects.get(slug="porte-a-porte"),
        baseline_election=place["elections"]["t-lg-2024"],
        outcome_election=place["elections"]["t-mun-2026"] if result else None,
        status=status,
        starts_on=date(2025, 9, 1),
        ends_on=date(2026, 3, 1),
        result=copy.deepcopy(result) if result is not None else {},
        outcome_simulated=bool(result and result.get("simulated")),
        estimated_at=timezone.now() if result else None,
    )
    for i, station in enumerate(place["stations"]):
        ExperimentBureau.objects.create(
            experiment=experiment, polling_station=station, stratum="A", treated=i != 0, registered=1000
        )
    return experiment


def _url(name, experiment):
    return reverse(f"evaluation:{name}", kwargs={"pk": experiment.pk})


def test_the_page_says_the_estimate_in_words_an_analyst_can_repeat(place, client):
    experiment = _experiment(place, result=RESULT)
    client.force_login(_member(place["fed29"], Role.FEDERAL_HQ))
    body = client.get(_url("results", experiment)).content.decode()
    assert f"+1,2 point [0,3{NNBSP};{NNBSP}2,1]" in body
    assert f"p = 0,03, sur 1{NNBSP}000 tirages au sort refaits" in body
    assert "Effet sur la participation (points des inscrits) : +0,4 point [-0,6" in body
    assert "l&#x27;intervalle contient 0 : pas d&#x27;effet distinguable du hasard" in body  # turnout
    assert "effet distinguable du hasard au seuil de 5 %" in body  # left share: interval and test agree
    assert "+2,4 points dans les bureaux ciblés, +1,1 point dans les bureaux témoins" in body
    assert f"+3,1 votes de gauche pour 100 portes [0,4{NNBSP};{NNBSP}5,8]" in body and f"75{NNBSP}%" in body
    assert "Brest — bureau 12 (École Jean Zay) : Redécoupé entre les deux élections" in body
    assert "1 bureau témoin visité pendant la campagne (2 comptes rendus, 40 portes frappées)" in body
    assert "une municipale" in body and "Une seule élection" in body and "Un intervalle de confiance à 95 %" in body
    assert "40 bureaux estimés (32 ciblés, 8 témoins) dans 6 strates" in body
    assert "<svg" in body and "Résultat simulé" not in body
    assert reverse("evaluation:results_pdf", kwargs={"pk": experiment.pk}) in body


def test_a_simulated_result_says_so_on_the_page_and_on_the_pdf(place, client, tmp_path):
    experiment = _experiment(place, result={**RESULT, "simulated": True})
    client.force_login(_member(None, Role.NATIONAL_HQ))
    body = client.get(_url("results", experiment)).content.decode()
    assert 'class="experiment-simulated"' in body and "Résultat simulé — pas un vrai scrutin" in body
    response = client.get(_url("results_pdf", experiment))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "Résultat simulé — pas un vrai scrutin" in text and "Printemps 29" in text


def test_the_pdf_holds_on_one_page_even_with_many_bureaux_left_out(place):
    many = [
        {"bureau": f"Brest — bureau {i} (École n° {i})", "reason": "Résultats absents à l'élection de sortie."}
        for i in range(60)
    ]
    result = {
        **RESULT,
        "simulated": True,
        "excluded": many,
        "caveats": [f"Précaution n° {i} : " + "mot " * 30 for i in range(4)],
    }
    document = evaluation_views.results_document(_experiment(place, result=result))
    assert len(document.pages) == 1
    assert len(evaluation_views.results_document(_experiment(place, result=RESULT, name="Autre")).pages) == 1


def test_only_national_hq_and_the_campaigns_federal_hq_see_it(place, client):
    experiment = _experiment(place, result=RESULT)
    national_campaign = _experiment(place, federation=None, result=RESULT, name="Nationale")
    client.force_login(_member(place["fed75"], Role.FEDERAL_HQ))
    assert client.get(_url("results", experiment)).status_code == 404
    assert client.get(_url("results_pdf", experiment)).status_code == 404
    client.force_login(_member(place["fed29"], Role.FEDERAL_HQ))
    assert client.get(_url("results", national_campaign)).status_code == 404
    for role in (Role.SECRETARY, Role.ACTIVIST):
        client.force_login(_member(place["fed29"], role))
        assert client.get(_url("results", experiment)).status_code == 403
        assert client.get(_url("results_pdf", experiment)).status_code == 403
        assert client.post(_url("results", experiment), {"outcome_election": "t-mun-2026"}).status_code == 403
    client.force_login(_member(None, Role.NATIONAL_HQ))
    assert client.get(_url("results", national_campaign)).status_code == 200
    client.logout()
    assert client.get(_url("results", experiment)).status_code == 302


def test_the_estimate_form_offers_later_elections_with_results_only(place, client):
    experiment = _experiment(place, status=ExperimentStatus.RUNNING)
    client.force_login(_member(place["fed29"], Role.FEDERAL_HQ))
    body = client.get(_url("results", experiment)).content.decode()
    assert "Pas encore d'estimation" in body
    assert 'value="t-mun-2026"' in body
    assert 'value="t-lg-2022"' not in body and 'value="t-lg-2024"' not in body and 'value="t-eu-2026"' not in body
    response = client.post(_url("results", experiment), {"outcome_election": "t-lg-2022"})
    assert response.status_code == 400
    assert "n&#x27;est pas postérieure à l&#x27;élection de référence" in response.content.decode()


def test_estimer_calls_the_estimation_service_and_shows_its_refusal_next_to_the_field(place, client, monkeypatch):
    experiment = _experiment(place, status=ExperimentStatus.RUNNING)
    calls = []

    def refuse(exp, election):
        calls.append((exp.pk, election.slug))
        raise ExperimentError("Résultats manquants pour 3 bureaux ciblés sur 4 : trop peu pour estimer.")

    monkeypatch.setattr(evaluation_views, "estimate_experiment", refuse)
    client.force_login(_member(place["fed29"], Role.FEDERAL_HQ))
    response = client.post(_url("results", experiment), {"outcome_election": "t-mun-2026"})
    assert response.status_code == 400 and calls == [(experiment.pk, "t-mun-2026")]
    body = response.content.decode()
    assert 'id="id_outcome_election_error"' in body and "Résultats manquants pour 3 bureaux" in body
    experiment.refresh_from_db()
    assert experiment.result == {} and experiment.status == ExperimentStatus.RUNNING

    def estimate(exp, election):
        exp.result, exp.status, exp.outcome_election = copy.deepcopy(RESULT), ExperimentStatus.FINISHED, election
        exp.estimated_at = timezone.now()
        exp.save()
        return exp.result

    monkeypatch.setattr(evaluation_views, "estimate_experiment", estimate)
    response = client.post(_url("results", experiment), {"outcome_election": "t-mun-2026"}, follow=True)
    assert response.redirect_chain == [(_url("results", experiment), 302)]
    assert f"+1,2 point [0,3{NNBSP};{NNBSP}2,1]" in response.content.decode()


def test_a_draw_not_yet_frozen_cannot_be_estimated(place, client, monkeypatch):
    experiment = _experiment(place, status=ExperimentStatus.DRAWN)
    monkeypatch.setattr(evaluation_views, "estimate_experiment", lambda *args: pytest.fail("must not be called"))
    client.force_login(_member(place["fed29"], Role.FEDERAL_HQ))
    assert "La campagne n'a pas commencé" in client.get(_url("results", experiment)).content.decode()
    response = client.post(_url("results", experiment), {"outcome_election": "t-mun-2026"})
    assert response.status_code == 400 and "le tirage doit être figé" in response.content.decode()


def test_national_hq_sets_persuasion_from_the_per_door_effect_and_the_parameters_name_the_campaign(place, client):
    experiment = _experiment(place, result=RESULT)
    client.force_login(_member(None, Role.NATIONAL_HQ))
    assert "Utiliser cet effet pour les priorités" in client.get(_url("results", experiment)).content.decode()
    response = client.post(_url("use_effect", experiment), {"kind": "persuasion"})
    assert response.status_code == 302
    settings = ProfileSettings.load()
    # 3,1 votes per 100 doors ÷ contact rate 0,5 ÷ half of the voters persuadable.
    assert settings.persuasion_effect == pytest.approx(0.124)
    assert settings.persuasion_effect_low == pytest.approx(0.016)
    assert settings.persuasion_effect_high == pytest.approx(0.232)
    _params, sources = parameters_resolve(settings.parameters())
    assert "Campagne Printemps 29 (fédération 29, 2025)" in sources["persuasion_effect"]["source"]
    assert "Campagne Printemps 29" in sources["persuasion_effect_high"]["source"]
    assert "Campagne" not in sources["mobilisation_effect"]["source"]
    # The profiles' parameters page reads the run's sources.
    ProfileRun.objects.filter(is_current=True).update(is_current=False)
    ProfileRun.objects.create(
        status=ProfileRun.Status.SUCCEEDED, is_current=True, parameters=settings.parameters().as_dict(), sources=sources
    )
    page = client.get(reverse("profiles:overview")).content.decode()
    assert "Mesuré par une campagne testée : Campagne Printemps 29 (fédération 29, 2025)" in page
    # Changed by hand in the admin afterwards: the campaign no longer claims it.
    ProfileSettings.objects.update(persuasion_effect=0.11)
    _params, sources = parameters_resolve(ProfileSettings.load().parameters())
    assert "Campagne" not in sources["persuasion_effect"]["source"]


def test_mobilisation_comes_from_the_turnout_effect_with_a_negative_end_kept_at_zero(place, client):
    experiment = _experiment(place, result=RESULT)
    client.force_login(_member(None, Role.NATIONAL_HQ))
    assert client.post(_url("use_effect", experiment), {"kind": "mobilisation"}).status_code == 302
    settings = ProfileSettings.load()
    # 0,4 point of 3 000 registered = 12 voters, over 1 200 doors × 0,5 × 40 % abstention = 240.
    assert settings.mobilisation_effect == pytest.approx(0.05)
    assert settings.mobilisation_effect_low == 0.0
    assert settings.mobilisation_effect_high == pytest.approx(0.175)
    experiment.refresh_from_db()
    assert experiment.result["used_for_parameters"]["mobilisation_effect"]["clamped"] is True
    _params, sources = parameters_resolve(settings.parameters())
    assert "ramenées dans ces bornes" in sources["mobilisation_effect"]["source"]


def test_a_simulated_result_cannot_set_the_parameters_and_only_national_hq_may_try(place, client):
    before = ProfileSettings.load().persuasion_effect
    simulated = _experiment(place, result={**RESULT, "simulated": True})
    client.force_login(_member(None, Role.NATIONAL_HQ))
    page = client.get(_url("results", simulated)).content.decode()
    assert 'class="experiment-use-refused"' in page and 'name="kind"' not in page
    response = client.post(_url("use_effect", simulated), {"kind": "persuasion"})
    assert response.status_code == 400
    assert "Résultat simulé : l&#x27;élection de sortie a été fabriquée" in response.content.decode()
    no_doors = _experiment(place, result={**RESULT, "per_door": None}, name="Sans portes")
    response = client.post(_url("use_effect", no_doors), {"kind": "persuasion"})
    assert response.status_code == 400 and "Aucune porte frappée" in response.content.decode()
    assert client.post(_url("use_effect", no_doors), {"kind": "autre"}).status_code == 400
    real = _experiment(place, result=RESULT, name="Vraie")
    client.force_login(_member(place["fed29"], Role.FEDERAL_HQ))
    assert "Utiliser cet effet" not in client.get(_url("results", real)).content.decode()
    assert client.post(_url("use_effect", real), {"kind": "persuasion"}).status_code == 403
    assert client.get(_url("use_effect", real)).status_code == 405
    assert ProfileSettings.load().persuasion_effect == before


def test_the_catalogue_shows_measured_effects_next_to_the_evidence(place, client):
    _experiment(place, result={**RESULT, "simulated": True})
    _experiment(place, federation=None, result=RESULT, name="Nationale")
    _experiment(place, status=ExperimentStatus.RUNNING, name="En cours")
    client.force_login(_member(place["fed29"], Role.ACTIVIST))
    body = client.get(reverse("methods")).content.decode()
    assert (
        f"Campagne Printemps 29 (fédération 29, 2025) : +1,2 point [0,3{NNBSP};{NNBSP}2,1] sur la part de la gauche"
    ) in body
    assert "résultat simulé" in body and "Campagne Nationale (QG national, 2025)" in body
    assert "En cours" not in body
    client.force_login(_member(place["fed75"], Role.FEDERAL_HQ))
    body = client.get(reverse("methods")).content.decode()
    assert "Printemps 29" not in body and "Campagne Nationale" in body


def test_words_and_chart_follow_french_typography():
    assert words.points_text(1.234) == "+1,2 point"
    assert words.points_text(-2.5) == "-2,5 points"
    assert words.points_text(0.01) == "0,0 point"
    fragile = {**RESULT["left_share"], "p_value": 0.065}
    assert "ne concordent pas au seuil de 5 %" in words.measure_sentence("left_share", fragile)
    assert words.p_value_text(0.004) == "p < 0,01" and words.p_value_text(0.2) == "p = 0,20"
    simulated = words.caveats({"simulated": True, "caveats": ["Résultat simulé : déjà dit."]})
    assert sum(c.startswith("Résultat simulé") for c in simulated) == 1 and len(simulated) == 4
    assert words.caveats({"simulated": True})[-1] == words.SIMULATED_CAVEAT
    svg = experiment_effect_svg(RESULT)
    assert svg.startswith("<svg") and svg.count("<circle") == 2
    assert "Part de la gauche" in svg and "Participation" in svg and "+1,2 point" in svg
    assert "Pas encore" in experiment_effect_svg({})


def test_the_estimation_services_refusal_is_shown_next_to_the_field_and_nothing_is_saved(place, client):
    # Four bureaux in one stratum: fewer than two strata with both groups, nothing can be estimated.
    experiment = _experiment(place, status=ExperimentStatus.RUNNING)
    client.force_login(_member(place["fed29"], Role.FEDERAL_HQ))
    response = client.post(_url("results", experiment), {"outcome_election": "t-mun-2026"})
    assert response.status_code == 400
    body = response.content.decode()
    error = body[body.index('id="id_outcome_election_error"') :]
    assert "strate" in error.split("</ul>")[0]
    experiment.refresh_from_db()
    assert experiment.result == {} and experiment.status == ExperimentStatus.RUNNING
    assert experiment.outcome_election is None and experiment.estimated_at is None


def test_the_catalogue_reads_the_campaigns_in_one_query_however_many(place, client, django_assert_max_num_queries):
    client.force_login(_member(None, Role.NATIONAL_HQ))
    _experiment(place, result=RESULT, name="Première")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("methods"))
    for name in ("Deuxième", "Troisième", "Quatrième"):
        _experiment(place, result=RESULT, name=name)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(reverse("methods")).content.decode()
    assert "Campagne Quatrième" in body and "Campagne Première" in body
