"""python manage.py backtest_profiles --until DATE --against ELECTION: do the profiles foretell that election?"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from circonscriptions.profiles.backtest import BacktestRefused, backtest_summary_lines, profiles_backtest


class Command(BaseCommand):
    help = (
        "Compute the profiles from the elections before DATE only, compare them bureau by bureau with "
        "ELECTION (accuracy per class, calibration, Brier score, correlation) and record the back-test."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--until", required=True, help="Profiles from the elections strictly before this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--against", required=True, help="Slug of the election to compare with (e.g. legislatives-2024-1)."
        )
        parser.add_argument(
            "--calibrate",
            action="store_true",
            help="Also find the spread factor of the confidence with the best Brier score and save it to the settings.",
        )
        parser.add_argument("--by", default="", help="Who asked for it (recorded on the back-test).")

    def handle(self, *args, until: str, against: str, calibrate: bool = False, by: str = "", **options):
        try:
            day = date.fromisoformat(until)
        except ValueError as exc:
            raise CommandError(f"La date « {until} » n'est pas une date AAAA-MM-JJ (par exemple 2024-01-01).") from exc
        try:
            backtest = profiles_backtest(
                until=day, against=against, by=by or "manage.py backtest_profiles", calibrate=calibrate
            )
        except BacktestRefused as exc:
            raise CommandError(str(exc)) from exc
        for line in backtest_summary_lines(backtest):
            self.stdout.write(line)
