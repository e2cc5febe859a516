"""QG's own Python code uses only Django's public API: a private one (a leading underscore)
may change or vanish in any release, and the code that leans on it is the code nobody dares
to touch. Model._state is documented, so reading it is allowed; setting it is not."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "node_modules", ".git", "static", "media"}

PATTERNS = {
    "Django's private cursor preparation": re.compile(r"\b_prepare_cursor\b"),
    "an assignment to a model's _state": re.compile(r"\._state\.\w+\s*=(?!=)"),
    "an import of a private Django name": re.compile(
        r"^[ \t]*from[ \t]+django[\w.]*[ \t]+import[ \t]+(?:\([\w\s,]*?|[\w \t,]*?)(?<![\w.])_\w", re.MULTILINE
    ),
    "an import of a private Django module": re.compile(r"^\s*(?:from|import)\s+django(?:\.\w+)*\._\w", re.MULTILINE),
}


def _python_files():
    for path in ROOT.rglob("*.py"):
        if not SKIPPED.intersection(path.relative_to(ROOT).parts):
            yield path


def _offences(text: str) -> list[str]:
    return [what for what, pattern in PATTERNS.items() if pattern.search(text)]


def test_no_python_file_of_qg_uses_a_private_django_api():
    found = {}
    this = Path(__file__).resolve()
    for path in _python_files():
        if path.resolve() == this:
            continue
        offences = _offences(path.read_text(encoding="utf-8"))
        if offences:
            found[str(path.relative_to(ROOT))] = offences
    assert found == {}


def test_the_check_recognises_each_private_use_it_forbids():
    assert _offences("return connection._prepare_cursor(cursor)") == ["Django's private cursor preparation"]
    assert _offences("observation._state.adding = False") == ["an assignment to a model's _state"]
    assert _offences("if not self._state.adding:") == []
    assert _offences("from django.db.models.query import _Sentinel, QuerySet") == ["an import of a private Django name"]
    assert _offences("from django.utils.translation import gettext as _") == []
    assert _offences("from django.db.backends.postgresql._psycopg import x") == ["an import of a private Django module"]
    assert _offences("from django.db import connection") == []
    multiline = "from django.db import (\n    connection,\n    _private,\n)"
    assert _offences(multiline) == ["an import of a private Django name"]
    assert _offences("from django.conf import settings\n\nx = _y") == []
