"""python manage.py compute_profiles: recompute every voter profile by hand (the nightly job does the same)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from circonscriptions.profiles.services import profiles_recompute


class Command(BaseCommand):
    help = "Recompute the voter profiles of every polling station (atomic: the previous ones stay until done)."

    def add_arguments(self, parser):
        parser.add_argument("--by", default="", help="Who asked for it (recorded on the run).")

    def handle(self, *args, by: str = "", **options):
        bar = tqdm(total=100, desc="profils", unit="%", file=self.stderr._out, disable=options["verbosity"] == 0)

        def progress(percent: int, step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(percent - bar.n)

        try:
            run = profiles_recompute(by=by or "manage.py compute_profiles", progress=progress)
        except Exception as exc:
            raise CommandError(f"Calcul des profils échoué, les profils précédents restent en place : {exc}") from exc
        finally:
            bar.close()
        self.stdout.write(
            f"Profils calculés : {run.stations} bureaux de vote, {len(run.elections)} élection(s), "
            f"{run.seconds:.1f} s (calcul n°{run.pk}, désormais courant)."
        )
        contact = run.sources.get("contact_rate")
        if contact:  # the one figure that may come from the field rather than the settings
            self.stdout.write(f"Taux de portes ouvertes : {contact['source']}")
