"""Every page the nationwide and partner roles open reflows at 320 px and passes axe (see
tests/browser/accessibility.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.accessibility import check_every_page
from tests.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_page_reflows_at_320_px_and_passes_axe_for_national_and_partner_roles(
    browser,
    live_server,
    world: World,
    axe_script: Path | None,  # type: ignore[no-untyped-def]
) -> None:
    check_every_page(browser, live_server, world, axe_script, first_half=True)
