"""The rules: `covers` and its queryset twin agree, and each role reaches what the brief says."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accord.accounts.models import Role, RoleAssignment
from accord.enrolments import rules
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State, step
from accord.enrolments.selectors import visible_enrolments
from tests.world import PERSONAS, World


def test_the_python_rule_and_the_queryset_filter_agree_for_every_persona(world: World) -> None:
    enrolments = [
        world.enrolment(State.PROPOSED),
        world.enrolment(State.APPROACHED, employer=world.trust),
        world.enrolment(State.PROPOSED, employer=world.other_employer, secretary="other_secretary"),
    ]
    for persona in PERSONAS:
        user = world.users[persona]
        by_rule = {e.pk for e in enrolments if rules.can_view_enrolment(user, e)}
        by_query = set(visible_enrolments(user).values_list("pk", flat=True))
        assert by_rule == by_query, persona


@pytest.mark.parametrize(
    ("persona", "sees_own_area", "sees_other_area"),
    [
        ("rep", True, False),
        ("secretary", True, False),
        ("nem", True, False),
        ("gmb", True, False),
        ("unison", True, False),
        ("officer", True, True),
        ("auditor", True, True),
        ("other_officer", False, False),  # a national officer of a union that does not lead
        ("outsider", False, False),
    ],
)
def test_who_sees_which_enrolments(
    world: World, persona: str, sees_own_area: bool, sees_other_area: bool
) -> None:
    own = world.enrolment(State.PROPOSED)
    other = world.enrolment(
        State.PROPOSED, employer=world.other_employer, secretary="other_secretary"
    )
    user = world.users[persona]
    assert rules.can_view_enrolment(user, own) is sees_own_area
    assert rules.can_view_enrolment(user, other) is sees_other_area


def test_a_rep_at_a_school_may_propose_its_trust_but_not_a_sister_school(world: World) -> None:
    rep = world.users["rep"]
    RoleAssignment.objects.filter(user=rep).update(employer=world.academy)
    rep = type(rep).objects.get(pk=rep.pk)
    assert rules.can_propose(rep, world.trust, world.scheme)
    assert rules.can_propose(rep, world.academy, world.scheme)
    assert not rules.can_propose(rep, world.employer, world.scheme)


def test_internal_deliberations_are_for_union_roles_and_the_auditor_only(world: World) -> None:
    enrolment = world.enrolment(State.APPROACHED)
    for persona in ["rep", "secretary", "nem", "gmb", "officer", "auditor"]:
        assert rules.can_see_internal(world.users[persona], enrolment), persona
    for persona in ["employer", "other_secretary", "outsider"]:
        assert not rules.can_see_internal(world.users[persona], enrolment), persona


# Whose position (with its reasons) each persona reads on a case at world.employer: the lead
# union's officers who decide on it and the auditor read every union's; every other union role
# reads its own union's only (issue 12, "Least privilege"); the employer none.
POSITIONS_READ = [
    # persona, (NASUWT's, GMB's, UNISON's, Unite's)
    ("secretary", (True, True, True, True)),
    ("nem", (True, True, True, True)),
    ("officer", (True, True, True, True)),
    ("auditor", (True, True, True, True)),
    ("rep", (True, False, False, False)),
    ("gmb", (False, True, False, False)),
    ("unison", (False, False, True, False)),
    ("unite", (False, False, False, True)),
    ("employer", (False, False, False, False)),
    ("other_secretary", (False, False, False, False)),
    ("other_gmb", (False, False, False, False)),
    ("other_officer", (False, False, False, False)),
    ("outsider", (False, False, False, False)),
]


@pytest.mark.parametrize(("persona", "reads"), POSITIONS_READ)
def test_each_persona_reads_the_positions_of_the_unions_the_table_gives(
    world: World, persona: str, reads: tuple[bool, bool, bool, bool]
) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    unions = [world.unions[name].pk for name in ("NASUWT", "GMB", "UNISON", "Unite")]
    user = world.users[persona]
    assert tuple(rules.can_see_position(user, enrolment, union) for union in unions) == reads


def test_a_role_must_be_held_for_the_scope_it_needs(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=world.users["outsider"], role=Role.LOCAL_SECRETARY, union=world.unions["NASUWT"]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=world.users["outsider"],
            role=Role.EMPLOYER_CONTACT,
            employer=world.employer,
            union=world.unions["GMB"],
        )


def test_recipients_are_those_who_may_take_the_step(world: World) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    emails = sorted(
        u.email for u in rules.recipients_for(step("record_partner_position"), enrolment)
    )
    assert emails == ["gmb@example.org", "unison@example.org", "unite@example.org"]
