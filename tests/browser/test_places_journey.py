"""A national officer on a phone, with JavaScript off, moves a local authority to another
association after reading whose cases change hands, then merges a duplicate employer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.enrolments.process import State
from accord.organisations.models import Employer, EmployerKind
from tests.world import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_moves_a_local_authority_and_merges_a_duplicate_without_javascript(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    world.enrolment(State.ENDORSED)
    duplicate = Employer.objects.create(
        name="Northtown High (old record)",
        kind=EmployerKind.SCHOOL,
        local_authority=world.employer.local_authority,
        association=world.association,
    )
    url = live_server.url
    context = browser.new_context(viewport={"width": 320, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("E-mail address").fill("officer@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Areas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Areas")
    page.get_by_role("link", name="Move Northtown").click()
    page.get_by_label("Move it to").select_option(label="Southtown")
    page.get_by_role("button", name="See what would change").click()
    expect(page.get_by_text("Who stops seeing these cases")).to_be_visible()
    expect(page.get_by_text("Secretary: Local secretary (NASUWT, Northtown)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button", name="Move Northtown to Southtown").click()
    expect(page.get_by_text("Done: Northtown moved.")).to_be_visible()
    world.employer.refresh_from_db()
    assert world.employer.association == world.other_association

    page.goto(f"{url}/employers/{duplicate.pk}/")
    page.get_by_role("link", name="Mark as a duplicate and merge into another employer").click()
    page.get_by_role("searchbox").fill("Northtown High School")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Northtown High School").click()
    expect(page.get_by_text("Open enrolments that move")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button", name="Merge into Northtown High School").click()
    expect(page.get_by_text("Done: Northtown High (old record) merged.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northtown High School")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == world.employer
    context.close()
