"""Real rows of the official législatives 2024 T1 file by bureau de vote (Brest area), for profile tests.

The file is read as published, through settings.DATA_DIR; only the bureaux a test names
are kept. The bloc of each nuance is the test's own mapping, written out below so that
the expectations can be computed by hand from the file's counts.
"""

import csv

from django.conf import settings

LG2024_T1 = "elections/lg2024-t1-bureaux-29-circos-02-03.csv"
LG2022_T1_CIRCO2 = "elections/lg2022-t1-bureaux-brest-circo-29-02.csv"

# The nuances present in the file. ECO with the left and DSV with the far right, as in the
# project's default mapping (circonscriptions/blocs.py); DIV and REG are "other".
BLOC_OF_NUANCE = {
    "UG": "left",
    "EXG": "left",
    "ECO": "left",
    "ENS": "centre",
    "DVC": "centre",
    "LR": "right",
    "RN": "far_right",
    "REC": "far_right",
    "EXD": "far_right",
    "DSV": "far_right",
    "DIV": "other",
    "REG": "other",
}


def lg2024_rows(bureaux: set[tuple[str, str]] | None = None) -> list[dict]:
    """One dict per (bureau, candidate) of the 2024 file, for the (commune, code BV) pairs given (all if None).

    Brest is split between circonscriptions 2 and 3 and the file has no circonscription
    column: the slate tells them apart (Pierre-Yves Cadalen ran in the 2nd).
    """
    rows = []
    with open(settings.DATA_DIR / LG2024_T1, encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle, delimiter=";"):
            key = (line["Code commune"], line["Code BV"])
            if bureaux is not None and key not in bureaux:
                continue
            slots = [i for i in range(1, 20) if line.get(f"Nuance candidat {i}")]
            names = {line[f"Nom candidat {i}"] for i in slots}
            circo = "2902" if "CADALEN" in names else "2903"
            for i in slots:
                rows.append(
                    {
                        "polling_station_id": f"{key[0]}_{key[1]}",
                        "commune": key[0],
                        "code": key[1],
                        "circonscription": circo,
                        "departement": line["Code département"],
                        "election": "legislatives-2024-1",
                        "kind": "legislatives",
                        "year": 2024,
                        "round": 1,
                        "date": "2024-06-30",
                        "registered": int(line["Inscrits"]),
                        "voters": int(line["Votants"]),
                        "abstentions": int(line["Abstentions"]),
                        "expressed": int(line["Exprimés"]),
                        "blank": int(line["Blancs"]),
                        "null": int(line["Nuls"]),
                        "panel": int(line[f"Numéro de panneau {i}"]),
                        "nuance": line[f"Nuance candidat {i}"],
                        "candidate": f"{line[f'Prénom candidat {i}']} {line[f'Nom candidat {i}']}",
                        "bloc": BLOC_OF_NUANCE[line[f"Nuance candidat {i}"]],
                        "votes": int(line[f"Voix {i}"]),
                    }
                )
    return rows


def lg2022_brest_rows(numbers: set[str]) -> list[dict]:
    """Rows of the City of Brest's 2022 export (circo 2) for the bureau numbers given ('040').

    That export has no nuance codes: only the two leading candidates are mapped here
    (Cadalen, NUPES → left; Larsonneur, Ensemble → centre); the votes of all the others
    are summed as "other" (a simplification of this test, said in its comments).
    """
    rows = []
    with open(settings.DATA_DIR / LG2022_T1_CIRCO2, encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle, delimiter=";"):
            if line["Numéro"] not in numbers:
                continue
            registered, voters, expressed = int(line["Inscrits"]), int(line["Votants"]), int(line["Exprimés"])
            left = int(line["M. CADALEN Pierre-Yves - votes"])
            centre = int(line["M. LARSONNEUR Jean-Charles - votes"])
            base = {
                "polling_station_id": f"29019_{int(line['Numéro'])}",
                "circonscription": "2902",
                "departement": "29",
                "election": "legislatives-2022-1",
                "kind": "legislatives",
                "year": 2022,
                "round": 1,
                "date": "2022-06-12",
                "registered": registered,
                "voters": voters,
                "abstentions": registered - voters,
                "expressed": expressed,
            }
            for bloc, votes in (("left", left), ("centre", centre), ("other", expressed - left - centre)):
                rows.append({**base, "bloc": bloc, "votes": votes})
    return rows
