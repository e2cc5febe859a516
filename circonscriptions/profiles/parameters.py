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
        """Raise ValueError, in French, on a value that would make the figures meaningless."""
        problems = []
        if not self.half_life_years > 0:
            problems.append("la demi-vie doit être strictement positive")
        for name in ("contact_rate", "mobilisation_effect", "persuasion_effect"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                problems.append(f"{name} doit être entre 0 et 1 (valeur {value})")
        if self.doors_per_hour < 0:
            problems.append("le nombre de portes par heure ne peut pas être négatif")
        if not 0 <= self.leaning_margin < 1:
            problems.append("le seuil de marge doit être entre 0 et 1")
        if not self.margin_sd_floor > 0:
            problems.append("le plancher d'écart-type doit être strictement positif")
        if self.max_types < 1 or self.min_type_size < 1 or self.hotspot_min_group < 2:
            problems.append("les nombres de types et tailles de groupes doivent être positifs")
        if problems:
            raise ValueError("Paramètres de profils invalides : " + " ; ".join(problems) + ".")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ProfileParameters:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
