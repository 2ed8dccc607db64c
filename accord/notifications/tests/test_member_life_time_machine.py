"""Eighteen months of a member's life with the daily command run every morning, every day.

Written out from the brief: a review overdue beyond the grace period (three months) is put to
the national officers exactly once; the secretary and the NEM are told once; nothing lapses
until an officer decides; a concern's response deadline is reminded to the employer once and
escalated to the officers once; a joining step left waiting is escalated once, to the NEM.
"""

from __future__ import annotations

import datetime
import io

import time_machine
from django.core.management import call_command
from django.utils import timezone

from accord.enrolments.process import State
from accord.membership import concerns, lapse
from accord.membership.models import Cycle, LapseDecision, LapseOutcome, Membership
from accord.notifications.models import ReminderKind, SentReminder
from tests.world import World

START = datetime.date(2027, 1, 4)
REVIEW_DUE = datetime.date(2027, 5, 15)
EXTENDED_ON = datetime.date(2027, 8, 25)
NEW_DUE = datetime.date(2027, 10, 15)
LAPSED_ON = datetime.date(2028, 1, 20)
CONCERN_PUT_ON = datetime.date(2027, 2, 3)
WATCHED = {
    ReminderKind.LAPSE_DECISION,
    ReminderKind.STEP_ESCALATED,
    ReminderKind.CONCERN_RESPONSE_SOON,
    ReminderKind.CONCERN_RESPONSE_OVERDUE,
}


def _at(day: datetime.date, hour: int) -> time_machine.travel:
    moment = datetime.datetime.combine(day, datetime.time(hour), timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def test_eighteen_months_of_a_members_life(world: World) -> None:
    users = world.users
    with _at(START, 9):
        member = world.enrolment(State.LISTED)
        # Another school, proposed in the south and never endorsed: its step stalls for good.
        world.enrolment(State.PROPOSED, world.other_employer, secretary="other_secretary")
    Cycle.objects.filter(enrolment=member).update(ends_on=REVIEW_DUE)
    membership = Membership.objects.get()

    opened: list[datetime.date] = []
    statuses: dict[datetime.date, str] = {}
    day = START + datetime.timedelta(days=1)
    while day <= START + datetime.timedelta(days=548):
        decisions = LapseDecision.objects.count()
        with _at(day, 7):
            call_command("send_reminders", stdout=io.StringIO())
        if LapseDecision.objects.count() != decisions:
            opened.append(day)
        statuses[day] = Membership.objects.get(pk=membership.pk).status
        with _at(day, 10):
            if day == CONCERN_PUT_ON:
                concern = concerns.raise_concern(
                    membership, actor=users["outsider"], data={"subject": "Unpaid overtime"}
                )
                concerns.put_to_employer(concern, actor=users["officer"], data={"put_note": "?"})
            if day in (EXTENDED_ON, LAPSED_ON):
                extend = day == EXTENDED_ON
                lapse.decide(
                    LapseDecision.objects.get(outcome=""),
                    actor=users["officer"],
                    outcome=LapseOutcome.EXTEND if extend else LapseOutcome.LAPSE,
                    reasons="The head was on leave." if extend else "No review in eight months.",
                    logo_stop_requested_on=None if extend else day,
                    extended_to=NEW_DUE if extend else None,
                )
        day += datetime.timedelta(days=1)

    # The decision started once per overdue review, on the day its grace period ended.
    assert opened == [datetime.date(2027, 8, 15), datetime.date(2028, 1, 15)]
    # Active every morning until the officer lapsed it; lapsed every morning after, for good.
    assert {d for d, s in statuses.items() if s != "active"} == {
        d for d in statuses if d > LAPSED_ON
    }
    assert {s for d, s in statuses.items() if d > LAPSED_ON} == {"lapsed"}
    told = sorted(
        (r.kind, r.user.email.split("@")[0], timezone.localdate(r.sent_at))
        for r in SentReminder.objects.filter(kind__in=WATCHED).select_related("user")
    )
    assert told == sorted(
        [
            (ReminderKind.STEP_ESCALATED, "other_nem", datetime.date(2027, 1, 25)),
            (ReminderKind.CONCERN_RESPONSE_SOON, "employer", datetime.date(2027, 2, 24)),
            (ReminderKind.CONCERN_RESPONSE_OVERDUE, "officer", datetime.date(2027, 3, 4)),
            (ReminderKind.LAPSE_DECISION, "secretary", datetime.date(2027, 8, 15)),
            (ReminderKind.LAPSE_DECISION, "nem", datetime.date(2027, 8, 15)),
            (ReminderKind.LAPSE_DECISION, "secretary", datetime.date(2028, 1, 15)),
            (ReminderKind.LAPSE_DECISION, "nem", datetime.date(2028, 1, 15)),
        ]
    )
