"""python manage.py export_profiles [--circonscription 2902] [--departement 29]: the current profiles as CSV."""

import csv

from django.core.management.base import BaseCommand, CommandError

from circonscriptions.profiles.exports import PROFILE_CSV_HEADER, profile_csv_rows


class Command(BaseCommand):
    help = "Print the current voter profiles as CSV, one row per polling station."

    def add_arguments(self, parser):
        parser.add_argument("--circonscription", help="Circonscription code, e.g. 2902.")
        parser.add_argument("--departement", help="Département code, e.g. 29 or 2A.")

    def handle(self, *args, circonscription=None, departement=None, **options):
        try:
            rows = profile_csv_rows(circonscription=circonscription, departement=departement)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(PROFILE_CSV_HEADER)
        for row in rows:
            writer.writerow(row)
