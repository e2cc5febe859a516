"""Real rows of the official législatives 2024 T1 file by bureau de vote (Brest area), for profile tests.

The file is read as published, through settings.DATA_DIR; only the bureaux a test names
are kept. The bloc of each nuance is the test's own mapping, written out below so that
the expectations can be computed by hand from the file's counts.
"""

import csv

from django.conf import settings

from circonscriptions import blocs

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
    are summed as "other" under the code of votes without a usable nuance
    (blocs.UNKNOWN_NUANCE), as the importer records them.
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
                "commune": "29019",
                "code": str(int(line["Numéro"])),
                "blank": int(line["Blancs"]),
                "null": int(line["Nuls"]),
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
            others = ("other", blocs.UNKNOWN_NUANCE, expressed - left - centre)
            slots = (("left", "NUP", left), ("centre", "ENS", centre), others)
            for panel, (bloc, nuance, votes) in enumerate(slots, start=1):
                rows.append(
                    {**base, "bloc": bloc, "votes": votes, "panel": panel, "nuance": nuance, "candidate": nuance}
                )
    return rows


COMMUNE_NAMES = {"29019": "Brest", "29011": "Bohars", "29015": "Bourg-Blanc", "29017": "Brélès"}


def store_results(rows: list[dict]) -> dict[str, int]:
    """Create, with the ORM, the territory, election, nuances, results and votes of `rows`.

    Returns {polling_station_id of the rows ('29019_40'): PollingStation.pk}. Bulk inserts
    only: the DB tests of profiles must not depend on the importers being finished.
    """
    from circonscriptions.models import (
        Circonscription,
        Commune,
        Departement,
        Election,
        Nuance,
        PollingStation,
        PollingStationResult,
        PollingStationVotes,
    )

    dept, _ = Departement.objects.get_or_create(code="29", defaults={"name": "Finistère"})
    circos = {}
    for code in sorted({r["circonscription"] for r in rows}):
        circos[code], _ = Circonscription.objects.get_or_create(
            code=code, defaults={"departement": dept, "number": int(code[2:]), "name": f"Finistère {int(code[2:])}"}
        )
    communes = {}
    for code in sorted({r["commune"] for r in rows}):
        communes[code], _ = Commune.objects.get_or_create(
            code=code, defaults={"name": COMMUNE_NAMES.get(code, code), "departement": dept}
        )
    stations = {}
    for r in rows:
        key = r["polling_station_id"]
        if key not in stations:
            stations[key], _ = PollingStation.objects.get_or_create(
                commune=communes[r["commune"]],
                code=r["code"],
                defaults={"circonscription": circos[r["circonscription"]], "name": f"Bureau {r['code']}"},
            )
    elections, nuances = {}, {}
    for r in rows:
        if r["election"] not in elections:
            elections[r["election"]], _ = Election.objects.get_or_create(
                slug=r["election"],
                defaults={"kind": r["kind"], "year": r["year"], "round": r["round"], "date": r["date"]},
            )
        key = (r["election"], r["nuance"])
        if key not in nuances:
            nuances[key], _ = Nuance.objects.get_or_create(
                election=elections[r["election"]], code=r["nuance"], defaults={"bloc": r["bloc"]}
            )
    results = {}
    for r in rows:
        key = (r["election"], r["polling_station_id"])
        if key not in results:
            results[key] = PollingStationResult(
                election=elections[r["election"]],
                polling_station=stations[r["polling_station_id"]],
                **{k: r[k] for k in ("registered", "voters", "abstentions", "blank", "null", "expressed")},
            )
    PollingStationResult.objects.bulk_create(results.values())
    PollingStationVotes.objects.bulk_create(
        PollingStationVotes(
            result=results[(r["election"], r["polling_station_id"])],
            panel=r["panel"],
            nuance=nuances[(r["election"], r["nuance"])],
            candidate=r["candidate"],
            votes=r["votes"],
        )
        for r in rows
    )
    return {key: station.pk for key, station in stations.items()}
