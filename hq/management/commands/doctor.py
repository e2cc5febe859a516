from django.core.management.base import BaseCommand, CommandError

from hq.health import check_database, check_redis


class Command(BaseCommand):
    help = "Checks that PostgreSQL (with PostGIS) and Redis answer, with a clear message when not."

    def handle(self, *args, **options) -> None:
        problems = [msg for msg in (check_database(), check_redis()) if msg]
        if problems:
            hint = (
                "\nIn development, `make services` starts the project's own PostGIS and Redis; "
                "in production, check DATABASE_URL and REDIS_URL."
            )
            raise CommandError("\n".join(problems) + hint)
        self.stdout.write("PostgreSQL/PostGIS and Redis answer.")
