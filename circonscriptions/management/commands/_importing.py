"""What the import commands share: a console progress bar, the refusal report and the summary."""

import json
import sys
import time

from django.core.management.base import CommandError

from circonscriptions.importers.base import ImportOutcome, ImportRefused


class ConsoleProgress:
    """A one-line progress bar on stderr (only when it is a terminal, so logs stay clean)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.last_step = ""

    def __call__(self, percent: int, step: str) -> None:
        if self.tty:
            bar = "#" * (percent // 4)
            self.stream.write(f"\r[{bar:<25}] {percent:3d}% {step[:60]:<60}")
            if percent >= 100:
                self.stream.write("\n")
            self.stream.flush()
        elif step != self.last_step:
            self.stream.write(f"{percent:3d}% {step}\n")
        self.last_step = step


def run_and_report(command, start) -> ImportOutcome:
    """Call `start(on_progress=…)`, print the summary, or turn a refusal into a CommandError."""
    progress = ConsoleProgress()
    try:
        outcome = start(on_progress=progress)
    except ImportRefused as exc:
        raise CommandError(str(exc)) from exc
    seconds = time.monotonic() - progress.started
    if outcome.unchanged:
        command.stdout.write(
            f"Fichier identique à l'import n°{outcome.summary.get('same_as_run')} : rien n'a changé "
            f"(import n°{outcome.run.pk}, {seconds:.1f} s)."
        )
        return outcome
    command.stdout.write(f"Import n°{outcome.run.pk} terminé en {seconds:.1f} s.")
    command.stdout.write(json.dumps(outcome.summary, ensure_ascii=False, indent=1))
    return outcome
