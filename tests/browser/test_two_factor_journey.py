"""A union representative's first sign-in under two-factor sign-in: sent to set up an
authenticator app, they enter its code, see their recovery codes once and reach their tasks."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone
from playwright.sync_api import expect

from tests.world import PASSWORD, World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.mfa_required,
]


def test_a_rep_sets_up_two_factor_sign_in_at_first_sign_in(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    # A Content-Security-Policy violation is reported on the console as "Refused to ...".
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Refused" in message.text else None,
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill("rep@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()

    # Nothing else opens until it is set up.
    page.goto(f"{live_server.url}/tasks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")

    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    code = format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")

    assert refused == []
    context.close()
