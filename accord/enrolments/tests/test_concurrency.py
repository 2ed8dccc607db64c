"""Two people taking the same step at the same moment: exactly one succeeds.

These need real concurrent connections, so they run against PostgreSQL (CI runs the suite there)
and are skipped on SQLite, whose in-memory test database is not shared between threads.
"""

from __future__ import annotations

import pytest

from accord.accounts.models import Role, RoleAssignment, User
from accord.core.audit import verify_chain
from accord.core.models import AuditEvent
from accord.enrolments import services
from accord.enrolments.models import Enrolment, Initiator
from accord.enrolments.process import State, step
from tests.concurrency import in_threads
from tests.world import World, build_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
]


def _second_secretary(world: World):  # type: ignore[no-untyped-def]
    user = User.objects.create_user(
        "deputy@example.org", email="deputy@example.org", password="x", full_name="Deputy Secretary"
    )
    RoleAssignment.objects.create(
        user=user,
        role=Role.LOCAL_SECRETARY,
        union=world.unions["NASUWT"],
        association=world.association,
    )
    return user


@pytest.mark.parametrize("round_", range(3))
def test_two_secretaries_endorsing_at_once_one_succeeds_the_other_is_told(round_: int) -> None:
    world = build_world()
    enrolment = world.enrolment(State.PROPOSED)
    deputy = _second_secretary(world)
    endorse = step("endorse")

    def attempt(user):  # type: ignore[no-untyped-def]
        return lambda: services.take_step(
            Enrolment.objects.get(pk=enrolment.pk), endorse, actor=user, data={"note": ""}
        )

    results = in_threads(attempt(world.users["secretary"]), attempt(deputy))
    succeeded = [r for r in results if isinstance(r, Enrolment)]
    failed = [r for r in results if isinstance(r, services.StepError)]
    assert len(succeeded) == 1 and len(failed) == 1, results
    assert "no longer waiting for “Endorse the proposal”" in failed[0].message
    enrolment.refresh_from_db()
    assert enrolment.state == State.ENDORSED
    assert enrolment_events(enrolment, "enrolment.endorse") == 1
    assert list(verify_chain()) == []


def test_an_endorsement_and_a_decline_at_once_leave_one_outcome() -> None:
    world = build_world()
    enrolment = world.enrolment(State.PROPOSED)
    deputy = _second_secretary(world)
    results = in_threads(
        lambda: services.take_step(
            Enrolment.objects.get(pk=enrolment.pk),
            step("endorse"),
            actor=world.users["secretary"],
            data={},
        ),
        lambda: services.take_step(
            Enrolment.objects.get(pk=enrolment.pk),
            step("decline"),
            actor=deputy,
            data={"reason": "Not suitable"},
        ),
    )
    assert sum(isinstance(r, Enrolment) for r in results) == 1, results
    assert sum(isinstance(r, services.StepError) for r in results) == 1, results
    enrolment.refresh_from_db()
    assert enrolment.state in (State.ENDORSED, State.DECLINED)


def test_two_proposals_of_the_same_employer_at_once_make_one_enrolment() -> None:
    world = build_world()
    data = {"initiated_by": Initiator.UNION, "reason": "Good employer"}
    results = in_threads(
        lambda: services.propose(
            scheme=world.scheme, employer=world.employer, actor=world.users["secretary"], data=data
        ),
        lambda: services.propose(
            scheme=world.scheme, employer=world.employer, actor=world.users["rep"], data=data
        ),
    )
    assert sum(isinstance(r, Enrolment) for r in results) == 1, results
    errors = [r for r in results if isinstance(r, services.StepError)]
    assert len(errors) == 1, results
    assert "open enrolment" in errors[0].message
    assert Enrolment.objects.count() == 1


def test_two_partner_positions_at_once_both_count(db: None) -> None:
    world = build_world()
    enrolment = world.enrolment(State.NEM_CLEARED)
    world.journey().take(
        enrolment,
        "mark_not_represented",
        "secretary",
        union=world.unions["Unite"],
    )

    def attempt(persona: str):  # type: ignore[no-untyped-def]
        return lambda: services.take_step(
            Enrolment.objects.get(pk=enrolment.pk),
            step("record_partner_position"),
            actor=world.users[persona],
            data={"position": "agree"},
        )

    results = in_threads(attempt("gmb"), attempt("unison"))
    assert all(isinstance(r, Enrolment) for r in results), results
    enrolment.refresh_from_db()
    assert enrolment.state == State.AGREED  # the second saw the first's position


def enrolment_events(enrolment: Enrolment, action: str) -> int:
    return AuditEvent.objects.filter(context=enrolment.audit_context, action=action).count()
