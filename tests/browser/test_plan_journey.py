"""Import the seed plan through the pages, fix its action number, assign an action, post
progress and mark it done; the overview and the export show it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accord.accounts.models import Role, RoleAssignment
from accord.plans.models import Plan
from tests.world import World

from .session import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = (
    Path(__file__).resolve().parents[2]
    / "accord"
    / "plans"
    / "data"
    / ("government-skills-2008.txt")
)


def test_the_seed_plan_is_imported_fixed_assigned_and_done(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    url = live_server.url
    officer = Session(browser, url, "officer")
    page = officer.page
    page.goto(f"{url}/plans/")
    page.get_by_role("link", name="Import a plan").click()
    page.get_by_label("The plan").set_input_files(str(SEED))
    page.get_by_role("button", name="Read the plan").click()
    expect(page.get_by_test_id("problem")).to_contain_text("it is probably 2")
    expect(page.get_by_test_id("repairs")).to_contain_text("across a page break")
    page.get_by_label("Line 31, Action Number").fill("2")
    page.get_by_role("button", name="Check again").click()
    expect(page.get_by_test_id("no-problems")).to_be_visible()
    page.get_by_role("button", name="Import the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Government Skills Trade Union Action Plan"
    )
    plan = Plan.objects.get()
    RoleAssignment.objects.create(
        user=world.users["unison"],
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )

    workplan = page.get_by_test_id("workplan")
    expect(workplan.get_by_role("row")).to_have_count(5)
    workplan.get_by_role("link", name="Produce an updated Model Learning Agreement").click()
    page.get_by_role("link", name="Edit or assign this action").click()
    page.get_by_label("Owner").select_option(label="Trade Union side")
    page.get_by_label("By date").fill("End December 2008")
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_text("Done: action 1 saved.")).to_be_visible()

    member = Session(browser, url, "unison")
    page = member.page
    page.goto(f"{url}{plan.get_absolute_url()}")
    page.get_by_test_id("workplan").get_by_role(
        "link", name="Produce an updated Model Learning Agreement"
    ).click()
    expect(page.get_by_test_id("action-owner")).to_have_text("Trade Union side")
    page.get_by_label("Progress").fill("First draft shared with Government Skills.")
    page.get_by_label("Status now").select_option("in_progress")
    page.get_by_role("button", name="Post progress").click()
    expect(page.get_by_test_id("action-status")).to_have_text("In progress")
    page.get_by_label("Progress").fill("Agreed and published.")
    page.get_by_label("Status now").select_option("done")
    page.get_by_role("button", name="Post progress").click()
    expect(page.get_by_test_id("action-status")).to_have_text("Done")
    expect(page.get_by_test_id("progress")).to_contain_text("First draft shared")

    page.goto(f"{url}{plan.get_absolute_url()}")
    row = page.get_by_test_id("workplan").get_by_role(
        "row", name=re.compile("Produce an updated Model Learning Agreement")
    )
    expect(row).to_contain_text("Trade Union side")
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text("End December 2008")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    first = next(r for r in rows if r["Action Number"] == "1")
    assert (first["Action Owner"], first["Status"], first["Latest progress"]) == (
        "Trade Union side",
        "Done",
        "Agreed and published.",
    )
    assert [r["Action Number"] for r in rows] == ["1", "2", "3", "4"]
    for session in (officer, member):
        session.close()
