"""The printable joint letter on screen: its signatures stand clear of the page's footer."""

from __future__ import annotations

import pytest

from accord.enrolments.process import State
from tests.world import World

from .session import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_signatures_stand_clear_of_the_footer_on_screen(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    enrolment = world.enrolment(State.AGREED)
    secretary = Session(browser, live_server.url, "secretary")
    page = secretary.page
    page.goto(f"{live_server.url}/enrolments/{enrolment.pk}/letter/")
    signatures = page.locator(".letter__signatures").bounding_box()
    footer = page.locator(".site-footer").bounding_box()
    assert signatures is not None and footer is not None
    # At least 2rem (32 px) between the last line of the signatures and the footer's rule.
    assert footer["y"] - (signatures["y"] + signatures["height"]) >= 32
    secretary.close()
