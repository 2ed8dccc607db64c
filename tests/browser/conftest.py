"""Browser journeys: Playwright driving Debian's Chromium (never a downloaded browser).

Without Chromium these tests are skipped with a message, unless ACCORD_REQUIRE_BROWSER is set
(as .ci/run does), in which case a missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

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
def browser() -> Iterator[object]:
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
