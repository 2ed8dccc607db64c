"""Erasing a person and resetting their two-factor sign-in answer for everything they are: the
officer must be able to have given every role the person holds or ever held, and only a
superuser acts on a member of the staff."""

from __future__ import annotations

from accord.accounts import rules, services
from accord.accounts.models import Role, User
from tests.world import PASSWORD, World


def test_a_past_role_the_officer_could_not_give_keeps_the_person_out_of_reach(
    world: World,
) -> None:
    root = User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    officer = world.users["officer"]
    person = User.objects.create_user("former@example.org", password=PASSWORD)
    # Once a national officer of a partner union, now the employer's contact.
    past = services.grant_role(
        person,
        services.RoleSpec(Role.NATIONAL_OFFICER, {"union": world.unions["UNISON"]}),
        actor=root,
    )
    services.end_role(past, actor=root, reason="Retired")
    services.grant_role(
        person,
        services.RoleSpec(Role.EMPLOYER_CONTACT, {"employer": world.employer}),
        actor=officer,
    )
    assert rules.can_manage_person(officer, person)  # the role held now is the officer's to give
    assert not rules.can_erase_person(officer, person)
    assert not rules.can_reset_mfa(officer, person)
    assert rules.can_erase_person(root, person) and rules.can_reset_mfa(root, person)


def test_only_a_superuser_acts_on_a_member_of_the_staff(world: World) -> None:
    root = User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    staff = User.objects.create_user("staff@example.org", password=PASSWORD, is_staff=True)
    officer = world.users["officer"]
    assert not rules.can_erase_person(officer, staff)
    assert not rules.can_reset_mfa(officer, staff)
    assert rules.can_erase_person(root, staff) and rules.can_reset_mfa(root, staff)
