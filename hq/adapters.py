import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings

from hq.scoping import scope_for


class AccountAdapter(DefaultAccountAdapter):
    """Members join by invitation (hq.views.invitation_accept), never by open sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """No second password entry within a few minutes of the log-in (as allauth once did).

        An HQ member is sent to set up the authenticator right after logging in: asking
        for the password they just typed would only confuse. Later changes (replacing
        the authenticator, reading the recovery codes) still ask for it.
        """
        request = self.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if records and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    """HQ members keep their authenticator app: they may replace it, not remove it."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP:
            if scope_for(authenticator.user).role in settings.QG_MFA_REQUIRED_ROLES:
                return False
        return super().can_delete_authenticator(authenticator)
