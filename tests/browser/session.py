"""One person's browser session in the journeys."""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import Page, expect

from tests.world import PASSWORD


class Session:
    """One person's browser session."""

    def __init__(self, browser, base_url: str, persona: str) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(viewport={"width": 1100, "height": 900})
        self.page: Page = self.context.new_page()
        self.base_url = base_url
        self.page.goto(f"{base_url}/accounts/login/")
        self.page.get_by_label("E-mail address").fill(f"{persona}@example.org")
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("My tasks")

    def task(self, label: str) -> Page:
        """Open a step from My tasks."""
        self.page.goto(f"{self.base_url}/tasks/")
        self.page.get_by_role("link", name=re.compile(f"^{re.escape(label)}")).first.click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(label)
        return self.page

    def submit(self, label: str, *, done: str | None = None) -> None:
        """Press the button `label` and see it confirmed: "Done: <done>." (by default the
        button's own words)."""
        self.page.get_by_role("button", name=label).click()
        expect(self.page.get_by_text(f"Done: {done or label.lower()}.")).to_be_visible()

    def close(self) -> None:
        self.context.close()


def approach_to_commitment(secretary: Session, *, material: str) -> Page:
    """From partner unions agreed to a commitment the unions confirmed, as the secretary:
    the approach by joint letter, the introduction with one piece of `material`, a draft
    commitment to principle 4 with one activity, and the unions' confirmation."""
    page = secretary.page
    today = datetime.date.today()
    page.get_by_role("link", name="Record the approach to the employer").click()
    page.get_by_label("A joint letter from the unions").check()
    page.get_by_label("Date of the joint letter").fill(today.isoformat())
    secretary.submit("Record the approach to the employer")

    page.get_by_role("link", name="Record the introduction of the scheme").click()
    page.get_by_label("Date the scheme was presented").fill(today.isoformat())
    page.get_by_label(material).check()
    secretary.submit("Record the introduction of the scheme")

    page.get_by_role("link", name="Draft the commitment").click()
    page.get_by_role("radio", name=re.compile("having formal agreed mechanisms")).check()
    page.get_by_label("Objectives").fill("Set up a joint consultation committee.")
    page.get_by_label("Success criteria").fill("Terms agreed and three meetings held.")
    page.get_by_label("Activity 1").fill("Draft terms of reference")
    page.get_by_label("Owner 1").fill("HR manager")
    page.get_by_label("Due 1").fill((today + datetime.timedelta(days=60)).isoformat())
    for n in range(1, 7):
        page.get_by_label(f"Principle {n}: where the employer is now").select_option("partly")
        page.get_by_label(f"Principle {n}: priority for the year ahead").select_option("medium")
    secretary.submit("Draft the commitment")

    page.get_by_role("link", name="Confirm the commitment for the unions").click()
    page.get_by_label("I confirm the commitment as drafted on behalf of the unions.").check()
    secretary.submit("Confirm the commitment for the unions")
    return page


def partners_cosign_review(browser, base_url: str, number: int) -> None:  # type: ignore[no-untyped-def]
    """GMB and UNISON, the partner unions represented locally, co-sign the review of cycle
    `number` from their task lists."""
    for persona in ("gmb", "unison"):
        partner = Session(browser, base_url, persona)
        page = partner.task(f"Co-sign the review of cycle {number}")
        page.get_by_label("I co-sign this on behalf of my union.").check()
        page.get_by_role("button", name=f"Co-sign the review of cycle {number}").click()
        expect(page.get_by_text("Done: review co-signed.")).to_be_visible()
        partner.close()
