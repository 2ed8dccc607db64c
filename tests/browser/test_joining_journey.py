"""An employer taken from proposed to listed through the pages, by each role in turn."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from tests.world import World

from .session import Session, approach_to_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_employer_goes_from_proposed_to_listed_through_the_pages(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    url = live_server.url

    rep = Session(browser, url, "rep")
    rep.page.goto(f"{url}{world.employer.get_absolute_url()}")
    rep.page.get_by_role("link", name="Propose Northtown High School").click()
    rep.page.get_by_label("A union representative identified the employer").check()
    rep.page.get_by_label("Why is the employer suitable for the scheme?").fill(
        "Consults staff well; a good first candidate."
    )
    rep.page.get_by_role("button", name="Propose the employer").click()
    expect(rep.page.get_by_test_id("state")).to_have_text("Proposed")
    enrolment = Enrolment.objects.get()
    rep.close()

    secretary = Session(browser, url, "secretary")
    page = secretary.task("Endorse the proposal")
    page.get_by_label("Note").fill("Strong case: JCC already meets termly.")
    secretary.submit("Endorse the proposal")

    nem = Session(browser, url, "nem")
    nem.task("Record no objection")
    nem.submit("Record no objection")

    for persona in ("gmb", "unison"):
        partner = Session(browser, url, persona)
        partner.task("Record a partner union's position").get_by_label("Agrees", exact=True).check()
        partner.submit("Record a partner union's position")
        partner.close()

    page = secretary.task("Mark a partner union not represented locally")
    page.get_by_label("Partner union").select_option(label="Unite")
    secretary.submit("Mark a partner union not represented locally")
    expect(page.get_by_test_id("state")).to_have_text("Partner unions agreed")

    page.get_by_role("link", name="Joint letter (printable page)").click()
    expect(page.get_by_test_id("signatory")).to_have_count(3)
    expect(page.locator("article")).to_contain_text("on behalf of NASUWT, GMB and UNISON")
    page.go_back()

    approach_to_commitment(secretary, material="The Valued Worker Scheme video")

    # GMB and UNISON, represented locally, co-sign it from their task lists.
    for persona in ("gmb", "unison"):
        partner = Session(browser, url, persona)
        page = partner.task("Co-sign the commitment for a partner union")
        page.get_by_label("I confirm the commitment as drafted on behalf of my union.").check()
        partner.submit("Co-sign the commitment for a partner union")
        partner.close()

    employer = Session(browser, url, "employer")
    page = employer.task("Confirm the commitment for the employer")
    expect(page.get_by_text("Set up a joint consultation committee.")).to_be_visible()
    page.get_by_label("I confirm the commitment as drafted on behalf of the employer.").check()
    page.get_by_label(re.compile("^We accept the logo terms")).check()
    employer.submit("Confirm the commitment for the employer")
    expect(page.get_by_test_id("state")).to_have_text("Commitment confirmed")

    page = secretary.task("Record that the employer has joined")
    secretary.submit("Record that the employer has joined")

    nem.task("Notify the national union")
    nem.submit("Notify the national union")

    officer = Session(browser, url, "officer")
    officer.task("List on the register and send the logo")
    officer.submit("List on the register and send the logo")
    expect(officer.page.get_by_test_id("state")).to_have_text("Listed on the register")

    timeline = officer.page.get_by_test_id("timeline")
    for done in [
        "Rep proposed the employer",
        "Secretary endorsed the proposal",
        "Nem recorded no objection",
        "Gmb recorded a partner union's position",
        "Unison recorded a partner union's position",
        "Secretary recorded the approach to the employer",
        "Secretary recorded that the scheme was introduced",
        "Secretary drafted the commitment",
        "Secretary confirmed the commitment for the unions",
        "Gmb co-signed the commitment for a partner union",
        "Unison co-signed the commitment for a partner union",
        "Employer confirmed the commitment for the employer",
        "Secretary recorded that the employer has joined",
        "Nem notified the national union",
        "Officer listed the employer on the register and sent the logo",
    ]:
        expect(timeline).to_contain_text(done)
    expect(timeline).to_contain_text("Strong case: JCC already meets termly.")
    expect(officer.page.get_by_test_id("partner-positions")).to_contain_text("Agrees")

    employer.page.goto(f"{url}{enrolment.get_absolute_url()}")
    expect(employer.page.get_by_test_id("state")).to_have_text("Listed on the register")
    expect(employer.page.get_by_test_id("partner-positions")).to_have_count(0)
    employer_timeline = employer.page.get_by_test_id("timeline")
    expect(employer_timeline).to_contain_text("listed the employer on the register")
    for internal in [
        "recorded no objection",
        "recorded a partner union's position",
        "marked a partner union as not represented locally",
        "co-signed",
        "Strong case",
        "endorsed the proposal",
        "(internal)",
    ]:
        expect(employer_timeline).not_to_contain_text(internal)
    expect(employer.page.locator("body")).not_to_contain_text("Agrees")
    letter = employer.page.goto(f"{url}/enrolments/{enrolment.pk}/letter/")
    assert letter is not None and letter.status == 403

    enrolment.refresh_from_db()
    assert enrolment.state == State.LISTED
    for session in (secretary, nem, officer, employer):
        session.close()
