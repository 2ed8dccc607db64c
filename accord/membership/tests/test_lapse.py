"""Lapse, never silent: the rules of the decision "extend or lapse", once per occasion, with
reasons and its date, and the way back from a lapse through a confirmed review."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from accord.core.models import AuditEvent
from accord.core.outbox import OutboxMessage
from accord.enrolments.process import State
from accord.membership import cycles, lapse, services
from accord.membership.forms import LapseDecisionForm
from accord.membership.models import (
    Cycle,
    LapseDecision,
    LapseOutcome,
    Membership,
    MembershipStatus,
)
from accord.membership.services import MembershipError
from tests.world import World

TODAY = datetime.date.today()


def _overdue_member(world: World) -> LapseDecision:
    """A member whose review was due five months ago: today's run opens its decision."""
    enrolment = world.enrolment(State.LISTED)
    Cycle.objects.filter(enrolment=enrolment).update(
        starts_on=TODAY - datetime.timedelta(days=500), ends_on=TODAY - datetime.timedelta(days=150)
    )
    (decision,) = lapse.open_due_decisions(TODAY)
    return decision


def test_each_occasion_opens_one_decision_however_often_the_run_goes(world: World) -> None:
    decision = _overdue_member(world)
    assert lapse.open_due_decisions(TODAY) == []
    assert lapse.open_due_decisions(TODAY + datetime.timedelta(days=1)) == []
    assert list(LapseDecision.objects.all()) == [decision]
    assert decision.grace_ended_on == lapse.months_after(decision.review_due_on, 3)
    assert AuditEvent.objects.filter(action="membership.lapse_decision_open").count() == 1


def test_no_decision_before_the_grace_period_ends(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    due = datetime.date(2026, 1, 31)
    Cycle.objects.filter(enrolment=enrolment).update(
        starts_on=datetime.date(2025, 2, 1), ends_on=due
    )
    # Three months after 31 January is 30 April (the month's last day).
    assert lapse.open_due_decisions(datetime.date(2026, 4, 29)) == []
    assert len(lapse.open_due_decisions(datetime.date(2026, 4, 30))) == 1


def test_suspended_members_and_recorded_reviews_get_no_decision(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    Cycle.objects.filter(enrolment=enrolment).update(
        starts_on=TODAY - datetime.timedelta(days=500), ends_on=TODAY - datetime.timedelta(days=150)
    )
    membership = Membership.objects.get()
    services.change_status(
        membership,
        "suspend",
        actor=world.users["officer"],
        reason="A detriment.",
        logo_stop_requested_on=TODAY,
    )
    assert lapse.open_due_decisions(TODAY) == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "lapse", "reasons": " "}, "reasons"),
        ({"outcome": "extend", "reasons": "Agreed.", "extended_to": TODAY}, "extended_to"),
        ({"outcome": "extend", "reasons": "Agreed."}, "extended_to"),
        ({"outcome": "withdraw", "reasons": "Agreed."}, "outcome"),
    ],
)
def test_a_decision_needs_reasons_and_its_date(world: World, data: dict, field: str) -> None:
    decision = _overdue_member(world)
    with pytest.raises(MembershipError) as refused:
        lapse.decide(decision, actor=world.users["officer"], **data)
    assert refused.value.field == field
    decision.refresh_from_db()
    assert decision.is_open
    assert Membership.objects.get().status == MembershipStatus.ACTIVE


def test_only_a_national_officer_of_the_lead_union_decides(world: World) -> None:
    decision = _overdue_member(world)
    for persona in ("other_officer", "secretary", "nem", "employer"):
        with pytest.raises(MembershipError, match="Only a national officer"):
            lapse.decide(
                decision,
                actor=world.users[persona],
                outcome="lapse",
                reasons="Overdue.",
                logo_stop_requested_on=TODAY,
            )


def test_an_extension_moves_the_review_and_is_decided_once(world: World) -> None:
    decision = _overdue_member(world)
    new_due = TODAY + datetime.timedelta(days=60)
    lapse.decide(
        decision,
        actor=world.users["officer"],
        outcome=LapseOutcome.EXTEND,
        reasons="A date is agreed.",
        extended_to=new_due,
    )
    assert Cycle.objects.get().ends_on == new_due
    assert Membership.objects.get().status == MembershipStatus.ACTIVE
    with pytest.raises(MembershipError, match="decided already"):
        lapse.decide(
            decision,
            actor=world.users["officer"],
            outcome="lapse",
            reasons="Changed my mind.",
            logo_stop_requested_on=TODAY,
        )
    # The new date is a new occasion, only once its own grace period has passed.
    assert lapse.open_due_decisions(new_due + datetime.timedelta(days=30)) == []


def test_a_lapse_asks_the_employers_contact_to_stop_using_the_logo(world: World) -> None:
    decision = _overdue_member(world)
    lapse.decide(decision, actor=world.users["officer"], outcome="lapse", reasons="Overdue.")
    membership = Membership.objects.get()
    assert (membership.status, membership.logo_stop_requested_on) == ("lapsed", TODAY)
    (message,) = OutboxMessage.objects.filter(subject__contains="has lapsed")
    assert message.to == "employer@example.org"
    assert "Please stop using the scheme's logo from today" in message.body


def test_a_confirmed_review_reinstates_a_lapsed_member(world: World) -> None:
    decision = _overdue_member(world)
    lapse.decide(
        decision,
        actor=world.users["officer"],
        outcome="lapse",
        reasons="Overdue.",
        logo_stop_requested_on=TODAY,
    )
    cycle = Cycle.objects.get()
    review = world.review(cycle, "met", "next_cycle")
    assert Membership.objects.get().status == MembershipStatus.LAPSED  # not yet confirmed
    cycles.confirm_review(review, actor=world.users["employer"])
    membership = Membership.objects.get()
    assert (membership.status, membership.status_since) == (MembershipStatus.ACTIVE, TODAY)
    assert membership.logo_stop_requested_on is None
    assert AuditEvent.objects.filter(action="membership.reinstate_after_review").count() == 1
    page = Client().get(membership.get_absolute_url()).content.decode()
    assert "is a member of the Valued Worker Scheme" in page


def test_a_confirmed_review_overtakes_an_open_decision(world: World) -> None:
    decision = _overdue_member(world)
    world.review(Cycle.objects.get(), "met", "next_cycle", confirm=True)
    decision.refresh_from_db()
    assert decision.outcome == LapseOutcome.REVIEWED
    assert list(lapse.waiting(world.users["officer"])) == []
    overtaken = AuditEvent.objects.get(action="lapse_decision.reviewed")
    assert overtaken.changes == {"outcome": ["", LapseOutcome.REVIEWED]}


def test_a_cycle_still_waiting_for_a_partner_unions_signature_gets_no_decision(
    world: World,
) -> None:
    enrolment = world.enrolment(State.LISTED)
    # Not yet confirmed by both sides: its review is not due, so it cannot be overdue.
    Cycle.objects.filter(enrolment=enrolment).update(
        starts_on=TODAY - datetime.timedelta(days=500),
        ends_on=TODAY - datetime.timedelta(days=150),
        partners_signed_at=None,
    )
    assert lapse.open_due_decisions(TODAY) == []


def test_an_extension_is_at_most_two_years_ahead() -> None:
    far = TODAY + datetime.timedelta(days=3 * 365)
    form = LapseDecisionForm(
        {"outcome": LapseOutcome.EXTEND, "reasons": "Agreed.", "extended_to": far.isoformat()}
    )
    assert form.errors == {"extended_to": ["The date must be within two years from today."]}
    near = TODAY + datetime.timedelta(days=200)
    assert LapseDecisionForm(
        {"outcome": LapseOutcome.EXTEND, "reasons": "Agreed.", "extended_to": near.isoformat()}
    ).is_valid()
