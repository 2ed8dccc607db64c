"""An officer invites a local secretary through the pages; the secretary sets a password from
the e-mailed link and is signed in; deactivated, they are signed out at their next click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.core.outbox import OutboxMessage
from tests.world import World

from .session import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invited_secretary_sets_a_password_and_loses_access_when_deactivated(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    url = live_server.url
    officer = Session(browser, url, "officer")
    page = officer.page
    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name="Invite a person").click()
    page.get_by_label("E-mail address").fill("new.secretary@example.org")
    page.get_by_label("Full name").fill("Nia Secretary")
    page.get_by_label("Role", exact=True).select_option(label="Local secretary")
    page.locator("#id_union").select_option(label="NASUWT")
    page.locator("#id_association").select_option(label="Northtown")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Secretary")
    expect(page.get_by_test_id("person-status")).to_have_text("Invited, not yet signed in")

    message = OutboxMessage.objects.get(to="new.secretary@example.org")
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    path = "/" + link.split("/", 3)[3]
    invitee = browser.new_context(viewport={"width": 320, "height": 800})
    mine = invitee.new_page()
    mine.goto(f"{url}{path}")
    expect(mine.get_by_role("heading", level=1)).to_have_text("Set your password")
    mine.get_by_label("New password", exact=True).fill("a-long-and-unusual-phrase")
    mine.get_by_label("New password confirmation").fill("a-long-and-unusual-phrase")
    mine.get_by_role("button", name="Set my password and sign in").click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("My tasks")
    expect(mine.get_by_text("Signed in as Nia Secretary")).to_be_visible()
    assert mine.evaluate("document.documentElement.scrollWidth") <= 320

    page.reload()
    page.get_by_role("link", name="Deactivate").click()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_test_id("person-status")).to_have_text("Deactivated")
    mine.reload()
    expect(mine).to_have_url(re.compile(r"/accounts/login/"))
    invitee.close()
    officer.close()
