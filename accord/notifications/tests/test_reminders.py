"""A whole year of reminders with the clock moved day by day: each reminder goes once, to the
right people, as one digest per person per day, and nothing goes to anyone out of scope."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accord.accounts.models import Role, RoleAssignment
from accord.actions.models import ActionStatus
from accord.core.models import AuditEvent
from accord.enrolments.process import State
from accord.membership.models import Cycle
from accord.notifications.models import ReminderKind, SentReminder
from accord.notifications.reminders import send_reminders
from accord.plans.models import Plan, PlanStatus
from tests.world import World


def _at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 0)), tick=False)


def test_a_year_of_reminders_reaches_the_right_people_once(world: World, deliver_outbox) -> None:  # type: ignore[no-untyped-def]
    enrolment = world.enrolment(State.LISTED)
    cycle = Cycle.objects.get(enrolment=enrolment)
    first, second = cycle.actions.order_by("number")
    second.status = ActionStatus.DONE  # finished before it fell due: no reminder
    second.save()
    start = datetime.date.today()
    due = cycle.ends_on
    deliver_outbox()
    mail.outbox.clear()
    per_day: dict[datetime.date, Counter[str]] = {}
    for offset in range(0, (due - start).days + 60):
        day = start + datetime.timedelta(days=offset)
        with _at(day):
            send_reminders()
            deliver_outbox()
        per_day[day] = Counter(m.to[0] for m in mail.outbox)
        mail.outbox.clear()

    # One e-mail per person per day at most, and never an empty one.
    assert all(count <= 1 for counts in per_day.values() for count in counts.values())
    received: dict[str, list[tuple[datetime.date, str]]] = defaultdict(list)
    for reminder in SentReminder.objects.select_related("user"):
        received[reminder.user.email.split("@")[0]].append(
            (timezone_date(reminder.sent_at), reminder.kind)
        )
    soon, on_the_day = due - datetime.timedelta(days=30), due
    overdue_activity = first.due_on + datetime.timedelta(days=1)
    assert sorted(received["secretary"]) == sorted(
        [
            (overdue_activity, ReminderKind.ACTIVITY_OVERDUE),
            (soon, ReminderKind.REVIEW_SOON),
            (on_the_day, ReminderKind.REVIEW_DUE),
            (due + datetime.timedelta(days=14), ReminderKind.REVIEW_ESCALATED_SECRETARY),
        ]
    )
    assert sorted(received["employer"]) == sorted(
        [
            (overdue_activity, ReminderKind.ACTIVITY_OVERDUE),
            (soon, ReminderKind.REVIEW_SOON),
            (on_the_day, ReminderKind.REVIEW_DUE),
        ]
    )
    assert sorted(received["rep"]) == [
        (soon, ReminderKind.REVIEW_SOON),
        (on_the_day, ReminderKind.REVIEW_DUE),
    ]
    assert received["nem"] == [
        (due + datetime.timedelta(days=42), ReminderKind.REVIEW_ESCALATED_NEM)
    ]
    for outsider in (
        "other_secretary",
        "other_nem",
        "other_rep",
        "other_employer",
        "other_gmb",
        "other_officer",
        "officer",
        "gmb",
        "unison",
        "auditor",
        "outsider",
    ):
        assert received[outsider] == [], outsider
    # Every reminder sent is logged on the item it concerns.
    logged = AuditEvent.objects.filter(
        context=enrolment.audit_context, action__startswith="reminder."
    )
    assert logged.count() == SentReminder.objects.count() == 10


def timezone_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def test_running_twice_sends_nothing_twice(world: World, deliver_outbox) -> None:  # type: ignore[no-untyped-def]
    enrolment = world.enrolment(State.LISTED)
    due = Cycle.objects.get(enrolment=enrolment).ends_on
    deliver_outbox()
    mail.outbox.clear()
    with _at(due):
        call_command("send_reminders")
        deliver_outbox()
        first = len(mail.outbox)
        call_command("send_reminders")
        deliver_outbox()
    assert first > 0 and len(mail.outbox) == first
    # Each digest gathers everything due for that person.
    secretary = [m for m in mail.outbox if m.to == ["secretary@example.org"]]
    assert len(secretary) == 1
    assert "review of cycle 1 is due today" in secretary[0].body
    assert "activity 1 of cycle 1" in secretary[0].body


def test_an_extension_brings_new_reminders_for_the_new_date(world: World, deliver_outbox) -> None:  # type: ignore[no-untyped-def]
    enrolment = world.enrolment(State.LISTED)
    cycle = Cycle.objects.get(enrolment=enrolment)
    new_end = cycle.ends_on + datetime.timedelta(days=90)
    with _at(cycle.ends_on):
        send_reminders()
        world.review(cycle, "partly_met", "extend", extended_to=new_end, confirm=True)
        deliver_outbox()
    mail.outbox.clear()
    with _at(new_end):
        send_reminders()
        deliver_outbox()
    secretary = [m for m in mail.outbox if m.to == ["secretary@example.org"]]
    assert len(secretary) == 1 and f"due today, {new_end:%-d %B %Y}" in secretary[0].body


def test_a_joining_step_waiting_two_weeks_is_reminded_once(world: World, deliver_outbox) -> None:  # type: ignore[no-untyped-def]
    world.enrolment(State.ENDORSED)
    deliver_outbox()
    mail.outbox.clear()
    today = datetime.date.today()
    with _at(today + datetime.timedelta(days=13)):
        send_reminders()
        deliver_outbox()
    assert mail.outbox == []
    with _at(today + datetime.timedelta(days=14)):
        send_reminders()
        send_reminders()
        deliver_outbox()
    assert [m.to for m in mail.outbox] == [["nem@example.org"]]
    assert "“Record no objection” has waited since" in mail.outbox[0].body


def test_plan_actions_and_reviews_are_reminded_to_the_owning_party_and_owners(
    world: World, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    plan = world.plan()
    plan.next_review_on = datetime.date(2009, 1, 31)
    plan.save()
    RoleAssignment.objects.create(user=world.users["secretary"], role=Role.PLAN_OWNER, plan=plan)
    RoleAssignment.objects.create(
        user=world.users["unison"],
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    RoleAssignment.objects.create(
        user=world.users["gmb"],
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Government Skills"),
    )
    deliver_outbox()
    mail.outbox.clear()
    with _at(datetime.date(2008, 11, 25)):  # action 2 and 3 due in five days; 1 overdue
        send_reminders()
        send_reminders()
        deliver_outbox()
    sent = {
        (r.user.email.split("@")[0], r.kind, r.text.split(":")[1].split("(")[0].strip())
        for r in SentReminder.objects.select_related("user")
    }
    assert sent == {
        ("secretary", ReminderKind.PLAN_ACTION_OVERDUE, "action 1"),
        ("secretary", ReminderKind.PLAN_ACTION_DUE, "action 2"),
        ("secretary", ReminderKind.PLAN_ACTION_DUE, "action 3"),
        ("gmb", ReminderKind.PLAN_ACTION_OVERDUE, "action 1"),
        ("gmb", ReminderKind.PLAN_ACTION_DUE, "action 3"),
        ("unison", ReminderKind.PLAN_ACTION_DUE, "action 2"),
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "gmb@example.org",
        "secretary@example.org",
        "unison@example.org",
    ]
    with _at(datetime.date(2009, 1, 20)):
        send_reminders()
    review = SentReminder.objects.get(kind=ReminderKind.PLAN_REVIEW_DUE)
    assert review.user == world.users["secretary"] and review.context == plan.audit_context


def test_a_review_months_overdue_when_reminders_first_run_gets_only_the_overdue_messages(
    world: World,
    deliver_outbox,  # type: ignore[no-untyped-def]
) -> None:
    enrolment = world.enrolment(State.LISTED)
    due = Cycle.objects.get(enrolment=enrolment).ends_on
    mail.outbox.clear()
    with _at(due + datetime.timedelta(days=122)):  # four months late, and the first run
        send_reminders()
        deliver_outbox()
    sent = {
        (r.user.email.split("@")[0], r.kind) for r in SentReminder.objects.select_related("user")
    }
    assert sent == {
        ("secretary", ReminderKind.REVIEW_ESCALATED_SECRETARY),
        ("secretary", ReminderKind.ACTIVITY_OVERDUE),
        ("employer", ReminderKind.ACTIVITY_OVERDUE),
        ("nem", ReminderKind.REVIEW_ESCALATED_NEM),
        # Beyond the three months' grace: the national officers decide, and both are told.
        ("secretary", ReminderKind.LAPSE_DECISION),
        ("nem", ReminderKind.LAPSE_DECISION),
    }
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "is due on" not in bodies and "due today" not in bodies


def test_a_review_due_soon_when_reminders_first_run_is_announced_but_not_as_due_today(
    world: World,
) -> None:
    enrolment = world.enrolment(State.LISTED)
    due = Cycle.objects.get(enrolment=enrolment).ends_on
    with _at(due - datetime.timedelta(days=10)):
        send_reminders()
    review_kinds = set(
        SentReminder.objects.filter(key__contains=":cycle:").values_list("kind", flat=True)
    )
    assert review_kinds == {ReminderKind.REVIEW_SOON}


def test_the_due_day_reminder_missed_by_a_run_goes_in_the_days_just_after_saying_it_was_due(
    world: World,
    deliver_outbox,  # type: ignore[no-untyped-def]
) -> None:
    enrolment = world.enrolment(State.LISTED)
    due = Cycle.objects.get(enrolment=enrolment).ends_on
    mail.outbox.clear()
    with _at(due + datetime.timedelta(days=2)):  # the runs of the due day and the next failed
        send_reminders()
        deliver_outbox()
    rep = [m for m in mail.outbox if m.to == ["rep@example.org"]]
    assert len(rep) == 1
    assert f"was due on {due:%-d %B %Y}" in rep[0].body and "due today" not in rep[0].body
    assert "is due on" not in rep[0].body
    mail.outbox.clear()
    SentReminder.objects.all().delete()
    with _at(due + datetime.timedelta(days=4)):  # no longer just passed: nothing for the rep
        send_reminders()
        deliver_outbox()
    assert [m for m in mail.outbox if m.to == ["rep@example.org"]] == []


def test_a_plan_review_first_reminded_after_its_date_is_called_overdue(world: World) -> None:
    plan = Plan.objects.create(
        title="Skills plan",
        status=PlanStatus.ACTIVE,
        next_review_on=datetime.date(2027, 1, 31),
        created_by=world.users["officer"],
    )
    RoleAssignment.objects.create(user=world.users["secretary"], role=Role.PLAN_OWNER, plan=plan)
    with _at(datetime.date(2027, 5, 31)):
        send_reminders()
    review = SentReminder.objects.get(kind=ReminderKind.PLAN_REVIEW_DUE)
    assert review.text == "Skills plan: the plan's review is overdue since 31 January 2027"
