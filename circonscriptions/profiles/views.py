"""Pages of the voter profiles: overview, circonscription, polling station. Thin views over queries.

Every object and list goes through hq.scoping (get_for_user, scope_queryset): a federal
HQ sees its département, a national HQ all of France. Pages read the current run
only, so a recompute in progress never shows half-written figures.
"""

import json
import re
from collections import Counter, defaultdict

from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, Intersection
from django.core.cache import cache
from django.db.models import Avg, Count, Max, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from circonscriptions.models import (
    Circonscription,
    CirconscriptionShape,
    Commune,
    CommuneShape,
    Leaning,
    PollingStation,
    PollingStationProfile,
    PollingStationResult,
    PollingStationVotes,
    ProfileRun,
    ProfileType,
)
from circonscriptions.places import places_for_map
from circonscriptions.profiles.backtest_views import latest_backtest_for
from circonscriptions.profiles.charts import vote_history_svg
from circonscriptions.profiles.exports import PROFILE_CSV_HEADER, profile_csv_rows
from circonscriptions.profiles.facts import station_facts
from circonscriptions.profiles.leanings import leaning_colour, leaning_style, opponent_name
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.rules import BLOCS, leaning_reason
from circonscriptions.stations import by_code
from circonscriptions.templatetags.profile_tags import num
from hq.scoping import departement_codes, get_for_user, scope_queryset
from observations.queries import observation_summary_for

GEOJSON_PRECISION = 5  # about one metre: plenty for a map, a third of the bytes of full precision
BODY_CACHE_SECONDS = 24 * 3600


def _feature(geojson: str | None, properties: dict) -> dict | None:
    if not geojson:
        return None
    return {"type": "Feature", "geometry": json.loads(geojson), "properties": properties}


def _assumptions(run: ProfileRun | None) -> dict:
    """The run's parameters, and where its contact rate came from (`run.sources`, filled by the run)."""
    params = ProfileParameters.from_dict(run.parameters) if run else ProfileParameters()
    sources = (run.sources if run else None) or {}
    contact = sources.get("contact_rate") if isinstance(sources.get("contact_rate"), dict) else {}
    contact_rate = contact.get("value", params.contact_rate)
    return {
        "params": params,
        "hours": params.activist_hours,
        "contact_rate": contact_rate,
        "contact_rate_source": contact.get("source") or _("the profile settings (no observation-based rate yet)"),
        "contacts_per_hour": params.doors_per_hour * contact_rate,
        # Where the effects come from: the studies' defaults, the admin, or a campaign experiment.
        "persuasion_source": (sources.get("persuasion_effect") or {}).get("source", ""),
        "mobilisation_source": (sources.get("mobilisation_effect") or {}).get("source", ""),
    }


METROPOLITAN_DEPARTEMENT = re.compile(r"^(\d\d|2A|2B)$")


def _map_config(hours: float) -> dict:
    """What the map scripts need to colour and caption: the leaning table and the legends' titles.

    Handed over with json_script so that labels and colours live in Python only.
    """
    hours_text = num(hours, 0)
    return {
        "leanings": leaning_style(),
        "language": "en-GB" if (get_language() or "fr").startswith("en") else "fr-FR",
        "legends": {
            "leaning": {"title": _("Leaning of the polling station")},
            "priority": {"title": _("Priority (votes won for %(hours)s h)") % {"hours": hours_text}, "digits": 1},
            "opportunity": {
                "title": _("Opportunity (votes won for %(hours)s h, mean per station)") % {"hours": hours_text},
                "digits": 1,
            },
            "abstention": {"title": _("Abstention (%)"), "percent": True},
            "turnout_differential": {
                "title": _("Intermittent voters (présidentielle turnout minus the others, points)"),
                "points": True,
                "hotspot": _("outlined: intermittent voters hotspot"),
            },
        },
        "no_value": _("no value"),
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
                **{f"n_{value}": Count("pk", filter=Q(leaning=value)) for value in Leaning.values},
                # Bureaux whose figures leave out at least one election (incomplete nuances).
                with_exclusions=Count("pk", filter=~Q(excluded_elections=[])),
                left_share=Avg("share_expr_left"),
                abstention=Avg("abstention_rate_avg"),
            )
        )
        stats = {row["circonscription"]: row for row in rows}
    ranked, features = [], []
    overseas: dict[str, str] = {}
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
                "departement": circo.departement.code,
                "metropolitan": bool(METROPOLITAN_DEPARTEMENT.match(circo.departement.code))
                and circo.departement.code != "99",
            },
        )
        if feature:
            features.append(feature)
            if not feature["properties"]["metropolitan"]:
                overseas[circo.departement.code] = circo.departement.name
    ranked.sort(key=lambda r: -(r["opportunity"] or 0))
    for i, row in enumerate(ranked, start=1):
        row["rank"] = i
    scope_codes = departement_codes(request.user)
    assumptions = _assumptions(run)
    return render(
        request,
        "circonscriptions/profile_overview.html",
        {
            "run": run,
            "ranked": ranked,
            "map_data": {"type": "FeatureCollection", "features": features},
            "overseas": sorted(overseas.items()),
            "leanings": leaning_style(),
            "departement": departement or (scope_codes[0] if scope_codes else ""),
            "national": scope_codes is None,
            "backtest": latest_backtest_for(request.user),
            **assumptions,
            "map_config": _map_config(assumptions["hours"]),
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
        .order_by("rank_circonscription", "polling_station__commune__code", *by_code("polling_station__"))
    )
    types = list(ProfileType.objects.filter(run=run, circonscription=circo).order_by("key"))
    counts: dict[str, int] = defaultdict(int)
    for p in profiles:
        counts[p.leaning] += 1
    features = []
    for p in profiles:
        p.url = reverse("profiles:polling_station", kwargs={"pk": p.polling_station_id})
        p.leaning_colour = leaning_colour(p.leaning)
        feature = _feature(
            p.geojson,
            {
                "name": str(p.polling_station),
                "url": p.url,
                "leaning": p.leaning,
                "priority": p.priority_score,
                "abstention": p.abstention_rate_avg,
                "hotspot": p.abstention_hotspot,
                "turnout_differential": p.turnout_differential,
                "turnout_differential_hotspot": p.turnout_differential_hotspot,
            },
        )
        if feature:
            features.append(feature)
    unmapped = [p for p in profiles if not p.geojson]
    features.extend(_unmapped_by_commune(unmapped, circo))
    assumptions = _assumptions(run)
    context = {
        "circonscription": circo,
        "run": run,
        "profiles": profiles,
        "types": types,
        "map_data": {"type": "FeatureCollection", "features": features},
        "outline": json.loads(circo.geojson) if circo.geojson else None,
        "places": places_for_map(Commune.objects.filter(circonscriptions=circo)),
        "unmapped": len(unmapped),
        "excluded": excluded_summary(profiles),
        "redrawn": sum(1 for p in profiles if p.redistricting_suspected),
        "leaning_counts": [{**style, "count": counts.get(style["value"], 0)} for style in leaning_style()],
        **assumptions,
        "map_config": _map_config(assumptions["hours"]),
    }
    html = render_to_string("circonscriptions/circonscription_profiles_body.html", context, request=request)
    return {"html": html, "stations": len(profiles)}


def _mean(values: list) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _unmapped_by_commune(unmapped: list, circo: Circonscription) -> list[dict]:
    """Bureaux with no contour loaded, drawn together on their commune's outline (clipped to the
    circonscription when its outline is known), so that a map still shows the profiles: the
    colour is their most frequent leaning, the other figures their mean, and the tooltip says
    how many bureaux the area stands for. A bureau's own contour, once imported, replaces it."""
    by_commune: dict[int, list] = defaultdict(list)
    for p in unmapped:
        by_commune[p.polling_station.commune_id].append(p)
    if not by_commune:
        return []
    outline = Coalesce("geom_simple", "geom")
    circo_geom = Subquery(CirconscriptionShape.objects.filter(circonscription=circo).values("geom")[:1])
    # The whole commune when the circonscription has no outline (the intersection is then NULL).
    area = Coalesce(Intersection(outline, circo_geom), outline, output_field=GeometryField(srid=4326))
    shapes = (
        CommuneShape.objects.filter(commune_id__in=by_commune)
        .annotate(area=AsGeoJSON(area, precision=GEOJSON_PRECISION))
        .values_list("commune_id", "commune__name", "area")
    )
    features = []
    for commune_id, name, geojson in shapes:
        group = by_commune[commune_id]
        leanings = Counter(p.leaning for p in group)
        feature = _feature(
            geojson,
            {
                "name": ngettext(
                    "%(commune)s: %(n)s polling station without a contour, shown on its commune",
                    "%(commune)s: %(n)s polling stations without a contour, shown together",
                    len(group),
                )
                % {"commune": name, "n": len(group)},
                "leaning": leanings.most_common(1)[0][0],
                "priority": _mean([p.priority_score for p in group]),
                "abstention": _mean([p.abstention_rate_avg for p in group]),
                "hotspot": False,
                "turnout_differential": _mean([p.turnout_differential for p in group]),
                "turnout_differential_hotspot": False,
                "stations": len(group),
            },
        )
        if feature and feature["geometry"].get("coordinates"):
            features.append(feature)
    return features


def excluded_summary(profiles) -> list[dict]:
    """The elections left out of some bureaux' figures: [{label, stations, reasons}], most bureaux first.

    Read from each profile's `excluded_elections` (already loaded): no query.
    """
    by_election: dict[str, dict] = {}
    for p in profiles:
        for item in p.excluded_elections or []:
            key = item.get("election") or item.get("label", "")
            entry = by_election.setdefault(key, {"label": item.get("label") or key, "stations": 0, "reasons": []})
            entry["stations"] += 1
            reason = item.get("reason")
            if reason and reason not in entry["reasons"] and len(entry["reasons"]) < 3:
                entry["reasons"].append(reason)
    return sorted(by_election.values(), key=lambda e: (-e["stations"], e["label"]))


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
            "excluded_labels": [e.get("label") for e in profile.excluded_elections] if profile else [],
            # Built from numbers and escaped labels by a pure function: safe to insert as is.
            "chart": mark_safe(chart),  # noqa: S308
            **station_facts(station, run),
            "opponent": opponent_name(profile.opponent) if profile else "",
            "leaning_colour": leaning_colour(profile.leaning if profile else None),
            **_assumptions(run),
        },
    )
