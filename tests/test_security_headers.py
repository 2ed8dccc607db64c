"""Every kind of response carries the browser-side protections: a Content-Security-Policy with
nothing inline, no framing and no other origin; a Permissions-Policy refusing the features no
page uses; Cross-Origin-Opener-Policy, Referrer-Policy, nosniff and X-Frame-Options. Pages,
forms, downloads, pictures, open data, redirects, error pages and the Django admin alike."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from accord.accounts.models import User
from tests.site import Site, build_site
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

# Written out from the policy the service promises, not read from the settings.
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
REFUSED_FEATURES = {"camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"}
OTHER_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def _policy(header: str) -> dict[str, set[str]]:
    """`default-src 'self'; img-src 'self' data:` as {directive: {sources}}."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page_types(site: Site) -> list[tuple[str, Client, str, str, int]]:
    """(what, client, method, path, status expected): one of every kind of response."""
    world = site.world
    anonymous = Client()
    secretary = _signed_in(world.users["secretary"])
    officer = _signed_in(world.users["officer"])
    outsider = _signed_in(world.users["outsider"])
    root = User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    admin = _signed_in(root)
    member = site.memberships[0].reference
    enrolment = site.enrolments[0].pk
    plan = site.plans[0].pk
    return [
        ("home page", anonymous, "get", "/", 200),
        ("public register", anonymous, "get", "/register/", 200),
        ("verification page", anonymous, "get", f"/register/{member}/", 200),
        ("verification QR code (SVG)", anonymous, "get", f"/register/{member}/qr.svg", 200),
        ("certificate (PDF)", anonymous, "get", f"/register/{member}/certificate.pdf", 200),
        ("open data (CSV)", anonymous, "get", "/register.csv", 200),
        ("open data (JSON)", anonymous, "get", "/register.json", 200),
        ("process diagram (SVG)", anonymous, "get", "/process/diagram.svg", 200),
        ("sign-in page", anonymous, "get", "/accounts/login/", 200),
        ("redirect to sign in", anonymous, "get", "/tasks/", 302),
        ("task list", secretary, "get", "/tasks/", 200),
        ("enrolment page", secretary, "get", f"/enrolments/{enrolment}/", 200),
        ("plan page", officer, "get", f"/plans/{plan}/", 200),
        ("plan printout", officer, "get", f"/plans/{plan}/print/", 200),
        ("plan file download (CSV)", officer, "get", f"/plans/{plan}/workplan.csv", 200),
        ("form posted without its fields", officer, "post", "/people/invite/", 400),
        ("page not found", anonymous, "get", "/no-such-page/", 404),
        ("refusal", outsider, "get", f"/enrolments/{enrolment}/", 403),
        ("Django admin", admin, "get", "/admin/", 200),
        ("Django admin change list", admin, "get", "/admin/accounts/user/", 200),
        ("Django admin sign-in, sent to the site's", anonymous, "get", "/admin/login/", 302),
    ]


def test_every_kind_of_response_carries_the_security_headers(world) -> None:
    site = build_site(world)
    wrong: list[str] = []
    logging.disable(logging.WARNING)  # the refusal and the missing page log warnings
    try:
        for what, client, method, path, status in _page_types(site):
            response = getattr(client, method)(path)
            if response.status_code != status:
                wrong.append(f"{what} ({path}): status {response.status_code}, not {status}")
                continue
            policy = _policy(response.get("Content-Security-Policy", ""))
            if policy != POLICY:
                wrong.append(f"{what} ({path}): Content-Security-Policy {policy}")
            refused = {
                feature.removesuffix("=()")
                for feature in response.get("Permissions-Policy", "").split(", ")
                if feature.endswith("=()")
            }
            if not refused >= REFUSED_FEATURES:
                wrong.append(
                    f"{what} ({path}): Permissions-Policy lacks {REFUSED_FEATURES - refused}"
                )
            for header, value in OTHER_HEADERS.items():
                if response.get(header) != value:
                    wrong.append(f"{what} ({path}): {header} {response.get(header)!r}")
    finally:
        logging.disable(logging.NOTSET)
    assert not wrong, "\n".join(wrong)


def test_a_form_refused_for_a_missing_csrf_token_is_a_page_without_inline_style(world) -> None:
    """Django's own CSRF failure page carries a <style> block, which the policy would refuse:
    the site's own page is shown instead."""
    client = Client(enforce_csrf_checks=True)
    logging.disable(logging.WARNING)
    try:
        response = client.post("/accounts/login/", {"login": "x@example.org", "password": "x"})
    finally:
        logging.disable(logging.NOTSET)
    assert response.status_code == 403
    body = response.content.decode()
    assert "<style" not in body
    assert "style=" not in body
    assert '<link rel="stylesheet"' in body
    assert _policy(response["Content-Security-Policy"]) == POLICY


def test_the_static_stylesheet_is_served_under_the_policy(client) -> None:
    response = client.get("/static/accord/accord.css")
    assert response.status_code == 200
    assert _policy(response["Content-Security-Policy"]) == POLICY
