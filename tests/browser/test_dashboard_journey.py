"""The national officer opens the scheme dashboard from the navigation, reads a chart and its
table, downloads a table as XLSX and finds the expected figures in it; the dashboard passes axe
and reflows at 320 px, with figures and error messages on it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from accord.enrolments.process import State
from tests.world import World

from .accessibility import AXE_RUN, AXE_TAGS, OVERFLOW, PHONE
from .session import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cases(world: World) -> None:
    """A member in the North (the school) and a case proposed there (the trust)."""
    world.enrolment(State.LISTED)
    world.enrolment(State.PROPOSED, world.trust)


def test_the_officer_reads_a_chart_and_downloads_its_table_as_xlsx(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    _cases(world)
    officer = Session(browser, live_server.url, "officer")
    page = officer.page
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheme dashboard")

    figure = page.locator("figure#chart-open-cases")
    expect(figure.get_by_role("img", name="Open cases at each step")).to_be_visible()
    figure.get_by_text("The figures as a table").click()
    chart_table = figure.get_by_role("table")
    expect(chart_table.get_by_role("row", name="Proposed 1")).to_be_visible()
    expect(chart_table.get_by_role("row", name="Listed on the register 1")).to_be_visible()

    table = page.get_by_test_id("open-cases")
    expect(table.get_by_role("row", name="Proposed 1 1")).to_be_visible()

    with page.expect_download() as caught:
        page.get_by_role(
            "link", name=re.compile(r"^XLSX.*Open cases at each step, by region")
        ).click()
    download = caught.value
    assert download.suggested_filename.startswith("dashboard-open-cases-")
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True)}
    assert rows["Step"] == ("North", "Total")
    assert rows["Proposed"] == (1, 1)
    assert rows["Listed on the register"] == (1, 1)
    assert rows["Endorsed by the local secretary"] == (0, 0)
    officer.close()


def test_the_dashboard_passes_axe_and_reflows_on_a_phone(
    browser,
    live_server,
    world: World,
    axe_script: Path | None,  # type: ignore[no-untyped-def]
) -> None:
    _cases(world)
    officer = Session(browser, live_server.url, "officer")
    page = officer.page
    page.set_viewport_size(PHONE)
    if axe_script is not None:
        officer.context.add_init_script(path=axe_script)
    problems = []
    # With figures, and with a message naming a field that was ignored.
    for query in ("", "?region=999&stuck_days=x"):
        page.goto(f"{live_server.url}/dashboard/{query}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Scheme dashboard")
        overflow = page.evaluate(OVERFLOW)
        if overflow:
            problems.append(f"/dashboard/{query}: overflows at 320 px, {overflow}")
        if axe_script is not None:
            problems += [f"/dashboard/{query}: {v}" for v in page.evaluate(AXE_RUN, AXE_TAGS)]
    officer.close()
    assert not problems, "\n".join(problems)
    if axe_script is None:
        pytest.skip("axe-core is not installed (`make axe`): only the reflow was checked.")
