from django.core.management import call_command
from django.core.management.base import BaseCommand

from circonscriptions.demo import demo_backtests_run, demo_data_load
from circonscriptions.models import ImportRun, ProfileRun
from fiches.demo import fiches_demo_load
from hq.demo import demo_load, missions_demo_load
from hq.ride_demo import demo_rides_load
from observations.demo import observations_demo_load


class Command(BaseCommand):
    help = (
        "Loads the demo: the real territory, results and INSEE indicators from DATA_DIR, the voter "
        "profiles, one demo account per role, demo observations and one published fiche per Brest "
        "circonscription. Reads the compact set of demo_data/ when DATA_DIR holds none of the demo's files. "
        "Idempotent: a second run changes nothing."
    )

    def handle(self, *args, **options) -> None:
        succeeded_before = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).count()
        problems = demo_data_load(write=self.stdout.write)
        imported = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).count() - succeeded_before
        # Profiles are recomputed only when the data changed (or were never computed).
        if imported or not ProfileRun.objects.filter(is_current=True).exists():
            self.stdout.write("→ profils des bureaux de vote")
            call_command("compute_profiles", verbosity=0, by="make run (démo)")
        demo_backtests_run(write=self.stdout.write)
        for line in demo_load():
            self.stdout.write(line)
        for line in missions_demo_load():
            self.stdout.write(line)
        for line in demo_rides_load():  # after the missions they drive to
            self.stdout.write(line)
        added = observations_demo_load()
        if added:
            self.stdout.write(f"→ {added} fiches d'observation de démonstration")
        # Last: a fiche quotes the observations and shows the profiles loaded above.
        fiches_demo_load(write=self.stdout.write)
        if problems:
            self.stderr.write("Des fichiers de démonstration ont été refusés :\n" + "\n".join(problems))
