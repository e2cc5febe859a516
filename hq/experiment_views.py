"""Pages of the campaign experiments (issue 13): list, declaring, design (draw, power, launch).

Only HQ: national HQ sees every campaign, a federal HQ those of its federation (hq.scoping);
an experiment of another federation is a 404, any other role a 403. The results pages
(/experiences/<id>/resultats/) live in fiches.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circonscriptions.models import PollingStationProfile
from circonscriptions.stations import by_code
from hq import experiments as services
from hq.experiment_forms import DrawForm, ExperimentForm
from hq.experiment_stats import ExperimentError
from hq.models import Experiment, ExperimentStatus
from hq.scoping import get_for_user, scope_for, scope_queryset
from hq.signals import experiment_conflicts
from observations.compliance import experiment_noncompliance


def _require_hq(request: HttpRequest) -> None:
    if not scope_for(request.user).can_write_territory:
        raise PermissionDenied


def _experiment(request: HttpRequest, pk: int) -> Experiment:
    return get_for_user(
        Experiment.objects.select_related("federation__departement", "method", "baseline_election", "outcome_election"),
        request.user,
        write=True,
        pk=pk,
    )


@login_required
def experiment_list(request: HttpRequest) -> HttpResponse:
    _require_hq(request)
    experiments = (
        scope_queryset(Experiment.objects.select_related("federation", "method"), request.user, write=True)
        .annotate(n_bureaux=Count("bureaux"), n_controls=Count("bureaux", filter=Q(bureaux__treated=False)))
        .order_by("-starts_on", "name")
    )
    return render(request, "hq/experiments/list.html", {"experiments": experiments})


@login_required
def experiment_new(request: HttpRequest) -> HttpResponse:
    _require_hq(request)
    form = ExperimentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            experiment = services.create_experiment(
                by=request.user,
                name=data["name"],
                description=data["description"],
                method=data["method"],
                baseline_election=data["baseline_election"],
                federation=data["federation"],
                circonscription=data["circonscription"],
                top=data["top"],
                station_ids=data["stations"],
                control_share=data["control_share"],
                strata_kind=data["strata_kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Campaign declared: check its power, then draw the controls."))
            return redirect("hq:experiment_detail", pk=experiment.pk)
    return render(request, "hq/experiments/new.html", {"form": form})


def _bureaux_rows(experiment: Experiment) -> list[dict]:
    # Within a stratum, bureaux by commune and in numeric order (bureau 32 before bureau 104).
    bureaux = list(
        experiment.bureaux.select_related("polling_station__commune").order_by(
            "stratum", "polling_station__commune__name", *by_code("polling_station__")
        )
    )
    types = dict(
        PollingStationProfile.objects.current()
        .filter(polling_station_id__in=[b.polling_station_id for b in bureaux], profile_type__isnull=False)
        .values_list("polling_station_id", "profile_type__name")
    )
    drawn = experiment.status != ExperimentStatus.DRAFT
    return [
        {
            "bureau": str(b.polling_station),
            "stratum": b.stratum,
            "type": types.get(b.polling_station_id, ""),
            "registered": b.registered,
            "group": (_("treated") if b.treated else _("control")) if drawn else "",
            "control": drawn and not b.treated,
        }
        for b in bureaux
    ]


def _strata_rows(rows: list[dict]) -> list[dict]:
    strata: dict[str, dict] = {}
    for row in rows:
        entry = strata.setdefault(row["stratum"], {"stratum": row["stratum"], "n": 0, "controls": 0})
        entry["n"] += 1
        entry["controls"] += int(row["control"])
    return list(strata.values())


@login_required
def experiment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _experiment(request, pk))


def _detail(request: HttpRequest, experiment: Experiment, *, draw_form=None, status: int = 200) -> HttpResponse:
    rows = _bureaux_rows(experiment)
    return render(
        request,
        "hq/experiments/detail.html",
        {
            "experiment": experiment,
            "rows": rows,
            "strata": _strata_rows(rows),
            "power": services.power_sentences(experiment.power),
            "may_draw": experiment.status in (ExperimentStatus.DRAFT, ExperimentStatus.DRAWN),
            "may_start": experiment.status == ExperimentStatus.DRAWN,
            "draw_form": draw_form or DrawForm(),
            "noncompliance": experiment_noncompliance(experiment),
            "planned": list(services.missions_in_controls(experiment)[:50])
            if experiment.status in (ExperimentStatus.DRAWN, ExperimentStatus.RUNNING)
            else [],
            "finished": experiment.status == ExperimentStatus.FINISHED,
            "published": _published_in_controls(experiment),
        },
        status=status,
    )


def _published_in_controls(experiment) -> list[dict]:
    """What the higher apps have published that still sends activists to the control bureaux
    (fiches, through hq.signals.experiment_conflicts): to republish before or during the campaign."""
    if experiment.status not in (ExperimentStatus.DRAWN, ExperimentStatus.RUNNING):
        return []
    controls = set(experiment.bureaux.filter(treated=False).values_list("polling_station_id", flat=True))
    found: list[dict] = []
    for _receiver, items in experiment_conflicts.send(sender=Experiment, experiment=experiment, station_ids=controls):
        found.extend(items or [])
    return found


@login_required
@require_POST
def experiment_draw(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment(request, pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        # The page again, the seed as typed and the error next to it.
        return _detail(request, experiment, draw_form=form, status=400)
    try:
        experiment = services.draw(experiment, form.cleaned_data["seed"], by=request.user)
    except ExperimentError as error:
        messages.error(request, str(error))
    else:
        services.power_for(experiment)
        messages.success(request, _("Controls drawn with seed %(seed)s.") % {"seed": experiment.seed})
    return redirect("hq:experiment_detail", pk=experiment.pk)


@login_required
@require_POST
def experiment_start(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment(request, pk)
    try:
        services.start(experiment, by=request.user)
    except ExperimentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Campaign launched: the draw is frozen and control bureaux are held back."))
    return redirect("hq:experiment_detail", pk=experiment.pk)
