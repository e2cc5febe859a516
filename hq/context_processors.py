from django.contrib.auth.models import AnonymousUser

from hq.scoping import scope_for


def role(request) -> dict:
    """The current user's scope, for menus: `qg_scope.role`, `qg_scope.departement_code`."""
    # A request refused before the authentication middleware (unknown host → 400 page) has no user.
    return {"qg_scope": scope_for(getattr(request, "user", AnonymousUser()))}


def csp(request) -> dict:
    """`csp_nonce`: the nonce of this response's Content-Security-Policy, for QG's few inline scripts."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
