"""A synthetic next election, built from real baseline bureaux, with a known campaign effect.

It exists to check the estimator (hq/experiment_stats.py), never to stand for real results:
every outcome it builds is labelled « simulé » wherever it is shown. Pure (arrays in, arrays
out). The rule, in words an analyst can check:

- In each bureau the next election's left share of the expressed votes is the baseline's,
  plus a shock common to every bureau (the national swing), plus a shock common to the
  bureau's stratum (its local swing), plus a noise of the bureau's own, whose spread is
  the bureau's past variability; plus, in treated bureaux only, the injected effect.
  Turnout (voters ÷ registered) is built the same way with its own shocks and effect.
- Shocks and noises are normal draws from a generator started from `seed`: the same seed
  gives the same election. Shares are then kept within 0 and 1.
- A bureau's past variability, when nothing better is known, is the spread a share has from
  sampling alone (√(p(1 − p)/n) for n votes) combined with a spread of its own
  (`extra_sd`, 2 points by default: how much bureaux move against their stratum
  between two elections beyond sampling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Spreads of the shocks, as fractions (0.03 = 3 points): a national swing and a local one.
COMMON_SD = 0.03
STRATUM_SD = 0.01
EXTRA_SD = 0.02


@dataclass(frozen=True)
class SimulatedElection:
    left_share: np.ndarray  # of expressed votes, 0–1
    turnout: np.ndarray  # voters ÷ registered, 0–1


def past_spread(share, count, extra_sd: float = EXTRA_SD) -> np.ndarray:
    """A bureau's spread of a share between two elections: sampling (√(p(1 − p)/n)) and its own."""
    p = np.clip(np.asarray(share, dtype=float), 0.0, 1.0)
    n = np.maximum(np.asarray(count, dtype=float), 1.0)
    return np.sqrt(p * (1 - p) / n + extra_sd**2)


def simulate_next_election(
    *,
    left_share,
    turnout,
    strata: Sequence[str],
    treated,
    sd_left,
    sd_turnout,
    effect_points: float,
    turnout_effect_points: float = 0.0,
    seed: int,
    common_sd: float = COMMON_SD,
    stratum_sd: float = STRATUM_SD,
) -> SimulatedElection:
    """The next election's left share and turnout per bureau, effects (in points) injected in treated bureaux."""
    share = np.asarray(left_share, dtype=float)
    rate = np.asarray(turnout, dtype=float)
    d = np.asarray(treated, dtype=bool)
    n = len(share)
    if not (len(rate) == len(d) == len(strata) == n):
        raise ValueError("left_share, turnout, strata and treated differ in length")
    labels, codes = np.unique(np.asarray(strata, dtype=str), return_inverse=True)
    rng = np.random.Generator(np.random.PCG64(seed))
    # Draws in a fixed order (left first, then turnout) so that a seed always gives the same election.
    left_common = rng.normal(0.0, common_sd)
    left_strata = rng.normal(0.0, stratum_sd, size=len(labels))
    left_noise = rng.normal(0.0, 1.0, size=n) * np.broadcast_to(np.asarray(sd_left, dtype=float), (n,))
    turnout_common = rng.normal(0.0, common_sd)
    turnout_strata = rng.normal(0.0, stratum_sd, size=len(labels))
    turnout_noise = rng.normal(0.0, 1.0, size=n) * np.broadcast_to(np.asarray(sd_turnout, dtype=float), (n,))
    next_share = share + left_common + left_strata[codes] + left_noise + d * (effect_points / 100)
    next_rate = rate + turnout_common + turnout_strata[codes] + turnout_noise + d * (turnout_effect_points / 100)
    return SimulatedElection(np.clip(next_share, 0.0, 1.0), np.clip(next_rate, 0.0, 1.0))
