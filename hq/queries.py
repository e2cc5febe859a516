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
