"""Writes of hq: invitations, accounts, sections, worker heartbeats.

Who may invite whom (the rule an organiser can check):
- a national HQ member invites to any federation, with any role (national HQ included);
- a federal HQ member invites only to their own federation, as federal HQ, federation
  secretary or activist;
- secretaries and activists invite nobody.
An invitation is a single-use link valid 14 days. Accepting it creates the account and
the membership, and records the exact consent wording the person saw and when they agreed.
"""

import socket
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hq.models import Federation, Invitation, Membership, Role, Section, User, WorkerHeartbeat
from hq.scoping import can_write, scope_for

# Shown next to the consent checkbox when accepting an invitation; the text actually
# displayed (in the page's language) is what the membership stores.
CONSENT_WORDING = gettext_lazy(
    "I agree that the party keeps my name, my e-mail address and my activist commitment "
    "(which implies a political opinion) in order to organise its actions, for as long as I am "
    "a member. I can ask at any time to see, export or erase these data."
)

FEDERAL_HQ_GROUP = "QG fédéral"
NATIONAL_HQ_GROUP = "QG national"

# What a federal HQ member may do in the admin, always within their own département
# (hq.scoping.ScopedAdminMixin narrows every list and object to it). Users are read-only:
# accounts are created by invitation, and changing an address would hand over an account.
FEDERAL_HQ_PERMISSIONS = {
    "hq.federation": ("view", "change"),
    "hq.section": ("view", "add", "change", "delete"),
    "hq.membership": ("view", "change", "delete"),
    "hq.invitation": ("view", "delete"),
    "hq.user": ("view",),
    "hq.localissue": ("view", "add", "change", "delete"),
    "hq.supporter": ("view", "change"),
    # Missions are made on QG's pages; the admin corrects their words and reads the rest.
    "hq.mission": ("view", "change"),
    "hq.missionsignup": ("view",),
    "hq.ride": ("view",),
    "hq.activistprofile": ("view",),
    # The catalogue is national: a federation reads it.
    "hq.method": ("view",),
    "hq.cause": ("view",),
    "hq.skill": ("view",),
    # Its own territory and results, read-only (the admin scopes them to its département).
    "circonscriptions.circonscription": ("view",),
    "circonscriptions.commune": ("view",),
    "circonscriptions.pollingstation": ("view",),
    "circonscriptions.pollingstationresult": ("view",),
}
NATIONAL_HQ_APPS = ("hq", "circonscriptions", "observations", "fiches")


class InvitationUnusable(Exception):
    """The invitation was already used or has expired."""


def heartbeat_record(*, hostname: str | None = None) -> WorkerHeartbeat:
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname or socket.gethostname(), defaults={"seen_at": timezone.now()}
    )
    return beat


def invitable_roles(user: User | AnonymousUser) -> list[str]:
    """The roles `user` may invite people to (see the module docstring)."""
    scope = scope_for(user)
    if scope.is_national:
        return [Role.NATIONAL_HQ, Role.FEDERAL_HQ, Role.SECRETARY, Role.ACTIVIST]
    if scope.role == Role.FEDERAL_HQ:
        return [Role.FEDERAL_HQ, Role.SECRETARY, Role.ACTIVIST]
    return []


def invitation_accept_url(invitation: Invitation, *, base_url: str | None = None) -> str:
    return urljoin(base_url or settings.SITE_URL, reverse("hq:invitation_accept", args=[invitation.token]))


@transaction.atomic
def invitation_send(
    *,
    email: str,
    role: str,
    federation: Federation | None,
    section: Section | None,
    by: User,
    base_url: str | None = None,
) -> Invitation:
    """Creates the invitation and e-mails its link; refuses what `by` may not invite."""
    email = User.objects.normalize_email(email).strip().lower()
    if role not in invitable_roles(by):
        raise PermissionDenied("Vous ne pouvez pas inviter à ce rôle.")
    if role == Role.NATIONAL_HQ:
        # The national HQ belongs to no federation.
        federation, section = None, None
    elif federation is None:
        raise ValidationError("Choisissez la fédération de la personne invitée.")
    elif not can_write(by, federation):
        raise PermissionDenied("Vous ne pouvez pas inviter dans cette fédération.")
    if section is not None and section.federation_id != federation.pk:
        raise ValidationError("La section choisie n'appartient pas à cette fédération.")
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(f"L'adresse {email} a déjà un compte QG.")

    invitation = Invitation.objects.create(
        email=email, role=role, federation=federation, section=section, invited_by=by
    )
    link = invitation_accept_url(invitation, base_url=base_url)
    # The invited person has chosen no language yet: the e-mail is in QG's language,
    # whatever language the page of the HQ member who invites was shown in.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _invitation_email(invitation, by=by, link=link)
    send_mail(subject, body, None, [email])
    return invitation


def _invitation_email(invitation: Invitation, *, by: User, link: str) -> tuple[str, str]:
    federation = invitation.federation
    where = federation.name if federation else _("the national HQ")
    subject = _("Invitation to join QG")
    body = _(
        "Hello,\n\n"
        "%(inviter)s invites you to join QG, the party's activist headquarters, as %(role)s (%(where)s).\n\n"
        "To accept, choose your password here (the link works once, until %(expires)s):\n%(link)s\n\n"
        "If you did not expect this message, ignore it."
    ) % {
        "inviter": by.get_full_name() or by.email,
        "role": invitation.get_role_display(),
        "where": where,
        "expires": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y"),
        "link": link,
    }
    return subject, body


@transaction.atomic
def invitation_accept(*, invitation: Invitation, full_name: str, password: str, consent: str) -> User:
    """Creates the account and membership of an invitation, once.

    `consent` is the wording the person saw and agreed to; it is stored with the time.
    """
    # Locked so that two simultaneous clicks cannot both create an account.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationUnusable
    if not consent.strip():
        raise ValidationError("Le consentement est nécessaire pour créer le compte.")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationUnusable
    full_name = full_name.strip()
    password_validation.validate_password(password, User(email=invitation.email, full_name=full_name))

    now = timezone.now()
    user = User.objects.create_user(invitation.email, password, full_name=full_name)
    Membership.objects.create(
        user=user,
        role=invitation.role,
        federation=invitation.federation,
        section=invitation.section,
        consent_text=str(consent),
        consent_at=now,
    )
    hq_staff_grant(user=user, role=invitation.role)
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    return user


def hq_staff_grant(*, user: User, role: str) -> None:
    """HQ members use the admin: staff status and their HQ group. Others get neither."""
    if role == Role.FEDERAL_HQ:
        group = federal_hq_group_ensure()
    elif role == Role.NATIONAL_HQ:
        group = national_hq_group_ensure()
    else:
        return
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(group)


def hq_staff_revoke(*, user: User) -> None:
    """Someone who leaves an HQ role loses its groups, and the admin unless they are a superuser."""
    user.groups.remove(*Group.objects.filter(name__in=[FEDERAL_HQ_GROUP, NATIONAL_HQ_GROUP]))
    if user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])


def federal_hq_group_ensure() -> Group:
    """The « QG fédéral » group with exactly FEDERAL_HQ_PERMISSIONS (idempotent)."""
    group, _created = Group.objects.get_or_create(name=FEDERAL_HQ_GROUP)
    wanted = Q(pk__in=[])
    for label, actions in FEDERAL_HQ_PERMISSIONS.items():
        app_label, model = label.split(".")
        wanted |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def national_hq_group_ensure() -> Group:
    """The « QG national » group: every permission of QG's own apps (idempotent)."""
    group, _created = Group.objects.get_or_create(name=NATIONAL_HQ_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=NATIONAL_HQ_APPS))
    return group


def section_update(*, section: Section, name: str, by: User) -> Section:
    """Renames a section; only someone who may change its federation's data may."""
    if not can_write(by, section):
        raise PermissionDenied("Vous ne pouvez pas modifier cette section.")
    section.name = name.strip()
    section.save(update_fields=["name"])
    return section


def supporters_consent_renew(*, supporters) -> int:
    """The sympathisers agreed again to be kept on file (asked by HQ): their retention period starts over."""
    return supporters.update(consent_renewed_at=timezone.now())
