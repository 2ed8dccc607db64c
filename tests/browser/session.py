"""One person's browser session in the journeys."""

from __future__ import annotations

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

    def submit(self, label: str) -> None:
        self.page.get_by_role("button", name=label).click()
        expect(self.page.get_by_text(f"Done: {label.lower()}.")).to_be_visible()

    def close(self) -> None:
        self.context.close()
