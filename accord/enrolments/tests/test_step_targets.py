"""A step may only lead where the process declares: `take_step` checks every handler's outcome
against the step's targets."""

from __future__ import annotations

import pytest

from accord.core.models import AuditEvent
from accord.enrolments import services
from accord.enrolments.models import Enrolment
from accord.enrolments.process import STEPS_BY_NAME, State, step
from tests.world import World


def test_a_handler_that_moves_to_an_undeclared_state_is_refused_and_nothing_is_saved(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    events = AuditEvent.objects.count()

    def skips_ahead(*args: object) -> services.Outcome:
        return services.Outcome(State.LISTED)

    # A handler gone wrong: "endorse" declares only `endorsed` as its target.
    monkeypatch.setitem(services.HANDLERS, "endorse", skips_ahead)
    with pytest.raises(services.UndeclaredTransition, match="endorse"):
        services.take_step(
            enrolment, step("endorse"), actor=world.users["secretary"], data={"note": ""}
        )
    assert Enrolment.objects.get(pk=enrolment.pk).state == State.PROPOSED
    assert AuditEvent.objects.count() == events


def test_a_handler_of_a_step_that_records_only_may_not_move(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrolment = world.enrolment(State.PROPOSED)

    def moves(*args: object) -> services.Outcome:
        return services.Outcome(State.ENDORSED)

    monkeypatch.setitem(services.HANDLERS, "add_note", moves)
    with pytest.raises(services.UndeclaredTransition):
        services.take_step(
            enrolment, step("add_note"), actor=world.users["secretary"], data={"note": "Hi"}
        )
    assert Enrolment.objects.get(pk=enrolment.pk).state == State.PROPOSED


def test_every_step_on_the_way_in_ends_in_one_of_its_declared_targets(world: World) -> None:
    world.enrolment(State.LISTED)
    for event in AuditEvent.objects.filter(action__startswith="enrolment."):
        the_step = STEPS_BY_NAME[event.action.removeprefix("enrolment.")]
        if "state" in event.changes:
            assert event.changes["state"][1] in the_step.targets, event.action
