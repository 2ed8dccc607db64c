"""An employer contact reads every page they can open in their own words: their membership,
never the unions' "enrolment", the NEM, the National Executive or partner unions' positions.
Pages are found from the URL resolver, as in test_page_crawl, so a new page is covered."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

from django.core import mail
from django.test import Client

from tests.pages import fillings, routes, url
from tests.site import build_site

# Case-insensitive phrases, and whole words that count only in capitals.
JARGON = re.compile(
    r"enrolment|national executive|partner union'?s? position|partner-union position", re.I
)
JARGON_WORDS = re.compile(r"\bNEMs?\b")
CONTACTS = ("employer", "trust_contact", "drafted_contact")


class _VisibleText(HTMLParser):
    """The text a reader sees: element text and the title, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("alt", "aria-label", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_an_employer_contact_never_reads_union_jargon_on_any_page_they_can_open(
    world, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    site = build_site(world)
    clients = []
    for key in CONTACTS:
        client = Client()
        client.force_login(site.users[key])
        clients.append((key, client))
    opened, found = 0, []
    logging.disable(logging.WARNING)
    try:
        for route in routes():
            for kwargs in fillings(site, route):
                path = url(route, kwargs)
                for key, client in clients:
                    response = client.get(path)
                    if response.status_code != 200 or "html" not in response["Content-Type"]:
                        continue
                    opened += 1
                    text = visible_text(response.content.decode())
                    for match in [*JARGON.finditer(text), *JARGON_WORDS.finditer(text)]:
                        start = max(match.start() - 40, 0)
                        found.append(f"{key} {url}: …{text[start : match.end() + 40]}…")
    finally:
        logging.disable(logging.NOTSET)
    assert opened > 20
    # And in every e-mail they were sent on the way.
    deliver_outbox()
    contacts = {site.users[key].email for key in CONTACTS}
    sent = [m for m in mail.outbox if set(m.to) & contacts]
    for message in sent:
        # Addresses are not read as words.
        text = re.sub(r"https?://\S+", "", f"{message.subject} {message.body}")
        for match in [*JARGON.finditer(text), *JARGON_WORDS.finditer(text)]:
            found.append(f"e-mail to {message.to}: …{text[match.start() - 40 : match.end() + 40]}…")
    assert sent
    assert found == [], "\n".join(found)


def test_the_scan_finds_jargon_in_visible_text_and_not_in_addresses() -> None:
    text = visible_text('<a href="/enrolments/1/">Your membership</a><p>The NEM agreed</p>')
    assert not JARGON.search(text)
    assert JARGON_WORDS.search(text)
