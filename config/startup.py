"""Load the settings before Django does, so that a bad environment stops with a sentence.

Django would raise ImproperlyConfigured from deep inside its start-up, and the operator
would read a stack trace to find which variable is wrong; manage.py and the WSGI entry
point call `settings_or_exit()` first and print the sentence alone.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def settings_or_exit() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reading one setting loads the module)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration de QG refusée : {exc}\n")
        raise SystemExit(2) from None
