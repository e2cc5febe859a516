"""Pages of the voter profiles: overview, circonscription, polling station. Thin views over queries.

Every object and list goes through hq.scoping (get_for_user, scope_queryset): a federal
HQ sees its département, a national HQ all of France. Pages read the current run
only, so a recompute in progress never shows half-written figures.
"""

import json
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.cache import cache
from django.db.models import Avg, Count, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from circonscriptions.models import (
    Circonscription,
    IndicatorValue,
    PollingStation,
    PollingStationIndicator,
    PollingStationProfile,
    PollingStationResult,
    PollingStationVotes,
    ProfileRun,
    ProfileType,
)
from circonscriptions.profiles.charts import vote_history_svg
from circonscriptions.profiles.exports import PROFILE_CSV_HEADER, profile_csv_rows
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.rules import BLOCS, leaning_reason
from hq.scoping import departement_codes, get_for_user, scope_queryset
from observations.queries import observation_summary_for

GEOJSON_PRECISION = 5  # about one metre: plenty for a map, a third of the bytes of full precision
BODY_CACHE_SECONDS = 24 * 3600


def _feature(geojson: str | None, properties: dict) -> dict | None:
    if not geojson:
        return None
    return {"type": "Feature", "geometry": json.loads(geojson), "properties": properties}


def _assumptions(run: ProfileRun | None) -> dict:
    params = ProfileParameters.from_dict(run.parameters) if run else ProfileParameters()
    return {
        "params": params,
        "contacts_per_hour": params.doors_per_hour * params.contact_rate,
    }


@login_required
def profile_overview(request: HttpRequest) -> HttpResponse:
    """Circonscriptions in scope ranked by opportunity (mean priority of their polling stations), with a map."""
    run = ProfileRun.objects.current()
    circos = scope_queryset(Circonscription.objects.select_related("departement"), request.user)
    departement = request.GET.get("departement")
    if departement:
        circos = circos.filter(departement__code=departement)
    circos = circos.annotate(
        geojson=AsGeoJSON(Coalesce("shape__geom_simple", "shape__geom"), precision=GEOJSON_PRECISION)
    )
    stats = {}
    if run is not None:
        rows = (
            PollingStationProfile.objects.filter(run=run, circonscription__in=circos.values("pk"))
            .values("circonscription")
            .annotate(
                stations=Count("pk"),
                opportunity=Avg("priority_score"),
                best=Max("priority_score"),
                hotspots=Count("pk", filter=Q(abstention_hotspot=True)),
                left_hotspots=Count("pk", filter=Q(left_abstention_hotspot=True)),
                left=Count("pk", filter=Q(leaning="left")),
                swing=Count("pk", filter=Q(leaning="swing")),
                right=Count("pk", filter=Q(leaning="right")),
                left_share=Avg("share_expr_left"),
                abstention=Avg("abstention_rate_avg"),
            )
        )
        stats = {row["circonscription"]: row for row in rows}
    ranked, features = [], []
    for circo in circos:
        row = stats.get(circo.pk)
        url = reverse("profiles:circonscription", kwargs={"code": circo.code})
        if row:
            ranked.append({**row, "circonscription": circo, "url": url})
        feature = _feature(
            circo.geojson,
            {
                "name": str(circo),
                "code": circo.code,
                "url": url,
                "opportunity": row["opportunity"] if row else None,
            },
        )
        if feature:
            features.append(feature)
    ranked.sort(key=lambda r: -(r["opportunity"] or 0))
    for i, row in enumerate(ranked, start=1):
        row["rank"] = i
    scope_codes = departement_codes(request.user)
    return render(
        request,
        "circonscriptions/profile_overview.html",
        {
            "run": run,
            "ranked": ranked,
            "map_data": {"type": "FeatureCollection", "features": features},
            "departement": departement or (scope_codes[0] if scope_codes else ""),
            "national": scope_codes is None,
            **_assumptions(run),
        },
    )


def _circonscription_body(request: HttpRequest, circo: Circonscription, run: ProfileRun) -> dict:
    """The heavy part of a circonscription page: map data, profils-types, the table (three queries)."""
    profiles = list(
        scope_queryset(PollingStationProfile.objects.filter(run=run, circonscription=circo), request.user)
        .select_related("polling_station__commune", "profile_type")
        .annotate(
            geojson=AsGeoJSON(
                Coalesce("polling_station__shape__geom_simple", "polling_station__shape__geom"),
                precision=GEOJSON_PRECISION,
            )
        )
        .order_by("rank_circonscription", "polling_station__commune__code", "polling_station__code")
    )
    types = list(ProfileType.objects.filter(run=run, circonscription=circo).order_by("key"))
    features = []
    for p in profiles:
        p.url = reverse("profiles:polling_station", kwargs={"pk": p.polling_station_id})
        feature = _feature(
            p.geojson,
            {
                "name": str(p.polling_station),
                "url": p.url,
                "leaning": p.leaning,
                "priority": p.priority_score,
                "abstention": p.abstention_rate_avg,
                "hotspot": p.abstention_hotspot,
            },
        )
        if feature:
            features.append(feature)
    context = {
        "circonscription": circo,
        "run": run,
        "profiles": profiles,
        "types": types,
        "map_data": {"type": "FeatureCollection", "features": features},
        "outline": json.loads(circo.geojson) if circo.geojson else None,
        "unmapped": len(profiles) - len(features),
        **_assumptions(run),
    }
    html = render_to_string("circonscriptions/circonscription_profiles_body.html", context, request=request)
    return {"html": html, "stations": len(profiles)}


def _body_cache_key(run: ProfileRun, circo: Circonscription, user) -> str:
    # A run's rows never change: its id and start time name them for good (the time keeps
    # keys apart across databases that reuse ids, such as test databases). The scope is in
    # the key because the rows are scoped too (a bureau filed under the wrong département
    # must not reach a federal HQ through a page cached for a national one).
    codes = departement_codes(user)
    scope = "all" if codes is None else ",".join(codes)
    # "csp": bodies cached before the Content-Security-Policy held an inline map script it now refuses.
    return f"profiles:circo:csp:{run.pk}:{run.started_at.timestamp()}:{circo.code}:{scope}:{get_language()}"


@login_required
def circonscription_profiles(request: HttpRequest, code: str) -> HttpResponse:
    """One circonscription: choropleth of its polling stations, sortable table, profils-types.

    The scope is checked on every request; the rendered body is cached for the life of the
    run (a complete run never changes), so only the first reader after a recompute pays
    for rendering a few thousand figures.
    """
    circo = get_for_user(
        Circonscription.objects.select_related("departement").annotate(
            geojson=AsGeoJSON(Coalesce("shape__geom_simple", "shape__geom"), precision=GEOJSON_PRECISION)
        ),
        request.user,
        code=code,
    )
    run = ProfileRun.objects.current()
    body = None
    if run is not None:
        key = _body_cache_key(run, circo, request.user)
        try:
            body = cache.get(key)
        except Exception:  # Redis down: render without the cache rather than fail the page
            body = None
        if body is None:
            body = _circonscription_body(request, circo, run)
            try:
                cache.set(key, body, timeout=BODY_CACHE_SECONDS)
            except Exception:  # noqa: S110 (same: the page is served anyway)
                pass
    return render(
        request,
        "circonscriptions/circonscription_profiles.html",
        # What activists reported there changes between runs: never cached with the body.
        {"circonscription": circo, "run": run, "body": body, "observations": observation_summary_for(circo)},
    )


@login_required
def circonscription_profiles_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The same rows as `manage.py export_profiles --circonscription CODE`, as a download."""
    import csv

    circo = get_for_user(Circonscription, request.user, code=code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="profils-{circo.code}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(PROFILE_CSV_HEADER)
    try:
        writer.writerows(profile_csv_rows(circonscription=circo.code))
    except ValueError:  # nothing computed yet: the header alone says so
        pass
    return response


def _history(station: PollingStation) -> list[dict]:
    """Per election (first and second rounds), bloc shares of expressed votes and abstention: two queries."""
    results = list(
        PollingStationResult.objects.filter(polling_station=station)
        .select_related("election")
        .order_by("election__date", "election__year", "election__round")
    )
    votes = defaultdict(dict)
    for row in (
        PollingStationVotes.objects.filter(result__polling_station=station)
        .values("result_id", "nuance__bloc")
        .annotate(total=Sum("votes"))
    ):
        votes[row["result_id"]][row["nuance__bloc"] or "other"] = row["total"]
    points = []
    for r in results:
        e = r.election
        shares = {b: (votes[r.pk].get(b, 0) / r.expressed if r.expressed else None) for b in BLOCS}
        points.append(
            {
                "label": f"{e.get_kind_display().capitalize()} {e.year} T{e.round}",
                "shares": shares,
                "abstention": r.abstentions / r.registered if r.registered else None,
                "registered": r.registered,
                "expressed": r.expressed,
            }
        )
    return points


def _indicators(station: PollingStation, run: ProfileRun | None) -> list[dict]:
    """Socio-economic values from the finest level available for each variable (two queries).

    Finest first: values carried to the station's contour by areal weighting (this run),
    then the station's own, its commune's, its circonscription's.
    """
    finest: dict[tuple[int, str], dict] = {}
    if run is not None:
        carried = PollingStationIndicator.objects.filter(run=run, polling_station=station).select_related("variable")
        for v in carried:
            level = _("polling station (areal weighting of %(level)s values, %(coverage)s of its area covered)") % {
                "level": IndicatorValue.Level(v.level).label,
                "coverage": f"{100 * v.coverage:.0f} %",
            }
            finest[(v.variable_id, v.vintage)] = {"variable": v.variable, "value": v.value, "level": level, "rank": -1}
    levels = [
        (IndicatorValue.Level.POLLING_STATION, f"{station.commune.code}_{station.code}"),
        (IndicatorValue.Level.COMMUNE, station.commune.code),
    ]
    if station.circonscription:
        levels.append((IndicatorValue.Level.CIRCONSCRIPTION, station.circonscription.code))
    condition = Q()
    for level, code in levels:
        condition |= Q(level=level, territory_code=code)
    rank = {level: i for i, (level, _code) in enumerate(levels)}
    for value in IndicatorValue.objects.filter(condition).select_related("variable"):
        key = (value.variable_id, value.vintage)
        seen = finest.get(key)
        if seen is None or rank[value.level] < seen["rank"]:
            finest[key] = {
                "variable": value.variable,
                "value": value.value,
                "level": value.get_level_display(),
                "rank": rank[value.level],
            }
    return [
        {
            "label": str(f["variable"]),
            "value": f["value"],
            "unit": f["variable"].unit,
            "level": f["level"],
            "vintage": vintage,
        }
        for (_id, vintage), f in sorted(finest.items(), key=lambda item: (str(item[1]["variable"]), item[0][1]))
    ]


@login_required
def polling_station_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """One polling station: vote history chart, abstention over time, facts, leaning and its reason."""
    station = get_for_user(
        PollingStation.objects.select_related("commune__departement", "circonscription"), request.user, pk=pk
    )
    run = ProfileRun.objects.current()
    profile = None
    if run is not None:
        profile = (
            PollingStationProfile.objects.filter(run=run, polling_station=station)
            .select_related("profile_type")
            .first()
        )
    history = _history(station)
    params = ProfileParameters.from_dict(run.parameters) if run else ProfileParameters()
    reason = (
        leaning_reason(
            leaning=profile.leaning,
            margin_avg=profile.margin_avg,
            margin_sd=profile.margin_sd,
            n_elections=profile.n_elections,
            params=params,
        )
        if profile
        else ""
    )
    chart = vote_history_svg(history, title=_("Votes by bloc and abstention, election by election"))
    return render(
        request,
        "circonscriptions/polling_station_profile.html",
        {
            "station": station,
            "run": run,
            "profile": profile,
            "reason": reason,
            "history": history,
            # Built from numbers and escaped labels by a pure function: safe to insert as is.
            "chart": mark_safe(chart),  # noqa: S308
            "indicators": _indicators(station, run),
            **_assumptions(run),
        },
    )
