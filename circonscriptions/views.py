from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from circonscriptions.exports import LEVELS, results_export_chunks
from circonscriptions.models import Election
from hq.scoping import departement_codes, scope_for


@login_required
def results_list(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).can_read_territory:
        raise Http404
    elections = Election.objects.order_by("-year", "kind", "round")
    return render(
        request,
        "circonscriptions/results_list.html",
        {"elections": elections, "departements": departement_codes(request.user)},
    )


@login_required
def results_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """The results CSV of one election, limited to the user's scope (a federal HQ gets its
    département only; asking for another one is a 404, as if it did not exist)."""
    election = get_object_or_404(Election, slug=slug)
    level = request.GET.get("level", "polling_station")
    if level not in LEVELS:
        raise Http404
    scope = scope_for(request.user)
    if not scope.can_read_territory:
        raise Http404
    allowed = departement_codes(request.user)  # None: all of France
    asked = request.GET.get("departement", "").strip().upper() or None
    if asked is not None and allowed is not None and asked not in allowed:
        raise Http404
    departements = [asked] if asked else allowed
    name = f"resultats-{election.slug}-{level}" + (f"-{asked}" if asked else "") + ".csv"
    response = StreamingHttpResponse(
        results_export_chunks(election=election, level=level, departements=departements),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
