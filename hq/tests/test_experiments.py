"""Campaign experiments, design side (issue 13), on the real Brest-area files.

Data: the real territory, Brest's bureaux contours, the législatives 2024 T1 (circonscriptions
2 and 3) and 2022 T1 (Brest, circonscription 2) results by bureau, and the profiles computed
from them — loaded once for the module with the project's importers (`committed_data`).
"""

import json
import math
import uuid
from datetime import timedelta

import numpy as np
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from circonscriptions.models import Circonscription, Election, PollingStationProfile
from hq import experiments
from hq import missions as mission_services
from hq.experiment_stats import ExperimentError
from hq.matching import missions_for
from hq.models import AuditEntry, Experiment, ExperimentBureau, ExperimentStatus, Method, Mission, Role, StrataKind
from hq.tests.mission_helpers import mission
from observations.compliance import experiment_noncompliance
from observations.models import Observation

pytestmark = pytest.mark.django_db


def load_brest_results() -> None:
    from circonscriptions.importers.results import results_import
    from circonscriptions.profiles.services import profiles_recompute
    from circonscriptions.tests.conftest import brest_polling_stations_load, territory_load

    territory_load()
    brest_polling_stations_load()
    elections = settings.DATA_DIR / "elections"
    results_import(path=elections / "lg2024-t1-bureaux-29-circos-02-03.csv", election_slug="legislatives-2024-1")
    results_import(path=elections / "lg2022-t1-bureaux-brest-circo-29-02.csv", election_slug="legislatives-2022-1")
    profiles_recompute(by="tests des expériences")


@pytest.fixture(scope="module", autouse=True)
def brest(committed_data):
    committed_data(load_brest_results)


def _today():
    return timezone.localdate()


def _declare(hq, federation, **changes) -> Experiment:
    fields = {
        "by": hq,
        "name": "Porte-à-porte Brest",
        "method": Method.objects.order_by("position").first(),
        "baseline_election": Election.objects.get(slug="legislatives-2024-1"),
        "starts_on": _today(),
        "ends_on": _today() + timedelta(days=30),
        "federation": federation,
        "top": 40,
    }
    fields.update(changes)
    return experiments.create_experiment(**fields)


def _running(hq, federation, **changes) -> Experiment:
    experiment = _declare(hq, federation, **changes)
    experiments.draw(experiment, 7, by=hq)
    return experiments.start(experiment, by=hq)


def _controls(experiment) -> list[int]:
    return list(experiment.bureaux.filter(treated=False).values_list("polling_station_id", flat=True))


# --- Declaring, strata, draw, power -----------------------------------------------------------


def test_type_strata_are_profile_types_within_a_circonscription_with_two_bureaux_at_least(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq, federations["29"], top=60)
    bureaux = list(experiment.bureaux.all())
    # The 60 best bureaux of the federation in the current profiles, all with 2024 results.
    best = (
        PollingStationProfile.objects.current()
        .filter(rank_departement__isnull=False, circonscription__isnull=False)
        .order_by("rank_departement")
        .values_list("polling_station_id", flat=True)[:60]
    )
    assert {b.polling_station_id for b in bureaux} == set(best)
    assert all(b.treated and b.registered > 0 for b in bureaux)
    profiles = {
        p.polling_station_id: p
        for p in PollingStationProfile.objects.current()
        .filter(polling_station_id__in=best)
        .select_related("circonscription", "profile_type")
    }
    types: dict[str, set[int]] = {}
    for p in profiles.values():
        types.setdefault(p.circonscription.code, set()).add(p.profile_type.key)
    sizes: dict[str, int] = {}
    for b in bureaux:
        p = profiles[b.polling_station_id]
        circo, kind = b.stratum.split("-", 1)
        assert circo == p.circonscription.code
        # A profil-type of its circonscription: its own, unless its type had it alone (pooled).
        assert kind == "autres" or int(kind.removeprefix("t")) in types[circo]
        sizes[b.stratum] = sizes.get(b.stratum, 0) + 1
    assert min(sizes.values()) >= 2
    exact = sum(1 for b in bureaux if b.stratum.endswith(f"-t{profiles[b.polling_station_id].profile_type.key}"))
    assert exact >= len(bureaux) // 2


def test_pair_strata_pair_bureaux_of_one_circonscription(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq, federations["29"], top=41, strata_kind=StrataKind.PAIRS)
    strata: dict[str, list[ExperimentBureau]] = {}
    for b in experiment.bureaux.select_related("polling_station__circonscription"):
        strata.setdefault(b.stratum, []).append(b)
    assert all(len(members) in (2, 3) for members in strata.values())
    for name, members in strata.items():
        assert {b.stratum.split("-")[0] for b in members} == {name.split("-")[0]}
    # 41 bureaux in two circonscriptions: pairs, and an odd one out in a triple where a count is odd.
    assert sum(len(m) for m in strata.values()) == 41 and sum(1 for m in strata.values() if len(m) == 3) in (1, 2)


def test_the_draw_records_a_new_seed_and_the_recorded_seed_reproduces_it(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq, federations["29"], top=60, control_share=0.25)
    experiment = experiments.draw(experiment, by=hq)
    assert experiment.status == ExperimentStatus.DRAWN and experiment.drawn_at is not None
    first = sorted(_controls(experiment))
    # Within each stratum of n bureaux, n / 4 controls rounded (a half up), at least one, never all.
    for stratum in set(experiment.bureaux.values_list("stratum", flat=True)):
        n = experiment.bureaux.filter(stratum=stratum).count()
        controls = experiment.bureaux.filter(stratum=stratum, treated=False).count()
        assert controls == min(max(math.floor(0.25 * n + 0.5), 1), n - 1)
    seed = experiment.seed
    experiments.draw(experiment, 99, by=hq)
    assert sorted(_controls(experiment)) != first
    experiments.draw(experiment, seed, by=hq)
    assert sorted(_controls(experiment)) == first
    draws = AuditEntry.objects.filter(action=experiments.AUDIT_DRAW, actor_id=hq.pk)
    assert draws.count() == 3 and f"seed {seed}" in draws.order_by("-pk").first().target


def test_a_launched_campaign_cannot_be_drawn_again_nor_launched_before_its_draw(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq, federations["29"])
    with pytest.raises(ExperimentError, match="Faites d'abord le tirage"):
        experiments.start(experiment, by=hq)
    experiments.draw(experiment, 5, by=hq)
    experiments.start(experiment, by=hq)
    before = sorted(_controls(experiment))
    with pytest.raises(ExperimentError, match="figé"):
        experiments.draw(experiment, 6, by=hq)
    assert sorted(_controls(experiment)) == before
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING and experiment.seed == 5


def test_power_comes_from_past_variability_is_positive_and_shrinks_with_more_bureaux(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    brest2 = Circonscription.objects.get(code="2902")
    small = _declare(hq, federations["29"], circonscription=brest2, top=20).power
    large = _declare(hq, federations["29"], circonscription=brest2, top=80).power
    # Brest's 2nd circonscription has both 2022 and 2024 results: its own spread is used.
    assert small["source"] == "elections"
    assert small["elections"] == ["legislatives-2022-1", "legislatives-2024-1"]
    assert small["sd_left_share"] > 0 and small["sd_turnout"] > 0
    assert 0 < large["mde_left_share"] < small["mde_left_share"]
    assert 0 < large["mde_turnout"] < small["mde_turnout"]
    words = " ".join(experiments.power_sentences(large))
    assert "peut détecter un effet de" in words and "sur la part de la gauche" in words


def test_power_falls_back_to_the_documented_default_without_two_elections(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    # The 3rd circonscription has only the 2024 results.
    power = _declare(hq, federations["29"], circonscription=Circonscription.objects.get(code="2903"), top=30).power
    assert power["source"] == "default"
    assert (power["sd_left_share"], power["sd_turnout"]) == (
        experiments.DEFAULT_SD["left_share"],
        experiments.DEFAULT_SD["turnout"],
    )
    assert "ordre de grandeur" in " ".join(experiments.power_sentences(power))


def test_a_circonscription_with_a_single_target_bureau_is_refused_and_nothing_is_saved(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    profiles = PollingStationProfile.objects.current().order_by("rank_departement")
    two = list(profiles.filter(circonscription__code="2902").values_list("polling_station_id", flat=True)[:2])
    one = list(profiles.filter(circonscription__code="2903").values_list("polling_station_id", flat=True)[:1])
    with pytest.raises(ValidationError) as refused:
        _declare(hq, federations["29"], top=None, station_ids=two + one)
    assert "Moins de bureaux que de strates" in " ".join(refused.value.message_dict["stations"])
    assert not Experiment.objects.exists()


def test_control_bureaux_are_held_back_only_while_the_campaign_runs(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq, federations["29"])
    experiments.draw(experiment, 3, by=hq)
    assert experiments.control_station_ids() == set()  # drawn, not launched
    experiments.start(experiment, by=hq)
    controls = set(_controls(experiment))
    assert experiments.control_station_ids() == controls and len(controls) == 8
    assert experiments.control_station_ids(on=experiment.ends_on + timedelta(days=1)) == set()
    reason = experiments.control_reasons(controls).popitem()[1]
    assert reason == f"bureau témoin de l'expérience « Porte-à-porte Brest » jusqu'au {experiment.ends_on:%d/%m/%Y}"
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.FINISHED)
    assert experiments.control_station_ids() == set()


# --- Treatment follows the draw ---------------------------------------------------------------


def test_missions_for_me_leaves_out_missions_whose_bureaux_are_all_controls(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _running(hq, federations["29"])
    method = Method.objects.order_by("position").first()
    stations = {b.polling_station_id: b for b in experiment.bureaux.select_related("polling_station")}
    control = next(b.polling_station for b in stations.values() if not b.treated)
    treated = next(b.polling_station for b in stations.values() if b.treated)
    only_control = mission(federations["29"], method, title="Témoin seul", stations=[control])
    mixed = mission(federations["29"], method, title="Mêlée", stations=[control, treated])
    plain = mission(federations["29"], method, title="Traité", stations=[treated])
    activist = make_member(Role.ACTIVIST, "29")
    shown = {facts.id for _rec, facts in missions_for(activist)}
    assert shown == {mixed.pk, plain.pk}
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.FINISHED)
    assert only_control.pk in {facts.id for _rec, facts in missions_for(activist)}


def test_bulk_creation_skips_control_bureaux_while_running_and_hq_is_told_why(client, make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    brest2 = Circonscription.objects.get(code="2902")
    experiment = _running(hq, federations["29"], circonscription=brest2, top=10, control_share=0.5)
    controls = set(_controls(experiment))
    assert len(controls) >= 2
    client.force_login(hq)
    start = timezone.localtime() + timedelta(days=5)
    response = client.post(
        "/federation/29/missions/en-serie/",
        {
            "circonscription": brest2.pk,
            "top": 10,
            "group_m": 0,
            "starts_at": start.strftime("%Y-%m-%dT10:00"),
            "ends_at": start.strftime("%Y-%m-%dT12:00"),
            "capacity_min": 2,
            "capacity_max": 6,
        },
        follow=True,
    )
    made = Mission.objects.filter(federation=federations["29"])
    assert made.count() == 10 - len(controls)
    assert not made.filter(polling_stations__in=controls).exists()
    page = response.content.decode()
    assert page.count("bureau témoin de l&#x27;expérience « Porte-à-porte Brest »") == len(controls)
    # Once the campaign is over, the same bureaux get their missions again.
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.FINISHED)
    again = mission_services.missions_create_from_priorities(
        by=hq, circonscription=brest2, top=10, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    assert len(again) == 10


def test_a_mission_on_a_control_bureau_is_refused_to_hq_and_never_offered_to_activists(
    client, make_member, federations
):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _running(hq, federations["29"], top=40)
    control = experiment.bureaux.filter(treated=False).select_related("polling_station").first().polling_station
    start = timezone.localtime() + timedelta(days=4)
    form = {
        "title": "Porte-à-porte",
        "method": Method.objects.order_by("position").first().pk,
        "starts_at": start.strftime("%Y-%m-%dT10:00"),
        "ends_at": start.strftime("%Y-%m-%dT12:00"),
        "capacity_min": 2,
        "capacity_max": 6,
        "polling_stations": [control.pk],
    }
    client.force_login(hq)
    response = client.post("/federation/29/missions/nouvelle/", form)
    errors = " ".join(response.context["form"].errors["polling_stations"])
    assert "bureau témoin de l'expérience « Porte-à-porte Brest »" in errors
    assert not Mission.objects.exists()
    client.force_login(make_member(Role.ACTIVIST, "29"))
    page = client.get("/federation/29/missions/nouvelle/")
    assert control.pk not in {s.pk for s in page.context["form"].fields["polling_stations"].queryset}
    assert "témoin" not in page.content.decode()


def test_a_proposal_made_before_the_launch_on_a_now_control_bureau_is_not_approved(client, make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq, federations["29"], top=40)
    target = experiment.bureaux.select_related("polling_station").first().polling_station
    proposed = mission(federations["29"], Method.objects.order_by("position").first(), stations=[target])
    Mission.objects.filter(pk=proposed.pk).update(status="proposed")
    # The draw decides which bureaux are controls: the first seed that makes the proposal's bureau one.
    next(
        seed
        for seed in range(200)
        if not experiments.draw(experiment, seed, by=hq).bureaux.get(polling_station=target).treated
    )
    experiments.start(experiment, by=hq)
    client.force_login(hq)
    page = client.post(f"/missions/{proposed.pk}/approuver/", follow=True).content.decode()
    assert "Pas d&#x27;approbation" in page and "bureau témoin de l&#x27;expérience" in page
    assert Mission.objects.get(pk=proposed.pk).status == "proposed"


def test_fiches_leave_control_bureaux_out_of_their_targets_while_running(client, make_member, federations):
    from fiches.compose import compose_automatic
    from fiches.services import fiche_create

    hq = make_member(Role.FEDERAL_HQ, "29")
    brest2 = Circonscription.objects.get(code="2902")
    before = [row["station_id"] for row in compose_automatic(circonscription=brest2)["targeting"]["priorities"]]
    experiment = _running(hq, federations["29"], circonscription=brest2, top=10, control_share=0.5)
    controls = set(_controls(experiment))
    during = [row["station_id"] for row in compose_automatic(circonscription=brest2)["targeting"]["priorities"]]
    assert controls <= set(before) and not controls & set(during)
    assert [pk for pk in before if pk not in controls] == during[: len(before) - len(controls)]
    # The fiche is read by activists: it never says why. HQ's preview says it above the fiche.
    assert "témoin" not in json.dumps(compose_automatic(circonscription=brest2), ensure_ascii=False)
    fiche = fiche_create(circonscription=brest2, title="Brest 2e")
    client.force_login(hq)
    preview = client.get(f"/fiches/{fiche.pk}/apercu/").content.decode()
    assert preview.count("bureau témoin de l&#x27;expérience « Porte-à-porte Brest »") == len(controls)
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.FINISHED)
    after = [row["station_id"] for row in compose_automatic(circonscription=brest2)["targeting"]["priorities"]]
    assert after == before


def _launch_with_callbacks(hq, experiment, django_capture_on_commit_callbacks):
    """Launches; runs what the launch does after its commit, except the fiches' receiver,
    which would send its task to a worker: returns what it was sent with."""
    from fiches.apps import _refresh_after_experiment
    from hq.signals import experiment_started

    launched = []

    def record(sender, experiment, by, **kwargs):
        launched.append((experiment.pk, by))

    experiment_started.connect(record, dispatch_uid="test-launch")
    experiment_started.disconnect(_refresh_after_experiment, dispatch_uid="fiches-refresh-after-experiment")
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            experiment = experiments.start(experiment, by=hq)
        assert launched == []  # nothing is sent before the launch is committed
        for callback in callbacks:
            callback()
    finally:
        experiment_started.connect(_refresh_after_experiment, dispatch_uid="fiches-refresh-after-experiment")
        experiment_started.disconnect(dispatch_uid="test-launch")
    assert launched == [(experiment.pk, hq)]
    return experiment


def test_a_launch_publishes_at_once_a_version_of_each_fiche_without_the_controls_and_keeps_hqs_draft(
    client, make_member, federations, django_capture_on_commit_callbacks
):
    from fiches.models import BatchPrint
    from fiches.queries import version_targets
    from fiches.services import fiche_create, fiche_publish
    from fiches.tasks import fiches_after_experiment_launch_task

    hq = make_member(Role.FEDERAL_HQ, "29")
    brest2 = Circonscription.objects.get(code="2902")
    fiche = fiche_create(circonscription=brest2, title="Brest 2e")
    fiche.free_text = "Texte publié."
    fiche.save(update_fields=["free_text"])
    first = fiche_publish(fiche=fiche, by=hq)
    # HQ goes on editing the draft: this text is not checked yet and must not go out.
    fiche.refresh_from_db()
    fiche.free_text = "Brouillon pas encore relu."
    fiche.save(update_fields=["free_text"])
    batch = BatchPrint.objects.create(departement=brest2.departement, merged_pdf="fiches/batches/old.pdf")
    experiment = experiments.draw(
        _declare(hq, federations["29"], circonscription=brest2, top=10, control_share=0.5), by=hq
    )
    controls = set(_controls(experiment))
    assert controls <= version_targets(first)

    experiment = _launch_with_callbacks(hq, experiment, django_capture_on_commit_callbacks)
    # What the receiver sends to a worker, run here.
    done = fiches_after_experiment_launch_task(departement_codes=["29"], launched_by_id=hq.pk)

    fiche.refresh_from_db()
    second = fiche.current_version
    assert done["published"] == [second.pk] and done["refused"] == []
    assert second.number == 2 and second.published_by == hq and second.pdf
    assert not version_targets(second) & controls
    assert len(version_targets(second)) == len(version_targets(first))  # the next bureaux take their places
    assert second.content["free_text"] == "Texte publié." and "Brouillon" not in second.html
    assert fiche.free_text == "Brouillon pas encore relu." and fiche.draft_pending
    assert not {row["station_id"] for row in fiche.automatic["targeting"]["priorities"]} & controls
    batch.refresh_from_db()
    assert not batch.merged_pdf and "relancez l'impression" in batch.error
    # Activists read the new version; the experiment's page has no fiche left to name.
    client.force_login(make_member(Role.ACTIVIST, "29"))
    assert client.get(f"/fiches/{fiche.pk}/").context["version"] == second
    client.force_login(hq)
    assert client.get(f"/experiences/{experiment.pk}/").context["published"] == []
    # Run again (a retried task): nothing more is published.
    assert fiches_after_experiment_launch_task(departement_codes=["29"], launched_by_id=hq.pk)["published"] == []
    assert fiche.versions.count() == 2


def _published_fiche_and_running_campaign(hq, federation):
    """Brest 2e's fiche published, then a campaign launched on its top 10 (its launch's
    after-commit work not run: the fiche still sends activists to the controls)."""
    from fiches.services import fiche_create, fiche_publish

    brest2 = Circonscription.objects.get(code="2902")
    fiche = fiche_create(circonscription=brest2, title="Brest 2e")
    fiche_publish(fiche=fiche, by=hq)
    return fiche, _running(hq, federation, circonscription=brest2, top=10, control_share=0.5)


def test_during_the_electoral_silence_the_fiche_is_not_republished_and_the_experiment_page_names_it(
    client, make_member, federations
):
    from fiches.services import fiches_withdraw_controls

    hq = make_member(Role.FEDERAL_HQ, "29")
    fiche, experiment = _published_fiche_and_running_campaign(hq, federations["29"])
    now = timezone.localtime()
    polling_day = now.date() if now.hour < 20 else now.date() + timedelta(days=1)
    Election.objects.create(slug="legislatives-2099-1", kind="legislatives", year=2099, round=1, date=polling_day)

    assert fiches_withdraw_controls(departement_codes=["29"], by=hq) == {"published": [], "refused": [fiche.pk]}
    assert fiche.versions.count() == 1
    client.force_login(hq)
    published = client.get(f"/experiences/{experiment.pk}/").context["published"]
    assert [item["label"] for item in published] == ["Brest 2e (2902), version 1"]


def test_the_experiment_page_names_published_fiches_still_sending_activists_to_controls(
    client, make_member, federations
):
    from fiches.services import fiche_publish, fiche_refresh_automatic

    hq = make_member(Role.FEDERAL_HQ, "29")
    fiche, experiment = _published_fiche_and_running_campaign(hq, federations["29"])
    client.force_login(hq)

    page = client.get(f"/experiences/{experiment.pk}/")

    published = page.context["published"]
    assert [item["label"] for item in published] == ["Brest 2e (2902), version 1"]
    assert published[0]["bureaux"] == len(_controls(experiment))
    assert 'id="published-in-controls"' in page.content.decode()
    # Once a version without the controls is published, the page has nothing left to say.
    fiche.refresh_from_db()
    fiche_refresh_automatic(fiche=fiche)
    fiche_publish(fiche=fiche, by=hq)
    assert client.get(f"/experiences/{experiment.pk}/").context["published"] == []


# --- Non-compliance ---------------------------------------------------------------------------


def _observation(station, *, held_on, doors):
    observation = Observation.objects.create(
        idempotency_key=uuid.uuid4(),
        held_on=held_on,
        departement=station.commune.departement,
        commune=station.commune,
        method=Method.objects.order_by("position").first(),
        reaction=3,
        doors_knocked=doors,
    )
    observation.polling_stations.add(station)
    return observation


def test_observations_in_control_bureaux_during_the_campaign_are_non_compliance(make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq, federations["29"], starts_on=_today() - timedelta(days=10))
    experiments.draw(experiment, 11, by=hq)
    bureaux = experiment.bureaux.select_related("polling_station__commune__departement")
    controls = [b.polling_station for b in bureaux.filter(treated=False)[:2]]
    treated = bureaux.filter(treated=True).first().polling_station
    _observation(controls[0], held_on=_today() - timedelta(days=2), doors=30)
    _observation(controls[0], held_on=_today() - timedelta(days=1), doors=12)
    _observation(controls[1], held_on=_today() - timedelta(days=20), doors=50)  # before the campaign
    _observation(treated, held_on=_today() - timedelta(days=1), doors=40)  # a treated bureau: as planned
    assert experiment_noncompliance(experiment)["observations"] == 0  # not launched: nobody was told
    experiment = experiments.start(experiment, by=hq)
    found = experiment_noncompliance(experiment)
    assert (found["control_bureaux"], found["observations"], found["doors"]) == (1, 2, 42)
    assert [row["bureau"] for row in found["rows"]] == [str(controls[0])] * 2


# --- Pages ------------------------------------------------------------------------------------


def test_the_list_is_scoped_and_closed_to_activists_and_secretaries(client, make_member, federations):
    hq29 = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq29, federations["29"])
    client.force_login(make_member(Role.NATIONAL_HQ))
    assert experiment.name in client.get("/experiences/").content.decode()
    client.force_login(make_member(Role.FEDERAL_HQ, "75"))
    assert experiment.name not in client.get("/experiences/").content.decode()
    assert client.get(f"/experiences/{experiment.pk}/").status_code == 404
    assert client.post(f"/experiences/{experiment.pk}/tirage/").status_code == 404
    for role in (Role.ACTIVIST, Role.SECRETARY):
        client.force_login(make_member(role, "29"))
        assert client.get("/experiences/").status_code == 403
        assert client.get("/experiences/nouvelle/").status_code == 403
        assert client.get(f"/experiences/{experiment.pk}/").status_code in (403, 404)
        assert client.post(f"/experiences/{experiment.pk}/lancer/").status_code in (403, 404)
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT


def test_declare_draw_and_launch_from_the_pages(client, make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    client.force_login(hq)
    assert 'href="/experiences/"' in client.get("/federation/29/").content.decode()  # the HQ menu
    response = client.post("/experiences/nouvelle/", _new_form(federations))
    experiment = Experiment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/experiences/{experiment.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "peut détecter un effet de" in page and "Tirer les bureaux témoins" in page
    assert "Lancer la campagne" not in page
    page = client.post(f"/experiences/{experiment.pk}/tirage/", {"seed": "4242"}, follow=True).content.decode()
    assert '<code id="seed">4242</code>' in page and "Refaire le tirage" in page and "Lancer la campagne" in page
    assert page.count("<strong>témoin</strong>") == experiment.bureaux.filter(treated=False).count() == 8
    page = client.post(f"/experiences/{experiment.pk}/lancer/", follow=True).content.decode()
    assert "Refaire le tirage" not in page and "Lancer la campagne" not in page
    # While it runs, the estimate page is where « Estimer » is (no results yet).
    assert f"/experiences/{experiment.pk}/resultats/\">Estimer l'effet</a>" in page
    page = client.post(f"/experiences/{experiment.pk}/tirage/", {"seed": "1"}, follow=True).content.decode()
    assert "le tirage est figé" in page
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.FINISHED)
    assert f"/experiences/{experiment.pk}/resultats/" in client.get(f"/experiences/{experiment.pk}/").content.decode()


def _new_form(federations, **changes) -> dict:
    data = {
        "name": "Porte-à-porte de printemps",
        "description": "Deux samedis par bureau.",
        "method": Method.objects.order_by("position").first().pk,
        "baseline_election": Election.objects.get(slug="legislatives-2024-1").pk,
        "federation": federations["29"].pk,
        "top": 40,
        "control_share": 20,
        "strata_kind": "type",
        "starts_on": _today().isoformat(),
        "ends_on": (_today() + timedelta(days=30)).isoformat(),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"control_share": 0}, "control_share", "strictement entre 0 et 100"),
        ({"control_share": 100}, "control_share", "strictement entre 0 et 100"),
        ({"ends_on": "2020-01-01"}, "ends_on", "finir après son début"),
        ({"ends_on": "2062-01-01"}, "ends_on", "au plus deux ans"),
        ({"top": 0}, "top", "entre 2 et 2000 bureaux"),
        ({"top": 5000}, "top", "entre 2 et 2000 bureaux"),
        ({"top": "", "stations": "29019 1\n29019 2\n29000 99"}, "stations", "Bureau(x) inconnu(s)"),
        ({"federation": ""}, "federation", "Choisissez une fédération"),
    ],
)
def test_a_bad_campaign_is_refused_next_to_its_field_and_keeps_what_was_typed(
    client, make_member, federations, changes, field, words
):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post("/experiences/nouvelle/", _new_form(federations, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert words in " ".join(errors[field]), errors
    assert 'value="Porte-à-porte de printemps"' in response.content.decode()
    assert not Experiment.objects.exists()


def test_fewer_bureaux_than_strata_is_said_next_to_the_list(client, make_member, federations):
    profiles = PollingStationProfile.objects.current().select_related("polling_station__commune")
    rows = [
        *profiles.filter(circonscription__code="2902").order_by("rank_departement")[:3],
        profiles.filter(circonscription__code="2903").order_by("rank_departement").first(),
    ]
    listed = "\n".join(f"{p.polling_station.commune.code} {p.polling_station.code}" for p in rows)
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post("/experiences/nouvelle/", _new_form(federations, top="", stations=listed))
    assert "Moins de bureaux que de strates" in " ".join(response.context["form"].errors["stations"])
    assert not Experiment.objects.exists()


def test_too_few_priority_bureaux_for_the_strata_is_said_next_to_the_number_and_nothing_is_saved(
    client, make_member, federations
):
    # Two bureaux make one stratum: the draw works but no effect can be measured (the power
    # calculation raised, and the page was a server error).
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post("/experiences/nouvelle/", _new_form(federations, top=2))
    assert response.status_code == 200
    assert "Trop peu de bureaux pour le nombre de strates" in " ".join(response.context["form"].errors["top"])
    assert 'value="Porte-à-porte de printemps"' in response.content.decode()
    assert not Experiment.objects.exists()
    assert not ExperimentBureau.objects.exists()


def test_a_federal_hq_who_empties_the_federation_is_told_so_and_keeps_the_list(client, make_member, federations):
    rows = PollingStationProfile.objects.current().filter(circonscription__code="2902").order_by("rank_departement")
    listed = "\n".join(f"{p.polling_station.commune.code} {p.polling_station.code}" for p in rows[:10])
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    response = client.post("/experiences/nouvelle/", _new_form(federations, federation="", top="", stations=listed))
    assert response.status_code == 200
    assert "Choisissez votre fédération" in " ".join(response.context["form"].errors["federation"])
    assert listed.splitlines()[0] in response.content.decode()
    assert not Experiment.objects.exists()


@pytest.mark.parametrize("typed", ["12a", str(2**63)])
def test_a_bad_seed_is_said_next_to_the_field_with_what_was_typed_and_nothing_is_drawn(
    client, make_member, federations, typed
):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq, federations["29"])
    client.force_login(hq)
    response = client.post(f"/experiences/{experiment.pk}/tirage/", {"seed": typed})
    assert response.status_code == 400
    assert response.context["draw_form"].errors["seed"]
    assert f'value="{typed}"' in response.content.decode()
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT and experiment.drawn_at is None


def test_a_declaration_sent_twice_declares_one_campaign(client, make_member, federations):
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    first = client.post("/experiences/nouvelle/", _new_form(federations))
    second = client.post("/experiences/nouvelle/", _new_form(federations))
    experiment = Experiment.objects.get()
    assert first["Location"] == second["Location"] == f"/experiences/{experiment.pk}/"
    assert experiment.bureaux.count() == 40


def test_activists_pages_never_mention_controls(client, make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _running(hq, federations["29"])
    method = Method.objects.order_by("position").first()
    treated = experiment.bureaux.filter(treated=True).first().polling_station
    mission(federations["29"], method, title="Traité", stations=[treated])
    client.force_login(make_member(Role.ACTIVIST, "29"))
    page = client.get("/missions/pour-moi/").content.decode()
    assert "Traité" in page and "témoin" not in page and "expérience" not in page.lower()
    assert np.isfinite(experiment.power["mde_left_share"])


def test_the_experiment_page_lists_missions_planned_in_control_bureaux_before_the_draw(
    client, make_member, federations
):
    hq = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq, federations["29"])
    bureaux = experiment.bureaux.select_related("polling_station")
    method = Method.objects.order_by("position").first()
    planned = {
        b.polling_station_id: mission(
            federations["29"], method, title=f"Prévue {b.polling_station}", stations=[b.polling_station]
        )
        for b in bureaux
    }
    experiments.draw(experiment, 21, by=hq)
    client.force_login(hq)
    page = client.get(f"/experiences/{experiment.pk}/").content.decode()
    listed = page.split('<ul id="planned">')[1].split("</ul>")[0]
    for b in experiment.bureaux.all():
        assert (f"/missions/{planned[b.polling_station_id].pk}/" in listed) is (not b.treated)


def test_only_the_campaigns_hq_declares_draws_and_launches_it(make_member, federations):
    from django.core.exceptions import PermissionDenied

    hq29, hq75 = make_member(Role.FEDERAL_HQ, "29"), make_member(Role.FEDERAL_HQ, "75")
    with pytest.raises(PermissionDenied):
        _declare(hq75, federations["29"])
    with pytest.raises(PermissionDenied):
        _declare(hq29, None, top=None, station_ids=[])  # a national campaign is for national HQ
    experiment = _declare(hq29, federations["29"])
    with pytest.raises(PermissionDenied):
        experiments.draw(experiment, 1, by=hq75)
    experiments.draw(experiment, 1, by=make_member(Role.NATIONAL_HQ))
    with pytest.raises(PermissionDenied):
        experiments.start(experiment, by=make_member(Role.ACTIVIST, "29"))
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAWN and Experiment.objects.count() == 1


def test_the_experiment_page_lists_each_strata_bureaux_in_numeric_order(client, make_member, federations):
    from circonscriptions.stations import natural_key

    hq29 = make_member(Role.FEDERAL_HQ, "29")
    experiment = _declare(hq29, federations["29"], top=60)
    client.force_login(hq29)
    rows = client.get(f"/experiences/{experiment.pk}/").context["rows"]
    assert len(rows) == 60
    keys = [
        (row["stratum"], row["bureau"].split(" — bureau ")[0], row["bureau"].split(" — bureau ")[1]) for row in rows
    ]
    # Brest's bureau 32 comes before its bureau 104 within a stratum, as everywhere in QG.
    assert keys == sorted(keys, key=lambda k: (k[0], k[1], natural_key(k[2].split(" (")[0])))


def test_a_simulated_election_is_not_offered_as_a_campaigns_baseline(client, make_member, federations):
    from circonscriptions.models import PollingStationResult

    real = Election.objects.get(slug="legislatives-2024-1")
    simulated = Election.objects.create(
        slug="sim-legislatives-2026-1", kind=real.kind, year=2026, round=1, simulated=True
    )
    row = PollingStationResult.objects.filter(election=real).first()
    PollingStationResult.objects.create(
        election=simulated, polling_station=row.polling_station, registered=row.registered, voters=row.voters,
        abstentions=row.abstentions, blank=row.blank, null=row.null, expressed=row.expressed,
    )  # fmt: skip
    client.force_login(make_member(Role.FEDERAL_HQ, "29"))
    page = client.get("/experiences/nouvelle/").content.decode()
    select = page.split('name="baseline_election"')[1].split("</select>")[0]
    assert f'<option value="{real.pk}">' in select
    assert f'value="{simulated.pk}"' not in select and "simulée" not in select
