"""python manage.py print_fiches --departement 29 --out DIR: the batch print, from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from circonscriptions.models import Departement
from fiches.services import print_departement_to_dir


class Command(BaseCommand):
    help = "Prints every current fiche of a département: separate PDFs, one merged PDF and a ZIP."

    def add_arguments(self, parser):
        parser.add_argument("--departement", required=True, help="code du département, p. ex. 29")
        parser.add_argument("--out", required=True, type=Path, help="dossier où écrire les PDF")

    def handle(self, *args, departement: str, out: Path, **options):
        dep = Departement.objects.filter(code=departement).first()
        if dep is None:
            raise CommandError(f"Département inconnu : {departement!r} (importez d'abord le territoire).")

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r{done}/{total} fiches", ending="")

        written = print_departement_to_dir(departement=dep, out=out, progress=progress)
        self.stderr.write("")
        for path in written:
            self.stdout.write(str(path))
