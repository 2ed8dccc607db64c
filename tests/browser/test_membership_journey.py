"""A listed member through its first review into a second cycle, seen on the public register,
then suspended."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from accord.enrolments.process import State
from accord.membership.models import Cycle, Membership
from tests.world import World

from .session import Session, partners_cosign_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_is_reviewed_moves_on_a_principle_and_is_suspended(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    url = live_server.url
    today = datetime.date.today()
    enrolment = world.enrolment(State.LISTED)
    # The first cycle has run its year and ends today.
    Cycle.objects.filter(enrolment=enrolment).update(
        starts_on=today - datetime.timedelta(days=364), ends_on=today
    )
    cycle = Cycle.objects.get(enrolment=enrolment)
    membership = Membership.objects.get()

    employer = Session(browser, url, "employer")
    for action in cycle.actions.order_by("number"):
        employer.page.goto(f"{url}{action.get_absolute_url()}")
        employer.page.get_by_label("Progress").fill(f"Activity {action.number} completed.")
        employer.page.get_by_label("Status now").select_option("done")
        employer.page.get_by_role("button", name="Post progress").click()
        expect(employer.page.get_by_test_id("action-status")).to_have_text("Done")

    secretary = Session(browser, url, "secretary")
    page = secretary.task("Record the review of cycle 1")
    page.get_by_role("radio", name="Met").first.check()  # the objective
    page.locator("input[name=outcome][value=met]").check()  # overall
    page.get_by_label("Evidence").fill("Terms of reference agreed; three meetings minuted.")
    page.get_by_label("Begin the next cycle").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Done: review of cycle 1 recorded.")).to_be_visible()

    # GMB and UNISON, represented locally, co-sign the review before the employer confirms it.
    partners_cosign_review(browser, url, 1)

    page = employer.task("Confirm the review of cycle 1")
    page.get_by_label("I confirm this for the employer.").check()
    page.get_by_role("button", name="Confirm the review of cycle 1").click()
    expect(page.get_by_text("Done: review confirmed.")).to_be_visible()

    page = secretary.page
    page.goto(f"{url}{enrolment.get_absolute_url()}")
    page.get_by_role("link", name="Draft cycle 2").click()

    def fill_cycle(principle: str) -> None:
        page.get_by_role("radio", name=re.compile(principle)).check()
        page.get_by_label("Objectives").fill("Run a wellbeing survey\nAct on its findings")
        page.get_by_label("Success criteria").fill("Survey done and an action plan agreed.")
        page.get_by_label("Activity 1").fill("Run the survey")
        page.get_by_label("Owner 1").fill("HR manager")
        page.get_by_label("Due 1").fill((today + datetime.timedelta(days=90)).isoformat())
        for n in range(1, 7):
            page.get_by_label(f"Principle {n}: where the employer is now").select_option(
                "in_place" if n == 5 else "partly"
            )
            page.get_by_label(f"Principle {n}: priority for the year ahead").select_option("medium")
        page.get_by_role("button", name="Draft cycle 2").click()

    fill_cycle("having formal agreed mechanisms")
    expect(page.locator(".error-summary")).to_contain_text("must work on a different principle")
    fill_cycle("ensuring the wellbeing and dignity")
    expect(page.get_by_text("Done: cycle 2 drafted.")).to_be_visible()
    expect(page.get_by_test_id("cycle-2")).to_contain_text("2. ensuring the wellbeing")

    public = browser.new_page()
    public.goto(f"{url}/register/")
    row = public.get_by_role("row", name=re.compile("Northtown High School"))
    expect(row).to_contain_text("5")
    expect(row).to_contain_text("Member")
    row.get_by_role("link", name="Northtown High School").click()
    expect(public.get_by_test_id("verdict")).to_contain_text("is a member")
    expect(public.get_by_test_id("principles-met")).to_have_text("5")

    officer = Session(browser, url, "officer")
    officer.page.goto(f"{url}{enrolment.get_absolute_url()}")
    officer.page.get_by_role("link", name="Suspend the membership").click()
    officer.page.get_by_label("Reasons").fill("Detriment found in a policy check.")
    officer.page.get_by_label("Date the employer was asked to stop using the logo").fill(
        today.isoformat()
    )
    officer.page.get_by_role("button", name="Suspend the membership").click()
    expect(officer.page.get_by_test_id("membership-status")).to_have_text("Suspended")

    public.goto(f"{url}{membership.get_absolute_url()}")
    expect(public.get_by_test_id("verdict")).to_contain_text("is suspended")
    expect(public.locator("body")).not_to_contain_text("Detriment")
    public.goto(f"{url}/register/")
    expect(public.get_by_role("row", name=re.compile("Northtown High School"))).to_contain_text(
        "Suspended"
    )
    for session in (employer, secretary, officer):
        session.close()
    public.close()
