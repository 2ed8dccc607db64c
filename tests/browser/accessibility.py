"""Every page, as every persona, in Chromium: it reflows at 320 px with no page-level horizontal
scroll, and axe-core finds no WCAG 2.2 A or AA violation. The pages are those of the URL resolver
filled from the site (tests/pages.py), so a new page is crawled without editing a test.

The personas are checked in two halves, one per test module (test_accessibility_*.py), so that
two test processes share the crawl, the longest of the browser tests. A persona that no half
names (a new one) falls in the second."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.pages import NOT_VISITING, fillings, routes, url
from tests.site import Site, build_site
from tests.world import World

PHONE = {"width": 320, "height": 640}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
MAIN = re.compile(rb"<main\b.*</main>", re.S)

# How wide the page is, and the outermost element reaching its right edge; or null if it fits.
OVERFLOW = """() => {
  const wide = document.documentElement.scrollWidth;
  if (wide <= window.innerWidth) return null;
  const widest = [...document.body.querySelectorAll("*")].find(
    (el) => el.getBoundingClientRect().right >= wide - 1);
  if (!widest) return `${wide} px wide`;
  const classes = typeof widest.className === "string" && widest.className.trim()
    ? "." + widest.className.trim().split(/\\s+/).join(".") : "";
  const text = (widest.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
  return `${wide} px wide; widest: ${widest.tagName.toLowerCase()}${classes} “${text}”`;
}"""

AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                           resultTypes: ["violations"]});
  return results.violations.map((v) => `${v.id} (${v.help}) at ${
    v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
}"""


def _visits(site: Site, clients: dict[str, Client]) -> list[tuple[str, str]]:
    """(persona, path) for each page a persona may open: one filling per route and persona
    (fillings differing only in a record's id show the same template), one refusal and one
    'not found' page per persona, and no page whose main content someone already had."""
    visits: list[tuple[str, str]] = []
    seen: set[bytes] = set()
    logging.disable(logging.WARNING)  # refusals by the hundred; their log lines are noise
    try:
        for persona, client in clients.items():
            kinds: set[object] = set()
            first = True
            for route in routes():
                for kwargs in fillings(site, route):
                    kind = (route, tuple(v for v in kwargs.values() if not isinstance(v, int)))
                    if kind in kinds:
                        continue
                    path = url(route, kwargs)
                    response = client.get(path)
                    status = response.status_code
                    if status == 302 and persona == "anonymous":
                        break  # sent to sign in: so is every filling of this route
                    if status in (403, 404):
                        kind = status
                    elif status != 200 or "text/html" not in response["Content-Type"]:
                        continue
                    if kind in kinds:
                        continue
                    kinds.add(kind)
                    # The header differs by persona and is checked on each one's first page;
                    # a page whose main content someone already had is not checked again.
                    main = MAIN.search(CSRF.sub(b"", response.content))
                    digest = hashlib.sha256(main.group() if main else response.content).digest()
                    if digest not in seen or first:
                        seen.add(digest)
                        visits.append((persona, path))
                        first = False
    finally:
        logging.disable(logging.NOTSET)
    return visits


# The first half: the nationwide and partner roles. The auditor sees the officer's pages, and
# Unite's rep GMB's, so each goes in the same half (a page whose main content one persona had is
# not checked again for another).
NATIONAL_AND_PARTNERS = frozenset(
    {"officer", "auditor", "superuser", "nem", "gmb", "unison", "unite", "plan_member"}
)


def check_every_page(
    browser: Any,
    live_server: Any,
    world: World,
    axe_script: Path | None,
    *,
    first_half: bool,
) -> None:
    """Every page of one half of the personas (the anonymous visitor is in the second)
    reflows at 320 px and passes axe."""

    def in_half(persona: str) -> bool:
        return (persona in NATIONAL_AND_PARTNERS) == first_half

    site = build_site(world)
    clients = {"anonymous": Client()} if in_half("anonymous") else {}
    for persona, user in site.users.items():
        if persona not in NOT_VISITING and in_half(persona):
            clients[persona] = Client()
            clients[persona].force_login(user)
    visits = _visits(site, clients)

    problems: list[str] = []
    contexts = {}
    for persona, client in clients.items():
        contexts[persona] = context = browser.new_context(viewport=PHONE)
        if axe_script is not None:
            # Into every page as it opens: compiled once, not sent with each visit.
            context.add_init_script(path=axe_script)
        if persona != "anonymous":
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
    pages = {persona: context.new_page() for persona, context in contexts.items()}
    try:
        for persona, path in visits:
            page = pages[persona]
            page.goto(live_server.url + path)
            overflow = page.evaluate(OVERFLOW)
            if overflow:
                problems.append(f"{path} as {persona}: overflows at 320 px, {overflow}")
            if axe_script is not None:
                for violation in page.evaluate(AXE_RUN, AXE_TAGS):
                    problems.append(f"{path} as {persona}: {violation}")
    finally:
        for context in contexts.values():
            context.close()

    assert not problems, "\n".join(problems)
    if axe_script is None:
        pytest.skip(
            f"{len(visits)} pages reflow at 320 px, but axe-core is not installed (`make axe`, "
            "which needs npm), so their axe checks were skipped."
        )
