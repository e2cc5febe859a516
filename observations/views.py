"""Pages of the fiches d'observation: the phone form and its two small JSON helpers
(position → polling station, commune → polling stations), and HQ's list, map,
aggregates and participants. Everything is scoped through hq.scoping.
"""

import hashlib
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from circonscriptions.models import Commune, CommuneShape, PollingStation, PollingStationShape
from circonscriptions.places import places_for_map
from circonscriptions.stations import by_code, station_label
from hq.audit import audit_read
from hq.models import Role
from hq.scoping import get_for_user, scope_for, scope_queryset
from observations.detector import flags
from observations.forms import (
    SUPPORTER_CONSENT_TEXT,
    ObservationFilterForm,
    ObservationForm,
    SupporterFormSet,
    catalogue,
)
from observations.missions import contact_rates_by_mission, mission_for_report, missions_to_report, report_initial
from observations.models import Observation, Quote, QuoteField
from observations.queries import mobilisable_people, observation_summary, quotes_to_review, quotes_waiting_count
from observations.services import (
    NewSupporter,
    NoFederation,
    ObservationData,
    ObservationKeyTaken,
    QuoteDecision,
    QuoteRefused,
    observation_submit,
    quote_review,
)

HQ_ROLES = (Role.NATIONAL_HQ, Role.FEDERAL_HQ, Role.SECRETARY)
# Participants are personal data: only the HQs that may mobilise them see them.
PEOPLE_ROLES = (Role.NATIONAL_HQ, Role.FEDERAL_HQ)


def _require_member(request: HttpRequest) -> None:
    if not scope_for(request.user).can_read_territory:
        raise PermissionDenied


def _require_reporter(request: HttpRequest) -> None:
    if not scope_for(request.user).can_file_observations:
        raise PermissionDenied


def _require_role(request: HttpRequest, roles) -> None:
    if scope_for(request.user).role not in roles:
        raise PermissionDenied


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _names_someone(request: HttpRequest) -> bool:
    return any(
        value.strip()
        for key, value in request.POST.items()
        if key.startswith("supporters-") and key.rsplit("-", 1)[-1] in ("name", "email", "phone")
    )


def _errors(form, formset) -> dict[str, list[str]]:
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    for i, sub in enumerate(formset.forms):
        for name, errs in sub.errors.items():
            errors[f"{formset.prefix}-{i}-{name}"] = [str(e) for e in errs]
    for e in formset.non_form_errors():
        errors.setdefault("__all__", []).append(str(e))
    return errors


def _data(form: ObservationForm, formset) -> ObservationData:
    d = form.cleaned_data
    supporters = [
        NewSupporter(
            name=f.cleaned_data["name"].strip(),
            email=f.cleaned_data["email"],
            phone=f.cleaned_data["phone"],
            skills=list(f.cleaned_data["skills"]),
            consent_text=SUPPORTER_CONSENT_TEXT,
        )
        for f in (formset.forms if formset is not None else [])
        if f.is_filled
    ]
    return ObservationData(
        idempotency_key=d["idempotency_key"],
        held_on=d["held_on"],
        method_id=d["method"],
        reaction=d["reaction"],
        commune=d["commune"],
        polling_stations=list(d["polling_stations"]),
        action=d["action"].strip(),
        theme_ids=d["themes"],
        doors_knocked=d["doors_knocked"],
        doors_opened=d["doors_opened"],
        conversations=d["conversations"],
        interested=d["interested"],
        leaflets=d["leaflets"],
        activists=list(d["activists"]),
        supporters=supporters,
        reaction_text=d["reaction_text"].strip(),
        concern_ids=d["concerns"],
        concerns_other=d["concerns_other"],
        worked=d["worked"].strip(),
        did_not_work=d["did_not_work"].strip(),
        mission_id=d.get("mission"),
    )


@login_required
def observation_new(request: HttpRequest) -> HttpResponse:
    """The phone form. The page's script sends it with fetch (Accept: JSON) and keeps a draft
    on the phone when the network fails; without a script it is a plain form (POST → redirect)."""
    _require_reporter(request)
    if request.method == "POST":
        form = ObservationForm(request.POST, user=request.user)
        # Most reports name no sympathiser: the empty block is then neither built nor validated.
        formset = SupporterFormSet(request.POST, prefix="supporters") if _names_someone(request) else None
        if form.is_valid() and (formset is None or formset.is_valid()):
            try:
                observation, created = observation_submit(data=_data(form, formset), by=request.user)
            except ObservationKeyTaken:
                form.add_error(None, "Cette fiche a déjà été envoyée par quelqu'un d'autre : rechargez la page.")
            except NoFederation:
                form.add_error(None, "Aucune fédération pour ce lieu : le sympathisant ne peut pas être enregistré.")
            except IntegrityError:
                # A method or theme deleted in the admin within the minute the form keeps the
                # list: read the catalogue again and say which choice no longer exists.
                catalogue(refresh=True)
                form = ObservationForm(request.POST, user=request.user)
                if form.is_valid():
                    raise
            else:
                if _wants_json(request):
                    return JsonResponse(
                        {"ok": True, "id": observation.pk, "created": created, "key": str(observation.idempotency_key)},
                        status=201 if created else 200,
                    )
                return redirect(reverse("observations:new") + f"?envoyee={observation.pk}")
        formset = formset or SupporterFormSet(prefix="supporters")
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": _errors(form, formset)}, status=400)
        status = 400
    else:
        initial = {"idempotency_key": uuid.uuid4(), "held_on": timezone.localdate()}
        mission = mission_for_report(request.user, request.GET["mission"]) if "mission" in request.GET else None
        if mission is not None:
            initial.update(report_initial(mission, request.user))
            if str(mission.method_id) not in catalogue()["methods_ids"]:
                catalogue(refresh=True)  # a method added within the cached minute must be offered prefilled
        form = ObservationForm(user=request.user, initial=initial)
        formset = SupporterFormSet(prefix="supporters")
        status = 200
    sent = request.GET.get("envoyee", "")
    return render(
        request,
        "observations/observation_form.html",
        {
            "form": form,
            "supporters": formset,
            "sent": sent.isdigit(),
            "consent_text": SUPPORTER_CONSENT_TEXT,
            "mission": mission_for_report(request.user, form["mission"].value()) if form["mission"].value() else None,
            "missions_due": missions_to_report(request.user)[:5] if request.method == "GET" else [],
        },
        status=status,
    )


@login_required
@require_GET
def locate(request: HttpRequest) -> JsonResponse:
    """lon, lat (WGS84) → the polling station whose contour contains the point, in the user's scope;
    the commune when no polling station contour does."""
    _require_reporter(request)
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (KeyError, ValueError):
        return JsonResponse({"error": "Position illisible (lon, lat attendus)."}, status=400)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return JsonResponse({"error": "Position hors du globe."}, status=400)
    point = Point(lon, lat, srid=4326)
    shape = (
        PollingStationShape.objects.filter(
            geom__contains=point,
            polling_station__in=scope_queryset(PollingStation.objects.all(), request.user),
        )
        .select_related("polling_station__commune")
        .first()
    )
    if shape is not None:
        station = shape.polling_station
        return JsonResponse(
            {
                "station": {
                    "id": station.pk,
                    "label": station_label(
                        commune=station.commune.name, code=station.code, name=station.name, place=station.place
                    ),
                },
                "commune": {"id": station.commune_id, "code": station.commune.code, "name": station.commune.name},
            }
        )
    commune_shape = (
        CommuneShape.objects.filter(
            geom__contains=point, commune__in=scope_queryset(Commune.objects.all(), request.user)
        )
        .select_related("commune")
        .first()
    )
    if commune_shape is not None:
        c = commune_shape.commune
        return JsonResponse({"station": None, "commune": {"id": c.pk, "code": c.code, "name": c.name}})
    return JsonResponse({"error": "Aucun bureau de vote de votre territoire ne contient cette position."}, status=404)


@login_required
@require_GET
def commune_stations(request: HttpRequest) -> JsonResponse:
    """The polling stations of a commune in the user's scope, for the form's list."""
    _require_reporter(request)
    commune = get_for_user(Commune, request.user, pk=request.GET.get("commune") or 0)
    stations = PollingStation.objects.filter(commune=commune).order_by(*by_code()).values("id", "code", "name", "place")
    return JsonResponse(
        {
            "stations": [
                {
                    "id": s["id"],
                    "label": station_label(commune=commune.name, code=s["code"], name=s["name"], place=s["place"]),
                }
                for s in stations
            ]
        }
    )


# What the service worker keeps for the street: the form, the activist's home, and the static
# files every page of QG loads (others are kept the first time a page loads them).
OFFLINE_PAGES = ("observations:new", "hq:activist_home", "observations:mine")
OFFLINE_ASSETS = (
    "css/qg.css", "img/favicon.svg", "js/logout.js", "js/offline_pages.js",
    "observations/observations.css", "observations/offline.js",
)  # fmt: skip


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: the script that keeps the street pages for offline use (observations/sw.js).
    Public (it holds no data); never cached by the browser, so that a new version installs."""
    pages = [reverse(name) for name in OFFLINE_PAGES]
    assets = [static(path) for path in OFFLINE_ASSETS]
    # A new cache whenever the list or a file's hashed name changes (production).
    version = hashlib.sha256(json.dumps([pages, assets]).encode()).hexdigest()[:12]
    response = render(
        request,
        "observations/sw.js",
        {
            "version_json": json.dumps(version),
            "pages_json": json.dumps(pages),
            "assets_json": json.dumps(assets),
            "static_json": json.dumps("/" + settings.STATIC_URL.lstrip("/")),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


def _filtered(request: HttpRequest):
    filters = ObservationFilterForm(request.GET or None)
    qs = scope_queryset(Observation.objects.all(), request.user).filtered(**filters.filters())
    return filters, qs


@login_required
def observation_list(request: HttpRequest) -> HttpResponse:
    """HQ: the observations of its territory, filtered, with a map (no tiles needed)."""
    _require_role(request, HQ_ROLES)
    filters, qs = _filtered(request)
    page = Paginator(qs.for_listing(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "observations/observation_list.html",
        {
            "filters": filters,
            "page": page,
            "map_data": _map_data(qs),
            # Without tiles, the communes observed, outlined and named.
            "map_places": places_for_map(Commune.objects.filter(pk__in=qs.values("commune_id"))),
            "query": _query_without_page(request),
            "can_review_quotes": scope_for(request.user).role in PEOPLE_ROLES,
        },
    )


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _map_data(qs) -> dict:
    """GeoJSON: polling stations observed (simplified contours, with how many observations),
    and the communes of observations made without a polling station (a point each)."""
    through = Observation.polling_stations.through
    counts = (
        through.objects.filter(observation__in=qs.values("pk"))
        .values("pollingstation_id")
        .annotate(n=Count("observation_id"))
    )
    by_station = {row["pollingstation_id"]: row["n"] for row in counts[:2000]}
    features = []
    for shape in PollingStationShape.objects.filter(polling_station_id__in=list(by_station)).select_related(
        "polling_station__commune"
    ):
        geom = shape.geom_simple or shape.geom
        s = shape.polling_station
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(geom.geojson),
                "properties": {
                    "label": station_label(commune=s.commune.name, code=s.code, name=s.name, place=s.place),
                    "count": by_station[s.pk],
                },
            }
        )
    communes = (
        qs.filter(polling_stations__isnull=True, commune__isnull=False).values("commune_id").annotate(n=Count("pk"))
    )
    by_commune = {row["commune_id"]: row["n"] for row in communes[:2000]}
    for shape in CommuneShape.objects.filter(commune_id__in=list(by_commune)).select_related("commune"):
        point = (shape.geom_simple or shape.geom).point_on_surface
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(point.geojson),
                "properties": {"label": shape.commune.name, "count": by_commune[shape.commune_id]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@login_required
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, HQ_ROLES)
    observation = get_for_user(Observation.objects.for_listing(), request.user, pk=pk)
    show_people = scope_for(request.user).role in PEOPLE_ROLES
    if show_people:
        audit_read(request, page="observation participants", target=f"observation {observation.pk}")
    return render(
        request,
        "observations/observation_detail.html",
        {
            "observation": observation,
            "stations": observation.polling_stations.select_related("commune").order_by(*by_code()),
            "show_people": show_people,
        },
    )


@login_required
def observation_aggregates(request: HttpRequest) -> HttpResponse:
    """HQ: top concerns over time, contact rates per method, profil-type and leaning."""
    _require_role(request, HQ_ROLES)
    filters, qs = _filtered(request)
    return render(
        request,
        "observations/observation_aggregates.html",
        {
            "filters": filters,
            "summary": observation_summary(qs),
            "total": qs.count(),
            "by_mission": contact_rates_by_mission(qs),
        },
    )


@login_required
def participants(request: HttpRequest) -> HttpResponse:
    """HQ: people who took part in actions, to mobilise again, with their skills."""
    _require_role(request, PEOPLE_ROLES)
    filters, qs = _filtered(request)
    people = mobilisable_people(qs)
    audit_read(request, page="people to mobilise")
    return render(request, "observations/participants.html", {"filters": filters, **people})


@login_required
def my_observations(request: HttpRequest) -> HttpResponse:
    """An activist's own observations (their own data)."""
    _require_member(request)
    mine = Observation.objects.filter(filed_by=request.user).for_listing()[:50]
    return render(request, "observations/my_observations.html", {"observations": mine})


# --- Quotes: HQ approves, edits or rejects each free text before a fiche may print it ---

QUOTES_PER_PAGE = 20
RECENT_DECISIONS = 20
DECIDED_MESSAGES = {
    QuoteDecision.APPROVE: "Citation approuvée : elle pourra paraître dans les fiches.",
    QuoteDecision.EDIT: "Citation modifiée et approuvée : les fiches imprimeront votre version.",
    QuoteDecision.REJECT: "Texte rejeté : il ne paraîtra dans aucune fiche.",
}


def _review_items(observation: Observation) -> list[dict]:
    decided = {q.field: q for q in observation.quotes.all()}
    return [
        {
            "field": field,
            "label": label,
            "text": getattr(observation, field),
            "flags": flags(getattr(observation, field)),
        }
        for field, label in QuoteField.choices
        if getattr(observation, field) and field not in decided
    ]


@login_required
@require_GET
def quotes_review(request: HttpRequest) -> HttpResponse:
    """HQ: the free texts of its territory waiting for a decision, with warnings on likely
    names, addresses and phone numbers, and its latest decisions (which it may change)."""
    _require_role(request, PEOPLE_ROLES)
    scoped = scope_queryset(Observation.objects.all(), request.user, write=True)
    queue = quotes_to_review(scoped).select_related("method", "commune", "departement").prefetch_related("quotes")
    page = Paginator(queue, QUOTES_PER_PAGE).get_page(request.GET.get("page"))
    waiting = [(o, _review_items(o)) for o in page]
    decisions = [
        (q, flags(q.original))
        for q in scope_queryset(Quote.objects.all(), request.user, write=True).select_related(
            "observation__method", "observation__commune", "observation__departement", "reviewed_by"
        )[:RECENT_DECISIONS]
    ]
    return render(
        request,
        "observations/quotes.html",
        {"page": page, "waiting": waiting, "waiting_count": quotes_waiting_count(scoped), "decisions": decisions},
    )


@login_required
@require_POST
def quote_decide(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """One click: approve the text as reported, approve HQ's edit of it, or reject it."""
    _require_role(request, PEOPLE_ROLES)
    observation = get_for_user(Observation, request.user, write=True, pk=pk)
    decision = request.POST.get("decision", "")
    try:
        quote_review(
            observation=observation, field=field, decision=decision, text=request.POST.get("text", ""), by=request.user
        )
    except QuoteRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, DECIDED_MESSAGES[decision])
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("observations:quotes")
    return redirect(back)
