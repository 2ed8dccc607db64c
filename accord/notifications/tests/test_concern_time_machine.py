"""The daily run over months of a concern's life: the response deadline is reminded to the
employer once, escalated to the national officers once, each logged on the concern; a public
concern never confirmed is closed once."""

from __future__ import annotations

import datetime
import io

import time_machine
from django.core.management import call_command
from django.utils import timezone

from accord.enrolments.process import State
from accord.membership import concerns
from accord.membership.models import Concern, ConcernState, Membership
from accord.notifications.models import ReminderKind, SentReminder
from tests.world import World


def test_concern_deadlines_remind_and_escalate_once_each(world: World) -> None:
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    users = world.users
    start = timezone.localdate()
    concern = concerns.raise_concern(membership, actor=users["outsider"], data={"subject": "Pay"})
    concerns.put_to_employer(concern, actor=users["officer"], data={"put_note": "Answer."})
    public = concerns.raise_concern(
        membership,
        actor=None,
        data={"subject": "Hours", "raiser_name": "Pat", "raiser_email": "pat@example.net"},
    )
    due = start + datetime.timedelta(days=28)

    def sent(kind: str) -> list[str]:
        return sorted(SentReminder.objects.filter(kind=kind).values_list("user__email", flat=True))

    # Weekly over eighteen months, and every day around the deadline.
    around = range(28 - 9, 28 + 4)
    days = sorted(start + datetime.timedelta(days=n) for n in {*range(0, 548, 28), *around})
    for day in days:
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(7)), tick=False):
            call_command("send_reminders", date=day.isoformat(), stdout=io.StringIO())
        if day == due - datetime.timedelta(days=8):
            assert sent(ReminderKind.CONCERN_RESPONSE_SOON) == []
        if day == due - datetime.timedelta(days=7):
            assert sent(ReminderKind.CONCERN_RESPONSE_SOON) == ["employer@example.org"]
        if day == due:
            assert sent(ReminderKind.CONCERN_RESPONSE_OVERDUE) == []
        if day == due + datetime.timedelta(days=1):
            assert sent(ReminderKind.CONCERN_RESPONSE_OVERDUE) == ["officer@example.org"]

    # Once each over the whole time, to the right people, and logged on the concern.
    assert sent(ReminderKind.CONCERN_RESPONSE_SOON) == ["employer@example.org"]
    assert sent(ReminderKind.CONCERN_RESPONSE_OVERDUE) == ["officer@example.org"]
    reminders = concern.events.filter(kind__startswith="reminder.")
    assert [e.kind for e in reminders] == [
        f"reminder.{ReminderKind.CONCERN_RESPONSE_SOON}",
        f"reminder.{ReminderKind.CONCERN_RESPONSE_OVERDUE}",
    ]
    # Nothing decides by itself: the concern waits for an officer, on their task list.
    concern.refresh_from_db()
    assert concern.state == ConcernState.PUT_TO_EMPLOYER
    # The public concern, never confirmed, was closed once.
    public = Concern.objects.get(pk=public.pk)
    assert public.state == ConcernState.EXPIRED
    assert list(public.events.values_list("kind", flat=True)) == ["raise", "expire"]
