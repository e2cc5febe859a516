"""Reads of the territory and indicators that several parts of QG need.

- A commune code read in a file may be an old one: `commune_codes_current` maps any
  INSEE code, current or former, to today's commune.
- A bureau de vote's circonscription can be taken from its commune only when the
  commune lies in a single circonscription: `single_circonscription_by_commune`.
"""

from collections.abc import Iterable

from django.db.models import Count, Min

from circonscriptions.models import Commune, FormerCommuneCode, IndicatorValue


def commune_codes_current(codes: Iterable[str]) -> dict[str, str]:
    """{code as given: current commune code} for the codes that are known (current or former)."""
    wanted = {str(code).strip() for code in codes}
    current = set(Commune.objects.filter(code__in=wanted).values_list("code", flat=True))
    mapping = {code: code for code in current}
    former = FormerCommuneCode.objects.filter(code__in=wanted - current).values_list("code", "commune__code")
    mapping.update(dict(former))
    return mapping


def single_circonscription_by_commune(commune_ids: Iterable[int] | None = None) -> dict[int, int]:
    """{commune id: circonscription id} for the communes that lie in exactly one circonscription."""
    links = Commune.circonscriptions.through.objects.all()
    if commune_ids is not None:
        links = links.filter(commune_id__in=list(commune_ids))
    rows = links.values("commune_id").annotate(n=Count("circonscription_id"), circ=Min("circonscription_id"))
    return {row["commune_id"]: row["circ"] for row in rows.filter(n=1)}


def indicator_values(
    *, level: str, territory_codes: Iterable[str], source: str | None = None, vintage: str | None = None
) -> dict[tuple[str, str], float | None]:
    """{(territory code, variable code): value} of one level, optionally for one source and vintage."""
    values = IndicatorValue.objects.filter(level=level, territory_code__in=list(territory_codes))
    if source:
        values = values.filter(variable__source=source)
    if vintage:
        values = values.filter(vintage=vintage)
    return {
        (code, variable): value
        for code, variable, value in values.values_list("territory_code", "variable__code", "value")
    }
