"""Builds the compact demo set `demo_data/` from the team's DATA_DIR (run once; the result is committed).

Only files whose licence allows redistribution are copied (see demo_data/SOURCES.md):
- the ministry's législatives 2024 T1 results by bureau for Finistère 2 and 3, with ONE
  column added: « Code circonscription », found for each bureau from the candidates on
  its line (each circonscription has its own candidates, listed in the ministry's file by
  circonscription). Without it, Brest's bureaux (a commune split between two
  circonscriptions) would have no circonscription in a demo without bureau contours;
- the ministry's législatives 2024 T1 results by circonscription (France entière);
- INSEE's « Indicateurs statistiques des circonscriptions législatives » (xlsx).

Usage: DATA_DIR=../shared/data .venv/bin/python scripts/build_demo_data.py
"""

import csv
import io
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", ROOT.parent / "shared" / "data"))
OUT = ROOT / "demo_data"

BUREAUX = "elections/lg2024-t1-bureaux-29-circos-02-03.csv"
CIRCOS = "elections/lg2024-t1-circonscriptions-par-candidat.csv"
COPIED = [CIRCOS, "insee/indic-stat-circonscriptions-legislatives-2022.xlsx"]


def candidates_by_circonscription() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    with (DATA_DIR / CIRCOS).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Departement"] == "29":
                found.setdefault(row["CodCirElec"][2:], set()).add(row["NomPsn"].strip().upper())
    return found


def bureaux_with_circonscription() -> str:
    circos = candidates_by_circonscription()
    with (DATA_DIR / BUREAUX).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[0]
    names = [i for i, h in enumerate(header) if h.startswith("Nom candidat ")]
    at = header.index("Libellé commune") + 1
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([*header[:at], "Code circonscription", *header[at:]])
    for row in rows[1:]:
        on_line = {row[i].strip().upper() for i in names if row[i].strip()}
        matching = [code for code, names_there in circos.items() if on_line and on_line <= names_there]
        if len(matching) != 1:
            sys.exit(f"bureau {row[2]}-{row[4]} : circonscription introuvable ({sorted(on_line)})")
        writer.writerow([*row[:at], matching[0], *row[at:]])
    return out.getvalue()


def main() -> None:
    (OUT / "elections").mkdir(parents=True, exist_ok=True)
    (OUT / "insee").mkdir(parents=True, exist_ok=True)
    target = OUT / "elections" / "lg2024-t1-bureaux-29-circos-02-03-avec-circonscription.csv"
    target.write_text(bureaux_with_circonscription(), encoding="utf-8")
    for path in COPIED:
        shutil.copyfile(DATA_DIR / path, OUT / path)
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"demo_data/ : {total / 1e6:.2f} Mo")


if __name__ == "__main__":
    main()
