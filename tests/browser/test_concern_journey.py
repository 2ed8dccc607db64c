"""A concern about a member, from the public verification page to an appeal decided by a
second national officer; the public pages show nothing of it throughout."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from accord.accounts.models import Role, RoleAssignment, User
from accord.core.outbox import OutboxMessage
from accord.enrolments.process import State
from accord.membership.models import Concern, Membership
from tests.world import PASSWORD, World

from .session import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Supply staff are left out of the staff consultation."


def test_a_public_concern_is_put_to_the_employer_decided_and_appealed(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    url = live_server.url
    today = datetime.date.today()
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    officer2 = User.objects.create_user(
        "officer2@example.org", email="officer2@example.org", password=PASSWORD, full_name="Owen"
    )
    RoleAssignment.objects.create(
        user=officer2, role=Role.NATIONAL_OFFICER, union=world.unions["NASUWT"]
    )

    public = browser.new_page()

    def public_pages_show_nothing() -> None:
        for path in ("/register/", membership.get_absolute_url()):
            public.goto(f"{url}{path}")
            body = public.locator("body")
            expect(body).not_to_contain_text(SUBJECT)
            expect(body).not_to_contain_text("Pat Public")
            expect(body).not_to_contain_text("Remedies agreed")

    # The public raise it from the verification page and confirm it by the e-mailed link.
    public.goto(f"{url}{membership.get_absolute_url()}")
    public.get_by_role("link", name="Raise a concern about this member").click()
    public.get_by_label("Your name").fill("Pat Public")
    public.get_by_label("Your e-mail address").fill("pat@example.net")
    public.get_by_label("What is your concern?").fill(SUBJECT)
    public.get_by_role("checkbox", name=re.compile("^1\\. ")).check()
    public.get_by_role("button", name="Send the concern").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    message = OutboxMessage.objects.filter(to="pat@example.net").latest("pk")
    link = re.search(r"https?://\S+/concerns/link/\S+/", message.body).group(0)
    public.goto(url + re.sub(r"^https?://[^/]+", "", link))
    expect(public.get_by_test_id("concern-state")).to_contain_text("Waiting for the e-mail")
    public.get_by_role("button", name="Confirm my concern").click()
    expect(public.get_by_test_id("concern-state")).to_have_text("Open: with the national officers")
    raiser_page = public.url
    public_pages_show_nothing()

    # The officer puts it to the employer, which never learns who raised it.
    officer = Session(browser, url, "officer")

    def open_task(session: Session, label: str) -> Page:
        session.page.goto(f"{url}/tasks/")
        session.page.get_by_test_id("concern-tasks").get_by_role(
            "link", name=re.compile(f"^{re.escape(label)}")
        ).click()
        expect(session.page.get_by_role("heading", level=1)).to_have_text(
            "Concern about Northtown High School"
        )
        return session.page

    page = open_task(officer, "Consider the new concern")
    expect(page.get_by_test_id("raiser")).to_contain_text("Pat Public")
    page.get_by_role("link", name="Put it to the employer").click()
    page.get_by_label("What the employer is asked to answer").fill(
        "Tell us how supply staff are consulted."
    )
    officer.submit("Put it to the employer", done="the concern was put to the employer")
    expect(page.get_by_test_id("concern-state")).to_have_text("Put to the employer for a response")

    employer = Session(browser, url, "employer")
    page = open_task(employer, "Respond to the concern")
    expect(page.get_by_test_id("concern-subject")).to_contain_text(SUBJECT)
    expect(page.locator("body")).not_to_contain_text("Pat Public")
    expect(page.locator("body")).not_to_contain_text("pat@example.net")
    page.get_by_role("link", name="Respond to the concern").click()
    page.get_by_label("The employer's response").fill("Supply staff are invited from next term.")
    employer.submit("Respond to the concern", done="your response was sent")

    # The officer decides: remedies agreed, each an action with an owner and a deadline.
    page = open_task(officer, "Decide the concern")
    page.get_by_role("link", name="Decide the concern").click()
    page.get_by_label("Remedies agreed").check()
    page.get_by_label("Reasons").fill("The employer agrees to include supply staff.")
    page.get_by_label(re.compile("^Remedy 1 ")).fill("Invite supply staff to the consultation")
    page.get_by_label(re.compile("^Owner 1 ")).fill("Head teacher")
    page.get_by_label(re.compile("^Deadline 1 ")).fill(
        (today + datetime.timedelta(days=60)).isoformat()
    )
    officer.submit("Decide the concern", done="the decision was recorded")
    expect(page.get_by_test_id("concern-outcome")).to_contain_text("Remedies agreed")
    expect(page.get_by_test_id("remedies")).to_contain_text("Head teacher")
    public_pages_show_nothing()

    # The employer appeals; the deciding officer may not decide it, a second officer confirms.
    page = employer.page
    page.goto(f"{url}{Concern.objects.get().get_absolute_url()}")
    page.get_by_role("link", name="Appeal the decision").click()
    page.get_by_label("Why the decision should be changed").fill("The deadline is too short.")
    employer.submit("Appeal the decision", done="your appeal was sent")
    officer.page.goto(f"{url}/tasks/")
    expect(officer.page.locator("body")).not_to_contain_text("Decide the appeal")

    second = Session(browser, url, "officer2")
    page = open_task(second, "Decide the appeal")
    page.get_by_role("link", name="Decide the appeal").click()
    expect(page.get_by_label("Remedies agreed")).to_be_checked()
    page.get_by_label("Reasons").fill("Sixty days is reasonable.")
    second.submit("Decide the appeal", done="the appeal was decided")
    expect(page.get_by_test_id("appeal-outcome")).to_contain_text("Confirmed: Remedies agreed")

    # The raiser's link shows the state, and the public pages still show nothing.
    public.goto(raiser_page)
    expect(public.get_by_test_id("concern-state")).to_have_text("Appeal decided")
    expect(public.locator("body")).not_to_contain_text("Supply staff are invited")
    public_pages_show_nothing()
    for session in (officer, employer, second):
        session.close()
    public.close()
