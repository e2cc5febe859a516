"""What the fiches app holds about a person, for hq's export and erasure (see hq/privacy.py).

Connected in FichesConfig.ready(). A member's fiche work (fiches created, versions
published) is theirs to export; erasing them empties those « created by » and
« published by » links (the database does it when the account is deleted). The quotes
of erased free texts are redacted through observations' `observation_texts_erasing`.
"""

from __future__ import annotations

from fiches.models import Fiche, FicheVersion


def export_sections(sender, person, kind: str, **kwargs) -> dict[str, list[dict]]:
    if kind != "member":
        return {}
    return {
        "fiches créées": [
            {"titre": f.title, "créée le": f.created_at} for f in Fiche.objects.filter(created_by=person).order_by("pk")
        ],
        "versions de fiches publiées": [
            {"titre": v.title, "version": v.number, "publiée le": v.published_at}
            for v in FicheVersion.objects.filter(published_by=person).only("title", "number", "published_at")
        ],
    }


def observation_texts_erasing(sender, observations: list[dict], by, reason: str, **kwargs) -> int:
    from fiches.services import fiche_versions_redact

    return fiche_versions_redact(observations=observations, by=by, reason=reason)
