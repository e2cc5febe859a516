"""The fixed lifecycle of every import: read → validate everything → one transaction → ImportRun.

An importer is a function `load(path, run, progress) -> summary` that reads and
validates the whole file first and raises `ImportRefused` with every problem it
found (line, column, value, message in French) before it writes anything; it then
writes in bulk (COPY or large batches). `run_import` wraps it: checksum, "same file
as last time" detection, the transaction, and the ImportRun record, whatever happens:
a refusal, a bug or a time limit rolls the transaction back (rows the load created, an
Election included, go with it) and ends the run « refusé » with its errors in French.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from circonscriptions.models import Election, ImportRun

MAX_REPORTED_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    """One reason to refuse a file. `line` counts from 1, the header being line 1."""

    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column:
            where.append(f"colonne {self.column}")
        prefix = ", ".join(where)
        value = f" (valeur « {self.value} »)" if self.value not in (None, "") else ""
        return f"{prefix} : {self.message}{value}" if prefix else f"{self.message}{value}"


class ImportRefused(Exception):
    """The file is refused whole; nothing was written."""

    def __init__(self, file_name: str, problems: list[Problem]):
        self.file_name = file_name
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        shown = self.problems[:MAX_REPORTED_PROBLEMS]
        lines = [f"{self.file_name} : fichier refusé, {len(self.problems)} problème(s), rien n'a été importé."]
        lines += [f"  {self.file_name}, {problem}" for problem in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  … et {len(self.problems) - len(shown)} autre(s).")
        return "\n".join(lines)


@dataclass
class Progress:
    """Reports progress to the console callback and to the cache (read by the admin's progress bar)."""

    run_id: int
    on_update: Callable[[int, str], None] | None = None
    percent: int = 0
    step: str = ""

    def __call__(self, percent: int, step: str = "") -> None:
        self.percent, self.step = max(0, min(100, int(percent))), step or self.step
        cache.set(progress_key(self.run_id), {"percent": self.percent, "step": self.step}, timeout=24 * 3600)
        if self.on_update:
            self.on_update(self.percent, self.step)


def progress_key(run_id: int) -> str:
    # Several databases (tests, benchmarks, the demo) share one Redis: the key names the database.
    return f"import-progress:{connection.settings_dict['NAME']}:{run_id}"


@dataclass
class ImportOutcome:
    run: ImportRun
    unchanged: bool
    summary: dict = field(default_factory=dict)


Loader = Callable[[Path, ImportRun, Progress], dict]


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_import(
    *,
    kind: str,
    path: Path,
    load: Loader,
    options: dict | None = None,
    election: Election | None = None,
    by: str = "",
    on_progress: Callable[[int, str], None] | None = None,
    checksum: str | None = None,
    run: ImportRun | None = None,
    force: bool = False,
) -> ImportOutcome:
    """Run `load` in one transaction and record it. Raises ImportRefused on a bad file.

    The same file (same checksum, kind and options) as the latest successful import
    of that kind and scope under that file name is not loaded again: the run is
    recorded as unchanged (unless `force`). The file name is part of the scope because
    several files may feed one election (a département's bureaux, the national file
    by circonscription): importing A, then B, then A again finds A unchanged, while a
    corrected A (same name, other checksum) replaces it. `checksum` replaces the file's own when an import reads several
    files; `run` is an ImportRun created beforehand (by the admin's upload page, so
    that its progress bar can follow it from the start).
    """
    path = Path(path)
    options = options or {}
    checksum = checksum or file_checksum(path)
    file_name = run.file_name if run is not None and run.file_name else path.name
    latest = (
        ImportRun.objects.filter(kind=kind, options=options, file_name=file_name, status=ImportRun.Status.SUCCEEDED)
        .order_by("-started_at", "-pk")
        .first()
    )
    fields = {"kind": kind, "checksum": checksum, "options": options, "election": election, "started_by": by}
    if run is None:
        run = ImportRun.objects.create(file_name=path.name, **fields)
    else:
        for name, value in fields.items():
            setattr(run, name, value)
        run.status = ImportRun.Status.RUNNING
        run.save(update_fields=[*fields, "status"])
    if latest is not None and latest.checksum == checksum and not force:
        run.status = ImportRun.Status.UNCHANGED
        run.finished_at = timezone.now()
        run.progress = 100
        run.summary = {"same_as_run": latest.pk}
        run.save(update_fields=["status", "finished_at", "progress", "summary"])
        return ImportOutcome(run=run, unchanged=True, summary=run.summary)

    progress = Progress(run_id=run.pk, on_update=on_progress)
    try:
        with transaction.atomic():
            summary = load(path, run, progress)
    except ImportRefused as exc:
        _finish(run, ImportRun.Status.FAILED, errors=[asdict(p) for p in exc.problems[:MAX_REPORTED_PROBLEMS]])
        raise
    except BaseException as exc:
        # Whatever stopped the load (a bug, a lost connection, a time limit, Ctrl-C), the
        # transaction was rolled back: the run says so instead of staying « en cours ».
        _finish(run, ImportRun.Status.FAILED, errors=[{"message": unexpected_error_message(exc)}])
        raise
    progress(100, "terminé")
    _finish(run, ImportRun.Status.SUCCEEDED, summary=summary)
    return ImportOutcome(run=run, unchanged=False, summary=summary)


def unexpected_error_message(exc: BaseException) -> str:
    """The French sentence an unexpected failure leaves on its run (the detail goes to the log)."""
    if exc.__class__.__name__ == "SoftTimeLimitExceeded":
        return "L'import a dépassé le temps accordé à une tâche et a été arrêté : rien n'a été importé."
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return "L'import a été interrompu : rien n'a été importé."
    return (
        f"Erreur inattendue pendant l'import ({exc.__class__.__name__} : {exc}) : rien n'a été importé ; "
        "signalez-la avec le fichier."
    )


_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def json_safe(value):
    """`value` with control characters written \\xNN in its strings: PostgreSQL's JSON
    refuses NUL, and a run whose errors cannot be saved would stay « en cours »."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _finish(run: ImportRun, status: str, *, errors: list | None = None, summary: dict | None = None) -> None:
    run.status = status
    run.finished_at = timezone.now()
    fields = ["status", "finished_at"]
    if errors is not None:
        run.errors = json_safe(errors)
        fields.append("errors")
    if summary is not None:
        run.summary = json_safe(summary)
        run.rows = int(summary.get("rows", 0))
        run.progress = 100
        fields += ["summary", "rows", "progress"]
    if status == ImportRun.Status.SUCCEEDED and run.election_id is not None:
        # The load may have created the election (results): named once the import succeeded.
        fields.append("election")
    run.save(update_fields=fields)
