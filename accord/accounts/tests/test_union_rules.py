"""Who may change a union's page (its logo, printed in the joint letter's letterhead): the
union's own national officers, and nobody else short of a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accord.accounts import rules
from accord.accounts.models import User
from tests.world import World


@pytest.mark.parametrize(
    ("persona", "may"),
    [
        ("officer", True),  # a national officer of NASUWT
        ("other_officer", False),  # a national officer of UNISON
        ("secretary", False),
        ("nem", False),
        ("rep", False),
        ("gmb", False),
        ("employer", False),
        ("auditor", False),
        ("outsider", False),
    ],
)
def test_only_the_unions_national_officers_change_its_logo(
    world: World, persona: str, may: bool
) -> None:
    assert rules.can_manage_union(world.users[persona], world.unions["NASUWT"]) is may


def test_a_national_officer_changes_their_own_unions_logo_not_the_lead_unions(
    world: World,
) -> None:
    unison_officer = world.users["other_officer"]
    assert rules.can_manage_union(unison_officer, world.unions["UNISON"]) is True
    assert rules.can_manage_union(unison_officer, world.unions["GMB"]) is False


def test_nobody_signed_out_changes_a_logo_and_a_superuser_changes_any(world: World) -> None:
    assert rules.can_manage_union(AnonymousUser(), world.unions["NASUWT"]) is False
    root = User.objects.create_superuser("root@example.org", "root@example.org", None)
    assert rules.can_manage_union(root, world.unions["GMB"]) is True
