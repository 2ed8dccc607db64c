"""A case that nobody in scope can act on goes to the national officers, never nowhere: on
their task list, by e-mail when it happens, and in the reminder run while it waits."""

from __future__ import annotations

import datetime

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role, RoleAssignment, User
from accord.enrolments import services
from accord.enrolments.models import Enrolment
from accord.notifications.reminders import send_reminders
from accord.organisations.models import Employer, EmployerKind
from tests.world import PASSWORD, World


def _tasks(persona: str) -> str:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    response = client.get(reverse("tasks"))
    assert response.status_code == 200
    return response.content.decode()


def _propose_a_trust_without_association(world: World, capture) -> Enrolment:  # type: ignore[no-untyped-def]
    trust = Employer.objects.create(
        name="Lost Learning Trust",
        kind=EmployerKind.ACADEMY_TRUST,
        local_authority=world.employer.local_authority,
        association=None,
    )
    rep = User.objects.create_user(
        "trust.rep@example.org", email="trust.rep@example.org", password=PASSWORD
    )
    RoleAssignment.objects.create(
        user=rep, role=Role.WORKPLACE_REP, union=world.scheme.lead_union, employer=trust
    )
    mail.outbox.clear()
    with capture(execute=True):
        return services.propose(
            scheme=world.scheme,
            employer=trust,
            actor=rep,
            data={"initiated_by": "union", "reason": "The trust consults its staff well."},
        )


def test_a_proposal_nobody_in_scope_can_endorse_goes_on_the_national_officers_task_list(
    world: World,
    django_capture_on_commit_callbacks,
    deliver_outbox,  # type: ignore[no-untyped-def]
) -> None:
    enrolment = _propose_a_trust_without_association(world, django_capture_on_commit_callbacks)
    deliver_outbox()
    page = _tasks("officer")
    assert "Needs someone in scope" in page
    assert "Lost Learning Trust" in page and enrolment.get_absolute_url() in page
    assert "Endorse the proposal" in page and "no local secretary" in page.lower()
    # Only the national officers of the scheme's lead union take it up.
    assert "Lost Learning Trust" not in _tasks("other_officer")
    assert "Lost Learning Trust" not in _tasks("secretary")
    # They are told at once, too.
    assert [m.to for m in mail.outbox] == [["officer@example.org"]]
    assert "Lost Learning Trust" in mail.outbox[0].subject
    assert "nobody" in mail.outbox[0].body.lower()


def test_a_case_leaves_the_national_officers_list_once_someone_in_scope_can_act(
    world: World, django_capture_on_commit_callbacks
) -> None:
    enrolment = _propose_a_trust_without_association(world, django_capture_on_commit_callbacks)
    Employer.objects.filter(pk=enrolment.employer_id).update(association=world.association)
    assert "Lost Learning Trust" not in _tasks("officer")
    assert "Lost Learning Trust" in _tasks("secretary")


def test_a_case_nobody_in_scope_can_act_on_is_reminded_to_the_national_officers(
    world: World,
    django_capture_on_commit_callbacks,
    deliver_outbox,  # type: ignore[no-untyped-def]
) -> None:
    _propose_a_trust_without_association(world, django_capture_on_commit_callbacks)
    deliver_outbox()
    mail.outbox.clear()
    later = datetime.date.today() + datetime.timedelta(days=14)
    with time_machine.travel(datetime.datetime.combine(later, datetime.time(7)), tick=False):
        send_reminders()
        send_reminders()
        deliver_outbox()
    assert [m.to for m in mail.outbox] == [["officer@example.org"]]
    assert "Lost Learning Trust" in mail.outbox[0].body
    assert "nobody in scope" in mail.outbox[0].body.lower()


def test_the_reminder_subject_says_what_and_which_employer_and_the_body_gives_the_detail(
    world: World,
    django_capture_on_commit_callbacks,
    deliver_outbox,  # type: ignore[no-untyped-def]
) -> None:
    _propose_a_trust_without_association(world, django_capture_on_commit_callbacks)
    deliver_outbox()
    mail.outbox.clear()
    today = datetime.date.today()
    later = today + datetime.timedelta(days=14)
    with time_machine.travel(datetime.datetime.combine(later, datetime.time(7)), tick=False):
        send_reminders()
        deliver_outbox()
    [message] = mail.outbox
    assert message.subject == "Accord: Joining step waiting: Lost Learning Trust"
    assert f"); it has waited since {today:%-d %B %Y}\n" in message.body
    [(html, _)] = message.alternatives
    assert ">Joining step waiting: Lost Learning Trust</h1>" in html
