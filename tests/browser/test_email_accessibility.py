"""The HTML part of one of each e-mail Accord sends, opened in Chromium: axe-core finds no
WCAG 2.2 A or AA violation (headings, language, contrast, link names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.accessibility import AXE_RUN, AXE_TAGS
from tests.test_emails import one_of_each
from tests.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_html_part_of_every_email_passes_axe(
    browser,
    world: World,
    settings,
    axe_script: Path | None,  # type: ignore[no-untyped-def]
) -> None:
    if axe_script is None:
        pytest.skip("axe-core is not installed (`make axe`, which needs npm)")
    parts: dict[str, str] = {}
    for message in one_of_each(world, settings):
        [(html, kind)] = message.alternatives
        assert kind == "text/html"
        parts.setdefault(message.subject.split(":")[1], html)
    assert len(parts) >= 6
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    problems = []
    try:
        for subject, html in parts.items():
            page.set_content(html)
            page.add_script_tag(path=str(axe_script))
            problems += [f"{subject}: {v}" for v in page.evaluate(AXE_RUN, AXE_TAGS)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)
