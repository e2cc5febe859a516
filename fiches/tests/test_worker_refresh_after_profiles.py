"""The loop closes: a profile recompute run by a real worker refreshes the fiches' automatic parts.

Transactional (the worker reads committed rows): its name sorts it last in this app,
because Django empties the tables after it.
"""

import time

import pytest
from django.db import transaction

from circonscriptions.models import Circonscription, ProfileRun
from circonscriptions.profiles.services import profiles_recompute_later
from circonscriptions.tests.profile_data import lg2024_rows, store_results
from fiches.models import Fiche

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_new_profiles_give_each_fiche_a_fresh_draft(celery_worker_queue):
    with transaction.atomic():
        store_results(lg2024_rows({("29019", "40"), ("29019", "1"), ("29011", "1")}))
        circonscription = Circonscription.objects.get(code="2902")
        fiche = Fiche.objects.create(circonscription=circonscription, title="Brest nord", draft_pending=False)
        profiles_recompute_later(queue=celery_worker_queue)

    deadline = time.monotonic() + 60
    fiche.refresh_from_db()
    while fiche.automatic_at is None and time.monotonic() < deadline:
        time.sleep(0.3)
        fiche.refresh_from_db()
    run = ProfileRun.objects.current()
    assert run is not None
    assert fiche.automatic_at is not None and fiche.automatic_at >= run.started_at
    assert fiche.draft_pending is True
    assert fiche.automatic  # composed from the data: targeting and map of the circonscription
