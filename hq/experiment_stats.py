"""Statistics of campaign experiments (issue 13): the draw of controls, pairs of similar bureaux, power.

Pure numpy/scipy, no Django: arrays in, arrays out.

This is the design helper's minimal version of the three functions the design needs, written
to the contract of BRIEF13.md; the statistics helper's module (with the estimates) replaces it.

- `draw_controls`: within each stratum of n bureaux, round(share × n) are drawn as controls,
  at least one and at most n − 1 (each stratum keeps both groups); a stratum of fewer than
  two bureaux cannot be split and is refused. The draw uses numpy's PCG64 generator seeded
  with `seed`, strata taken in order of first appearance and bureaux in the order given: the
  same (strata, share, seed) always gives the same draw.
- `pair_strata`: within each group (a circonscription), bureaux are paired with their nearest
  neighbour on the standardised features; an odd one out joins the last pair (a triple).
- `minimum_detectable_effect`: the smallest true effect that a test at level `alpha` detects
  with probability `power`, for the least-squares estimate with strata fixed effects:
  (t(1 − α/2) + t(power)) × σ / √(Σ_s n_Ts × n_Cs / n_s), with df = n − strata − 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats


class ExperimentError(ValueError):
    """French message for the user."""


def _check_share(control_share: float) -> None:
    if not 0 < control_share < 1:
        raise ExperimentError(
            "La part de bureaux témoins doit être strictement comprise entre 0 et 100 % : "
            "sans témoins, rien à comparer ; sans bureaux traités, rien à mesurer."
        )


def _groups(strata: Sequence[str]) -> dict[str, list[int]]:
    """Indices of each stratum, strata in order of first appearance."""
    groups: dict[str, list[int]] = {}
    for i, stratum in enumerate(strata):
        groups.setdefault(stratum, []).append(i)
    return groups


def _n_controls(n: int, control_share: float) -> int:
    return min(max(round(control_share * n), 1), n - 1)


def _check_sizes(groups: dict[str, list[int]]) -> None:
    small = [name for name, members in groups.items() if len(members) < 2]
    if small:
        names = ", ".join(small[:5]) + (" …" if len(small) > 5 else "")
        raise ExperimentError(
            f"Moins de bureaux que de strates : {len(small)} strate(s) n'ont qu'un bureau ({names}). "
            "Chaque strate doit compter au moins deux bureaux, un témoin et un traité."
        )


def draw_controls(strata: Sequence[str], control_share: float, seed: int) -> np.ndarray:
    """True for each bureau drawn as a control (see the module docstring)."""
    _check_share(control_share)
    groups = _groups(strata)
    _check_sizes(groups)
    rng = np.random.Generator(np.random.PCG64(seed))
    controls = np.zeros(len(strata), dtype=bool)
    for members in groups.values():
        chosen = rng.choice(len(members), size=_n_controls(len(members), control_share), replace=False)
        controls[np.asarray(members)[chosen]] = True
    return controls


def pair_strata(features: np.ndarray, groups: Sequence[str]) -> list[str]:
    """A stratum per pair of similar bureaux within each group: « <group>-p<k> »."""
    x = np.asarray(features, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    # Missing figures take the column's mean: they neither attract nor repel a partner.
    if not len(x):
        return []
    means = np.nan_to_num(np.nanmean(x, axis=0)) if np.isnan(x).any() else x.mean(axis=0)
    x = np.where(np.isnan(x), means, x)
    spread = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    labels = [""] * len(groups)
    for group, members in _groups(groups).items():
        # Taken in the order of their features, so that the pairing does not depend on the input order.
        remaining = sorted(members, key=lambda i: (tuple(x[i]), i))
        pairs: list[list[int]] = []
        while len(remaining) >= 2:
            first = remaining.pop(0)
            distances = [float(np.sum((x[first] - x[j]) ** 2)) for j in remaining]
            pairs.append([first, remaining.pop(int(np.argmin(distances)))])
        if remaining:
            # The odd one out joins the last pair; alone in its group, it is a stratum of one.
            if pairs:
                pairs[-1].append(remaining[0])
            else:
                pairs.append(remaining)
        for k, pair in enumerate(pairs, start=1):
            for i in pair:
                labels[i] = f"{group}-p{k}"
    return labels


def minimum_detectable_effect(
    sd: float | np.ndarray,
    strata: Sequence[str],
    control_share: float,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """The minimum detectable effect, in the unit of `sd` (see the module docstring).

    `sd` is the spread of the outcome's change in one bureau: one figure for all, or one per
    bureau (their mean square is used).
    """
    _check_share(control_share)
    groups = _groups(strata)
    _check_sizes(groups)
    n = len(strata)
    df = n - len(groups) - 1
    if df < 1:
        raise ExperimentError(
            f"Trop peu de bureaux ({n}) pour {len(groups)} strates : "
            "il faut au moins un bureau de plus que de strates pour estimer un effet."
        )
    sigma = float(np.sqrt(np.mean(np.square(np.asarray(sd, dtype=float)))))
    precision = 0.0
    for members in groups.values():
        size = len(members)
        controls = _n_controls(size, control_share)
        precision += controls * (size - controls) / size
    multiplier = stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)
    return float(multiplier * sigma / np.sqrt(precision))
