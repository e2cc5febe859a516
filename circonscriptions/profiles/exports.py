"""The profile export: one CSV row per polling station of the current run (used by the command and pages)."""

from collections.abc import Iterator

from django.db.models.functions import Length

from circonscriptions.models import Circonscription, Departement, PollingStationProfile, ProfileRun
from circonscriptions.profiles.rules import BLOCS

PROFILE_CSV_HEADER = [
    "departement",
    "commune",
    "polling_station",
    "circonscription",
    "leaning",
    "confidence",
    "abstention_rate_last",
    *[f"share_expr_{b}" for b in BLOCS],
    *[f"share_reg_{b}" for b in BLOCS],
    "abstention_rate_avg",
    "abstention_hotspot",
    "left_abstention_hotspot",
    "mobilisation_score",
    "persuasion_score",
    "priority_score",
    "rank_circonscription",
    "rank_departement",
    "rank_nation",
    "profile_type",
]

_FIELDS = [
    "polling_station__commune__departement__code",
    "polling_station__commune__code",
    "polling_station__code",
    "circonscription__code",
    *PROFILE_CSV_HEADER[4:-1],
    "profile_type__name",
]


def _cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value == value else ""
    return value


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
    qs = qs.order_by(
        "polling_station__commune__code", Length("polling_station__code"), "polling_station__code"
    ).values_list(*_FIELDS)
    # Checked above, streamed below: the errors come at the call, not at the first row.
    return ([_cell(v) for v in values] for values in qs.iterator(chunk_size=5000))
