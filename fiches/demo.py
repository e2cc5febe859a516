"""Demo fiches for `make run`: one published fiche per demo circonscription (Brest, 2902 and 2903).

So that the demo activist's home lists what QG is for: where to go (the targeting the
profiles compute, with HQ's notes), how (methods of the catalogue) and what the activists
reported (observations). As in real life, the demo's federal HQ approves a few quotes
of the demo observations first (a fiche prints free texts only as quotes HQ approved),
then creates, edits and publishes each fiche through the same services as the pages.

Idempotent: a circonscription that already has a published fiche is left alone; quotes
already reviewed are not reviewed again. The texts are made up for the demo.
"""

from collections.abc import Callable

from circonscriptions.models import Circonscription
from fiches.models import Fiche
from fiches.services import fiche_create, fiche_publish, fiche_update
from hq.electoral_law import ElectoralSilenceError
from hq.models import Method, User
from observations.models import Observation, Quote, QuoteField
from observations.services import QuoteDecision, quote_review

DEMO_PUBLISHER = "federation29@qg.example"
QUOTES_PER_CIRCONSCRIPTION = 3

DEMO_FICHES = {
    "2902": {
        "title": "Brest centre et rive droite : porte-à-porte de printemps",
        "methods": ["porte-a-porte", "marche", "tractage"],
        "targeting_notes": (
            "Priorité aux bureaux en tête du classement, le samedi matin et en fin d'après-midi en "
            "semaine ; marché de Saint-Martin le dimanche."
        ),
        "free_text": (
            "Présentez-vous comme voisins, parlez d'abord de ce qui inquiète le quartier (santé, prix), "
            "puis laissez un tract avec la date de la prochaine réunion."
        ),
    },
    "2903": {
        "title": "Brest nord et communes voisines : retrouver les abstentionnistes",
        "methods": ["porte-a-porte", "stand", "reunion-publique"],
        "targeting_notes": (
            "Les bureaux où l'abstention est la plus forte d'abord ; un stand devant les écoles en fin de journée."
        ),
        "free_text": (
            "Beaucoup d'habitants ne votent plus : demandez ce qui les ferait revenir, notez les réponses "
            "dans une fiche d'observation."
        ),
    },
}


def _quotes_approve(circonscription: Circonscription, by: User) -> int:
    """HQ approves the free texts of the circonscription's latest observations (as reported)."""
    approved = 0
    latest = Observation.objects.filter(circonscription=circonscription).order_by("-held_on", "-pk")
    for observation in latest[:QUOTES_PER_CIRCONSCRIPTION]:
        for field in (QuoteField.WORKED, QuoteField.REACTION_TEXT):
            if not getattr(observation, field) or Quote.objects.filter(observation=observation, field=field).exists():
                continue
            quote_review(observation=observation, field=field, decision=QuoteDecision.APPROVE, by=by)
            approved += 1
    return approved


def fiches_demo_load(*, write: Callable[[str], None]) -> int:
    """Publish the demo fiches not published yet; returns how many were published."""
    publisher = User.objects.filter(email=DEMO_PUBLISHER).first()
    if publisher is None:
        return 0
    published = 0
    for code, spec in DEMO_FICHES.items():
        circonscription = Circonscription.objects.filter(code=code).first()
        if circonscription is None or Fiche.objects.filter(circonscription=circonscription).published().exists():
            continue
        quotes = _quotes_approve(circonscription, publisher)
        fiche = Fiche.objects.filter(circonscription=circonscription, title=spec["title"]).first()
        if fiche is None:
            fiche = fiche_create(circonscription=circonscription, title=spec["title"], by=publisher)
        fiche_update(
            fiche=fiche,
            title=spec["title"],
            local_issues=[],
            methods=Method.objects.filter(slug__in=spec["methods"]),
            free_text=spec["free_text"],
            targeting_notes=spec["targeting_notes"],
        )
        try:
            version = fiche_publish(fiche=fiche, by=publisher)
        except ElectoralSilenceError as exc:
            write(f"  (fiche {code} non publiée : {exc})")
            continue
        published += 1
        write(f"→ fiche publiée pour la circonscription {code} : « {version.title} » ({quotes} citations approuvées)")
    return published
