"""The socio-economic facts of a polling-station page: a short curated set, then all the others.

Rules, in words an analyst can check:
- Each variable is read at the finest level available: first the value carried to the
  bureau's contour by areal weighting (this run's PollingStationIndicator), then a value
  of the bureau itself, of its commune, of its circonscription. The page says which.
- The curated set (CURATED) names about ten figures an activist reads first, each with
  the variables that can give it, in order of preference (a commune figure of the
  Bretagne open data before the circonscription's INSEE figure), its French label and
  its unit. Units come from this table, not from the variable's label: the INSEE file
  calls the median standard of living « (en %) » although it is in euros a year.
- A figure that is the circonscription's own value is not repeated next to it: the
  page says « comme la circonscription ».
- Every other variable is listed under « tous les indicateurs » with a French label:
  the variable's label when the source gives one, else a label of UNCODED_LABELS; an
  internal code (`population_totale`) is never shown.
- INSEE shares are stored in percent (7,1 means 7,1 %), not as fractions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from circonscriptions.models import IndicatorValue, PollingStation, PollingStationIndicator, ProfileRun
from circonscriptions.profiles import formats


@dataclass(frozen=True)
class Curated:
    label: str
    codes: tuple[str, ...]  # variables giving the figure, preferred first
    unit: str  # "%", "€", "ans", "habitants"
    digits: int = 1


CURATED: tuple[Curated, ...] = (
    Curated("Population", ("population_totale", "pop_légal_19", "pop_légal_13"), "habitants", 0),
    Curated("Âge moyen", ("age_moyen",), "ans", 1),
    Curated("Chômage", ("chomage", "actcho"), "%", 1),
    Curated("Diplômés du supérieur", ("taux_diplome_universitaire_total", "actdip_BAC3P"), "%", 1),
    Curated("Cadres parmi les actifs", ("act_cad",), "%", 1),
    Curated("Ouvriers parmi les actifs", ("act_ouv",), "%", 1),
    Curated("Employés parmi les actifs", ("act_emp",), "%", 1),
    Curated("Propriétaires de leur logement", ("proprio",), "%", 1),
    Curated("Niveau de vie médian (par an)", ("nivvie_median_diff",), "€", 0),
    Curated("Taux de pauvreté (seuil de 60 %)", ("tx_pauvrete60_diff",), "%", 1),
)

# Variables whose source gives no label (the Bretagne open data names its columns only).
UNCODED_LABELS = {
    "population_totale": "Population totale",
    "taux_bac_ou_moins_16_24_ans": "Bac ou moins, 16-24 ans (en %)",
    "taux_bac_ou_moins_25_ans_et_plus": "Bac ou moins, 25 ans et plus (en %)",
    "taux_bac_ou_moins_total": "Bac ou moins, 16 ans et plus (en %)",
    "taux_diplome_universitaire_total": "Diplômés du supérieur, 16 ans et plus (en %)",
    "taux_universitaire_16_24_ans": "Diplômés du supérieur ou étudiants, 16-24 ans (en %)",
    "taux_universitaire_25_ans_et_plus": "Diplômés du supérieur, 25 ans et plus (en %)",
    "chomage": "Taux de chômage trimestriel (en %)",
    "unite_urbaine": "Commune d'une unité urbaine (1 = oui, 0 = non)",
}
# Units the source's label gets wrong or leaves out.
UNIT_OVERRIDES = {
    "nivvie_median_diff": "€",
    "D1_diff": "€",
    "D9_diff": "€",
    "population_totale": "habitants",
    "pop_légal_19": "habitants",
    "pop_légal_13": "habitants",
    "Inscrit_22": "inscrits",
    "age_moyen": "ans",
    **{f"dec{n}": "ans" for n in (10, 25, 50, 75, 90)},
    "unite_urbaine": "",
    "rpt_D9_D1_diff": "",
}
LABEL_OVERRIDES = {"nivvie_median_diff": "Niveau de vie médian (par an)"}
_PERCENT_IN_LABEL = re.compile(r"\s*\(en %[^)]*\)+\s*$")


def _label_and_unit(variable) -> tuple[str, str]:
    code = variable.code
    label = LABEL_OVERRIDES.get(code) or (variable.label if variable.label and variable.label != code else "")
    label = label or UNCODED_LABELS.get(code) or code.replace("_", " ").capitalize()
    if code in UNIT_OVERRIDES:
        unit = UNIT_OVERRIDES[code]
    elif variable.unit:
        unit = variable.unit
    elif "(en %" in label or label.lower().startswith(("part ", "taux ")):
        unit = "%"
    else:
        unit = ""
    if unit == "%":
        label = _PERCENT_IN_LABEL.sub("", label)  # the unit is written after the value
    return label, unit


def format_value(value: float | None, unit: str, digits: int | None = None) -> str:
    """21310, '€' → '21 310 €'; 7.1, '%' → '7,1 %' (INSEE shares are in percent)."""
    if value is None:
        return "—"
    if digits is None:
        digits = 0 if unit in ("€", "habitants", "inscrits") or abs(value) >= 1000 else 1
    text = formats.number(value, digits)
    return f"{text}{formats.NNBSP}{unit}" if unit else text


def _finest(station: PollingStation, run: ProfileRun | None) -> tuple[dict, dict]:
    """(finest value per variable code, circonscription value per variable code): two queries."""
    finest: dict[str, dict] = {}
    if run is not None:
        carried = PollingStationIndicator.objects.filter(run=run, polling_station=station).select_related("variable")
        for v in carried.order_by("vintage"):  # the latest vintage wins
            level = _("polling station (areal weighting of %(level)s values, %(coverage)s of its area covered)") % {
                "level": IndicatorValue.Level(v.level).label,
                "coverage": formats.percent(v.coverage, 0),
            }
            finest[v.variable.code] = {
                "variable": v.variable,
                "value": v.value,
                "level": level,
                "rank": -1,
                "vintage": v.vintage,
            }
    levels = [
        (IndicatorValue.Level.POLLING_STATION, f"{station.commune.code}_{station.code}"),
        (IndicatorValue.Level.COMMUNE, station.commune.code),
    ]
    if station.circonscription:
        levels.append((IndicatorValue.Level.CIRCONSCRIPTION, station.circonscription.code))
    condition = Q()
    for level, code in levels:
        condition |= Q(level=level, territory_code=code)
    rank: dict[str, int] = {level: i for i, (level, _code) in enumerate(levels)}
    circo: dict[str, float | None] = {}
    for value in IndicatorValue.objects.filter(condition).select_related("variable").order_by("vintage"):
        code = value.variable.code
        if value.level == IndicatorValue.Level.CIRCONSCRIPTION:
            circo[code] = value.value
        seen = finest.get(code)
        if seen is None or rank[value.level] <= seen["rank"]:
            finest[code] = {
                "variable": value.variable,
                "value": value.value,
                "level": value.get_level_display(),
                "rank": rank[value.level],
                "vintage": value.vintage,
                "is_circonscription": value.level == IndicatorValue.Level.CIRCONSCRIPTION,
            }
    return finest, circo


def station_facts(station: PollingStation, run: ProfileRun | None) -> dict:
    """{"key_facts": [...curated...], "indicators": [...all the others...]} for the station page."""
    finest, circo = _finest(station, run)
    key_facts, used = [], set()
    for item in CURATED:
        code = next((c for c in item.codes if c in finest and finest[c]["value"] is not None), None)
        if code is None:
            continue
        f = finest[code]
        used.add(code)
        circo_value = circo.get(code)
        same = f.get("is_circonscription", False) or (circo_value is not None and abs(circo_value - f["value"]) < 1e-9)
        key_facts.append(
            {
                "label": item.label,
                "value": format_value(f["value"], item.unit, item.digits),
                "level": f["level"],
                "vintage": f["vintage"],
                "same_as_circonscription": same,
                "circonscription": None
                if same or circo_value is None
                else format_value(circo_value, item.unit, item.digits),
            }
        )
    others = []
    for code, f in finest.items():
        if code in used or f["value"] is None:
            continue
        label, unit = _label_and_unit(f["variable"])
        others.append(
            {"label": label, "value": format_value(f["value"], unit), "level": f["level"], "vintage": f["vintage"]}
        )
    others.sort(key=lambda o: o["label"].lower())
    return {"key_facts": key_facts, "indicators": others}
