from hq.scoping import scope_for


def role(request) -> dict:
    """The current user's scope, for menus: `qg_scope.role`, `qg_scope.departement_code`."""
    return {"qg_scope": scope_for(request.user)}
