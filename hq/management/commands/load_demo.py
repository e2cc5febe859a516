from django.core.management.base import BaseCommand

from hq.demo import demo_load


class Command(BaseCommand):
    help = "Loads the demo territory and demo accounts (idempotent: a second run changes nothing)."

    def handle(self, *args, **options) -> None:
        for line in demo_load():
            self.stdout.write(line)
