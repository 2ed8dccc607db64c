"""Eighteen months of a member's life with the daily run, day by day: a review overdue beyond
the grace period goes to the national officers exactly once, the secretary and the NEM are
told once, nothing lapses without an officer's decision, and after an extension the next grace
period counts from the new date."""

from __future__ import annotations

import datetime
from collections import defaultdict

import time_machine

from accord.enrolments.process import State
from accord.membership import lapse
from accord.membership.models import Cycle, LapseDecision, LapseOutcome, Membership
from accord.notifications.models import ReminderKind, SentReminder
from accord.notifications.reminders import send_reminders
from tests.world import World

DAY = datetime.timedelta(days=1)


def test_eighteen_months_of_daily_runs(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    start = datetime.date.today()
    # A short first cycle, so that two overdue occasions fit in eighteen months.
    cycle = Cycle.objects.get(enrolment=enrolment)
    cycle.ends_on = datetime.date(start.year, start.month, 1) + datetime.timedelta(days=130)
    cycle.save()
    due = cycle.ends_on
    # The scheme's grace period is three months by default: written out by hand, not computed.
    first_grace_end = datetime.date(due.year + (due.month + 2) // 12, (due.month + 2) % 12 + 1, 1)
    first_grace_end = first_grace_end.replace(day=due.day) if due.day <= 28 else None
    assert world.scheme.lapse_grace_months == 3
    membership = Membership.objects.get()

    opened_on: list[datetime.date] = []
    extended_on = new_due = None
    day, end = start, start + datetime.timedelta(days=548)
    while day <= end:
        before = LapseDecision.objects.count()
        send_reminders(today=day)
        if LapseDecision.objects.count() != before:
            opened_on.append(day)
        # Nothing lapses by itself, however long the review is overdue.
        assert Membership.objects.get().status == "active", day
        if len(opened_on) == 1 and extended_on is None and day == opened_on[0] + 10 * DAY:
            # Ten days after the first decision opened, the officer extends by 45 days.
            new_due = day + 45 * DAY
            with time_machine.travel(day, tick=False):
                lapse.decide(
                    LapseDecision.objects.get(),
                    actor=world.users["officer"],
                    outcome=LapseOutcome.EXTEND,
                    reasons="The head teacher was on long-term leave; a date is agreed.",
                    extended_to=new_due,
                )
            extended_on = day
        day += DAY

    assert first_grace_end is not None, "choose a cycle end on a day every month has"
    second_grace_end = datetime.date(
        new_due.year + (new_due.month + 2) // 12, (new_due.month + 2) % 12 + 1, 1
    ).replace(day=min(new_due.day, 28))
    # Each decision started exactly once, on the day its grace period ended: the second counted
    # from the new date.
    assert opened_on == [first_grace_end, second_grace_end]
    first, second = LapseDecision.objects.order_by("pk")
    assert (first.review_due_on, first.outcome, first.extended_to) == (
        due,
        LapseOutcome.EXTEND,
        new_due,
    )
    assert (second.review_due_on, second.outcome) == (new_due, "")
    assert Cycle.objects.get(pk=cycle.pk).ends_on == new_due
    # The secretary and the NEM were told once of each; nobody else was told.
    told: dict[str, list[str]] = defaultdict(list)
    for reminder in SentReminder.objects.filter(kind=ReminderKind.LAPSE_DECISION).select_related(
        "user"
    ):
        told[reminder.user.email.split("@")[0]].append(reminder.key)
    assert told == {
        "secretary": [
            f"lapse_decision:decision:{first.pk}",
            f"lapse_decision:decision:{second.pk}",
        ],
        "nem": [f"lapse_decision:decision:{first.pk}", f"lapse_decision:decision:{second.pk}"],
    } or {k: sorted(v) for k, v in told.items()} == {
        "secretary": sorted(
            [f"lapse_decision:decision:{first.pk}", f"lapse_decision:decision:{second.pk}"]
        ),
        "nem": sorted(
            [f"lapse_decision:decision:{first.pk}", f"lapse_decision:decision:{second.pk}"]
        ),
    }
    # The open decision waits on the lead union's national officer only.
    assert list(lapse.waiting(world.users["officer"])) == [second]
    assert list(lapse.waiting(world.users["other_officer"])) == []
    assert membership.pk == second.membership_id
