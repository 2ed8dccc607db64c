"""Giving, ending and changing roles: an ended role stays as history and grants nothing
anywhere (no page, no task, no e-mail); every change is audited with before and after."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts import services
from accord.accounts.models import Role, RoleAssignment, User
from accord.core.errors import DomainError
from accord.core.models import AuditEvent
from accord.enrolments import services as enrolment_services
from accord.enrolments.process import State
from tests.world import World


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _end_secretary(world: World) -> RoleAssignment:
    role = RoleAssignment.objects.get(user=world.users["secretary"])
    return services.end_role(role, actor=world.users["officer"], reason="Stood down")


def test_an_ended_role_opens_no_page_gets_no_task_and_no_email(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    secretary = world.users["secretary"]
    client = _client(secretary)
    assert client.get(enrolment.get_absolute_url()).status_code == 200
    assert enrolment.employer.name in client.get(reverse("tasks")).content.decode()

    _end_secretary(world)

    assert client.get(enrolment.get_absolute_url()).status_code == 403
    assert enrolment.employer.name not in client.get(reverse("tasks")).content.decode()
    assert client.get(reverse("people")).status_code == 403
    # A new proposal in the association reaches nobody through the ended role.
    RoleAssignment.objects.create(
        user=world.users["rep"],
        role=Role.WORKPLACE_REP,
        union=world.unions["NASUWT"],
        employer=world.academy,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_services.propose(
            scheme=world.scheme,
            employer=world.trust,
            actor=world.users["rep"],
            data={"initiated_by": "union", "reason": "They listen to staff."},
        )
    deliver_outbox()
    recipients = [to for m in mail.outbox for to in m.to]
    assert recipients and "secretary@example.org" not in recipients
    # With nobody left to endorse it, it goes to the national officers.
    assert "officer@example.org" in recipients


def test_a_role_still_in_force_on_its_last_day_ends_the_next(world: World) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    role = RoleAssignment.objects.get(user=world.users["secretary"])
    services.end_role(role, actor=world.users["officer"], ends_on=tomorrow)
    assert RoleAssignment.objects.filter(pk=role.pk).exists()
    assert not RoleAssignment.objects.current(on=tomorrow).filter(pk=role.pk).exists()


def test_ending_a_role_keeps_it_as_history_and_audits_it(world: World) -> None:
    role = _end_secretary(world)
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    kept = RoleAssignment.history.get(pk=role.pk)
    assert kept.ends_on == timezone.localdate()
    assert kept.ended_by == world.users["officer"] and kept.end_reason == "Stood down"
    event = AuditEvent.objects.filter(action="role.end").get()
    assert event.changes["ends_on"] == [None, timezone.localdate().isoformat()]
    assert event.actor == world.users["officer"]
    page = _client(world.users["officer"]).get(reverse("person", args=[role.user_id]))
    assert "Former roles" in page.content.decode() and "Stood down" in page.content.decode()


def test_a_role_cannot_be_ended_twice(world: World) -> None:
    role = _end_secretary(world)
    with pytest.raises(DomainError):
        services.end_role(role, actor=world.users["officer"])


def test_changing_a_role_ends_the_old_one_and_gives_the_new_one(world: World) -> None:
    role = RoleAssignment.objects.get(user=world.users["rep"])
    new = services.change_role(
        role,
        services.RoleSpec(
            Role.WORKPLACE_REP, {"union": world.unions["NASUWT"], "employer": world.academy}
        ),
        actor=world.users["secretary"],
        reason="Moved school",
    )
    assert list(RoleAssignment.objects.filter(user=world.users["rep"])) == [new]
    assert RoleAssignment.history.get(pk=role.pk).ends_on == timezone.localdate()
    assert {e.action for e in AuditEvent.objects.all()} >= {"role.end", "role.grant"}


def test_a_change_to_a_role_the_changer_may_not_give_changes_nothing(world: World) -> None:
    role = RoleAssignment.objects.get(user=world.users["rep"])
    with pytest.raises(DomainError):
        services.change_role(
            role,
            services.RoleSpec(
                Role.WORKPLACE_REP,
                {"union": world.unions["NASUWT"], "employer": world.other_employer},
            ),
            actor=world.users["secretary"],
        )
    assert RoleAssignment.objects.get(pk=role.pk).ends_on is None
    assert not AuditEvent.objects.filter(action__startswith="role.").exists()


def test_nobody_gives_beyond_their_scope_through_the_pages(world: World) -> None:
    rep = world.users["rep"]
    client = _client(world.users["secretary"])
    url = reverse("person-role-add", args=[rep.pk])
    nasuwt = world.unions["NASUWT"].pk
    elsewhere = client.post(
        url, {"role": "workplace_rep", "union": nasuwt, "employer": world.other_employer.pk}
    )
    assert elsewhere.status_code == 400
    # An officer of a union that leads nothing gives no NASUWT role, even through a form that
    # lets them name it.
    officer = _client(world.users["other_officer"])
    refused = officer.post(url, {"role": "workplace_rep", "union": nasuwt, "employer": "100001"})
    assert refused.status_code == 400
    assert "You may not give the role" in refused.content.decode()
    wider = client.post(
        url, {"role": "local_secretary", "union": world.unions["NASUWT"].pk, "association": 1}
    )
    assert wider.status_code == 400
    here = client.post(
        url, {"role": "workplace_rep", "union": nasuwt, "employer": world.academy.pk}
    )
    assert here.status_code == 302
    assert RoleAssignment.objects.filter(user=rep, employer=world.academy).exists()
    event = AuditEvent.objects.get(action="role.grant")
    assert event.changes["employer"] == [None, "Star Academy"]
    # Nor may anyone end or change a role they could not give.
    other = RoleAssignment.objects.get(user=world.users["other_rep"])
    end = reverse("person-role-end", args=[other.user_id, other.pk])
    assert client.get(end).status_code == 403
    assert client.post(end, {}).status_code == 403
    assert RoleAssignment.objects.filter(pk=other.pk).exists()


def test_ending_a_role_through_its_page(world: World) -> None:
    role = RoleAssignment.objects.get(user=world.users["rep"])
    client = _client(world.users["secretary"])
    url = reverse("person-role-end", args=[role.user_id, role.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Left the school"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    # Refused control characters change nothing.
    role = RoleAssignment.objects.get(user=world.users["other_rep"])
    officer = _client(world.users["officer"])
    url = reverse("person-role-end", args=[role.user_id, role.pk])
    refused = officer.post(url, {"reason": "Left\x1b"})
    assert refused.status_code == 400 and "cannot be stored" in refused.content.decode()
    assert RoleAssignment.objects.filter(pk=role.pk).exists()


def test_nobody_ends_their_own_role(world: World) -> None:
    role = RoleAssignment.objects.get(user=world.users["officer"])
    with pytest.raises(DomainError):
        services.end_role(role, actor=world.users["officer"])
