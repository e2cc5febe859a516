"""The real baseline bureaux of the campaign-experiment tests and bench, as arrays.

The official législatives 2024 T1 file for Finistère circonscriptions 2 and 3 (201 bureaux),
read with the profile tests' reader (circonscriptions/tests/profile_data.py): per bureau its
registered, voters and expressed counts, its left votes and its circonscription.
"""

from collections import defaultdict

import numpy as np

from circonscriptions.tests.profile_data import lg2024_rows


def finistere_bureaux() -> dict[str, np.ndarray]:
    """One entry per bureau, in file order: registered, voters, expressed, left, circonscription, key."""
    by_bureau: dict[str, dict] = {}
    left: dict[str, int] = defaultdict(int)
    for row in lg2024_rows():
        key = row["polling_station_id"]
        by_bureau.setdefault(key, row)
        if row["bloc"] == "left":
            left[key] += row["votes"]
    keys = list(by_bureau)
    return {
        "key": np.array(keys),
        "registered": np.array([by_bureau[k]["registered"] for k in keys], dtype=float),
        "voters": np.array([by_bureau[k]["voters"] for k in keys], dtype=float),
        "expressed": np.array([by_bureau[k]["expressed"] for k in keys], dtype=float),
        "left": np.array([left[k] for k in keys], dtype=float),
        "circonscription": np.array([by_bureau[k]["circonscription"] for k in keys]),
    }


def strata_by_left_tercile(bureaux: dict[str, np.ndarray]) -> list[str]:
    """A stand-in for profile type × circonscription: the tercile of the left share within each circonscription."""
    share = bureaux["left"] / bureaux["expressed"]
    strata = [""] * len(share)
    for circo in np.unique(bureaux["circonscription"]):
        members = np.flatnonzero(bureaux["circonscription"] == circo)
        cuts = np.quantile(share[members], [1 / 3, 2 / 3])
        for i in members:
            strata[i] = f"{circo}-t{int(np.searchsorted(cuts, share[i], side='right')) + 1}"
    return strata
