"""Browser journeys: Playwright driving Debian's Chromium (never a downloaded browser).

Without Chromium these tests are skipped with a message, unless ACCORD_REQUIRE_BROWSER is set
(as .ci/run does), in which case a missing browser fails them.

The pages are served with their Content-Security-Policy enforced, and a test fails when Chromium
reports a violation (or any other refusal) in a page's console.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("ACCORD_CHROMIUM"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        message = "Chromium not found: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("ACCORD_REQUIRE_BROWSER"):
            pytest.fail(message + "; ACCORD_REQUIRE_BROWSER is set, so this is a failure.")
        pytest.skip(message + " to run the browser journeys.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# How Chromium words a Content-Security-Policy violation in the console ("Refused to apply
# inline style because it violates the following Content Security Policy directive: ...").
REFUSALS = ("Content Security Policy", "Refused to")


class WatchedBrowser:
    """The browser, each of whose pages records the refusals its console reports."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.refusals: list[str] = []

    def _watch(self, target: Any) -> Any:
        target.on("console", self._console)
        return target

    def _console(self, message: Any) -> None:
        if any(words in message.text for words in REFUSALS):
            self.refusals.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def new_context(self, **options: Any) -> Any:
        return self._watch(self._browser.new_context(**options))

    def new_page(self, **options: Any) -> Any:
        return self._watch(self._browser.new_page(**options))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def browser(chromium: Any) -> Iterator[WatchedBrowser]:
    """Chromium for one test, which fails if any page refused something under its policy."""
    watched = WatchedBrowser(chromium)
    yield watched
    if watched.refusals:
        pytest.fail(
            "Chromium refused something on these pages:\n" + "\n".join(watched.refusals),
            pytrace=False,
        )


# axe-core, installed from npm by `make axe` (which `make test` and .ci/run call), never a CDN.
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "var/axe/node_modules/axe-core/axe.min.js"


@pytest.fixture(scope="session")
def axe_script() -> Path | None:
    """The axe-core script to inject into pages, or None (with a message) where it is missing;
    under ACCORD_REQUIRE_BROWSER (CI) a missing axe fails instead."""
    if AXE_SCRIPT.exists():
        return AXE_SCRIPT
    message = (
        f"axe-core not found at {AXE_SCRIPT}: `make axe` installs it from npm (`make test` does so "
        "when npm is there)"
    )
    if os.environ.get("ACCORD_REQUIRE_BROWSER"):
        pytest.fail(message + "; ACCORD_REQUIRE_BROWSER is set, so this is a failure.")
    return None
