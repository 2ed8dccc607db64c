"""How long a session lasts, and the ways a person's sessions end: after a fixed time, on
signing out everywhere, and on a new password."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accord.accounts.models import User
from accord.core.models import AuditEvent
from tests.world import PASSWORD, World

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-and-longer-passphrase"
START = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)


def _signed_in(client: Client) -> bool:
    return client.get(reverse("tasks")).status_code == 200


def _two_sessions(user: User) -> tuple[Client, Client]:
    here, there = Client(), Client()
    for client in (here, there):
        response = client.post(reverse("login"), {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302
    return here, there


def test_a_session_ends_twelve_hours_after_sign_in_however_active(
    world: World,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.SESSION_ABSOLUTE_HOURS = 12
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.users["secretary"])
        # A request every 20 minutes keeps the idle timeout away all day.
        for minutes in range(20, 12 * 60, 20):
            clock.move_to(START + datetime.timedelta(minutes=minutes))
            assert _signed_in(client), minutes
        clock.move_to(START + datetime.timedelta(hours=12, minutes=1))
        response = client.get(reverse("tasks"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        page = client.get(response["Location"]).content.decode()
        assert "signed out 12 hours after signing in" in page
        assert not _signed_in(client)


def test_the_lifetime_is_a_setting(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SESSION_ABSOLUTE_HOURS = 2
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.users["secretary"])
        for minutes in (20, 40, 60, 80, 100):
            clock.move_to(START + datetime.timedelta(minutes=minutes))
            assert _signed_in(client)
        clock.move_to(START + datetime.timedelta(minutes=121))
        assert not _signed_in(client)


def test_signing_out_everywhere_ends_every_session_this_one_included(world: World) -> None:
    here, there = _two_sessions(world.users["secretary"])
    page = here.get(reverse("account-security")).content.decode()
    assert reverse("sign-out-everywhere") in page

    response = here.post(reverse("sign-out-everywhere"))

    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not _signed_in(here)
    assert not _signed_in(there)
    event = AuditEvent.objects.get(action="user.signed_out_everywhere")
    assert event.actor == world.users["secretary"]
    # Signing in again works as before.
    assert (
        Client()
        .post(reverse("login"), {"login": "secretary@example.org", "password": PASSWORD})
        .status_code
        == 302
    )


def test_signing_out_everywhere_leaves_other_people_signed_in(world: World) -> None:
    (here, _) = _two_sessions(world.users["secretary"])
    (other, _) = _two_sessions(world.users["rep"])
    here.post(reverse("sign-out-everywhere"))
    assert _signed_in(other)


def test_a_password_change_ends_the_other_sessions_but_not_this_one(world: World) -> None:
    here, there = _two_sessions(world.users["secretary"])
    changed = here.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(there)


def test_a_password_reset_ends_every_session(
    world: World, deliver_outbox: Callable[[], dict[str, int]]
) -> None:
    here, there = _two_sessions(world.users["secretary"])
    Client().post(reverse("account_reset_password"), {"email": "secretary@example.org"})
    deliver_outbox()
    [message] = [m for m in mail.outbox if m.to == ["secretary@example.org"]]
    [link] = re.findall(r"\S+/accounts/password/reset/key/\S+/", message.body)
    client = Client()
    form_url = client.get(urlsplit(link).path)["Location"]
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert not _signed_in(here)
    assert not _signed_in(there)
