"""The profile export: one CSV row per polling station of the current run (used by the command and pages).

The first seven columns never change (scripts read them by position): departement,
commune, polling_station, circonscription, leaning (left, swing, centre, right,
far_right), confidence, abstention_rate_last. Then `left_margin`, the left's margin over
all its opponents (the weighted mean, over the elections kept, of the left's share minus
the strongest opposing bloc's share), the opponent, the shares and the figures of
circonscriptions/profiles/rules.py; `excluded_elections` is a short text
(« Législatives 2022 T1 (64 % sans nuance) »); `profile_type` comes last.

A spreadsheet runs a cell that starts with = + - or @ as a formula: a text cell that
would is written with a leading apostrophe; numbers are written as numbers.
"""

from collections.abc import Iterator

from django.db.models.functions import Length

from circonscriptions.models import Circonscription, Departement, PollingStationProfile, ProfileRun
from circonscriptions.profiles.rules import BLOCS

# CSV column → field of PollingStationProfile (the same name unless said otherwise).
_COLUMNS = {
    "departement": "polling_station__commune__departement__code",
    "commune": "polling_station__commune__code",
    "polling_station": "polling_station__code",
    "circonscription": "circonscription__code",
    "leaning": "leaning",
    "confidence": "confidence",
    "abstention_rate_last": "abstention_rate_last",
    "left_margin": "margin_avg",
    "opponent": "opponent",
    **{f"share_expr_{b}": f"share_expr_{b}" for b in BLOCS},
    **{f"share_reg_{b}": f"share_reg_{b}" for b in BLOCS},
    "left_gap_circonscription": "left_gap_circonscription",
    "left_gap_nation": "left_gap_nation",
    "abstention_rate_avg": "abstention_rate_avg",
    "abstention_hotspot": "abstention_hotspot",
    "left_abstention_hotspot": "left_abstention_hotspot",
    "turnout_differential": "turnout_differential",
    "turnout_differential_hotspot": "turnout_differential_hotspot",
    "persuadable_share": "persuadable_share",
    "mobilisation_score": "mobilisation_score",
    "persuasion_score": "persuasion_score",
    "priority_score": "priority_score",
    "priority_low": "priority_low",
    "priority_high": "priority_high",
    "rank_circonscription": "rank_circonscription",
    "rank_departement": "rank_departement",
    "rank_nation": "rank_nation",
    "excluded_elections": "excluded_elections",
    "redistricting_suspected": "redistricting_suspected",
    "profile_type": "profile_type__name",
}
PROFILE_CSV_HEADER = list(_COLUMNS)
_FIELDS = list(_COLUMNS.values())
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """A text cell a spreadsheet will not run: a leading apostrophe before = + - @."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _excluded(value) -> str:
    if not value:
        return ""
    parts = []
    for item in value:
        share = 100 * float(item.get("unlabelled_share") or 0)
        parts.append(f"{item.get('label') or item.get('election', '')} ({share:.0f} % sans nuance)")
    return "; ".join(parts)


def _cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value == value else ""
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return _text(_excluded(value))
    return _text(str(value))


def profile_csv_rows(*, circonscription: str | None = None, departement: str | None = None) -> Iterator[list]:
    """Rows in PROFILE_CSV_HEADER order, sorted by commune and polling station; ValueError (French) if unknown."""
    run = ProfileRun.objects.current()
    if run is None:
        raise ValueError("Aucun profil calculé : lancez d'abord « python manage.py compute_profiles ».")
    qs = PollingStationProfile.objects.filter(run=run)
    if circonscription:
        if not Circonscription.objects.filter(code=circonscription).exists():
            raise ValueError(f"Circonscription inconnue : « {circonscription} » (code attendu comme 2902).")
        qs = qs.filter(circonscription__code=circonscription)
    if departement:
        if not Departement.objects.filter(code=departement).exists():
            raise ValueError(f"Département inconnu : « {departement} » (code attendu comme 29 ou 2A).")
        qs = qs.filter(polling_station__commune__departement__code=departement)
    # Bureau numbers are text ('9', '10', '54A'): shorter first, so that 9 comes before 10.
    rows = qs.order_by(
        "polling_station__commune__code", Length("polling_station__code"), "polling_station__code"
    ).values_list(*_FIELDS)
    # Checked above, streamed below: the errors come at the call, not at the first row.
    return ([_cell(v) for v in values] for values in rows.iterator(chunk_size=5000))
