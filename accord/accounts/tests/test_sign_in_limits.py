"""Failed sign-ins are limited per address typed and per client address, and the answers never
tell whether an address has an account. Passwords follow Django's validators everywhere."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from accord.accounts.models import User
from tests.world import PASSWORD, World

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
REFUSED = "The e-mail address or the password is not correct."
TOO_MANY = "Too many failed login attempts"


def _sign_in(client: Client, login: str, password: str, ip: str = "192.0.2.1"):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"login": login, "password": password}, REMOTE_ADDR=ip)


def _page(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A response as its reader sees it: status and page, the form's one-time token aside."""
    html = TOKEN.sub("", response.content.decode())
    return response.status_code, html.replace("nobody@example.org", "secretary@example.org")


class CountingHasher(MD5PasswordHasher):
    """Counts the passwords hashed, the work that makes a sign-in attempt take its time."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_an_unknown_address_is_refused_exactly_as_a_wrong_password(world: World) -> None:
    known = _sign_in(Client(), "secretary@example.org", "wrong-password")
    unknown = _sign_in(Client(), "nobody@example.org", "wrong-password")
    assert _page(known) == _page(unknown)
    assert REFUSED in known.content.decode()


def test_an_unknown_address_costs_the_same_password_hashing_as_a_known_one(
    world: World,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    User.objects.filter(email="secretary@example.org").update(
        password=CountingHasher().encode("right-password", "salt")
    )
    CountingHasher.calls = 0
    _sign_in(Client(), "secretary@example.org", "wrong-password")
    known = CountingHasher.calls
    CountingHasher.calls = 0
    _sign_in(Client(), "nobody@example.org", "wrong-password")
    assert known == CountingHasher.calls == 1


def test_five_failures_lock_the_account_for_a_while_even_with_the_right_password(
    world: World,
) -> None:
    for attempt in range(5):
        response = _sign_in(Client(), "secretary@example.org", "wrong", ip=f"192.0.2.{attempt}")
        assert REFUSED in response.content.decode()
    # From another machine, with the right password: still refused, and nobody is signed in.
    client = Client()
    locked = _sign_in(client, "secretary@example.org", PASSWORD, ip="198.51.100.7")
    assert locked.status_code == 200 and TOO_MANY in locked.content.decode()
    assert client.get(reverse("tasks")).status_code == 302
    # Other people are not locked out by it.
    assert _sign_in(Client(), "rep@example.org", PASSWORD).status_code == 302


def test_an_unknown_address_is_locked_the_same_way(world: World) -> None:
    for _ in range(5):
        _sign_in(Client(), "secretary@example.org", "wrong")
        _sign_in(Client(), "nobody@example.org", "wrong", ip="192.0.2.2")
    known = _sign_in(Client(), "secretary@example.org", PASSWORD)
    unknown = _sign_in(Client(), "nobody@example.org", PASSWORD, ip="192.0.2.2")
    assert _page(known) == _page(unknown)
    assert TOO_MANY in known.content.decode()


def test_twenty_failures_from_one_address_lock_it_whatever_account_is_tried(
    world: World,
) -> None:
    for n in range(20):
        _sign_in(Client(), f"guess{n}@example.org", "wrong", ip="203.0.113.9")
    blocked = _sign_in(Client(), "rep@example.org", PASSWORD, ip="203.0.113.9")
    assert blocked.status_code == 200 and TOO_MANY in blocked.content.decode()
    assert _sign_in(Client(), "rep@example.org", PASSWORD, ip="203.0.113.10").status_code == 302


def test_the_admin_is_signed_into_through_the_same_page(world: World) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_a_short_password_is_refused_when_changing_it(world: World) -> None:
    client = Client()
    client.force_login(world.users["secretary"])
    eleven = "qzv-tkw-pmr"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": eleven, "password2": eleven},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert User.objects.get(email="secretary@example.org").check_password(PASSWORD)


def test_a_common_password_is_refused_when_changing_it(world: World) -> None:
    client = Client()
    client.force_login(world.users["secretary"])
    common = "password1234"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": common, "password2": common},
    )
    assert "This password is too common." in response.content.decode()
