"""The API's reference page (Swagger UI from the installed package, never a CDN) works in
Chromium under the site's Content-Security-Policy: it loads the served schema, lists the
operations, and opens one with its problem-document errors, with no refusal in the console (the
browser fixture fails the test on one)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_reference_opens_under_the_policy(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/v1/docs/")
    operation = page.locator(".opblock-summary", has_text="/api/v1/schemes/").first
    expect(operation).to_be_visible(timeout=15_000)
    operation.click()
    expect(page.locator(".response-col_status", has_text="429").first).to_be_visible()
    # Everything came from this site.
    assert requested and all(url.startswith(live_server.url) for url in requested), requested
    page.close()
