"""Signing in behind a TLS proxy, and signing out after a period without activity."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from tests.world import PASSWORD, World

pytestmark = pytest.mark.django_db


def _sign_in_over_https(client: Client, email: str) -> int:
    """Sign in as a browser would behind the proxy: HTTPS forwarded, Origin on the public site."""
    https = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_ORIGIN": "https://accord.example.org"}
    client.get("/accounts/login/", HTTP_HOST="accord.example.org", **https)
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        HTTP_HOST="accord.example.org",
        **https,
    )
    return response.status_code


def test_sign_in_behind_a_tls_proxy_is_accepted(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ALLOWED_HOSTS = ["accord.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    client = Client(enforce_csrf_checks=True)
    assert _sign_in_over_https(client, world.users["secretary"].email) == 302


def test_sign_in_behind_a_tls_proxy_fails_without_the_proxy_header_setting(
    world: World,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    """The failure the proxy setting exists for: the Origin is HTTPS, the request looks HTTP."""
    settings.ALLOWED_HOSTS = ["accord.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.SECURE_SSL_REDIRECT = False
    settings.CSRF_TRUSTED_ORIGINS = []
    client = Client(enforce_csrf_checks=True)
    assert _sign_in_over_https(client, world.users["secretary"].email) == 403


def test_staff_are_signed_out_after_the_idle_timeout(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    client = Client()
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(world.users["secretary"])
        assert client.get("/tasks/").status_code == 200
        clock.move_to(start + datetime.timedelta(minutes=29))
        assert client.get("/tasks/").status_code == 200  # activity keeps the session alive
        clock.move_to(start + datetime.timedelta(minutes=29 + 31))
        response = client.get("/tasks/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        page = client.get(response["Location"])
        assert "signed out after 30 minutes without activity" in page.content.decode()
