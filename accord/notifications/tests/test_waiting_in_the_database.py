"""The task page reads the joining process's rules in the database (who may take which step,
the steps' guards, who holds a role where). These tests hold the filters to the rules in
Python (`enrolments.rules.can_take_step`, `accounts.rules.covers`), case by case."""

from __future__ import annotations

import pytest

from accord.accounts.models import RoleAssignment
from accord.enrolments import rules as enrolment_rules
from accord.enrolments.models import Enrolment
from accord.enrolments.process import STEPS
from accord.enrolments.selectors import enrolments
from accord.notifications import selectors
from tests.site import build_site
from tests.world import World

pytestmark = pytest.mark.django_db


def test_the_steps_waiting_are_those_each_person_may_take(world: World) -> None:
    site = build_site(world)
    cases = list(enrolments())
    assert len(cases) > 10
    for persona, user in site.users.items():
        expected = sorted(
            (e.pk, [s.name for s in STEPS if s.task and enrolment_rules.can_take_step(user, e, s)])
            for e in cases
        )
        expected = [(pk, steps) for pk, steps in expected if steps]
        found = sorted(
            (e.pk, [s.name for s in steps]) for e, steps in selectors.steps_waiting(user).rows
        )
        assert found == expected, persona


def test_the_guards_read_in_the_database_agree_with_the_process(world: World) -> None:
    build_site(world)
    unions = [None, *(u.pk for u in world.unions.values())]
    for step in STEPS:
        assert step.guard in selectors.GUARDS, step.name
        for union in unions:
            allowed = set(
                Enrolment.objects.filter(selectors.guard_q(step, union)).values_list(
                    "pk", flat=True
                )
            )
            for enrolment in enrolments():
                assignment = RoleAssignment(union_id=union)
                assert (enrolment.pk in allowed) == step.guard(enrolment, assignment), (
                    step.name,
                    union,
                    enrolment.state,
                )
