"""hq's people's-rights modules learn of observations and fiches through signals only."""

import ast
from pathlib import Path

import pytest

HQ = Path(__file__).resolve().parent.parent
MODULES = ["privacy.py", "privacy_views.py", "audit.py", "retention.py", "signals.py"]


@pytest.mark.parametrize("name", MODULES)
def test_the_module_imports_neither_observations_nor_fiches(name):
    tree = ast.parse((HQ / name).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
    assert "hq" in imported or name == "signals.py"
    assert not imported & {"observations", "fiches"}


def test_observations_and_fiches_answer_the_signals():
    from hq.signals import person_erasing, person_export_requested, retention_purging
    from observations.signals import observation_texts_erasing

    assert person_export_requested.has_listeners() and person_erasing.has_listeners()
    assert retention_purging.has_listeners() and observation_texts_erasing.has_listeners()
