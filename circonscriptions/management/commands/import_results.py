"""`python manage.py import_results FILE --election legislatives-2024-1` (see importers/results.py)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from circonscriptions.importers.base import ImportRefused
from circonscriptions.importers.results import TOLERABLE, results_import


class Command(BaseCommand):
    help = "Import an election results file (ministry by bureau or by circonscription, 2017 long layout, city exports)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--election", required=True, help="kind-year-round, e.g. legislatives-2024-1")
        parser.add_argument("--commune", help="INSEE code of the commune of a city export without commune column")
        parser.add_argument(
            "--tolerate",
            action="append",
            default=[],
            choices=sorted(TOLERABLE),
            help="keep the published figures when the source's candidate votes do not add up to its exprimés "
            "(recorded as warnings)",
        )
        parser.add_argument(
            "--accept-changes",
            action="store_true",
            help="apply a file that would remove results of bureaux already loaded for the election, or create "
            "bureaux in a commune whose bureaux are loaded (without it, the file is refused with the list)",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        bar = tqdm(total=100, unit="%", disable=options["verbosity"] == 0, leave=False)

        def on_progress(percent: int, step: str) -> None:
            bar.set_description(step)
            bar.update(percent - bar.n)

        try:
            outcome = results_import(
                path=path,
                election_slug=options["election"],
                commune=options.get("commune"),
                tolerate=set(options["tolerate"]),
                accept_changes=options["accept_changes"],
                on_progress=on_progress,
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        if outcome.unchanged:
            self.stdout.write(
                f"{path.name} : fichier identique à l'import n°{outcome.summary.get('same_as_run')}, rien n'a changé."
            )
            return
        s = outcome.summary
        self.stdout.write(
            f"{path.name} ({s['layout']}, {s['encoding']}, séparateur « {s['separator']} »"
            + (f", décimale « {s['decimal']} »" if "decimal" in s else "")
            + (", cellules en %" if s.get("percent_cells") else "")
            + ") : "
            f"{s['rows']} lignes lues, {s['territories']} territoires, "
            + (
                f"bureaux de vote créés {s['polling_stations_created']} / retrouvés {s['polling_stations_matched']}, "
                if "polling_stations_created" in s
                else ""
            )
            + f"{s['results_written']} résultats écrits, {s['results_removed']} retirés, "
            f"{s['nuances_created']} nuances créées, "
            + (
                f"{s['nuances_set_by_analysts']} lignes de voix prennent la nuance choisie par un analyste, "
                if s.get("nuances_set_by_analysts")
                else ""
            )
            + f"{s['seconds']} s (import n°{outcome.run.pk})."
        )
        for warning in s.get("warnings", []):
            self.stdout.write(f"  avertissement (toléré) : {warning}")
        if options["verbosity"] > 1:
            self.stdout.write(json.dumps(s, ensure_ascii=False, indent=1))
