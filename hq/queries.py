"""Reads of hq's people and organisation, as chainable queryset methods.

The querysets are attached to the models in hq/models.py (`Federation.objects.with_counts()`).
They never decide who may see what: callers pass them through hq.scoping first or after.
"""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone


def _pending_q(prefix: str = "") -> Q:
    """An invitation is pending while nobody accepted it and it has not expired."""
    return Q(**{f"{prefix}accepted_at__isnull": True, f"{prefix}expires_at__gt": timezone.now()})


class FederationQuerySet(QuerySet):
    def with_counts(self) -> "FederationQuerySet":
        """Adds `member_count` and `pending_invitation_count` (two distinct counts, one query)."""
        return self.select_related("departement").annotate(
            member_count=Count("memberships", distinct=True),
            pending_invitation_count=Count("invitations", filter=_pending_q("invitations__"), distinct=True),
        )


class SectionQuerySet(QuerySet):
    def with_member_count(self) -> "SectionQuerySet":
        return self.annotate(member_count=Count("memberships", distinct=True))


class MembershipQuerySet(QuerySet):
    def for_listing(self) -> "MembershipQuerySet":
        return self.select_related("user", "section", "federation__departement").order_by(
            "user__full_name", "user__email"
        )


class InvitationQuerySet(QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(_pending_q())

    def for_listing(self) -> "InvitationQuerySet":
        return self.select_related("section", "invited_by", "federation__departement")


def latest_import_runs(limit: int = 10) -> QuerySet:
    """The last imports of official data, newest first (national HQ's home page)."""
    from circonscriptions.models import ImportRun

    return ImportRun.objects.select_related("election").order_by("-started_at")[:limit]


def recruits_by_mission(federation, *, limit: int = 20) -> list[dict]:
    """The federation's sympathisers met on missions, per mission (newest first), with how
    many are at each step of the follow-up: which missions bring people in, and how far they go.

    Each row: {"mission_id", "title", "starts_at", "total", "steps": [count at each step,
    in the order of FollowupStatus]}.
    """
    from hq.models import FollowupStatus, Supporter  # hq.models imports this module

    rows = (
        Supporter.objects.filter(federation=federation, met_on_mission__isnull=False)
        .values("met_on_mission_id", "met_on_mission__title", "met_on_mission__starts_at", "followup_status")
        .annotate(n=Count("pk"))
        .order_by("-met_on_mission__starts_at", "met_on_mission_id")
    )
    missions: dict[int, dict] = {}
    for row in rows:
        mission = missions.setdefault(
            row["met_on_mission_id"],
            {
                "mission_id": row["met_on_mission_id"],
                "title": row["met_on_mission__title"],
                "starts_at": row["met_on_mission__starts_at"],
                "total": 0,
                "steps": {},
            },
        )
        mission["steps"][row["followup_status"]] = row["n"]
        mission["total"] += row["n"]
    result = list(missions.values())[:limit]
    for mission in result:
        mission["steps"] = [mission["steps"].get(status, 0) for status in FollowupStatus.values]
    return result
