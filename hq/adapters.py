from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings

from hq.scoping import scope_for


class AccountAdapter(DefaultAccountAdapter):
    """Members join by invitation (hq.views.invitation_accept), never by open sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False


class MFAAdapter(DefaultMFAAdapter):
    """HQ members keep their authenticator app: they may replace it, not remove it."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP:
            if scope_for(authenticator.user).role in settings.QG_MFA_REQUIRED_ROLES:
                return False
        return super().can_delete_authenticator(authenticator)
