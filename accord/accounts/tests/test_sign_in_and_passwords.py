"""Signing in, signing up (closed), resetting and changing a password, through allauth's pages."""

from __future__ import annotations

import datetime
import importlib
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accord.accounts import services
from accord.accounts.models import User
from accord.core.models import AuditEvent
from accord.core.outbox import OutboxMessage
from tests.world import PASSWORD, World

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-and-longer-passphrase"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _sign_in(client: Client, login: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"login": login, "password": password})


def _reset_link(to: str) -> str:
    """The path of the link e-mailed to `to`, which is on the site's public address."""
    [message] = [m for m in mail.outbox if m.to == [to]]
    [link] = re.findall(r"\S+/accounts/password/reset/key/\S+/", message.body)
    assert link.startswith(settings.SITE_URL + "/")
    return urlsplit(link).path


def _request_reset(client: Client, email: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("account_reset_password"), {"email": email})


def test_sign_in_takes_the_email_address_whatever_its_case(world: World) -> None:
    response = _sign_in(Client(), " Secretary@Example.ORG ", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("tasks")


def test_a_wrong_password_is_refused_with_a_message_at_the_top(world: World) -> None:
    response = _sign_in(Client(), "secretary@example.org", "wrong")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert 'class="error-summary"' in html
    assert "The e-mail address or the password is not correct." in html


def test_sign_in_is_refused_after_repeated_failures_even_with_the_right_password(
    world: World,
) -> None:
    client = Client()
    for _ in range(5):
        _sign_in(client, "secretary@example.org", "wrong")
    response = _sign_in(client, "secretary@example.org", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()


def test_nobody_can_sign_up(world: World) -> None:
    client = Client()
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert "Accounts are by invitation" in page.content.decode()
    posted = client.post(
        reverse("account_signup"),
        {"email": "newcomer@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "Accounts are by invitation" in posted.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()
    assert not OutboxMessage.objects.exists()


def test_a_reset_request_answers_the_same_for_known_and_unknown_addresses(
    world: World, deliver_outbox: Callable[[], dict[str, int]]
) -> None:
    known = _request_reset(Client(), "Secretary@example.org")
    unknown = _request_reset(Client(), "nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    known_page, unknown_page = Client().get(known["Location"]), Client().get(unknown["Location"])
    assert known_page.status_code == unknown_page.status_code == 200
    assert TOKEN.sub("", known_page.content.decode()) == TOKEN.sub(
        "", unknown_page.content.decode()
    )
    # Written to the outbox, not sent while the page waited.
    assert mail.outbox == []
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [["secretary@example.org"]]


def test_a_reset_link_sets_a_new_password_once(
    world: World, deliver_outbox: Callable[[], dict[str, int]]
) -> None:
    _request_reset(Client(), "secretary@example.org")
    deliver_outbox()
    link = _reset_link("secretary@example.org")
    client = Client()
    opened = client.get(link)
    assert opened.status_code == 302  # the key moves out of the address bar
    form_url = opened["Location"]
    assert "Choose a new password" in client.get(form_url).content.decode()
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")

    assert _sign_in(Client(), "secretary@example.org", NEW_PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.actor == world.users["secretary"]
    assert NEW_PASSWORD not in str(event.changes)
    assert world.users["secretary"].password not in str(event.changes)

    # The same link again: refused, and the password stays.
    again = Client()
    reopened = again.get(link)
    assert "This link no longer works" in reopened.content.decode()
    again.post(link, {"password1": "yet-another-passphrase", "password2": "yet-another-passphrase"})
    assert User.objects.get(email="secretary@example.org").check_password(NEW_PASSWORD)


def test_a_reset_link_stops_working_when_it_expires(
    world: World, deliver_outbox: Callable[[], dict[str, int]], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _request_reset(Client(), "secretary@example.org")
        deliver_outbox()
        link = _reset_link("secretary@example.org")
        clock.move_to(start + datetime.timedelta(hours=1, minutes=1))
        response = Client().get(link, follow=True)
    assert "This link no longer works" in response.content.decode()


def test_a_signed_in_person_changes_their_password_and_stays_signed_in(
    world: World, deliver_outbox: Callable[[], dict[str, int]]
) -> None:
    client = Client()
    _sign_in(client, "secretary@example.org", PASSWORD)
    assert "Change password" in client.get(reverse("tasks")).content.decode()
    wrong = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert 'class="error-summary"' in wrong.content.decode()
    changed = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert client.get(reverse("tasks")).status_code == 200
    assert User.objects.get(email="secretary@example.org").check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.password_changed")
    assert event.actor == world.users["secretary"] and NEW_PASSWORD not in str(event.changes)
    # The person is told, through the outbox.
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [["secretary@example.org"]]


def test_marking_an_address_verified_makes_it_the_verified_primary_once(world: World) -> None:
    rep = world.users["rep"]
    EmailAddress.objects.create(user=rep, email="old@example.org", primary=True, verified=True)
    services.mark_email_verified(rep)
    services.mark_email_verified(rep)
    address = EmailAddress.objects.get(user=rep)
    assert (address.email, address.verified, address.primary) == (rep.email, True, True)
    assert AuditEvent.objects.filter(action="user.email_verified").count() == 1


def test_the_migration_verifies_every_existing_address(world: World) -> None:
    migration = importlib.import_module("accord.accounts.migrations.0004_verified_email_addresses")
    migration.verify_existing_addresses(apps, None)
    users = User.objects.count()
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == users
    assert _sign_in(Client(), "nem@example.org", PASSWORD).status_code == 302


def test_people_do_not_change_their_own_address(world: World) -> None:
    client = Client()
    client.force_login(world.users["secretary"])
    page = client.get(reverse("account_email"))
    assert "ask your union's national office" in page.content.decode().replace("&#x27;", "'")
    refused = client.post(reverse("account_email"), {"action_add": "", "email": "s@example.net"})
    assert refused.status_code == 405
    assert User.objects.get(pk=world.users["secretary"].pk).email == "secretary@example.org"
    assert not EmailAddress.objects.filter(email="s@example.net").exists()


def test_a_confirmed_address_is_the_only_one_that_signs_in(world: World) -> None:
    rep = world.users["rep"]
    services.mark_email_verified(rep)
    rep.email = "rep@example.net"
    rep.save()
    services.mark_email_verified(rep, actor=world.users["officer"])
    assert list(EmailAddress.objects.filter(user=rep).values_list("email", flat=True)) == [
        "rep@example.net"
    ]
    assert _sign_in(Client(), "rep@example.net", PASSWORD).status_code == 302
    assert _sign_in(Client(), "rep@example.org", PASSWORD).status_code == 200
    event = AuditEvent.objects.filter(action="user.email_verified").last()
    assert event.actor == world.users["officer"]
    assert event.changes["other addresses"] == [["rep@example.org"], []]
