"""Remedies agreed on a concern: on the employer's task list while open, and reminded once when
late, to the employer's contacts and the national officers, logged on the concern, with a
subject that never names the employer."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.utils import timezone

from accord.actions.models import ActionStatus
from accord.core.outbox import OutboxMessage
from accord.enrolments.process import State
from accord.membership import concerns
from accord.membership.models import Membership
from accord.notifications.models import ReminderKind, SentReminder
from accord.notifications.reminders import send_reminders
from tests.world import World


def _tasks(world: World, persona: str) -> str:
    client = Client()
    client.force_login(world.users[persona])
    return client.get("/tasks/").content.decode()


def test_a_late_remedy_is_on_the_task_list_and_reminded_once(world: World, deliver_outbox) -> None:  # type: ignore[no-untyped-def]
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    users = world.users
    today = timezone.localdate()
    due = today + datetime.timedelta(days=30)
    concern = concerns.raise_concern(membership, actor=users["outsider"], data={"subject": "Pay"})
    concerns.put_to_employer(concern, actor=users["officer"], data={"put_note": "Answer it."})
    concerns.respond(concern, actor=users["employer"], data={"response": "We will."})
    concerns.decide(
        concern,
        actor=users["officer"],
        data={
            "outcome": "remedies",
            "reasons": "Agreed.",
            "remedies": [{"detail": "Pay the back pay", "owner": "Bursar", "due_on": due}],
        },
    )
    assert f"Carry out the remedies agreed: the next is due on {due:%-d %B %Y}" in _tasks(
        world, "employer"
    )
    assert "Carry out the remedies" not in _tasks(world, "secretary")

    for days in (29, 30, 31, 32, 45):
        day = today + datetime.timedelta(days=days)
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(7)), tick=False):
            send_reminders(today=day)
    told = sorted(
        SentReminder.objects.filter(kind=ReminderKind.REMEDY_OVERDUE).values_list(
            "user__email", flat=True
        )
    )
    assert told == ["employer@example.org", "officer@example.org"]
    assert concern.events.filter(kind=f"reminder.{ReminderKind.REMEDY_OVERDUE}").count() == 2
    subjects = [m.subject for m in OutboxMessage.objects.filter(body__contains="remedy 1")]
    assert len(subjects) == 2
    assert not any(membership.employer.name in subject for subject in subjects)

    # Done: off the employer's list.
    concern.remedies.update(status=ActionStatus.DONE)
    assert "Carry out the remedies" not in _tasks(world, "employer")
