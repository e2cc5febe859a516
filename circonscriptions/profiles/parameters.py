"""The parameters of the profile computation (see circonscriptions/profiles/rules.py for their meaning).

Kept apart from profiles.py so that models and forms can read the defaults without
importing pandas.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class ProfileParameters:
    """Thresholds, weights and field assumptions; see the module docstring for their meaning."""

    half_life_years: float = 5.0
    first_rounds_only: bool = True
    leaning_margin: float = 0.05
    margin_sd_floor: float = 0.05
    hotspot_z: float = 1.0
    hotspot_min_group: int = 3
    doors_per_hour: float = 12.0
    contact_rate: float = 0.5
    mobilisation_effect: float = 0.14
    persuasion_effect: float = 0.10
    persuasion_effect_low: float = 0.03
    persuasion_effect_high: float = 0.15
    mobilisation_effect_low: float = 0.0
    mobilisation_effect_high: float = 0.14
    activist_hours: float = 20.0
    contact_rate_min_reports: int = 20
    unlabelled_threshold: float = 0.10
    redistricting_threshold: float = 0.15
    margin_sd_scale: float = 1.0
    max_types: int = 6
    kmeans_starts: int = 10
    min_type_size: int = 5
    type_distinct_delta: float = 0.03
    kmeans_seed: int = 2012

    def validate(self) -> None:
        """Raise ValueError, in French, naming each setting outside its sensible range."""
        problems = [message for _name, message in self.problems()]
        if problems:
            raise ValueError("Paramètres de profils invalides : " + " ; ".join(problems) + ".")

    def problems(self) -> list[tuple[str, str]]:
        """(setting, French sentence naming it) for each setting outside its sensible range."""
        problems = []
        for name, (label, low, high, low_open) in RANGES.items():
            value = getattr(self, name)
            if not _number(value):
                problems.append((name, f"{name} ({label}) doit être un nombre (valeur {value!r})"))
                continue
            too_low = value <= low if low_open else value < low
            if too_low or value > high:
                bounds = f"strictement supérieur à {low} et au plus {high}" if low_open else f"entre {low} et {high}"
                problems.append((name, f"{name} ({label}) doit être {bounds} (valeur {value})"))
        for base in ("persuasion_effect", "mobilisation_effect"):
            low, central, high = values = [getattr(self, f"{base}{end}") for end in ("_low", "", "_high")]
            if all(_number(v) for v in values) and not low <= central <= high:
                message = (
                    f"{base}_low, {base} et {base}_high ({RANGES[base][0]}) doivent aller croissant "
                    f"(valeurs {low}, {central}, {high})"
                )
                problems.append((base, message))
        return problems

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ProfileParameters:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and value == value  # NaN != NaN


# Each numeric setting: (what it is, in French; lowest value; highest value; lowest excluded).
# The bounds are what still makes sense, not what is advisable: the admin's help texts say that.
RANGES: dict[str, tuple[str, float, float, bool]] = {
    "half_life_years": ("demi-vie du poids des élections, en années", 0, 100, True),
    "leaning_margin": ("seuil de marge de l’orientation", 0, 0.5, False),
    "margin_sd_floor": ("plancher de l’écart-type de la marge", 0, 0.5, True),
    "hotspot_z": ("score z des foyers d’abstention", 0, 10, False),
    "hotspot_min_group": ("nombre minimal de bureaux à comparer", 2, 100_000, False),
    "doors_per_hour": ("portes frappées par heure", 0, 100, True),
    "contact_rate": ("part des portes ouvertes", 0, 1, False),
    "mobilisation_effect": ("effet de mobilisation", 0, 1, False),
    "persuasion_effect": ("effet de persuasion", 0, 1, False),
    "persuasion_effect_low": ("effet de persuasion, bas de la fourchette", 0, 1, False),
    "persuasion_effect_high": ("effet de persuasion, haut de la fourchette", 0, 1, False),
    "mobilisation_effect_low": ("effet de mobilisation, bas de la fourchette", 0, 1, False),
    "mobilisation_effect_high": ("effet de mobilisation, haut de la fourchette", 0, 1, False),
    "activist_hours": ("heures de porte-à-porte du calcul de priorité", 0, 100_000, True),
    "contact_rate_min_reports": ("comptes rendus nécessaires au taux observé", 1, 1_000_000, False),
    "unlabelled_threshold": ("part des voix sans nuance", 0, 1, False),
    "redistricting_threshold": ("variation des inscrits signalant un redécoupage", 0, 10, True),
    "margin_sd_scale": ("facteur de calibration de l’écart-type", 0, 100, True),
    "max_types": ("nombre maximal de profils-types", 1, 50, False),
    "kmeans_starts": ("départs du k-means", 1, 1000, False),
    "min_type_size": ("bureaux par profil-type, au moins", 1, 100_000, False),
    "type_distinct_delta": ("écart qui nomme un profil-type", 0, 1, False),
    "kmeans_seed": ("graine du regroupement", 0, 2**31 - 1, False),
}
