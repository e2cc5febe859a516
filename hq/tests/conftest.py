"""Members of two federations (Finistère 29, Paris 75) for hq's tests."""

import itertools

import pytest
from django.utils import timezone

from hq.models import Federation, Membership, Role, Section, User
from hq.services import hq_staff_grant

_counter = itertools.count()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Django's default hasher takes ~0.3 s per password on purpose; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def federations(departements) -> dict[str, Federation]:
    return {
        "29": Federation.objects.create(departement=departements["29"], name="Fédération du Finistère"),
        "75": Federation.objects.create(departement=departements["75"], name="Fédération de Paris"),
    }


@pytest.fixture
def sections(federations) -> dict[str, Section]:
    return {
        "29": Section.objects.create(federation=federations["29"], name="Brest centre"),
        "75": Section.objects.create(federation=federations["75"], name="Paris 11e"),
    }


@pytest.fixture
def make_member(federations):
    """make_member(role, code) -> User: a member as the invitation flow would leave them.

    HQ members get staff status and their HQ group (hq.services.hq_staff_grant);
    role=None gives an account without any membership.
    """

    def make(role: str | None, code: str | None = None, *, section: Section | None = None, name: str = "") -> User:
        n = next(_counter)
        user = User.objects.create_user(f"{role or 'none'}{code or ''}-{n}@example.org", "pw-test-2026", full_name=name)
        if role is None:
            return user
        Membership.objects.create(
            user=user,
            role=role,
            federation=federations[code] if code else None,
            section=section,
            consent_text="J'accepte.",
            consent_at=timezone.now(),
        )
        hq_staff_grant(user=user, role=role)
        return user

    return make


@pytest.fixture
def national(make_member) -> User:
    return make_member(Role.NATIONAL_HQ)
