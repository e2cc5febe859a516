"""Demo observations for `make run`: a few months of door-to-door and market reports.

They are made up (deterministic, from a fixed seed), filed by the demo activist in the
polling stations of the demo département's commune that has the most of them (Brest,
split between two circonscriptions, so that both demo fiches quote some), so that
HQ's list, map and aggregates have something to show. Idempotent: each report has a
fixed idempotency key, so loading twice stores them once. Nothing here is about a voter.
"""

import random
import uuid
from collections import Counter
from datetime import timedelta

from django.utils import timezone

from circonscriptions.models import PollingStation
from hq.models import Cause, Method, User
from observations.services import ObservationData, observation_submit

DEMO_NAMESPACE = uuid.UUID("6b1f9c64-5d1e-4a55-9e0e-2f0c0a7d6a10")
DEMO_REPORTS = 40
DEMO_FILER = "militant29@qg.example"

_REACTIONS = ["Plutôt bon accueil.", "Beaucoup de portes fermées.", "Inquiétude sur les prix.", "Accueil mitigé."]
_WORKED = ["Parler d'abord de la santé.", "Se présenter comme voisins.", "Laisser un tract avec un rendez-vous."]
_DID_NOT = ["Passer après 20 h.", "Commencer par le programme national.", "Rester plus de 5 minutes."]
_FREE = ["fermeture du bureau de poste", "stationnement", "bruit la nuit", "prix de l'énergie"]


def observations_demo_load(*, departement_code: str = "29", filer_email: str = DEMO_FILER) -> int:
    """Stores the demo reports that are not there yet; returns how many were added."""
    filer = User.objects.filter(email=filer_email).first()
    stations = list(
        PollingStation.objects.filter(commune__departement__code=departement_code).select_related("commune")[:2000]
    )
    methods = {m.slug: m.pk for m in Method.objects.filter(slug__in=["porte-a-porte", "marche", "tractage"])}
    causes = list(Cause.objects.filter(is_standard=True).values_list("pk", flat=True))
    if filer is None or not stations or "porte-a-porte" not in methods or not causes:
        return 0
    counts = Counter(s.commune_id for s in stations)
    biggest = max(counts, key=lambda commune_id: (counts[commune_id], -commune_id))
    stations = sorted((s for s in stations if s.commune_id == biggest), key=lambda s: s.pk)
    rng = random.Random(2026)  # noqa: S311 — made-up demo figures, not security
    today = timezone.localdate()
    added = 0
    for n in range(DEMO_REPORTS):
        station = rng.choice(stations)
        door_to_door = rng.random() < 0.75
        knocked = rng.randint(20, 80) if door_to_door else 0
        opened = rng.randint(knocked // 4, knocked // 2) if door_to_door else 0
        conversations = rng.randint(opened // 3, opened) if door_to_door else rng.randint(10, 40)
        data = ObservationData(
            idempotency_key=uuid.uuid5(DEMO_NAMESPACE, f"demo-{n}"),
            held_on=today - timedelta(days=rng.randint(1, 120)),
            method_id=methods["porte-a-porte"] if door_to_door else methods.get("marche", methods["porte-a-porte"]),
            reaction=rng.randint(2, 5),
            commune=station.commune,
            polling_stations=[station] if door_to_door else [],
            action="Porte-à-porte" if door_to_door else "Marché",
            theme_ids=rng.sample(causes, 1),
            doors_knocked=knocked,
            doors_opened=opened,
            conversations=conversations,
            interested=rng.randint(0, conversations // 3),
            leaflets=rng.randint(20, 100),
            reaction_text=rng.choice(_REACTIONS),
            concern_ids=rng.sample(causes, 2),
            concerns_other=[rng.choice(_FREE)] if rng.random() < 0.3 else [],
            worked=rng.choice(_WORKED),
            did_not_work=rng.choice(_DID_NOT),
        )
        _observation, created = observation_submit(data=data, by=filer)
        added += created
    return added
