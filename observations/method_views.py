"""The methods catalogue (/methodes/): each method's script and published evidence, and next
to it the figures measured over the reports of missions that used it (observations/missions.py),
over the observations the reader may see (hq.scoping), and the effects on the vote measured
by the finished campaign experiments that tested it (hq/experiment_learning.py): those of the
reader's federation and the national ones; a simulated outcome says so on its line."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hq.experiment_learning import measured_effects_by_method
from hq.experiment_words import learning_line
from hq.models import Experiment, Method
from hq.scoping import scope_for, scope_queryset
from observations.missions import measured_by_method
from observations.models import Observation


@login_required
def method_catalogue(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).can_read_territory:
        raise PermissionDenied
    measured = measured_by_method(scope_queryset(Observation.objects.all(), request.user))
    # A national campaign's lesson is for every federation; a federation's, for its own.
    experiments = scope_queryset(Experiment.objects.all(), request.user) | Experiment.objects.filter(
        federation__isnull=True
    )
    effects = {
        method_id: [learning_line(experiment) for experiment in found]
        for method_id, found in measured_effects_by_method(experiments).items()
    }
    methods = [(method, measured.get(method.pk), effects.get(method.pk, [])) for method in Method.objects.all()]
    return render(request, "observations/methods.html", {"methods": methods})
