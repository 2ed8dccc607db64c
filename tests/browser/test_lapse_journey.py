"""A member whose review is overdue beyond the grace period: the national officer decides to
lapse it, the public register and verification page say so at once, and a review recorded by
the secretary and confirmed by the employer makes it a member again."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from accord.enrolments.process import State
from accord.membership.models import Cycle, Membership
from accord.notifications.reminders import send_reminders
from tests.world import World

from .session import Session, partners_cosign_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_overdue_member_lapses_and_a_confirmed_review_reinstates_it(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    url = live_server.url
    today = datetime.date.today()
    enrolment = world.enrolment(State.LISTED)
    # The first cycle ended five months ago and its review was never recorded.
    Cycle.objects.filter(enrolment=enrolment).update(
        starts_on=today - datetime.timedelta(days=515), ends_on=today - datetime.timedelta(days=150)
    )
    membership = Membership.objects.get()
    send_reminders(today)

    officer = Session(browser, url, "officer")
    page = officer.page
    page.goto(f"{url}/tasks/")
    page.get_by_test_id("lapse-decisions").get_by_role(
        "link", name=re.compile("Northtown High School")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decide: extend or lapse")
    page.get_by_label("Lapse the membership").check()
    page.get_by_label("Reasons").fill("No review for five months despite the reminders.")
    page.get_by_label("Date the employer was asked to stop using the logo (to lapse)").fill(
        today.isoformat()
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Done: decision recorded.")).to_be_visible()
    expect(page.get_by_test_id("membership-status")).to_have_text("Lapsed")

    public = browser.new_page()
    public.goto(f"{url}/register/")
    expect(public.get_by_role("row", name=re.compile("Northtown High School"))).to_contain_text(
        "Lapsed"
    )
    public.goto(f"{url}{membership.get_absolute_url()}")
    expect(public.get_by_test_id("verdict")).to_contain_text(
        f"has not been a member of the Valued Worker Scheme since {today:%-d %B %Y}"
    )
    expect(public.locator("body")).not_to_contain_text("five months")

    secretary = Session(browser, url, "secretary")
    page = secretary.task("Record the review of cycle 1")
    page.get_by_role("radio", name="Met").first.check()  # the objective
    page.locator("input[name=outcome][value=met]").check()  # overall
    page.get_by_label("Evidence").fill("The committee met three times; minutes seen.")
    page.get_by_label("Begin the next cycle").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Done: review of cycle 1 recorded.")).to_be_visible()

    # GMB and UNISON, represented locally, co-sign the review before the employer confirms it.
    partners_cosign_review(browser, url, 1)

    employer = Session(browser, url, "employer")
    page = employer.task("Confirm the review of cycle 1")
    page.get_by_label("I confirm this for the employer.").check()
    page.get_by_role("button", name="Confirm the review of cycle 1").click()
    expect(page.get_by_text("Done: review confirmed.")).to_be_visible()
    expect(page.get_by_test_id("membership-status")).to_have_text("Member")

    public.goto(f"{url}/register/")
    row = public.get_by_role("row", name=re.compile("Northtown High School"))
    expect(row).to_contain_text("Member")
    expect(row).not_to_contain_text("Lapsed")
    public.goto(f"{url}{membership.get_absolute_url()}")
    expect(public.get_by_test_id("verdict")).to_contain_text("is a member")
    for session in (officer, secretary, employer):
        session.close()
    public.close()
