from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from circonscriptions.importers.boundaries import LEVELS, boundaries_import
from circonscriptions.management.commands._importing import run_and_report


class Command(BaseCommand):
    help = (
        "Import the shapes of one level from a GeoJSON, gzipped GeoJSON or zipped shapefile "
        "(any CRS; parts of one territory dissolved; bureaux de vote created with their circonscription)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--level", required=True, choices=LEVELS)
        parser.add_argument("--code-field", help="the property holding the code, when not detected")
        parser.add_argument("--departement", help="for circonscription files that only number them (CIRCONSCRI)")
        parser.add_argument("--commune", help="INSEE code, for bureau files that only number them (uniq_bdv)")
        parser.add_argument("--force", action="store_true", help="load again even if the file was already loaded")

    def handle(self, *args, **options) -> None:
        run_and_report(
            self,
            lambda on_progress: boundaries_import(
                path=Path(options["file"]),
                level=options["level"],
                code_field=options["code_field"],
                departement=options["departement"],
                commune=options["commune"],
                on_progress=on_progress,
                force=options["force"],
            ),
        )
