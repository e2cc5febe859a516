"""The audit log: who read, exported or erased personal data, when, what and why.

Every page that lists people (a federation's members, the people to mobilise, an
observation's participants, the admin's lists of users, memberships and sympathisers,
a person's page) calls `audit_read` once; exports and erasures write their entry in
their own service (hq.privacy). One INSERT per request, nothing read back: the log
costs the page one small write.
"""

from __future__ import annotations

from django.http import HttpRequest

from hq.models import AuditAction, AuditEntry, Supporter, User
from hq.scoping import scope_for

# What a target string may hold: the object or the filters of the page, shortened.
TARGET_MAX = 500


def person_ref(person: User | Supporter | None) -> tuple[str, int | None]:
    """(kind, id) of a person, never their name: "member" for an account, "supporter" for a sympathiser."""
    if person is None:
        return "", None
    return ("member" if isinstance(person, User) else "supporter"), person.pk


def audit_write(
    *, actor, action: str, page: str = "", target: str = "", person=None, person_key=None, reason: str = ""
) -> AuditEntry:
    """One entry; `person_key` (kind, id) names a person already deleted (an erasure)."""
    kind, pk = person_key if person_key is not None else person_ref(person)
    authenticated = actor is not None and actor.is_authenticated
    return AuditEntry.objects.create(
        actor_id=actor.pk if authenticated else None,
        actor_email=actor.email if authenticated else "",
        actor_role=(scope_for(actor).role or "") if authenticated else "",
        action=action,
        page=page[:120],
        target=target[:TARGET_MAX],
        person_kind=kind,
        person_id=pk,
        reason=reason[:500],
    )


def audit_read(request: HttpRequest, *, page: str, target: str = "", person=None) -> None:
    """A page listing people was read: its name, and the object or filters shown (the query string by default)."""
    if not target:
        target = request.GET.urlencode()
    audit_write(actor=request.user, action=AuditAction.READ, page=page, target=target, person=person)


class AuditedAdminMixin:
    """ModelAdmin mixin for the admin's lists of people: each list and each person's page read is logged."""

    # "member" or "supporter" when the admin's objects are people themselves (their id is logged).
    audit_person_kind = ""

    def changelist_view(self, request, extra_context=None):
        audit_read(request, page=f"admin {self.model._meta.model_name} list")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            key = None
            if self.audit_person_kind and str(object_id).isdigit():
                key = (self.audit_person_kind, int(object_id))
            audit_write(
                actor=request.user,
                action=AuditAction.READ,
                page=f"admin {self.model._meta.model_name}",
                target=f"{self.model._meta.model_name} {object_id}"[:TARGET_MAX],
                person_key=key,
            )
        return super().change_view(request, object_id, form_url, extra_context)
