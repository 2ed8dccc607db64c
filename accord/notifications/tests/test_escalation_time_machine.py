"""Months of a case that stalls at one step after another, with the daily run every morning:
each stall is escalated exactly once, after the days its step declares, to the person the brief
names; it is on the case's timeline and on that person's task list until the step is taken."""

from __future__ import annotations

import datetime
import io
from collections import Counter, defaultdict

import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment, Escalation, Position
from accord.enrolments.process import STEPS, State
from accord.notifications.models import ReminderKind, SentReminder
from accord.notifications.reminders import send_reminders
from accord.organisations.models import Association, District, Employer, EmployerKind, Union
from tests.world import World

START = datetime.date(2027, 1, 4)


def _day(n: int) -> datetime.date:
    return START + datetime.timedelta(days=n)


def _at(n: int, hour: int) -> time_machine.travel:
    moment = datetime.datetime.combine(
        _day(n), datetime.time(hour), timezone.get_current_timezone()
    )
    return time_machine.travel(moment, tick=False)


def _escalated_on_tasks(world: World, persona: str) -> list[str]:
    """The steps in the task page's "Escalated to you" table, as the persona sees it."""
    client = Client()
    client.force_login(world.users[persona])
    page = client.get("/tasks/").content.decode()
    marker = 'data-testid="escalations"'
    if marker not in page:
        return []
    table = page[page.index(marker) : page.index("</table>", page.index(marker))]
    return [s.label for s in STEPS if s.task and f"<td>{escape(s.label)}</td>" in table]


def test_each_stall_is_escalated_once_to_the_right_person(world: World, deliver_outbox) -> None:  # type: ignore[no-untyped-def]
    journey = world.journey()
    take = journey.take
    unite = Union.objects.get(short_name="Unite")
    # Steps taken at ten in the morning of the day given; the daily run goes at seven.
    story = {
        30: lambda e: take(e, "endorse", "secretary", note="Good candidate."),
        60: lambda e: take(e, "record_no_objection", "nem"),
        85: lambda e: take(e, "record_partner_position", "gmb", position=Position.AGREE),
        90: lambda e: journey.to_state(
            take(
                take(e, "record_partner_position", "unison", position=Position.AGREE),
                "mark_not_represented",
                "secretary",
                union=unite,
            ),
            State.COMMITMENT_DRAFTED,
            "secretary",
        ),
        # The partner unions that agreed co-sign the commitment: GMB at once, UNISON only
        # after its step was escalated.
        100: lambda e: take(e, "cosign_commitment", "gmb", confirm=True),
        115: lambda e: take(e, "confirm_commitment_union", "secretary", confirm=True),
        120: lambda e: take(e, "cosign_commitment", "unison", confirm=True),
        125: lambda e: take(
            e, "confirm_commitment_employer", "employer", confirm=True, accept_logo_terms=True
        ),
    }
    # What each task page shows on the morning of these days, after the run.
    tasks_seen: dict[tuple[int, str], list[str]] = {}
    looks = {
        (82, "nem"),
        (82, "officer"),
        (86, "officer"),
        (91, "nem"),
        (91, "officer"),
        (112, "nem"),
        (112, "officer"),
        (116, "nem"),
        (121, "officer"),
        (119, "secretary"),
        (126, "secretary"),
    }
    with _at(0, 10):
        enrolment = world.enrolment(State.PROPOSED)
        deliver_outbox()
    mail.outbox.clear()
    escalation_mail: dict[str, list[int]] = defaultdict(list)
    for n in range(1, 150):
        with _at(n, 7):
            call_command("send_reminders", stdout=io.StringIO())
            deliver_outbox()
            for message in mail.outbox:
                if "escalated to" in message.body:
                    escalation_mail[message.to[0].split("@")[0]].append(n)
            mail.outbox.clear()
            for day, persona in looks:
                if day == n:
                    tasks_seen[(n, persona)] = _escalated_on_tasks(world, persona)
        if n in story:
            with _at(n, 10):
                enrolment = story[n](Enrolment.objects.get(pk=enrolment.pk))
                deliver_outbox()
                mail.outbox.clear()
    assert Enrolment.objects.get(pk=enrolment.pk).state == State.COMMITTED

    # Written out from the brief: who was told, on which morning, of which stalled step.
    received = {
        (r.user.email.split("@")[0], timezone.localdate(r.sent_at), r.key)
        for r in SentReminder.objects.filter(kind=ReminderKind.STEP_ESCALATED).select_related(
            "user"
        )
    }
    by_pk = {e.pk: e.step for e in Escalation.objects.all()}
    told = sorted(
        (who, (day - START).days, by_pk[int(key.rsplit(":", 1)[1])]) for who, day, key in received
    )
    assert told == sorted(
        [
            ("nem", 21, "endorse"),
            ("officer", 51, "record_no_objection"),
            ("officer", 81, "record_partner_position"),
            ("nem", 81, "mark_not_represented"),
            ("nem", 111, "confirm_commitment_union"),
            ("officer", 111, "cosign_commitment"),
            ("secretary", 118, "confirm_commitment_employer"),
            ("nem", 146, "record_joined"),
        ]
    )
    # Once each: one e-mail carrying it on that morning and never again.
    assert dict(escalation_mail) == {
        "nem": [21, 81, 111, 146],
        "officer": [51, 81, 111],
        "secretary": [118],
    }
    assert Escalation.objects.count() == 8
    # On the case's timeline, once per stall, for the unions only.
    logged = AuditEvent.objects.filter(
        context=enrolment.audit_context, action="escalation.recorded"
    )
    assert all(event.internal for event in logged)
    assert Counter(e.summary.split("escalated to ")[1] for e in logged) == {
        "the NEM": 4,
        "the national officers": 3,
        "the local secretary": 1,
    }
    # The enrolment page's timeline shows them to the unions; the employer never sees them.
    secretary, employer = Client(), Client()
    secretary.force_login(world.users["secretary"])
    employer.force_login(world.users["employer"])
    union_page = secretary.get(enrolment.get_absolute_url()).content.decode()
    assert "“Confirm the commitment for the employer” has waited since" in union_page
    assert "escalated to the local secretary" in union_page
    employer_page = employer.get(enrolment.get_absolute_url())
    assert employer_page.status_code == 200
    assert "escalated" not in employer_page.content.decode()
    # On the task list while the step waits, and gone once it is taken.
    assert tasks_seen == {
        (82, "nem"): ["Mark a partner union not represented locally"],
        (82, "officer"): ["Record a partner union's position"],
        (86, "officer"): ["Record a partner union's position"],
        (91, "nem"): [],
        (91, "officer"): [],
        (112, "nem"): ["Confirm the commitment for the unions"],
        (112, "officer"): ["Co-sign the commitment for a partner union"],
        (116, "nem"): [],
        (121, "officer"): [],
        (119, "secretary"): ["Confirm the commitment for the employer"],
        (126, "secretary"): [],
    }


def test_with_no_nem_in_scope_the_escalation_goes_to_the_national_officers(
    world: World,
) -> None:
    district = District.objects.create(name="Vacant")
    area = Association.objects.create(
        name="Vacant", region=world.association.region, district=district
    )
    employer = Employer.objects.create(
        name="Vacant District School",
        kind=EmployerKind.SCHOOL,
        local_authority=world.employer.local_authority,
        association=area,
    )
    enrolment = Enrolment.objects.create(
        scheme=world.scheme,
        employer=employer,
        state=State.PROPOSED,
        state_changed_at=timezone.now() - datetime.timedelta(days=30),
        proposed_by=world.users["rep"],
    )
    send_reminders()
    send_reminders()
    escalation = Escalation.objects.get()
    assert (escalation.enrolment, escalation.step, escalation.role) == (
        enrolment,
        "endorse",
        "national_officer",
    )
    told = SentReminder.objects.filter(kind=ReminderKind.STEP_ESCALATED)
    assert [r.user.email for r in told] == ["officer@example.org"]
