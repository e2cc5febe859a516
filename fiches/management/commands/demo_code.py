"""Prints the current second-factor code of the demo's HQ accounts (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hq.demo import DEMO_TOTP_SECRET, totp_code


class Command(BaseCommand):
    help = "Code à six chiffres du second facteur des comptes QG de démonstration (clé publiée, hors production)."

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("Les comptes de démonstration n'existent pas en production.")
        self.stdout.write(totp_code(DEMO_TOTP_SECRET))
