"""Small builders for the people's-rights tests: a sympathiser, an observation, a published fiche version."""

import itertools
import uuid
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from circonscriptions.models import Circonscription
from hq.models import Federation, Method, Supporter

_n = itertools.count()


def supporter(federation: Federation, name: str = "Sam Sympathisant", **fields) -> Supporter:
    n = next(_n)
    defaults = {
        "email": f"sam{n}@example.org",
        "phone": "06 00 00 00 0" + str(n % 10),
        "consent_text": "J'accepte d'être recontacté.",
        "consent_at": timezone.now(),
    }
    return Supporter.objects.create(name=name, federation=federation, **{**defaults, **fields})


def circonscription(federation: Federation) -> Circonscription:
    dep = federation.departement
    circo, _ = Circonscription.objects.get_or_create(
        code=f"{dep.code}97", defaults={"departement": dep, "number": 97, "name": "Circonscription de test"}
    )
    return circo


def observation(federation: Federation, *, filed_by=None, held_on: date | None = None, **fields):
    from observations.models import Observation

    method, _ = Method.objects.get_or_create(slug="porte-a-porte", defaults={"name": "Porte-à-porte"})
    defaults = {
        "idempotency_key": uuid.uuid4(),
        "held_on": held_on or timezone.localdate(),
        "departement": federation.departement,
        "circonscription": circonscription(federation),
        "method": method,
        "reaction": 4,
        "doors_knocked": 40,
        "doors_opened": 18,
        "conversations": 11,
        "interested": 4,
        "filed_by": filed_by,
    }
    return Observation.objects.create(**{**defaults, **fields})


def published_version(federation: Federation, quotes: list[dict], *, html: str):
    """A published version whose content quotes `quotes` (dicts with date and texts), with a PDF file."""
    from fiches.models import Fiche, FicheVersion

    fiche = Fiche.objects.create(circonscription=circonscription(federation), title="Fiche de test")
    version = FicheVersion(
        fiche=fiche,
        number=1,
        title=fiche.title,
        content={"observations": {"items": quotes}},
        html=html,
        published_at=timezone.now() + timedelta(seconds=1),
    )
    version.pdf.save(f"test-fiche-{fiche.pk}.pdf", ContentFile(b"%PDF-1.4 quote inside"), save=False)
    version.save()
    fiche.current_version = version
    fiche.save(update_fields=["current_version"])
    return version
