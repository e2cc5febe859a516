"""The kinds of import the admin's "import a file" page offers.

Each importer module registers its kind at import time:

    registry.register(
        "results",
        label="Résultats électoraux",
        run=results_run,            # (*, path, options, by, run, on_progress) -> ImportOutcome
        fields=lambda: {"election": forms.CharField(label=_("Election"))},
    )

`run` is called by the Celery task with the uploaded file's local path, the
options typed in the form (cleaned data, as JSON-able values), the user's e-mail,
the ImportRun created by the admin page (pass it on to `run_import(run=…)` so that
the progress bar follows it), and a progress callback. `fields` builds the extra
form fields of that kind. Modules of this package are discovered automatically.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms


@dataclass(frozen=True)
class ImportKind:
    kind: str
    label: str
    run: Callable
    fields: Callable[[], dict[str, forms.Field]] = field(default=lambda: {})
    needs_file: bool = True


_KINDS: dict[str, ImportKind] = {}


def register(
    kind: str,
    *,
    label: str,
    run: Callable,
    fields: Callable[[], dict[str, forms.Field]] | None = None,
    needs_file: bool = True,
) -> None:
    _KINDS[kind] = ImportKind(kind=kind, label=label, run=run, fields=fields or (lambda: {}), needs_file=needs_file)


def discover() -> None:
    """Import every module of circonscriptions.importers so that each registers its kind."""
    import circonscriptions.importers as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in ("registry", "base"):
            importlib.import_module(f"{package.__name__}.{module.name}")


def kinds() -> dict[str, ImportKind]:
    discover()
    return dict(_KINDS)


def get(kind: str) -> ImportKind:
    discover()
    return _KINDS[kind]
