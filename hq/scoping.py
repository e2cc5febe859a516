"""Who may see and change what: the one place where QG scopes data.

The rule, in words:
- a national HQ member sees and changes everything;
- a federal HQ member sees and changes what belongs to their federation's département;
- a federation secretary sees what belongs to their département (to print it) and
  changes nothing there;
- an activist sees the territory of their département and changes nothing but their own data;
- anyone else (no membership, or logged out) sees nothing.

Every territorial or organisational model names in `SCOPE_PATH` the lookup from
itself to its département code. Views fetch objects with `get_for_user`, lists go
through `scope_queryset`, and the admin uses `ScopedAdminMixin`: none of them
re-implements the rule. An object outside a user's scope is a 404 (its existence
is not revealed); one in scope but read-only for them is a 403.
"""

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

from hq.models import Role, User

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class Scope:
    role: str | None
    departement_code: str | None  # None for national HQ (all) and for no role

    @property
    def is_national(self) -> bool:
        return self.role == Role.NATIONAL_HQ

    @property
    def can_read_territory(self) -> bool:
        return self.role is not None

    @property
    def can_write_territory(self) -> bool:
        return self.role in (Role.NATIONAL_HQ, Role.FEDERAL_HQ)

    @property
    def can_file_observations(self) -> bool:
        # A secretary reads and prints for the federation; they change nothing, reports included.
        return self.role in (Role.NATIONAL_HQ, Role.FEDERAL_HQ, Role.ACTIVIST)


NO_SCOPE = Scope(role=None, departement_code=None)


def scope_for(user: User | AnonymousUser) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    if user.is_superuser:
        return Scope(role=Role.NATIONAL_HQ, departement_code=None)
    # Cached on the user object for the request: views ask several times.
    cached = getattr(user, "_qg_scope", None)
    if cached is not None:
        return cached
    membership = (
        User.objects.filter(pk=user.pk)
        .values_list("membership__role", "membership__federation__departement__code")
        .order_by()
        .first()
    )
    role, code = membership if membership else (None, None)
    scope = Scope(role=role, departement_code=None if role == Role.NATIONAL_HQ else code)
    if role not in (None, Role.NATIONAL_HQ) and code is None:
        scope = NO_SCOPE
    user._qg_scope = scope  # type: ignore[union-attr]
    return scope


def _path(model: type[Model]) -> str:
    path = getattr(model, "SCOPE_PATH", None)
    if path is None:
        raise ImproperlyConfigured(f"{model.__name__} has no SCOPE_PATH: it cannot be scoped.")
    return path


def scope_queryset(qs: QuerySet, user: User | AnonymousUser, *, write: bool = False) -> QuerySet:
    """The rows of `qs` that `user` may read (or change, with write=True)."""
    scope = scope_for(user)
    allowed = scope.can_write_territory if write else scope.can_read_territory
    if not allowed:
        return qs.none()
    if scope.is_national:
        return qs
    return qs.filter(**{_path(qs.model): scope.departement_code})


def get_for_user(
    qs_or_model: QuerySet[_M] | type[_M], user: User | AnonymousUser, *, write: bool = False, **lookup: Any
) -> _M:
    """Fetch one object for `user`: 404 when out of their scope, 403 when they may only read it."""
    qs = qs_or_model if isinstance(qs_or_model, QuerySet) else qs_or_model._default_manager.all()
    try:
        obj = scope_queryset(qs, user).filter(**lookup).first()
    except (ValueError, TypeError, ValidationError):
        # A lookup value that cannot be the field's ('abc' for an id): no such object.
        obj = None
    if obj is None:
        raise Http404
    if write and not scope_for(user).can_write_territory:
        raise PermissionDenied
    return obj


def can_write(user: User | AnonymousUser, obj: Model) -> bool:
    return scope_queryset(type(obj)._default_manager.filter(pk=obj.pk), user, write=True).exists()


def departement_codes(user: User | AnonymousUser) -> list[str] | None:
    """The département codes in scope; None means all of France."""
    scope = scope_for(user)
    if scope.is_national:
        return None
    return [scope.departement_code] if scope.departement_code else []


class ScopedAdminMixin:
    """ModelAdmin mixin: lists, change pages and deletes go through the scoping rule."""

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        if not scope_for(request.user).can_read_territory:
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request, obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request):
        return scope_for(request.user).can_write_territory and super().has_add_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A federal HQ may only attach objects to territories it may change.
        related = db_field.related_model
        if getattr(related, "SCOPE_PATH", None) is not None:
            kwargs["queryset"] = scope_queryset(related._default_manager.all(), request.user, write=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Same for many-to-many choices (a section's communes).
        related = db_field.related_model
        if getattr(related, "SCOPE_PATH", None) is not None:
            kwargs["queryset"] = scope_queryset(related._default_manager.all(), request.user, write=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        # The admin answers a missing object with a redirect and a message naming the id;
        # an object out of scope must look exactly like one that does not exist: a 404.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def _may_write(self, request, obj) -> bool:
        if obj is None:
            return scope_for(request.user).can_write_territory
        return can_write(request.user, obj)
