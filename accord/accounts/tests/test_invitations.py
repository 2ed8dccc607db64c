"""Inviting people: an e-mailed, single-use, expiring link by which they set their own
password and are signed in; a link that no longer works says why."""

from __future__ import annotations

import datetime
import re

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts import services
from accord.accounts.models import Invitation, Role, RoleAssignment, User
from accord.core.models import AuditEvent
from tests.world import PASSWORD, World

NEW_PASSWORD = "a-long-and-unusual-phrase"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invite_rep(world: World, capture, email: str = "new.rep@example.org") -> Client:  # type: ignore[no-untyped-def]
    client = _client(world.users["secretary"])
    with capture(execute=True):
        response = client.post(
            reverse("people-invite"),
            {
                "email": email,
                "full_name": "New Rep",
                "role": "workplace_rep",
                "union": world.unions["NASUWT"].pk,
                "employer": world.employer.pk,
            },
        )
    assert response.status_code == 302, response.content.decode()
    return client


def _link(deliver_outbox) -> str:  # type: ignore[no-untyped-def]
    deliver_outbox()
    [message] = [m for m in mail.outbox if "invited" in m.subject]
    mail.outbox.clear()
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_a_secretary_invites_a_rep_who_sets_a_password_and_is_signed_in(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:
    _invite_rep(world, django_capture_on_commit_callbacks)
    person = User.objects.get(email="new.rep@example.org")
    assert not person.has_usable_password()
    assert RoleAssignment.objects.get(user=person).employer == world.employer
    deliver_outbox()
    [message] = mail.outbox
    assert message.to == ["new.rep@example.org"]
    assert "Workplace representative" in message.body
    link = re.search(r"\S+/invitations/\S+/", message.body)[0]
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Only a hash of the secret is stored.
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.filter(token_hash=services.hash_token(token)).exists()
    # The list shows them as invited, not yet signed in.
    people = _client(world.users["secretary"]).get(reverse("people")).content.decode()
    assert "New Rep" in people and "Invited, not yet signed in" in people

    visitor = Client()
    page = visitor.get(_path(link))
    assert page.status_code == 200 and "Set your password" in page.content.decode()
    weak = visitor.post(_path(link), {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 400 and "too common" in weak.content.decode()
    done = visitor.post(_path(link), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("tasks")
    assert visitor.get(reverse("tasks")).context["user"] == person
    assert Client().login(username="new.rep@example.org", password=NEW_PASSWORD)
    # Once used, the link says so, and sets nothing.
    again = Client().get(_path(link))
    assert again.status_code == 410 and "used already" in again.content.decode()
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "person.create",
        "role.grant",
        "person.invite",
        "person.accept",
    }


def test_a_new_invitation_voids_the_old_link(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:
    _invite_rep(world, django_capture_on_commit_callbacks)
    old = _link(deliver_outbox)
    person = User.objects.get(email="new.rep@example.org")
    client = _client(world.users["secretary"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("person-invitation", args=[person.pk])).status_code == 302
    new = _link(deliver_outbox)
    assert new != old
    refused = Client().get(_path(old))
    assert refused.status_code == 410 and "newer invitation" in refused.content.decode()
    assert Client().get(_path(new)).status_code == 200


def test_an_expired_link_says_so(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:
    _invite_rep(world, django_capture_on_commit_callbacks)
    link = _link(deliver_outbox)
    later = timezone.now() + datetime.timedelta(days=8)
    with time_machine.travel(later):
        response = Client().post(
            _path(link), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not User.objects.get(email="new.rep@example.org").has_usable_password()


def test_a_link_stops_working_once_a_password_is_set_by_a_reset(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:
    _invite_rep(world, django_capture_on_commit_callbacks)
    link = _link(deliver_outbox)
    person = User.objects.get(email="new.rep@example.org")
    services.set_password(person, "chosen-by-the-person-1", how="reset")
    response = Client().post(
        _path(link), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 410 and "password has been set" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password("chosen-by-the-person-1")


def test_a_link_nobody_sent_is_a_clear_page(world: World) -> None:
    response = Client().get(reverse("invitation", args=["not-a-real-link"]))
    assert response.status_code == 404 and "not one Accord sent" in response.content.decode()


def test_inviting_someone_to_a_role_they_hold_already_says_so(world: World) -> None:
    client = _client(world.users["secretary"])
    response = client.post(
        reverse("people-invite"),
        {
            "email": "REP@example.org",
            "full_name": "Rep Again",
            "role": "workplace_rep",
            "union": world.unions["NASUWT"].pk,
            "employer": world.employer.pk,
        },
    )
    assert response.status_code == 400 and "already holds" in response.content.decode()
    assert User.objects.filter(email="rep@example.org").count() == 1
    assert RoleAssignment.objects.filter(user=world.users["rep"]).count() == 1


def test_inviting_a_known_address_with_a_new_role_tells_them_without_a_link(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:
    rep = world.users["rep"]
    with django_capture_on_commit_callbacks(execute=True):
        invited = services.invite(
            email="Rep@Example.org",
            full_name="Someone Else",
            roles=[
                services.RoleSpec(
                    Role.WORKPLACE_REP,
                    {"union": world.unions["NASUWT"], "employer": world.academy},
                )
            ],
            actor=world.users["secretary"],
        )
    assert invited.user == rep and not invited.created and invited.token == ""
    assert RoleAssignment.objects.filter(user=rep).count() == 2
    assert User.objects.get(pk=rep.pk).full_name == "Rep"
    deliver_outbox()
    [message] = mail.outbox
    assert "new role" in message.subject and "/invitations/" not in message.body
    assert Client().login(username="rep@example.org", password=PASSWORD)


def test_a_secretary_cannot_invite_beyond_their_association(world: World) -> None:
    client = _client(world.users["secretary"])
    response = client.post(
        reverse("people-invite"),
        {
            "email": "far.rep@example.org",
            "full_name": "Far Rep",
            "role": "workplace_rep",
            "union": world.unions["NASUWT"].pk,
            "employer": world.other_employer.pk,
        },
    )
    # The form offers only the employers of their association; the service refuses the rest.
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="far.rep@example.org").exists()
    assert not Invitation.objects.exists()


def test_an_officer_invites_a_local_secretary_for_an_association(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:
    client = _client(world.users["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people-invite"),
            {
                "email": "new.sec@example.org",
                "full_name": "New Secretary",
                "role": "local_secretary",
                "union": world.unions["NASUWT"].pk,
                "association": world.other_association.pk,
                "employer": "ignored for this role",
            },
        )
    assert response.status_code == 302, response.content.decode()
    role = RoleAssignment.objects.get(user__email="new.sec@example.org")
    assert role.association == world.other_association and role.employer is None
    assert _link(deliver_outbox)


def test_the_invitation_form_refuses_control_characters(world: World) -> None:
    response = _client(world.users["officer"]).post(
        reverse("people-invite"),
        {
            "email": "x@example.org",
            "full_name": "Bad\u202eName",
            "role": "auditor",
        },
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.content.decode()
    assert not User.objects.filter(email="x@example.org").exists()


def test_an_officer_invites_a_person_with_two_roles_at_once(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:
    client = _client(world.users["officer"])
    nasuwt = world.unions["NASUWT"].pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people-invite"),
            {
                "email": "two.hats@example.org",
                "full_name": "Two Hats",
                "role": "local_secretary",
                "union": nasuwt,
                "association": world.association.pk,
                "role_2": "workplace_rep",
                "union_2": nasuwt,
                "employer_2": "Northtown High School",
            },
        )
    assert response.status_code == 302, response.content.decode()
    held = RoleAssignment.objects.filter(user__email="two.hats@example.org")
    assert {(a.role, a.association_id, a.employer_id) for a in held} == {
        (Role.LOCAL_SECRETARY, world.association.pk, None),
        (Role.WORKPLACE_REP, None, world.employer.pk),
    }
    deliver_outbox()
    [message] = mail.outbox
    assert "Local secretary" in message.body and "Northtown High School" in message.body


def test_a_second_role_missing_what_it_is_held_for_invites_nobody(world: World) -> None:
    response = _client(world.users["officer"]).post(
        reverse("people-invite"),
        {
            "email": "half@example.org",
            "full_name": "Half",
            "role": "employer_contact",
            "employer": "100001",
            "role_2": "nem",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_union_2"' in html and 'href="#id_district_2"' in html
    assert not User.objects.filter(email="half@example.org").exists()
