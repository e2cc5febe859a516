from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Members join by invitation (hq.views.invitation_accept), never by open sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False
