"""What works where, in numbers: pure functions over plain rows (no database here).

Contact rate: conversations divided by doors knocked, summed over the door-to-door
observations of a group (a method, a profil-type, a leaning). Each door knocked is
counted as one trial and each conversation as one success — a conversation needs an
opened door, so there are never more successes than trials. The uncertainty is the
Wilson score interval at 95 %: unlike "rate ± 1.96·√(p(1-p)/n)" it stays within
[0, 1] and is honest for small counts (3 conversations out of 5 doors says little).
Observations without doors (market, stand) do not enter the contact rate.

Top concerns: how many observations raised each concern, per month; a concern of the
standard list and the same words typed freely count together (case-insensitive).
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion; None when there was no trial."""
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    # Rounding noise must not push the bounds past 0 or 1 (p = 0 or p = 1 exactly).
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ContactRate:
    group: str
    observations: int
    doors_knocked: int
    doors_opened: int
    conversations: int
    interested: int
    rate: float | None
    low: float | None
    high: float | None


def contact_rates(rows: Iterable[tuple[str, int, int, int, int]]) -> list[ContactRate]:
    """Rows (group, doors_knocked, doors_opened, conversations, interested), one per observation,
    → one ContactRate per group, highest rate first. Rows without any door knocked are ignored."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for group, knocked, opened, conversations, interested in rows:
        if knocked <= 0:
            continue
        s = sums[group]
        s[0] += 1
        s[1] += knocked
        s[2] += opened
        s[3] += conversations
        s[4] += interested
    result = []
    for group, (n, knocked, opened, conversations, interested) in sums.items():
        interval = wilson_interval(conversations, knocked)
        result.append(
            ContactRate(
                group=group,
                observations=n,
                doors_knocked=knocked,
                doors_opened=opened,
                conversations=conversations,
                interested=interested,
                rate=conversations / knocked,
                low=interval[0] if interval else None,
                high=interval[1] if interval else None,
            )
        )
    result.sort(key=lambda r: (-(r.rate or 0), r.group))
    return result


def month_of(day: date) -> date:
    return day.replace(day=1)


def normalise_concern(text: str) -> str:
    """' Logement  social ' → 'logement social': the same words count together."""
    return " ".join(text.split()).lower()


def top_concerns(rows: Iterable[tuple[date, str]], *, limit: int = 5) -> list[tuple[str, int]]:
    """Rows (date, concern), one per concern raised by an observation → the most raised, with counts."""
    counts = Counter(normalise_concern(concern) for _day, concern in rows)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def top_concerns_by_month(
    rows: Iterable[tuple[date, str]], *, limit: int = 5
) -> list[tuple[date, list[tuple[str, int]]]]:
    """Rows (date, concern) → for each month (newest first), its `limit` most raised concerns."""
    by_month: dict[date, list[tuple[date, str]]] = defaultdict(list)
    for day, concern in rows:
        by_month[month_of(day)].append((day, concern))
    return [(month, top_concerns(by_month[month], limit=limit)) for month in sorted(by_month, reverse=True)]
