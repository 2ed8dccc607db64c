"""A person with one record of every kind Accord holds about people, for the subject access
and erasure tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from accord.accounts import services
from accord.accounts.models import (
    EmailKind,
    EmailPreference,
    Frequency,
    HeldEmail,
    Role,
    RoleAssignment,
    User,
)
from accord.enrolments.models import Enrolment, Note
from accord.enrolments.process import State
from accord.notifications.models import ReminderKind, SentReminder
from tests.world import PASSWORD, World

# Non-ASCII, so that JSON kept escaped (SQLite) is searched too.
NAME = "Zoë Pemberton-Quayle"
EMAIL = "zoe.pemberton@example.org"
NOTE_BY_THEM = "The head teacher is keen; the bursar less so."
NOTE_ABOUT_THEM = f"{NAME} will speak to the bursar."


@dataclass
class Subject:
    person: User
    enrolment: Enrolment
    ended_role: RoleAssignment


def seed_subject(world: World) -> Subject:
    """Zoë is invited by the officer as a workplace representative at the employer, sets her
    password and signs in, proposes the employer, writes an internal note, holds an ended role
    at another employer, has e-mail preferences, a held e-mail, a reminder and e-mails in the
    outbox; the secretary writes a note naming her."""
    officer = world.users["officer"]
    nasuwt = world.unions["NASUWT"]
    invited = services.invite(
        email=EMAIL,
        full_name=NAME,
        roles=[
            services.RoleSpec(Role.WORKPLACE_REP, {"union": nasuwt, "employer": world.employer})
        ],
        actor=officer,
    )
    person = services.accept_invitation(invited.token, password=PASSWORD)
    ended = services.grant_role(
        person,
        services.RoleSpec(Role.WORKPLACE_REP, {"union": nasuwt, "employer": world.other_employer}),
        actor=officer,
    )
    services.end_role(ended, actor=officer, reason="Moved school")
    world.users["zoe"] = person
    journey = world.journey()
    enrolment = journey.to(world.employer, State.PROPOSED, "zoe")
    journey.take(enrolment, "add_note", "zoe", note=NOTE_BY_THEM)
    journey.take(enrolment, "add_note", "secretary", note=NOTE_ABOUT_THEM)
    EmailPreference.objects.create(user=person, kind=EmailKind.REMINDERS, frequency=Frequency.DAILY)
    HeldEmail.objects.create(
        user=person,
        kind=EmailKind.REMINDERS,
        frequency=Frequency.DAILY,
        subject="A held reminder for the digest",
        text=f"Dear {NAME}, a review is due.",
        html=f"<p>Dear {NAME}, a review is due.</p>",
        reason="You asked for a daily digest",
    )
    SentReminder.objects.create(
        user=person,
        kind=next(iter(ReminderKind)),
        key="test:reminder:1",
        context=enrolment.audit_context,
        text="A reminder sent to them about the proposal",
    )
    client = Client()
    assert client.login(username=EMAIL, password=PASSWORD)
    client.get("/tasks/")
    person.refresh_from_db()
    assert person.last_login is not None and person.last_login <= timezone.now()
    return Subject(person, enrolment, ended)


def notes_by(person: User) -> list[str]:
    return list(Note.objects.filter(author=person).values_list("text", flat=True))
