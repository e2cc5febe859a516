import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# that unless told it is safe (it is: one thread, one test at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def departements(db):
    from circonscriptions.models import Departement

    return {
        "29": Departement.objects.create(code="29", name="Finistère"),
        "75": Departement.objects.create(code="75", name="Paris"),
    }
