"""Composition of a fiche militante: the data read once, returned as one JSON-ready dict.

Both renderings (the HTML page and the PDF) and the published snapshot are made from
what these functions return, so the page, the PDF and the history always agree.

Rules, in words an analyst can check:
- Territory: the fiche's sector (polling stations chosen by HQ) or, without a sector,
  every polling station of the circonscription. The map draws the communes of the
  territory, the circonscription's outline (whole-circonscription fiches only) and the
  polling stations that have a contour.
- Control bureaux: while a campaign experiment runs (hq.experiments), its control bureaux are
  never targets (nor numbered on the map); the fiche, which activists read, does not say why.
- Priority stations: the current profiles' ranking by priority score (expected votes won
  by the run's `activist_hours` hours of door-to-door). The first `PRIORITY_STATIONS` of the territory are marked on
  the map and listed under "where to go first", each with its reason. Without profiles
  (never computed, or no results loaded) the fiche says so and lists none.
- Whom to aim at: if the territory's top stations owe more of their score to
  mobilisation (abstainers where the left is strong) than to persuasion (swing voters),
  the fiche says "abstainers first", otherwise "swing voters first"; the two totals are
  shown so the reason can be checked.
- Methods: those HQ chose for the fiche; when none is chosen, the (at most
  `MAX_SUGGESTED`) catalogue methods whose `suits` match the most of the territory's
  kinds — a leaning held by at least `LEANING_SHARE` of its profiled stations (the five
  classes: left, swing, centre, right, far_right), and "abstention" when it has an
  abstention hotspot — in catalogue order among equals. A method's kinds are read with
  `Method.suited_kinds` (an older "right" means every opposing bloc).
- Elections left out: when some of the territory's bureaux leave an election out of their
  figures (votes without a usable nuance), the fiche says which, in how many bureaux.
- Socio-economic facts: the circonscription's INSEE indicators (FACTS below), with the
  national figure next to them when it is loaded.
- Observations: the circonscription's latest observations (issue 6), the concerns raised
  most and each method's contact rate (conversations per door knocked, with its 95 %
  interval); with none, « Aucune observation pour l'instant ». Their free texts appear
  only as the quotes HQ approved, in HQ's words (observations.models.Quote).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from circonscriptions.models import (
    Circonscription,
    CirconscriptionShape,
    CommuneShape,
    IndicatorValue,
    Leaning,
    PollingStation,
    PollingStationProfile,
    PollingStationResult,
    PollingStationVotes,
    ProfileRun,
    ProfileType,
)
from circonscriptions.profiles.formats import number, percent
from circonscriptions.profiles.leanings import leaning_label, opponent_name
from circonscriptions.profiles.parameters import ProfileParameters
from circonscriptions.profiles.rules import BLOCS
from circonscriptions.stations import by_code
from hq.catalogue import without_unchecked
from hq.experiments import control_station_ids
from hq.models import Method

if TYPE_CHECKING:
    from fiches.models import Fiche

PRIORITY_STATIONS = 10
MAX_SUGGESTED = 3  # a fiche is read in the street: three methods, not the whole catalogue
LEANING_SHARE = 0.25
GEOJSON_PRECISION = 5  # about a metre: plenty for a sheet of paper or a phone
NO_OBSERVATION = "Aucune observation pour l'instant"
RECENT_OBSERVATIONS = 5

# INSEE "indicateurs statistiques des circonscriptions législatives" codes, with short labels.
FACTS: list[tuple[str, str, str]] = [
    ("pop_légal_19", "Population municipale (2019)", ""),
    ("actcho", "Actifs au chômage", "%"),
    ("tx_pauvrete60_diff", "Taux de pauvreté (seuil 60 %)", "%"),
    ("nivvie_median_diff", "Niveau de vie médian annuel", "€"),
    ("actdip_PEU", "Actifs pas ou peu diplômés", "%"),
    ("actdip_BAC3P", "Actifs diplômés bac+3 ou plus", "%"),
    ("act_ouv", "Ouvriers parmi les actifs", "%"),
    ("act_emp", "Employés parmi les actifs", "%"),
    ("act_cad", "Cadres parmi les actifs", "%"),
    ("locatai", "Ménages locataires", "%"),
    ("age_moyen", "Âge moyen", "ans"),
]
NO_NATIONAL_COMPARISON = {"pop_légal_19"}  # the file's national row holds a mean per circonscription

# Short French names of the elections, for the chart's axis.
SHORT_KINDS = {
    "presidentielle": "Présid.",
    "legislatives": "Législ.",
    "europeennes": "Europ.",
    "municipales": "Munic.",
    "regionales": "Région.",
    "departementales": "Départ.",
}
LEANINGS = tuple(Leaning.values)  # display order of the five classes
# The kinds of territory of Method.suits, as « Convient : … » lists them on a fiche.
SUIT_LABELS = {
    "left": "bureaux acquis à gauche",
    "swing": "bureaux disputés",
    "centre": "bureaux dominés par Ensemble",
    "right": "bureaux dominés par la droite",
    "far_right": "bureaux dominés par l'extrême droite",
    "abstention": "foyers d'abstention",
}


def leaning_labels() -> dict[str, str]:
    """The five classes' labels, in French whatever the request's language: a fiche is French."""
    with translation.override("fr"):
        return {value: leaning_label(value) for value in LEANINGS}


def suit_labels() -> dict[str, str]:
    """The Method.suits vocabulary as a fiche names it (plural of the leaning labels)."""
    return dict(SUIT_LABELS)


def _pct(value: float | None) -> str:
    return percent(value, 0)


def _num(value: float | None, digits: int = 1) -> str:
    return number(value, digits)


def territory_stations(circonscription: Circonscription, station_ids: Iterable[int] | None) -> list[PollingStation]:
    """The territory's polling stations with their simplified contour as GeoJSON (one query)."""
    stations = PollingStation.objects.select_related("commune")
    ids = list(station_ids or [])
    stations = stations.filter(pk__in=ids) if ids else stations.filter(circonscription=circonscription)
    return list(
        stations.annotate(
            geojson=AsGeoJSON(Coalesce("shape__geom_simple", "shape__geom"), precision=GEOJSON_PRECISION)
        ).order_by("commune__code", *by_code())
    )


def _communes(circonscription: Circonscription, stations: list[PollingStation], sector: bool) -> list[dict]:
    geom = Coalesce("geom_simple", "geom")
    # `label`: where the commune's name is written on the maps (a point inside it).
    shapes = CommuneShape.objects.annotate(
        geojson=AsGeoJSON(geom, precision=GEOJSON_PRECISION),
        label=AsGeoJSON(PointOnSurface(geom), precision=GEOJSON_PRECISION),
    )
    if sector:
        shapes = shapes.filter(commune_id__in={s.commune_id for s in stations})
    else:
        shapes = shapes.filter(commune__circonscriptions=circonscription)
    return [
        {"code": code, "name": name, "geometry": json.loads(geojson), "label": json.loads(label)["coordinates"]}
        for code, name, geojson, label in shapes.values_list(
            "commune__code", "commune__name", "geojson", "label"
        ).order_by("commune__code")
        if geojson
    ]


def _outline(circonscription: Circonscription) -> dict | None:
    geojson = (
        CirconscriptionShape.objects.filter(circonscription=circonscription)
        .annotate(geojson=AsGeoJSON(Coalesce("geom_simple", "geom"), precision=GEOJSON_PRECISION))
        .values_list("geojson", flat=True)
        .first()
    )
    return json.loads(geojson) if geojson else None


def _facts(circonscription: Circonscription) -> list[dict]:
    codes = [code for code, _label, _unit in FACTS]
    rows = IndicatorValue.objects.filter(
        Q(level=IndicatorValue.Level.CIRCONSCRIPTION, territory_code=circonscription.code)
        | Q(level=IndicatorValue.Level.NATION),
        variable__code__in=codes,
    ).values_list("level", "variable__code", "value", "vintage", "variable__origin")
    local: dict[str, tuple] = {}
    national: dict[str, float | None] = {}
    for level, code, value, vintage, origin in rows.order_by("vintage"):  # the latest vintage wins
        if level == IndicatorValue.Level.NATION:
            national[code] = value
        else:
            local[code] = (value, vintage, origin)
    facts = []
    for code, label, unit in FACTS:
        if code not in local or local[code][0] is None:
            continue
        value, vintage, origin = local[code]
        facts.append(
            {
                "code": code,
                "label": label,
                "value": value,
                "unit": unit,
                "national": None if code in NO_NATIONAL_COMPARISON else national.get(code),
                "vintage": vintage,
                "origin": origin,
            }
        )
    return facts


def _history(station_ids: list[int]) -> list[dict]:
    """Votes of the territory summed over its polling stations, per election: two queries."""
    if not station_ids:
        return []
    counts = (
        PollingStationResult.objects.filter(polling_station_id__in=station_ids)
        .values("election_id", "election__kind", "election__year", "election__round", "election__date")
        .annotate(registered=Sum("registered"), abstentions=Sum("abstentions"), expressed=Sum("expressed"))
        .order_by("election__date", "election__year", "election__round")
    )
    votes: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        PollingStationVotes.objects.filter(result__polling_station_id__in=station_ids)
        .values("result__election_id", "nuance__bloc")
        .annotate(total=Sum("votes"))
    ):
        votes[row["result__election_id"]][row["nuance__bloc"] or "other"] = row["total"]
    points = []
    for row in counts:
        expressed = row["expressed"] or 0
        kind = SHORT_KINDS.get(row["election__kind"], row["election__kind"])
        label = f"{kind} {row['election__year']} T{row['election__round']}"
        points.append(
            {
                "label": label,
                "shares": {b: (votes[row["election_id"]].get(b, 0) / expressed if expressed else None) for b in BLOCS},
                "abstention": row["abstentions"] / row["registered"] if row["registered"] else None,
            }
        )
    return points


def _station_reason(p: PollingStationProfile, labels: dict[str, str], hours: float) -> str:
    parts = [labels.get(p.leaning, p.leaning)]
    with translation.override("fr"):
        opponent = opponent_name(p.opponent)
    if opponent:
        parts[0] += f" (face à {opponent})"
    if p.abstention_rate_avg is not None:
        parts.append(f"abstention {_pct(p.abstention_rate_avg)}")
    if p.left_abstention_hotspot:
        parts.append("foyer d'abstention à gauche")
    elif p.abstention_hotspot:
        parts.append("foyer d'abstention")
    reason = ", ".join(parts)
    spread = ""
    if p.priority_low is not None and p.priority_high is not None and p.priority_high > p.priority_low:
        spread = f", entre {_num(p.priority_low)} et {_num(p.priority_high)}"
    return (
        f"{reason} : environ {_num(p.priority_score)} voix gagnées pour {_num(hours, 0)} heures de porte-à-porte"
        f"{spread} (mobilisation {_num(p.mobilisation_score)}, persuasion {_num(p.persuasion_score)})"
    )


def excluded_line(profiles: list[PollingStationProfile]) -> str:
    """« Élections laissées de côté : Législatives 2022 T1 dans 23 bureaux sur 40 (…). », or ''."""
    counts: dict[str, int] = defaultdict(int)
    reasons: dict[str, str] = {}
    for p in profiles:
        for item in p.excluded_elections or []:
            label = item.get("label") or item.get("election", "")
            counts[label] += 1
            reasons.setdefault(label, item.get("reason", ""))
    if not counts:
        return ""
    parts = []
    for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        bureaux = "bureau" if n == 1 else "bureaux"
        reason = f" ({reasons[label].rstrip('.')})" if reasons[label] else ""
        parts.append(f"{label} dans {n} {bureaux} sur {len(profiles)}{reason}")
    return "Élections laissées de côté : " + " ; ".join(parts) + "."


def _targeting(
    profiles: list[PollingStationProfile],
    labels: dict[int, str],
    hours: float = 20.0,
    held_back: set[int] | frozenset[int] = frozenset(),
) -> dict:
    if not profiles:
        return {
            "available": False,
            "message": "Les profils des bureaux de vote ne sont pas encore calculés pour ce territoire : "
            "le ciblage apparaîtra après le prochain calcul.",
            "priorities": [],
        }
    ranked = sorted(
        (p for p in profiles if p.priority_score is not None and p.polling_station_id not in held_back),
        key=lambda p: (-(p.priority_score or 0), p.polling_station_id),
    )
    top = ranked[:PRIORITY_STATIONS]
    leanings = leaning_labels()
    counts = {k: sum(1 for p in profiles if p.leaning == k) for k in LEANINGS}
    hotspots = sum(1 for p in profiles if p.abstention_hotspot)
    left_hotspots = sum(1 for p in profiles if p.left_abstention_hotspot)
    mobilisation = sum(p.mobilisation_score or 0 for p in top)
    persuasion = sum(p.persuasion_score or 0 for p in top)
    if mobilisation >= persuasion:
        audience = "abstainers"
        whom = (
            "D'abord les abstentionnistes des quartiers acquis à gauche : dans les bureaux prioritaires, "
            f"{_num(hours, 0)} heures de porte-à-porte dans chacun gagneraient en tout {_num(mobilisation)} voix "
            f"par la mobilisation, contre {_num(persuasion)} par la persuasion."
        )
    else:
        audience = "swing"
        whom = (
            "D'abord les électeurs hésitants : dans les bureaux prioritaires, "
            f"{_num(hours, 0)} heures de porte-à-porte dans chacun gagneraient en tout {_num(persuasion)} voix "
            f"par la persuasion, contre {_num(mobilisation)} par la mobilisation."
        )
    return {
        "available": True,
        "audience": audience,
        "whom": whom,
        "counts": counts,
        "counts_line": "{n} bureaux : {classes}.".format(
            n=len(profiles),
            classes=", ".join(
                # « 1 disputé », « 24 disputés »: the plural is the suits label without « bureaux ».
                f"{counts[k]} {leanings[k] if counts[k] == 1 else SUIT_LABELS[k].removeprefix('bureaux ')}"
                for k in LEANINGS
                if counts[k]
            ),
        ),
        "excluded": excluded_line(profiles),
        "hours": hours,
        "stations": len(profiles),
        "hotspots": hotspots,
        "left_hotspots": left_hotspots,
        "priorities": [
            {
                "station_id": p.polling_station_id,
                "label": labels.get(p.polling_station_id, str(p.polling_station_id)),
                "rank": i,
                "priority": p.priority_score,
                "leaning": p.leaning,
                "reason": _station_reason(p, leanings, hours),
            }
            for i, p in enumerate(top, start=1)
        ],
    }


def territory_tags(profiles: list[PollingStationProfile]) -> list[str]:
    """The kinds of territory (Method.suits vocabulary) this set of stations is."""
    if not profiles:
        return []
    tags = [k for k in LEANINGS if sum(1 for p in profiles if p.leaning == k) >= LEANING_SHARE * len(profiles)]
    if any(p.abstention_hotspot for p in profiles):
        tags.append("abstention")
    return tags


def method_entry(method: Method, tags: list[str]) -> dict:
    labels = suit_labels()
    kinds = method.suited_kinds()
    fits = [labels[t] for t in tags if t in kinds and t in labels]
    return {
        "slug": method.slug,
        "name": method.name,
        "summary": method.summary,
        "script": method.script,
        # Passages still marked « à vérifier » stay in the catalogue, out of fiches (hq.catalogue).
        "evidence": without_unchecked(method.evidence),
        "sources": without_unchecked(method.sources),
        "legal_warning": method.legal_warning,
        "fits": fits,
    }


def suggested_methods(tags: list[str]) -> list[Method]:
    """The catalogue's methods that fit the most of the territory's kinds, best first, at most MAX_SUGGESTED."""
    fitting = [(len(m.suited_kinds() & set(tags)), m) for m in Method.objects.order_by("position", "name")]
    ranked = sorted((pair for pair in fitting if pair[0]), key=lambda pair: -pair[0])  # stable: keeps position
    return [m for _n, m in ranked[:MAX_SUGGESTED]]


def recent_observations(circonscription: Circonscription) -> dict:
    """What activists reported there (observations app): the latest observations, the concerns
    raised most, and the contact rate of each method with its 95 % interval; JSON-ready."""
    from observations.queries import approved_quotes, observation_summary_for, observations_recent_for

    recent = observations_recent_for(circonscription, limit=RECENT_OBSERVATIONS)
    # Free texts are printed only as the quotes HQ approved (possibly edited), never as typed in the street.
    quotes = approved_quotes([o.pk for o in recent])
    items = []
    for o in recent:
        items.append(
            {
                "date": o.held_on.isoformat(),
                "place": o.place_label,
                "method": o.method.name,
                "reaction": str(o.get_reaction_display()),
                "doors_knocked": o.doors_knocked,
                "conversations": o.conversations,
                "concerns": o.concern_names,
                "reaction_text": quotes.get(o.pk, {}).get("reaction_text", ""),
                "worked": quotes.get(o.pk, {}).get("worked", ""),
                "did_not_work": quotes.get(o.pk, {}).get("did_not_work", ""),
            }
        )
    summary = observation_summary_for(circonscription) if items else {}
    return {
        "items": items,
        "top_concerns": [[name, count] for name, count in summary.get("top_concerns", [])],
        "by_method": [
            {
                "group": r.group,
                "observations": r.observations,
                "doors_knocked": r.doors_knocked,
                "conversations": r.conversations,
                "rate": r.rate,
                "low": r.low,
                "high": r.high,
            }
            for r in summary.get("by_method", [])
        ],
        "empty": NO_OBSERVATION,
    }


def compose_automatic(*, circonscription: Circonscription, station_ids: Iterable[int] | None = None) -> dict:
    """The parts of a fiche that come from the data alone (map, facts, targeting, types, history)."""
    sector_ids = list(station_ids or [])
    stations = territory_stations(circonscription, sector_ids)
    ids = [s.pk for s in stations]
    labels = {s.pk: str(s) for s in stations}  # with the polling place: « Brest — bureau 51 (École …) »
    run = ProfileRun.objects.current()
    profiles: list[PollingStationProfile] = []
    types: list[dict] = []
    if run is not None and ids:
        profiles = list(PollingStationProfile.objects.filter(run=run, polling_station_id__in=ids))
        type_counts = {
            row["profile_type"]: row["n"]
            for row in PollingStationProfile.objects.filter(run=run, polling_station_id__in=ids)
            .values("profile_type")
            .annotate(n=Count("pk"))
        }
        types = [
            {"name": t.name, "description": t.description, "count": type_counts.get(t.pk, 0)}
            for t in ProfileType.objects.filter(run=run, circonscription=circonscription).order_by("key")
            if type_counts.get(t.pk)
        ]
    by_station = {p.polling_station_id: p for p in profiles}
    hours = ProfileParameters.from_dict(run.parameters).activist_hours if run else ProfileParameters().activist_hours
    targeting = _targeting(profiles, labels, hours, held_back=control_station_ids())
    priority_rank = {row["station_id"]: row["rank"] for row in targeting["priorities"]}
    map_stations = []
    for s in stations:
        if not s.geojson:
            continue
        p = by_station.get(s.pk)
        map_stations.append(
            {
                "id": s.pk,
                "label": labels[s.pk],
                "code": s.code,
                "leaning": p.leaning if p else None,
                "priority": p.priority_score if p else None,
                "hotspot": bool(p and p.abstention_hotspot),
                "priority_rank": priority_rank.get(s.pk),
                "geometry": json.loads(s.geojson),
            }
        )
    tags = territory_tags(profiles)
    return {
        "composed_at": timezone.now().isoformat(),
        "profile_run": run.pk if run else None,
        "circonscription": {
            "code": circonscription.code,
            "name": str(circonscription),
            "departement": circonscription.departement.code,
            "departement_name": circonscription.departement.name,
        },
        "sector": {"station_ids": sector_ids, "count": len(stations)} if sector_ids else None,
        "map": {
            "outline": None if sector_ids else _outline(circonscription),
            "communes": _communes(circonscription, stations, bool(sector_ids)),
            "stations": map_stations,
            "stations_total": len(stations),
        },
        "facts": _facts(circonscription),
        "targeting": targeting,
        "types": types,
        "tags": tags,
        "suggested_methods": [m.slug for m in suggested_methods(tags)],
        "history": _history(ids),
    }


def compose_content(
    *,
    automatic: dict,
    title: str,
    fiche_id: int | None,
    circonscription: Circonscription,
    local_issues: Iterable = (),
    methods: Iterable[Method] = (),
    free_text: str = "",
    targeting_notes: str = "",
) -> dict:
    """The whole fiche: the automatic parts and HQ's editable parts (issues, methods, texts)."""
    tags = automatic.get("tags", [])
    chosen = list(methods)
    if chosen:
        method_entries = [method_entry(m, tags) for m in chosen]
        methods_origin = "chosen"
    else:
        slugs = automatic.get("suggested_methods", [])
        by_slug = {m.slug: m for m in Method.objects.filter(slug__in=slugs)}
        method_entries = [method_entry(by_slug[s], tags) for s in slugs if s in by_slug]
        methods_origin = "suggested"
    return {
        **automatic,
        "title": title,
        "fiche_id": fiche_id,
        "local_issues": [
            {"title": i.title, "description": i.description, "causes": [c.name for c in i.causes.all()]}
            for i in local_issues
        ],
        "methods": method_entries,
        "methods_origin": methods_origin,
        "free_text": free_text,
        "targeting_notes": targeting_notes,
        "observations": recent_observations(circonscription),
    }


def compose_fiche(fiche: Fiche, *, automatic: dict | None = None) -> dict:
    """A saved fiche's composition: its stored automatic parts (composed now if missing) and its editable parts."""
    auto = automatic or fiche.automatic
    if not auto:
        auto = compose_automatic(
            circonscription=fiche.circonscription, station_ids=fiche.sector.values_list("pk", flat=True)
        )
    return compose_content(
        automatic=auto,
        title=fiche.title,
        fiche_id=fiche.pk,
        circonscription=fiche.circonscription,
        local_issues=fiche.local_issues.prefetch_related("causes").order_by("title"),
        methods=fiche.methods.order_by("position", "name"),
        free_text=fiche.free_text,
        targeting_notes=fiche.targeting_notes,
    )


def default_title(circonscription: Circonscription) -> str:
    return f"Fiche militante — {circonscription.code} {circonscription}"
