"""Reads the settings once, so that `make run` / `make test` report a bad or missing
environment variable in one sentence instead of a stack trace from manage.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

try:
    import config.settings  # noqa: F401, E402
except ImproperlyConfigured as exc:
    sys.exit(f"\033[1;31m[qg] erreur :\033[0m configuration : {exc}")
