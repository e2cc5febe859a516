from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from circonscriptions.importers.indicators import indicators_import
from circonscriptions.management.commands._importing import run_and_report


class Command(BaseCommand):
    help = (
        "Import INSEE indicators: the circonscription indicators (xlsx, or CSV with its -variables.csv "
        "dictionary) or a commune-level file (CODGEO)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dictionary", help="the variables' CSV (code;libelle;source), if not next to the file")
        parser.add_argument("--vintage", help="the year of the figures (default: the year in the file name)")
        parser.add_argument("--source", help="the variables' namespace (default: the file name without its year)")
        parser.add_argument("--force", action="store_true", help="load again even if the file was already loaded")

    def handle(self, *args, **options) -> None:
        run_and_report(
            self,
            lambda on_progress: indicators_import(
                path=Path(options["file"]),
                dictionary=Path(options["dictionary"]) if options["dictionary"] else None,
                vintage=options["vintage"],
                source=options["source"],
                on_progress=on_progress,
                force=options["force"],
            ),
        )
