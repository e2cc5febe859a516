"""The estimate of a campaign experiment (issue 13, item 3): a page, a one-page PDF, the
« Estimer » form and the national HQ's « use this effect for the priorities » action.

The page renders the `result` dict that observations/evaluation.py stores on the
experiment, nothing else: a chart (fiches/evaluation_chart.py), the sentences an analyst
can repeat (hq/experiment_words.py), the bureaux left out and why, non-compliance and
caveats; « Résultat simulé — pas un vrai scrutin » over everything when the outcome was made
by the simulation module. National HQ and the experiment's federal HQ only (hq.scoping: a
campaign of another federation, or a national one for a federal HQ, is a 404; a secretary
or an activist gets a 403).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from fiches.evaluation_chart import experiment_effect_svg
from fiches.forms import EstimateForm, UseEffectForm, election_label
from fiches.pdf import pdf_document
from hq import experiment_words as words
from hq.experiment_learning import PARAMETERS, SIMULATED_REFUSAL, EffectNotUsable, experiment_effect_apply
from hq.experiment_stats import ExperimentError
from hq.models import Experiment, ExperimentStatus, Role
from hq.scoping import get_for_user, scope_for
from observations.evaluation import estimate_experiment

HQ_ROLES = (Role.NATIONAL_HQ, Role.FEDERAL_HQ)
# The PDF holds one page: a long list of bureaux left out is cut (the page has it whole).
PDF_EXCLUDED_SHOWN = 6
ESTIMABLE = (ExperimentStatus.RUNNING, ExperimentStatus.FINISHED)


def experiment_for_results(request: HttpRequest, pk: int) -> Experiment:
    """The experiment if the user is national HQ or the federal HQ of its federation; 403 / 404 otherwise."""
    if scope_for(request.user).role not in HQ_ROLES:
        raise PermissionDenied
    qs = Experiment.objects.select_related("federation__departement", "method", "baseline_election", "outcome_election")
    return get_for_user(qs, request.user, write=True, pk=pk)


def results_context(experiment: Experiment, *, excluded_shown: int | None = None) -> dict:
    """What the page and the PDF print, all taken from `experiment.result`."""
    result = experiment.result or {}
    simulated = bool(result.get("simulated") or experiment.outcome_simulated)
    excluded = list(result.get("excluded") or [])
    measures = [
        {
            "sentence": words.measure_sentence(key, result[key]),
            "changes": words.changes_sentence(key, result[key]),
        }
        for key in ("left_share", "turnout")
        if result.get(key)
    ]
    baseline = (result.get("baseline_election") or {}).get("label") or str(experiment.baseline_election)
    outcome = (result.get("outcome_election") or {}).get("label") or ""
    chart = experiment_effect_svg(result) if result else ""

    def count(key: str) -> str:
        return words.plain(result.get(key), 0)

    return {
        "experiment": experiment,
        "campaign": words.campaign_label(experiment),
        "result": result,
        "has_result": bool(result),
        "simulated": simulated,
        "simulated_banner": words.SIMULATED_BANNER,
        # Drawn from numbers and escaped labels by a pure function: safe as is.
        "chart_svg": mark_safe(chart),  # noqa: S308
        "summary": result.get("summary", ""),
        "measures": measures,
        "per_door": words.per_door_sentence(result.get("per_door")),
        "noncompliance": words.noncompliance_sentence(result.get("noncompliance")),
        "caveats": words.caveats(result) if result else [],
        "excluded": excluded[:excluded_shown] if excluded_shown is not None else excluded,
        "excluded_more": max(0, len(excluded) - excluded_shown) if excluded_shown is not None else 0,
        "excluded_count": len(excluded),
        "design": (
            f"{count('n_bureaux')} bureaux estimés ({count('n_treated')} ciblés, {count('n_control')} témoins) "
            f"dans {count('n_strata')} strates ; élection de référence : {baseline} ; élection de sortie : {outcome}."
        )
        if result
        else "",
    }


def _page(request: HttpRequest, experiment: Experiment, *, form=None, use_error: str = "", status: int = 200):
    scope = scope_for(request.user)
    context = results_context(experiment)
    context.update(
        {
            "can_estimate": experiment.status in ESTIMABLE,
            "form": form
            or EstimateForm(
                experiment=experiment,
                initial={"outcome_election": experiment.outcome_election.slug if experiment.outcome_election else None},
            ),
            "can_use_effect": scope.is_national
            and experiment.status == ExperimentStatus.FINISHED
            and bool(experiment.result),
            "use_error": use_error,
            # Said before anyone clicks: a made-up election never sets the real priorities.
            "simulated_refusal": SIMULATED_REFUSAL,
            "used_lines": [
                f"Déjà utilisé : {name} réglé à {words.plain(item.get('value'), 3)} le "
                f"{'/'.join(reversed(str(item.get('at', ''))[:10].split('-')))}."
                for name, item in ((experiment.result or {}).get("used_for_parameters") or {}).items()
                if isinstance(item, dict)
            ],
        }
    )
    return render(request, "fiches/experiments/results.html", context, status=status)


@login_required
def experiment_results(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the estimate. POST: « Estimer » on the chosen outcome election (nothing saved on a refusal)."""
    experiment = experiment_for_results(request, pk)
    if request.method != "POST":
        return _page(request, experiment)
    form = EstimateForm(request.POST, experiment=experiment)
    if experiment.status not in ESTIMABLE:
        form.is_valid()
        form.add_error(None, "La campagne n'a pas commencé : le tirage doit être figé avant toute estimation.")
        return _page(request, experiment, form=form, status=400)
    if not form.is_valid():
        return _page(request, experiment, form=form, status=400)
    election = form.cleaned_data["outcome_election"]
    try:
        estimate_experiment(experiment, election)
    except ExperimentError as exc:  # the estimation service's French refusal: nothing was saved
        form.add_error("outcome_election", str(exc))
        experiment.refresh_from_db()
        return _page(request, experiment, form=form, status=400)
    messages.success(request, f"Effet estimé sur {election_label(election)}.")
    return redirect("evaluation:results", pk=experiment.pk)


def results_pdf_html(experiment: Experiment) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "fiches/experiments/results_pdf.html", results_context(experiment, excluded_shown=PDF_EXCLUDED_SHOWN)
        )


def results_document(experiment: Experiment):
    """The laid-out WeasyPrint document (one page; the tests count them)."""
    return pdf_document(results_pdf_html(experiment))


@login_required
def experiment_results_pdf(request: HttpRequest, pk: int) -> FileResponse:
    experiment = experiment_for_results(request, pk)
    return FileResponse(
        io.BytesIO(results_document(experiment).write_pdf()),
        content_type="application/pdf",
        filename=f"experience-{experiment.pk}-resultats.pdf",
    )


@login_required
@require_POST
def experiment_use_effect(request: HttpRequest, pk: int) -> HttpResponse:
    """National HQ only: set the priority's persuasion or mobilisation effect from this estimate."""
    experiment = experiment_for_results(request, pk)
    if not scope_for(request.user).is_national:
        raise PermissionDenied
    form = UseEffectForm(request.POST)
    if not form.is_valid():
        return _page(request, experiment, use_error=str(form.errors["kind"][0]), status=400)
    try:
        values = experiment_effect_apply(experiment=experiment, kind=form.cleaned_data["kind"])
    except EffectNotUsable as exc:
        return _page(request, experiment, use_error=str(exc), status=400)
    name = PARAMETERS[form.cleaned_data["kind"]]
    messages.success(
        request,
        f"Paramètre {name} réglé à {words.plain(values[name], 3)} (fourchette {words.plain(values[name + '_low'], 3)} "
        f"à {words.plain(values[name + '_high'], 3)}) ; les priorités seront recalculées dans un moment.",
    )
    return redirect("evaluation:results", pk=experiment.pk)
