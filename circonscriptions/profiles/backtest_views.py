"""The back-test page (/carte/verification/) and the summary the overview page shows: HQ only.

A back-test covers every bureau loaded, whatever the département: national and federal
HQ read it (it qualifies the profiles they target with); secretaries and activists get
a 403, as on the other pages reserved to HQ.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from circonscriptions.models import ProfileBacktest
from circonscriptions.profiles.backtest import reliability_svg
from hq.scoping import scope_for

EARLIER_SHOWN = 20


def latest_backtest_for(user) -> ProfileBacktest | None:
    """The latest back-test, for HQ members; None for anyone else (the overview then shows nothing)."""
    if not scope_for(user).can_write_territory:
        return None
    return ProfileBacktest.objects.first()


@login_required
def profile_backtest(request: HttpRequest) -> HttpResponse:
    """The latest back-test (or ?id=N): per-class accuracy, calibration before and after, reliability diagram."""
    if not scope_for(request.user).can_write_territory:
        raise PermissionDenied
    wanted = request.GET.get("id", "")
    if wanted:
        if not wanted.isdigit():  # a hand-edited address: no such back-test
            raise Http404
        backtest = get_object_or_404(ProfileBacktest, pk=int(wanted))
    else:
        backtest = ProfileBacktest.objects.first()
    context: dict = {"backtest": backtest, "earlier": ProfileBacktest.objects.all()[:EARLIER_SHOWN]}
    if backtest is not None:
        calibration = backtest.calibrated_figures or {}
        after = calibration.get("calibration_after")
        before = backtest.figures.get("calibration", [])
        context["rows"] = [
            {"before": b, "after": a} for b, a in zip(before, after or [None] * len(before), strict=True)
        ]
        # Built from numbers and fixed words by a pure function: safe to insert as is.
        context["diagram"] = mark_safe(reliability_svg(before, after))  # noqa: S308
        context["calibration"] = calibration
    return render(request, "circonscriptions/profile_backtest.html", context)
