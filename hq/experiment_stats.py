"""The statistics of a campaign run as an experiment (issue 13): draw, power, estimate.

Pure functions (numpy and scipy, no database). The rules, in words an analyst can check:

1. The draw. Target bureaux are grouped in strata (profile type × circonscription, or pairs
   of similar bureaux). Within each stratum of n bureaux, round(share × n) are held back as
   controls (a half rounds up), and never fewer than one control nor fewer than one treated
   bureau: a stratum of fewer than two bureaux cannot be drawn. The controls are picked by
   a random generator started from the recorded seed (numpy `Generator(PCG64(seed))`),
   stratum after stratum in the order in which strata first appear, bureaux in the order
   given: the same bureaux, strata, share and seed always give the same draw.
2. Pairs. Within each group (a circonscription), bureaux are paired greedily: the bureau
   with the lowest first feature still unpaired is paired with its nearest unpaired
   neighbour (Euclidean distance on features scaled to unit spread); an odd one out joins
   the last pair of its group (a stratum of three).
3. The estimate of the effect of being treated (intention to treat) is the least-squares
   coefficient of the treated indicator in a regression of the outcome (the change from
   the baseline election) on that indicator and one dummy per stratum. Equivalently: the
   outcome and the indicator are centred within each stratum, and the coefficient is
   Σ d̃·ỹ / Σ d̃². Only strata holding both treated and control bureaux carry information;
   the others are left out. Its standard error is robust to unequal variances (HC2: each
   squared residual divided by 1 − its leverage, which for this design is the bureau's
   1/n of its stratum plus d̃²/Σ d̃²). The 95 % interval uses Student's t with
   n − strata − 1 degrees of freedom.
4. The randomisation-inference p-value answers: if the campaign had no effect in any
   bureau, how often would a draw made as ours (same number of controls in each stratum)
   give an estimate at least as far from zero? Treatment is permuted within strata
   `permutations` times (seeded), and p = (1 + number at least as extreme) / (1 + permutations).
5. The effect per door knocked is an instrumental-variable (two-stage least squares)
   estimate: the effect of being treated on the outcome divided by its effect on the doors
   knocked, both with strata fixed effects; robust standard error of the same HC2 kind,
   with the leverage of the instrument (the draw).
6. The minimum detectable effect of a design is the true effect that an estimate as in 3
   would find significant at level `alpha` with probability `power`:
   (t₁₋α/₂ + t_power) × its expected standard error, where the expected variance of the
   estimate is Σ σᵢ² qₛ(1 − qₛ) / (Σ qₛ(1 − qₛ))², qₛ the treated share of bureau i's
   stratum after the draw's rounding and σᵢ the bureau's expected spread of the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

# A stratum's label is stored on ExperimentBureau (≤ 40 characters).
STRATUM_MAX = 40
# Permutations are drawn this many at a time: 200 × 5,000 bureaux stay within a few MB.
PERMUTATION_CHUNK = 200


class ExperimentError(ValueError):
    """A design or an estimate that the data cannot support; the message is French, for the user."""


@dataclass(frozen=True)
class Estimate:
    effect: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    n_treated: int
    n_control: int


def _share_check(control_share: float) -> None:
    try:
        share = float(control_share)
    except (TypeError, ValueError):
        share = math.nan
    if not 0 < share < 1:  # NaN fails too
        raise ExperimentError("La part de bureaux témoins doit être strictement comprise entre 0 et 100 %.")


def _strata_codes(strata: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Each bureau's stratum as an integer, numbered in the order strata first appear."""
    labels = [str(s) for s in strata]
    numbering: dict[str, int] = {}
    codes = np.fromiter((numbering.setdefault(s, len(numbering)) for s in labels), dtype=np.int64, count=len(labels))
    return codes, list(numbering)


def controls_per_stratum(sizes: np.ndarray, control_share: float) -> np.ndarray:
    """round(share × n) controls in a stratum of n (a half rounds up), at least 1, at most n − 1."""
    return np.clip(np.floor(control_share * sizes + 0.5), 1, sizes - 1).astype(np.int64)


def _design(strata: Sequence[str], control_share: float) -> tuple[np.ndarray, list[str], np.ndarray]:
    _share_check(control_share)
    codes, labels = _strata_codes(strata)
    if len(codes) == 0:
        raise ExperimentError("La campagne n'a aucun bureau cible.")
    sizes = np.bincount(codes, minlength=len(labels))
    if (sizes < 2).any():
        lonely = [labels[i] for i in np.flatnonzero(sizes < 2)]
        raise ExperimentError(
            f"Il faut au moins deux bureaux par strate (un témoin et un traité) : {len(lonely)} strate(s) "
            f"n'en ont qu'un (« {lonely[0]} »…). La campagne a moins de bureaux que de strates : "
            "ajoutez des bureaux ou choisissez des strates plus larges."
        )
    return codes, labels, sizes


def draw_controls(strata: Sequence[str], control_share: float, seed: int) -> np.ndarray:
    """Which bureaux are held back as controls (True), drawn within strata from `seed` (rule 1)."""
    codes, labels, sizes = _design(strata, control_share)
    n_controls = controls_per_stratum(sizes, control_share)
    rng = np.random.Generator(np.random.PCG64(seed))
    control = np.zeros(len(codes), dtype=bool)
    # One loop turn per stratum (not per bureau): the order of strata fixes the draw.
    for code in range(len(labels)):
        members = np.flatnonzero(codes == code)
        picked = rng.permutation(len(members))[: n_controls[code]]
        control[members[picked]] = True
    return control


def pair_strata(features: np.ndarray, groups: Sequence[str]) -> list[str]:
    """A stratum label per bureau: pairs (or one triple) of similar bureaux within each group (rule 2)."""
    x = np.asarray(features, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if len(x) != len(groups):
        raise ValueError("features and groups differ in length")
    if not np.isfinite(x).all():
        raise ExperimentError("Des bureaux n'ont pas de profil complet : ils ne peuvent pas être appariés.")
    spread = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    codes, labels = _strata_codes(groups)
    out = [""] * len(x)
    for code, group in enumerate(labels):
        members = np.flatnonzero(codes == code)
        # Stable order by the first feature: ties keep the given order (a reproducible pairing).
        members = members[np.argsort(x[members, 0], kind="stable")]
        free = np.ones(len(members), dtype=bool)
        pairs: list[list[int]] = []
        for position in range(len(members)):
            if not free[position]:
                continue
            free[position] = False
            candidates = np.flatnonzero(free)
            if len(candidates) == 0:
                if pairs:
                    pairs[-1].append(members[position])
                else:
                    pairs.append([members[position]])
                break
            distance = ((x[members[candidates]] - x[members[position]]) ** 2).sum(axis=1)
            nearest = candidates[int(np.argmin(distance))]
            free[nearest] = False
            pairs.append([members[position], members[nearest]])
        prefix = group[: STRATUM_MAX - 8]
        for number, pair in enumerate(pairs, start=1):
            for i in pair:
                out[i] = f"{prefix}-p{number}"
    return out


def minimum_detectable_effect(
    sd: float | np.ndarray,
    strata: Sequence[str],
    control_share: float,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """The smallest true effect the design finds significant with probability `power` (rule 6), in sd's unit."""
    codes, labels, sizes = _design(strata, control_share)
    sigma = np.broadcast_to(np.asarray(sd, dtype=float), codes.shape)
    if not np.isfinite(sigma).all() or (sigma < 0).any():
        raise ExperimentError("La variabilité passée des bureaux est inconnue pour certains d'entre eux.")
    treated_share = 1 - controls_per_stratum(sizes, control_share) / sizes
    weight = (treated_share * (1 - treated_share))[codes]
    variance = float((sigma**2 * weight).sum() / weight.sum() ** 2)
    df = len(codes) - len(labels) - 1
    if df < 1:
        raise ExperimentError(
            "Trop peu de bureaux pour le nombre de strates : il faut plus de bureaux que de strates plus un."
        )
    multiplier = stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)
    return float(multiplier * math.sqrt(variance))


# ---------------------------------------------------------------------------------------------
# Estimates


@dataclass(frozen=True)
class _Centred:
    """The bureaux of the strata that hold both groups, with their stratum codes and sizes."""

    keep: np.ndarray  # bool over the input bureaux
    codes: np.ndarray  # dense codes over the kept bureaux
    sizes: np.ndarray  # per kept stratum
    n_strata: int


def _prepare(y, treated, strata) -> tuple[np.ndarray, np.ndarray, _Centred]:
    y = np.asarray(y, dtype=float)
    d = np.asarray(treated, dtype=bool)
    if not (len(y) == len(d) == len(strata)):
        raise ValueError("y, treated and strata differ in length")
    if not np.isfinite(y).all():
        raise ExperimentError("Le résultat manque pour certains bureaux : l'effet ne peut pas être estimé.")
    codes, labels = _strata_codes(strata)
    treated_n = np.bincount(codes, weights=d, minlength=len(labels))
    sizes = np.bincount(codes, minlength=len(labels))
    both = (treated_n > 0) & (treated_n < sizes)
    keep = both[codes]
    if not both.any():
        raise ExperimentError("Aucune strate ne compte à la fois des bureaux traités et des bureaux témoins.")
    # Renumber the strata kept, densely.
    dense = np.cumsum(both) - 1
    kept_codes = dense[codes[keep]]
    centred = _Centred(keep=keep, codes=kept_codes, sizes=sizes[both], n_strata=int(both.sum()))
    return y[keep], d[keep].astype(float), centred


def _demean(values: np.ndarray, codes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    means = np.bincount(codes, weights=values, minlength=len(sizes)) / sizes
    return values - means[codes]


def _interval(effect: float, se: float, df: int) -> tuple[float, float]:
    half = float(stats.t.ppf(0.975, df)) * se
    return effect - half, effect + half


def _degrees_of_freedom(n: int, n_strata: int) -> int:
    df = n - n_strata - 1
    if df < 1:
        raise ExperimentError(
            "Trop peu de bureaux dans les strates utilisables pour estimer une marge d'erreur "
            "(il en faut plus que de strates plus un)."
        )
    return df


def _hc2_variance(z: np.ndarray, residuals: np.ndarray, leverage: np.ndarray, denominator: float) -> float:
    if (leverage >= 1 - 1e-9).any():
        raise ExperimentError(
            "Un groupe ne compte qu'un bureau dans une strate isolée : la marge d'erreur ne peut pas être estimée."
        )
    return float((z**2 * residuals**2 / (1 - leverage)).sum() / denominator**2)


def estimate_itt(y, treated, strata) -> Estimate:
    """Effect of being treated on y, strata fixed effects, HC2 standard error, t interval (rule 3)."""
    y, d, c = _prepare(y, treated, strata)
    # Ordinary least squares is the instrumental estimate whose regressor is its own instrument.
    return _instrumented(y, d, d, c)


def randomisation_p_value(y, treated, strata, permutations: int = 1000, seed: int = 0) -> float:
    """Share of within-strata re-draws giving an estimate at least as far from zero as ours (rule 4)."""
    if permutations < 1:
        raise ValueError("permutations must be at least 1")
    y, d, c = _prepare(y, treated, strata)
    y_c = _demean(y, c.codes, c.sizes)
    # With strata fixed effects the estimate of any re-draw is Σ(ỹ over its treated) / Σd̃²,
    # and Σd̃² is the same for every re-draw (same counts per stratum): the sum decides.
    order = np.argsort(c.codes, kind="stable")
    codes_sorted = c.codes[order].astype(float)
    y_sorted = y_c[order]
    d_sorted = d[order]
    observed = abs(float((d_sorted * y_sorted).sum()))
    tolerance = 1e-9 * max(1.0, float(np.abs(y_sorted).sum()))
    rng = np.random.Generator(np.random.PCG64(seed))
    extreme = 0
    done = 0
    while done < permutations:
        batch = min(PERMUTATION_CHUNK, permutations - done)
        # Sorting (stratum + uniform key) shuffles each stratum's block and never mixes blocks.
        keys = codes_sorted[None, :] + rng.random((batch, len(codes_sorted)))
        shuffled = np.argsort(keys, axis=1)
        sums = d_sorted[shuffled] @ y_sorted
        extreme += int((np.abs(sums) >= observed - tolerance).sum())
        done += batch
    return (1 + extreme) / (1 + permutations)


def estimate_per_unit(y, dose, treated, strata) -> Estimate:
    """Effect of one unit of dose (a door knocked) on y, the dose instrumented by the draw (rule 5)."""
    dose = np.asarray(dose, dtype=float)
    if len(dose) != len(treated):
        raise ValueError("dose and treated differ in length")
    if not np.isfinite(dose).all():
        raise ExperimentError("Le nombre de portes frappées manque pour certains bureaux.")
    y, z, c = _prepare(y, treated, strata)
    x = dose[c.keep]
    x_c = _demean(x, c.codes, c.sizes)
    z_c = _demean(z, c.codes, c.sizes)
    # The first stage: treated bureaux must have had more doors knocked than controls.
    if abs(float((z_c * x_c).sum())) <= 1e-9 * max(1.0, float(np.abs(x_c).sum())):
        raise ExperimentError(
            "Les bureaux traités n'ont pas eu plus de portes frappées que les témoins : "
            "l'effet par porte ne peut pas être estimé."
        )
    return _instrumented(y, x, z, c)


def _instrumented(y: np.ndarray, x: np.ndarray, z: np.ndarray, c: _Centred) -> Estimate:
    """Effect of x on y with z as instrument, within strata (fixed effects by demeaning), with the
    HC2 robust error and a t interval; z is the draw (1 = treated), x = z gives plain least squares."""
    y_c = _demean(y, c.codes, c.sizes)
    z_c = _demean(z, c.codes, c.sizes)
    x_c = _demean(x, c.codes, c.sizes)
    szx = float((z_c * x_c).sum())
    szz = float((z_c**2).sum())
    effect = float((z_c * y_c).sum() / szx)
    residuals = y_c - effect * x_c
    leverage = 1 / c.sizes[c.codes] + z_c**2 / szz
    df = _degrees_of_freedom(len(y), c.n_strata)
    se = math.sqrt(_hc2_variance(z_c, residuals, leverage, szx))
    low, high = _interval(effect, se, df)
    n_treated = int(z.sum())
    return Estimate(effect, se, low, high, df, n_treated, len(y) - n_treated)
