"""Every page of the site, opened by everyone who may use it and by those refused, before
anything is submitted:

- it answers 200, a redirect, 403 or 404, and a page that opens shows no error;
- it runs at most twelve queries, counting everything a request runs (the session, the
  signed-in person and their roles, the navigation, the page).

Pages are found from the URL resolver, so a new page is held to both without editing this test.
One crawl checks both: it is the slowest walk of the suite."""

from __future__ import annotations

import logging
import re

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from tests.pages import paths, routes, visitors
from tests.site import build_site

BUDGET = 12
POST_FORM = re.compile(r'<form\b(?![^>]*action="/accounts/logout/")[^>]*method="post"', re.I)
# A table's scrolling region on a phone: a keyboard reaches it and a screen reader names it
# (accord.css, "Phones (320 px)"). The browser crawl finds the ones that scroll; this, every one.
TABLE_WRAP = re.compile(r'<div class="table-wrap"[^>]*>')
SCROLL_REGION = re.compile(r'role="region" aria-label="[^"]+" tabindex="0"')


def _problems(path: str, html: str) -> list[str]:
    """What is wrong with a page that opened."""
    found = []
    if 'class="error-summary"' in html or "<title>Error:" in html:
        found.append(f"{path} shows an error before anything is submitted")
    for wrap in TABLE_WRAP.findall(html):
        hidden = 'aria-hidden="true"' in wrap  # a picture the text repeats
        if not (hidden or SCROLL_REGION.search(wrap)):
            found.append(f"{path}: a table's scrolling region is not named: {wrap}")
    return found


def test_every_page_opens_without_errors_within_twelve_queries_for_everyone(world) -> None:
    site = build_site(world)
    clients = visitors(site)
    over: list[tuple[int, str, str, list[str]]] = []
    problems: list[str] = []
    visited = 0
    form_pages: set[str] = set()
    logging.disable(logging.WARNING)  # refusals by the hundred: their log lines are noise
    try:
        for route in routes():
            opened = False
            for path in paths(site, route):
                for key, client in clients:
                    # The connection keeps a bounded log of queries: once full, a count taken
                    # from its length reads zero. Each visit starts from an empty log.
                    reset_queries()
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(path)
                    visited += 1
                    if len(queries) > BUDGET:
                        sql = [q["sql"][:160] for q in queries.captured_queries]
                        over.append((len(queries), path, key, sql))
                    if response.status_code not in (200, 302, 403, 404):
                        problems.append(f"{path} answers {response.status_code} to {key}")
                    if response.status_code != 200:
                        continue
                    opened = True
                    html = response.content.decode()
                    problems.extend(_problems(path, html))
                    if POST_FORM.search(html):
                        form_pages.add(path)
            # Some fillings are closed to all (no letter before the unions agree), not all.
            if not opened:
                problems.append(f"Nobody could open {route}: give the site what it needs.")
    finally:
        logging.disable(logging.NOTSET)
    assert visited > 1000  # the crawl reached the site
    assert len(form_pages) > 30  # and the forms, opened by people who may use them
    assert not problems, "\n".join(sorted(set(problems)))
    over.sort(key=lambda found: -found[0])
    summary = "\n".join(f"{n} queries: {path} as {key}" for n, path, key, _ in over)
    worst = "\n  ".join(over[0][3]) if over else ""
    assert not over, f"Pages over {BUDGET} queries:\n{summary}\nThe worst ran:\n  {worst}"
