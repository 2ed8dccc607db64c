"""Every page answers in a bounded number of queries: at most twelve, counting everything a
request runs (the session, the signed-in person and their roles, the navigation, the page).
Every page of the URL resolver is opened by everyone who may use it, and by those refused, so a
new page is held to the budget without editing this test."""

from __future__ import annotations

import logging

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from tests.pages import paths, routes, visitors
from tests.site import build_site

BUDGET = 12


def test_every_page_runs_at_most_twelve_queries_for_everyone(world) -> None:
    site = build_site(world)
    clients = visitors(site)
    over: list[tuple[int, str, str, list[str]]] = []
    visited = 0
    logging.disable(logging.WARNING)  # refusals by the hundred: their log lines are noise
    try:
        for route in routes():
            for path in paths(site, route):
                for key, client in clients:
                    # The connection keeps a bounded log of queries: once full, a count taken
                    # from its length reads zero. Each visit starts from an empty log.
                    reset_queries()
                    with CaptureQueriesContext(connection) as queries:
                        client.get(path)
                    visited += 1
                    if len(queries) > BUDGET:
                        sql = [q["sql"][:160] for q in queries.captured_queries]
                        over.append((len(queries), path, key, sql))
    finally:
        logging.disable(logging.NOTSET)
    assert visited > 1000  # the crawl reached the site
    over.sort(key=lambda found: -found[0])
    summary = "\n".join(f"{n} queries: {path} as {key}" for n, path, key, _ in over)
    worst = "\n  ".join(over[0][3]) if over else ""
    assert not over, f"Pages over {BUDGET} queries:\n{summary}\nThe worst ran:\n  {worst}"
