"""python manage.py load_demo: the demo, loaded by one list of steps in order.

The loader is a command of `fiches`, the top app, because it loads the demo of every app
below it (DESIGN.md: « the demo loader sits above every app it loads »; import-linter
checks it). Each step loads one app's part and may rely on the steps before it: rides
need the missions they drive to, a fiche quotes the observations and shows the profiles.
To add a part of the demo, write a step and put it in `STEPS` at its place.
"""

from collections.abc import Callable

from django.core.management import call_command
from django.core.management.base import BaseCommand

from circonscriptions.demo import demo_backtests_run, demo_data_load
from circonscriptions.models import ImportRun, ProfileRun
from fiches.demo import fiches_demo_load
from fiches.experiment_demo import experiment_demo_load
from hq.demo import demo_load, missions_demo_load
from hq.ride_demo import demo_rides_load
from observations.demo import observations_demo_load

Write = Callable[[str], None]
# A step writes its progress with `write` and returns the files it refused (most refuse none).
Step = Callable[[Write], list[str]]


def territory_step(write: Write) -> list[str]:
    """The real territory, results and indicators; the profiles when the data changed or were never computed."""
    succeeded_before = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).count()
    problems = demo_data_load(write=write)
    imported = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).count() - succeeded_before
    if imported or not ProfileRun.objects.filter(is_current=True).exists():
        write("→ profils des bureaux de vote")
        call_command("compute_profiles", verbosity=0, by="make run (démo)")
    return problems


def backtests_step(write: Write) -> list[str]:
    demo_backtests_run(write=write)
    return []


def accounts_step(write: Write) -> list[str]:
    """Federations, one account per role."""
    for line in demo_load():
        write(line)
    return []


def missions_step(write: Write) -> list[str]:
    for line in missions_demo_load():
        write(line)
    return []


def rides_step(write: Write) -> list[str]:
    for line in demo_rides_load():
        write(line)
    return []


def observations_step(write: Write) -> list[str]:
    added = observations_demo_load()
    if added:
        write(f"→ {added} fiches d'observation de démonstration")
    return []


def fiches_step(write: Write) -> list[str]:
    fiches_demo_load(write=write)
    return []


def experiment_step(write: Write) -> list[str]:
    """A finished campaign run as an experiment, its outcome simulated (issue 13)."""
    experiment_demo_load(write=write)
    return []


STEPS: list[Step] = [
    territory_step,
    backtests_step,
    accounts_step,
    missions_step,
    rides_step,  # after the missions they drive to
    observations_step,
    fiches_step,  # a fiche quotes the observations and shows the profiles
    experiment_step,  # after the fiches: its reports, months old, are not the ones a fiche quotes
]


class Command(BaseCommand):
    help = (
        "Loads the demo: the real territory, results and INSEE indicators from DATA_DIR, the voter "
        "profiles, one demo account per role, demo observations, one published fiche per Brest "
        "circonscription and a finished campaign experiment with a simulated outcome. Reads the compact "
        "set of demo_data/ when DATA_DIR holds none of the demo's files. "
        "Idempotent: a second run changes nothing."
    )

    def handle(self, *args: object, **options: object) -> None:
        problems: list[str] = []
        for step in STEPS:
            problems += step(self.stdout.write)
        if problems:
            # Said last, so that a refused file is not lost among the progress lines.
            self.stderr.write("Des fichiers de démonstration ont été refusés :\n" + "\n".join(problems))
