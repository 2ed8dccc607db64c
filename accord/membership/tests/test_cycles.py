"""Reviews and the next cycle: the rules of the scheme after joining."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership import cycles
from accord.membership.models import Cycle, Decision, NextCycleRule, Outcome
from accord.membership.services import MembershipError
from tests.world import World


@pytest.fixture
def listed(world: World) -> Enrolment:
    return world.enrolment(State.LISTED)


def _next_cycle_data(world: World, number: int, start: datetime.date) -> dict:  # type: ignore[type-arg]
    principles = world.scheme.current_principles()
    return {
        "principle_version": principles[number - 1],
        "objectives": "Run a staff wellbeing survey\nAct on its three main findings",
        "success_criteria": "Survey done; action plan agreed",
        "starts_on": start,
        "ends_on": start + datetime.timedelta(days=364),
        "activities": [{"detail": "Survey", "owner": "HR", "due_on": start}],
        "self_assessments": [
            {"principle_version": v, "readiness": "partly", "priority": "medium"}
            for v in principles
        ],
    }


def test_a_review_cannot_be_recorded_long_before_the_cycle_ends(
    world: World, listed: Enrolment
) -> None:
    cycle = Cycle.objects.get(enrolment=listed)
    with pytest.raises(MembershipError, match="30 days before the cycle ends"):
        world.review(cycle, Outcome.MET, Decision.NEXT_CYCLE)


def test_a_met_review_requires_a_different_principle_next(world: World, listed: Enrolment) -> None:
    cycle = Cycle.objects.get(enrolment=listed)
    assert cycle.principle_version.principle.number == 5
    with time_machine.travel(cycle.ends_on, tick=False):
        review = world.review(cycle, Outcome.MET, Decision.NEXT_CYCLE)
        assert cycles.principles_met(listed) == []  # not until the employer confirms
        cycles.confirm_review(review, actor=world.users["employer"])
        assert [p.number for p in cycles.principles_met(listed)] == [5]
        start = cycle.ends_on + datetime.timedelta(days=1)
        with pytest.raises(MembershipError, match="must work on a different principle") as err:
            cycles.start_next_cycle(
                listed, actor=world.users["secretary"], data=_next_cycle_data(world, 5, start)
            )
        assert "Not yet met: 1, 2, 3, 4, 6" in err.value.message
        assert [p.number for p in cycles.suggested_principles(listed)] == [1, 2, 3, 4, 6]
        second = cycles.start_next_cycle(
            listed, actor=world.users["secretary"], data=_next_cycle_data(world, 2, start)
        )
    assert second.number == 2 and second.principle_version.principle.number == 2
    assert second.union_confirmed_at is not None and second.employer_confirmed_at is None
    cycles.confirm_cycle(second, actor=world.users["employer"])
    second.refresh_from_db()
    assert not second.is_confirmed  # GMB and UNISON, represented locally, co-sign it too
    world.cosign(second)
    assert second.is_confirmed


def test_a_met_review_cannot_be_followed_by_an_extension(world: World, listed: Enrolment) -> None:
    cycle = Cycle.objects.get(enrolment=listed)
    with time_machine.travel(cycle.ends_on, tick=False), pytest.raises(MembershipError) as err:
        world.review(cycle, Outcome.MET, Decision.EXTEND)
    assert err.value.field == "decision"


def test_an_unmet_objective_is_extended_and_reviewed_again(world: World, listed: Enrolment) -> None:
    cycle = Cycle.objects.get(enrolment=listed)
    end = cycle.ends_on
    new_end = end + datetime.timedelta(days=120)
    with time_machine.travel(end, tick=False):
        with pytest.raises(MembershipError, match="not met"):
            world.review(cycle, Outcome.NOT_MET, Decision.NEXT_CYCLE)
        review = world.review(cycle, Outcome.PARTLY_MET, Decision.EXTEND, extended_to=new_end)
        assert not cycles.review_pending(Cycle.objects.get(pk=cycle.pk))  # employer to confirm
        cycles.confirm_review(review, actor=world.users["employer"])
    cycle = Cycle.objects.get(pk=cycle.pk)
    assert cycle.ends_on == new_end
    assert cycles.review_pending(cycle)
    with time_machine.travel(new_end, tick=False):
        final = world.review(cycle, Outcome.MET, Decision.NEXT_CYCLE)
    assert final.objectives.count() == len(cycle.objective_list())


def test_a_revised_objective_stays_on_the_same_principle(world: World, listed: Enrolment) -> None:
    cycle = Cycle.objects.get(enrolment=listed)
    with time_machine.travel(cycle.ends_on, tick=False):
        review = world.review(cycle, Outcome.NOT_MET, Decision.REVISE)
        cycles.confirm_review(review, actor=world.users["employer"])
        start = cycle.ends_on + datetime.timedelta(days=1)
        with pytest.raises(MembershipError, match="stays on principle 5"):
            cycles.start_next_cycle(
                listed, actor=world.users["secretary"], data=_next_cycle_data(world, 2, start)
            )
        revised = cycles.start_next_cycle(
            listed, actor=world.users["secretary"], data=_next_cycle_data(world, 5, start)
        )
    assert revised.principle_version.principle.number == 5


def test_only_the_secretary_records_and_only_the_employer_confirms(
    world: World, listed: Enrolment
) -> None:
    cycle = Cycle.objects.get(enrolment=listed)
    with time_machine.travel(cycle.ends_on, tick=False):
        for persona in ("rep", "nem", "employer", "other_secretary", "officer"):
            with pytest.raises(MembershipError, match="local secretary"):
                cycles.record_review(cycle, actor=world.users[persona], data={})
        review = world.review(cycle, Outcome.MET, Decision.NEXT_CYCLE)
        for persona in ("secretary", "other_employer"):
            with pytest.raises(MembershipError, match="employer's contact"):
                cycles.confirm_review(review, actor=world.users[persona])


def test_the_next_cycle_waits_for_a_confirmed_review(world: World, listed: Enrolment) -> None:
    cycle = Cycle.objects.get(enrolment=listed)
    start = cycle.ends_on + datetime.timedelta(days=1)
    with pytest.raises(MembershipError, match="must be confirmed first"):
        cycles.start_next_cycle(
            listed, actor=world.users["secretary"], data=_next_cycle_data(world, 2, start)
        )


def test_the_rule_for_the_next_cycle_is_named_by_an_enum_beside_the_models(
    world: World, listed: Enrolment
) -> None:
    cycle = Cycle.objects.get(enrolment=listed)
    assert cycles.next_cycle_rule(cycle) == (NextCycleRule.NONE, None)
    with time_machine.travel(cycle.ends_on, tick=False):
        world.review(cycle, Outcome.MET, Decision.NEXT_CYCLE, confirm=True)
    rule, principle = cycles.next_cycle_rule(cycle)
    assert rule is NextCycleRule.DIFFERENT
    assert principle.number == 5
