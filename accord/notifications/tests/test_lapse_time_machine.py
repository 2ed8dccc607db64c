"""Eighteen months of a member's life with the daily run: a review overdue beyond the grace
period goes to the national officers exactly once, the secretary and the NEM are told once,
nothing lapses without an officer's decision, and after an extension the next grace period
counts from the new date.

The run is made every day in the days around each date that matters (a review falling due, a
grace period ending, the officer's decision) and once a week in between, which is enough to
see any second decision or second notice, at a fraction of the cost of 548 runs."""

from __future__ import annotations

import datetime

import time_machine

from accord.enrolments.process import State
from accord.membership import lapse
from accord.membership.models import Cycle, LapseDecision, LapseOutcome, Membership
from accord.notifications.models import ReminderKind, SentReminder
from accord.notifications.reminders import send_reminders
from tests.world import World

DAY = datetime.timedelta(days=1)


def _fifteenth_three_months_on(day: datetime.date) -> datetime.date:
    """The 15th of the month three months after `day`'s: the default grace period's end for a
    review due on a 15th."""
    month = day.month + 3
    return datetime.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 15)


def _days(start: datetime.date, end: datetime.date, busy: list[datetime.date]) -> list:
    days, day = [], start
    while day <= end:
        if any(abs((day - b).days) <= 3 for b in busy) or (day - start).days % 7 == 0:
            days.append(day)
        day += DAY
    return days


def test_eighteen_months_of_daily_runs(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    start = datetime.date.today()
    end = start + datetime.timedelta(days=548)
    # A short first cycle ending on a 15th, so that two overdue occasions fit in the period.
    due = (start + datetime.timedelta(days=130)).replace(day=15)
    Cycle.objects.filter(enrolment=enrolment).update(ends_on=due)
    assert world.scheme.lapse_grace_months == 3
    first_grace_end = _fifteenth_three_months_on(due)
    decided_on = first_grace_end + 10 * DAY
    new_due = (decided_on + datetime.timedelta(days=45)).replace(day=15)
    second_grace_end = _fifteenth_three_months_on(new_due)
    assert second_grace_end < end

    opened_on: list[datetime.date] = []
    busy = [due, first_grace_end, decided_on, new_due, second_grace_end]
    for day in _days(start, end, busy):
        before = LapseDecision.objects.count()
        send_reminders(today=day)
        if LapseDecision.objects.count() != before:
            opened_on.append(day)
        # Nothing lapses by itself, however long the review is overdue.
        assert Membership.objects.get().status == "active", day
        if day == decided_on:
            with time_machine.travel(day, tick=False):
                lapse.decide(
                    LapseDecision.objects.get(),
                    actor=world.users["officer"],
                    outcome=LapseOutcome.EXTEND,
                    reasons="The head teacher was on long-term leave; a date is agreed.",
                    extended_to=new_due,
                )

    # Each decision started exactly once, on the day its grace period ended; the second counted
    # from the new date.
    assert opened_on == [first_grace_end, second_grace_end]
    first, second = LapseDecision.objects.order_by("pk")
    assert (first.review_due_on, first.outcome, first.extended_to) == (
        due,
        LapseOutcome.EXTEND,
        new_due,
    )
    assert (second.review_due_on, second.outcome) == (new_due, "")
    assert Cycle.objects.get(enrolment=enrolment).ends_on == new_due
    # The secretary and the NEM were told once of each; nobody else was told.
    told = sorted(
        SentReminder.objects.filter(kind=ReminderKind.LAPSE_DECISION).values_list(
            "user__email", "key"
        )
    )
    assert told == sorted(
        (f"{who}@example.org", f"lapse_decision:decision:{decision.pk}")
        for who in ("secretary", "nem")
        for decision in (first, second)
    )
    # The open decision waits on the lead union's national officer only.
    assert list(lapse.waiting(world.users["officer"])) == [second]
    assert list(lapse.waiting(world.users["other_officer"])) == []
