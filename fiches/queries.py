"""Reads of the fiches, always through hq.scoping.

Who reads what (the scoping rule of hq.scoping, plus one restriction of this app):
HQ members who may change a département's territory (national HQ everywhere, federal
HQ in its département) see every fiche there, drafts included; everyone else who may
read that territory (federation secretaries, activists) sees only the published ones.
"""

from django.db.models import QuerySet
from django.urls import reverse

from fiches.models import BatchPrint, Fiche, FicheVersion
from hq.scoping import get_for_user, scope_for, scope_queryset


def may_edit_fiches(user) -> bool:
    return scope_for(user).can_write_territory


def fiches_for_user(user) -> QuerySet[Fiche]:
    fiches = scope_queryset(Fiche.objects.all(), user)
    if not may_edit_fiches(user):
        fiches = fiches.published()
    return fiches


def fiche_for_user(user, pk: int, *, write: bool = False) -> Fiche:
    """One fiche: 404 outside the user's scope (or unpublished for a reader), 403 when they may only read it."""
    return get_for_user(
        fiches_for_user(user).select_related("circonscription__departement", "current_version"),
        user,
        write=write,
        pk=pk,
    )


def fiche_version_for_user(user, fiche: Fiche, number: int) -> FicheVersion:
    return get_for_user(FicheVersion.objects.filter(fiche=fiche).select_related("published_by"), user, number=number)


def fiches_feed_for(user, *, limit: int = 10) -> list[FicheVersion]:
    """The current published version of each fiche the user may read, newest first (the home page's feed)."""
    visible = scope_queryset(Fiche.objects.published(), user)
    return list(
        FicheVersion.objects.filter(pk__in=visible.values("current_version"))
        .select_related("fiche__circonscription")
        .order_by("-published_at")[:limit]
    )


def batch_print_for_user(user, pk: int) -> BatchPrint:
    return get_for_user(BatchPrint.objects.select_related("departement"), user, pk=pk)


def version_targets(version: FicheVersion) -> set[int]:
    """The bureaux a published version sends activists to (its numbered priorities)."""
    targeting = (version.content or {}).get("targeting") or {}
    return {row.get("station_id") for row in targeting.get("priorities") or [] if isinstance(row, dict)}


def published_fiches_targeting(station_ids: set[int], *, departement_code: str | None = None) -> list[dict]:
    """The fiches whose published (current) version lists one of `station_ids` among its priority
    targets: [{"label", "url", "bureaux"}], for the page of a campaign experiment whose control
    bureaux these are (a federation's fiches, or all of them for a national campaign)."""
    if not station_ids:
        return []
    fiches = Fiche.objects.filter(current_version__isnull=False).select_related("current_version", "circonscription")
    if departement_code is not None:
        fiches = fiches.filter(circonscription__departement__code=departement_code)
    found = []
    for fiche in fiches.order_by("circonscription__code", "pk"):
        version = fiche.current_version
        hit = version_targets(version) & station_ids
        if hit:
            found.append(
                {
                    "label": f"{fiche.title} ({fiche.circonscription.code}), version {version.number}",
                    "url": reverse("fiches:detail", kwargs={"pk": fiche.pk}),
                    "bureaux": len(hit),
                }
            )
    return found
