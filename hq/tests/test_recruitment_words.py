"""The recruitment funnel's steps in French: the last step is a sympathiser who became a member
(« adhérent·e »), not the date an account was created (« inscrit le », the same English word)."""

import re

import pytest
from django.utils import timezone

from hq.models import FollowupStatus, Role, Supporter, User

pytestmark = pytest.mark.django_db


def test_the_funnels_last_step_names_members_and_not_a_sign_up_date(client, make_member, federations):
    hq = make_member(Role.FEDERAL_HQ, "29")
    Supporter.objects.create(
        name="Annaïg Guivarc'h",
        federation=federations["29"],
        phone="06 00 00 00 01",
        consent_text="J'accepte que le parti me recontacte.",
        consent_at=timezone.now(),
        added_by=hq,
        followup_status=FollowupStatus.MEMBER,
        followup_changed_at=timezone.now(),
    )
    client.force_login(hq)
    html = client.get("/federation/29/recrutement/").content.decode()
    step = re.search(r'<li data-step="member"><strong>(\d+)</strong> ([^<]+)</li>', html)
    assert step is not None
    assert step.groups() == ("1", "adhérent·e")
    assert "inscrit le" not in html
    # The account's own field keeps its words.
    assert str(User._meta.get_field("date_joined").verbose_name) == "inscrit le"
