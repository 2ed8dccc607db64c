"""Deactivating a person cuts their access at once (open sessions, calendar feed, unused
invitation links) and moves their open tasks to the national officers, as needing a new
owner; reactivating gives access back."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accord.accounts import services
from accord.accounts.models import RoleAssignment, User
from accord.core.models import AuditEvent
from accord.enrolments.process import State
from accord.notifications.models import CalendarFeed
from tests.world import PASSWORD, World


def _signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def _sessions_of(user: User) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def test_deactivation_cuts_a_live_session_the_feed_and_moves_the_tasks(world: World) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    secretary = world.users["secretary"]
    session = _signed_in(secretary)
    assert session.get(reverse("tasks")).status_code == 200
    feed = CalendarFeed.objects.create(user=secretary)
    assert Client().get(reverse("calendar-feed", args=[feed.token])).status_code == 200
    officer = _signed_in(world.users["officer"])
    assert "Needs a new owner" not in officer.get(reverse("tasks")).content.decode()

    page = reverse("person-status", args=[secretary.pk])
    assert officer.get(page).status_code == 200
    assert officer.post(page, {"reason": "Left the union"}).status_code == 302

    assert _sessions_of(secretary) == 0
    cut = session.get(reverse("tasks"))
    assert cut.status_code == 302 and "/accounts/login/" in cut["Location"]
    assert not Client().login(username=secretary.email, password=PASSWORD)
    assert Client().get(reverse("calendar-feed", args=[feed.token])).status_code == 404
    tasks = officer.get(reverse("tasks")).content.decode()
    assert "Needs a new owner" in tasks and enrolment.employer.name in tasks
    assert "Secretary no longer holds the role" in tasks
    event = AuditEvent.objects.get(action="person.deactivate")
    assert event.changes["is_active"] == [True, False] and event.note == "Left the union"
    # Their roles are kept, and apply again once they are reactivated.
    assert RoleAssignment.objects.filter(user=secretary).exists()
    assert officer.post(page, {}).status_code == 302
    assert User.objects.get(pk=secretary.pk).is_active
    assert AuditEvent.objects.filter(action="person.reactivate").exists()
    assert "Needs a new owner" not in officer.get(reverse("tasks")).content.decode()
    assert enrolment.employer.name in _signed_in(secretary).get(reverse("tasks")).content.decode()


def test_an_ended_role_leaves_its_tasks_needing_a_new_owner(world: World) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    role = RoleAssignment.objects.get(user=world.users["secretary"])
    services.end_role(role, actor=world.users["officer"])
    tasks = _signed_in(world.users["officer"]).get(reverse("tasks")).content.decode()
    assert "Needs a new owner" in tasks and enrolment.employer.name in tasks


def test_deactivation_voids_an_unused_invitation(world: World) -> None:
    invited = services.invite(
        email="late@example.org",
        full_name="Late",
        roles=[
            services.RoleSpec(
                "workplace_rep", {"union": world.unions["NASUWT"], "employer": world.employer}
            )
        ],
        actor=world.users["officer"],
    )
    services.deactivate(invited.user, actor=world.users["secretary"])
    response = Client().get(reverse("invitation", args=[invited.token]))
    assert response.status_code == 410


def test_who_may_deactivate_whom(world: World) -> None:
    secretary = Client()
    secretary.force_login(world.users["secretary"])
    # A rep of their own association, yes; one elsewhere, a NEM or themselves, no.
    assert secretary.get(reverse("person-status", args=[world.users["rep"].pk])).status_code == 200
    for other in ("other_rep", "nem", "secretary", "officer"):
        url = reverse("person-status", args=[world.users[other].pk])
        assert secretary.get(url).status_code == 403, other
        assert secretary.post(url, {}).status_code == 403, other
    assert User.objects.filter(is_active=False).count() == 0


def test_someone_whose_roles_all_ended_is_managed_only_by_who_could_have_given_them(
    world: World,
) -> None:
    former = world.users["nem"]
    (role,) = RoleAssignment.objects.filter(user=former)
    services.end_role(role, actor=world.users["officer"], reason="Stood down")
    url = reverse("person-status", args=[former.pk])
    # UNISON's officer gives no NASUWT role: not theirs to lock out, nor to bring back.
    unison = Client()
    unison.force_login(world.users["other_officer"])
    assert unison.post(url, {"reason": "x"}).status_code == 403
    former.refresh_from_db()
    assert former.is_active
    nasuwt = Client()
    nasuwt.force_login(world.users["officer"])
    assert nasuwt.post(url, {"reason": "Left the union"}).status_code == 302
    former.refresh_from_db()
    assert not former.is_active
