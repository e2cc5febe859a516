"""`python manage.py export_results --election SLUG [--level …] [--departement 29]`: CSV on stdout."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from circonscriptions.exports import LEVELS, results_export_chunks
from circonscriptions.models import Departement, Election


class Command(BaseCommand):
    help = "Export an election's results as CSV, one row per (territory, nuance)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--election", required=True, help="e.g. legislatives-2024-1")
        parser.add_argument("--level", choices=LEVELS, default="polling_station")
        parser.add_argument("--departement", help="only this département (code, e.g. 29, 2A, 971)")

    def handle(self, *args, **options) -> None:
        election = Election.objects.filter(slug=options["election"]).first()
        if election is None:
            raise CommandError(f"Élection inconnue : {options['election']} (importez d'abord ses résultats).")
        departements = None
        if options["departement"]:
            code = options["departement"].strip().upper()
            code = code.zfill(2) if code.isdigit() and len(code) == 1 else code
            if not Departement.objects.filter(code=code).exists():
                raise CommandError(f"Département inconnu : {options['departement']}")
            departements = [code]
        try:
            for chunk in results_export_chunks(election=election, level=options["level"], departements=departements):
                self.stdout.write(chunk.decode("utf-8"), ending="")
            self.stdout.flush()
        except BrokenPipeError:
            # `export_results … | head`: the reader has what it wanted; stop without a traceback.
            sys.stdout = open(os.devnull, "w")  # Python flushes stdout again at exit
