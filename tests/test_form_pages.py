"""Every page of the site, opened as everyone who may open it, before anything is submitted:
a plain visit answers 200 and shows no error. Pages are found from the URL resolver, so a new
page is covered without editing this test."""

from __future__ import annotations

import logging
import re

from tests.pages import paths, routes, visitors
from tests.site import build_site

POST_FORM = re.compile(r'<form\b(?![^>]*action="/accounts/logout/")[^>]*method="post"', re.I)
# A table's scrolling region on a phone: a keyboard reaches it and a screen reader names it
# (accord.css, "Phones (320 px)"). The browser crawl finds the ones that scroll; this, every one.
TABLE_WRAP = re.compile(r'<div class="table-wrap"[^>]*>')
SCROLL_REGION = re.compile(r'role="region" aria-label="[^"]+" tabindex="0"')


def test_every_page_opens_without_errors_for_everyone_who_may_use_it(world) -> None:
    site = build_site(world)
    clients = [client for _, client in visitors(site)]
    form_pages = 0
    # Refusals are expected by the hundred here; their log lines are noise.
    logging.disable(logging.WARNING)
    try:
        for route in routes():
            opened = False
            # None until everyone has opened one filling; then whether anyone saw a form. A
            # page that showed nobody a form needs only one visitor for its other fillings.
            has_form: bool | None = None
            for path in paths(site, route):
                saw_form = False
                for client in clients:
                    response = client.get(path)
                    assert response.status_code in (200, 302, 403, 404), path
                    if response.status_code != 200:
                        continue
                    opened = True
                    html = response.content.decode()
                    assert 'class="error-summary"' not in html, path
                    assert "<title>Error:" not in html, path
                    for wrap in TABLE_WRAP.findall(html):
                        hidden = 'aria-hidden="true"' in wrap  # a picture the text repeats
                        assert hidden or SCROLL_REGION.search(wrap), f"{path}: {wrap}"
                    if POST_FORM.search(html):
                        # Opened by someone who may use its form: that is the visit that counts.
                        form_pages += 1
                        saw_form = True
                        break
                    if has_form is False:
                        break
                if opened and has_form is None:
                    has_form = saw_form
            # Some fillings are closed to all (no letter before the unions agree), not all.
            assert opened, f"Nobody could open {route}: give the site what it needs."
    finally:
        logging.disable(logging.NOTSET)
    assert form_pages > 30
