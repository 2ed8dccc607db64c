"""The scheme dashboard: figures written by hand from a small built dataset, who sees which
cases, tampered filters, downloads, and a query count that does not grow with the data."""

from __future__ import annotations

import csv
import datetime
import html as html_text
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
import time_machine
from django.db import transaction
from django.test import Client

from accord.dashboards import selectors
from accord.dashboards.rules import dashboard_scope
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership import policy_checks, services
from accord.membership.models import Membership
from accord.organisations.models import Employer, EmployerKind
from tests.world import World, build_world

TODAY = datetime.date(2026, 6, 15)


def _at(day: datetime.date) -> Any:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10)), tick=False)


@dataclass
class Data:
    world: World
    extra: Employer
    closed: Employer
    south: Employer


@pytest.fixture(scope="module")
def data(django_db_setup: None, django_db_blocker: Any) -> Iterator[Data]:
    """A year of cases, made once through the services on the dates given, then rolled back:

    - Northtown High School (North) proposed and listed on 25 July 2025; its first cycle
      (principle 5) runs 5 July 2025 to 4 July 2026, with two activities long overdue;
      suspended on 10 March 2026 and reinstated on 20 March; a policy logged on 1 April.
    - Northern Star Trust (North) proposed on 1 March 2026, still waiting for endorsement.
    - Southtown School (South) proposed on 20 January 2026, endorsed on 1 February: waiting
      for the Southern NEM.
    - Closed School (North) proposed on 5 April 2026, declined on 20 April.
    - Extra School (North) proposed on 2 June 2026, endorsed on 12 June.
    - The 2008 Government Skills plan: its four actions all open and long overdue.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        with _at(datetime.date(2025, 7, 1)):
            world = build_world()
            north_la = world.employer.local_authority
            extra = Employer.objects.create(
                name="Extra School",
                kind=EmployerKind.SCHOOL,
                local_authority=north_la,
                association=world.association,
            )
            closed = Employer.objects.create(
                name="Closed School",
                kind=EmployerKind.SCHOOL,
                local_authority=north_la,
                association=world.association,
            )
            world.plan()
        journey = world.journey()
        with _at(datetime.date(2025, 7, 25)):
            world.enrolment(State.LISTED)
        with _at(datetime.date(2026, 1, 20)):
            south = journey.to(
                world.other_employer, State.PROPOSED, "other_secretary", secretary="other_secretary"
            )
        with _at(datetime.date(2026, 2, 1)):
            journey.to_state(south, State.ENDORSED, "other_secretary")
        with _at(datetime.date(2026, 3, 1)):
            journey.to(world.trust, State.PROPOSED, "secretary")
        membership = Membership.objects.get(employer=world.employer)
        with _at(datetime.date(2026, 3, 10)):
            membership = services.change_status(
                membership,
                "suspend",
                actor=world.users["officer"],
                reason="Under review.",
                logo_stop_requested_on=datetime.date(2026, 3, 10),
            )
        with _at(datetime.date(2026, 3, 20)):
            membership = services.change_status(
                membership, "reinstate", actor=world.users["officer"], reason="Resolved."
            )
        with _at(datetime.date(2026, 4, 1)):
            policy_checks.log_policy(
                membership,
                actor=world.users["employer"],
                data={"title": "Flexible working", "description": "Requests from day one."},
            )
        with _at(datetime.date(2026, 4, 5)):
            declined = journey.to(closed, State.PROPOSED, "secretary")
        with _at(datetime.date(2026, 4, 20)):
            journey.take(declined, "decline", "secretary", reason="Not the right time.")
        with _at(datetime.date(2026, 6, 2)):
            extra_case = journey.to(extra, State.PROPOSED, "secretary")
        with _at(datetime.date(2026, 6, 12)):
            journey.to_state(extra_case, State.ENDORSED, "secretary")
        yield Data(world, extra, closed, world.other_employer)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with _at(TODAY):
        yield


def _client(data: Data, persona: str) -> Client:
    client = Client()
    client.force_login(data.world.users[persona])
    return client


def _table(html: str, slug: str) -> list[list[str]]:
    """The rows of the table `slug` on the page, as its cells' text."""
    start = html.index(f'data-testid="{slug}"')
    body = html[html.index("<tbody>", start) + 7 : html.index("</tbody>", start)]
    rows = []
    for row in body.split("</tr>")[:-1]:
        cells = []
        for part in row.split("</t")[:-1]:
            cells.append(html_text.unescape(part[part.rindex(">") + 1 :].strip()))
        rows.append(cells)
    return rows


def _figures(data: Data, persona: str, **params: str) -> Any:
    scope = dashboard_scope(data.world.users[persona])
    return selectors.dashboard(scope, params, TODAY)


# --- figures, written by hand from the dataset above ------------------------------------------


def test_the_officer_sees_open_cases_at_each_step_by_region(db: None, data: Data) -> None:
    html = _client(data, "officer").get("/dashboard/").content.decode()
    rows = {r[0]: r[1:] for r in _table(html, "open-cases")}
    # Columns: North, South, Total.
    assert rows["Proposed"] == ["1", "0", "1"]
    assert rows["Endorsed by the local secretary"] == ["1", "1", "2"]
    assert rows["Listed on the register"] == ["1", "0", "1"]
    assert rows["No objection from the NEM"] == ["0", "0", "0"]
    # The steps in the process's order, the way in only (a declined case is not open).
    assert list(rows) == [
        "Proposed",
        "Endorsed by the local secretary",
        "No objection from the NEM",
        "Partner unions agreed",
        "Employer approached",
        "Scheme introduced",
        "Commitment drafted",
        "Commitment confirmed",
        "Joined; NEM informed",
        "National union notified",
        "Listed on the register",
    ]


def test_cases_entering_and_leaving_are_counted_month_by_month(db: None, data: Data) -> None:
    board = _figures(data, "officer")
    assert board.filters.period_start == datetime.date(2025, 7, 1)
    assert board.filters.period_end == datetime.date(2026, 6, 30)
    html = _client(data, "officer").get("/dashboard/").content.decode()
    rows = {r[0]: r[1:] for r in _table(html, "cases-by-month")}
    assert len(rows) == 12
    assert rows["July 2025"] == ["1", "1"]  # the school proposed, and listed
    assert rows["January 2026"] == ["1", "0"]
    assert rows["March 2026"] == ["1", "0"]
    assert rows["April 2026"] == ["1", "1"]  # proposed, and declined
    assert rows["June 2026"] == ["1", "0"]
    assert rows["May 2026"] == ["0", "0"]


def test_the_median_wait_per_step_comes_from_the_step_history(db: None, data: Data) -> None:
    html = _client(data, "officer").get("/dashboard/").content.decode()
    rows = {r[0]: r[1:] for r in _table(html, "days-per-step")}
    # Left "proposed" after 0 (the school), 10, 12 and 15 days: the median is 11.
    assert rows["Endorse the proposal"] == ["4", "11.0"]
    assert rows["Record no objection"] == ["1", "0.0"]
    # The school went along the rest of the way on one day.
    assert rows["Draft the commitment"] == ["1", "0.0"]


def test_stuck_cases_are_counted_by_step_and_by_who_they_wait_on(db: None, data: Data) -> None:
    client = _client(data, "officer")
    html = client.get("/dashboard/").content.decode()
    by_step = {r[0]: r[1:] for r in _table(html, "stuck-cases")}
    assert by_step["Endorse the proposal"] == ["Local secretary", "1"]  # the trust
    assert by_step["Record no objection"] == ["National Executive Member", "1"]  # Southtown
    by_role = dict((r[0], r[1]) for r in _table(html, "stuck-by-role"))
    assert by_role["Local secretary"] == "1"
    assert by_role["National Executive Member"] == "1"
    # Three days: Extra School, endorsed three days ago, waits on the NEM too.
    html = client.get("/dashboard/?stuck_days=2").content.decode()
    by_step = {r[0]: r[1:] for r in _table(html, "stuck-cases")}
    assert by_step["Record no objection"] == ["National Executive Member", "2"]


def test_members_reviews_principles_changes_policy_checks_and_plans(db: None, data: Data) -> None:
    html = _client(data, "officer").get("/dashboard/").content.decode()
    assert dict((r[0], r[1]) for r in _table(html, "members-by-region")) == {
        "North": "1",
        "South": "0",
    }
    reviews = dict((r[0], r[1]) for r in _table(html, "reviews-due"))
    assert reviews == {
        "Overdue": "0",
        "Due within 30 days": "1",  # the school's cycle ends on 4 July
        "Due in 31 to 60 days": "0",
        "Due in 61 to 90 days": "0",
    }
    assert _table(html, "principles") == [["2025", "Principle 5", "1", "0"]]
    changes = {r[0]: r[1:] for r in _table(html, "membership-changes")}
    # Lapsed, Suspended, Withdrawn, Reinstated
    assert changes["March 2026"] == ["0", "1", "0", "1"]
    assert changes["April 2026"] == ["0", "0", "0", "0"]
    assert _table(html, "policy-checks") == [["2026", "1", "0", "0", "1"]]
    # Done, Open, Overdue, Dropped
    assert _table(html, "plan-status") == [
        ["Government Skills Trade Union Action Plan", "0", "0", "4", "0"]
    ]
    parties = {r[1]: r[2:] for r in _table(html, "plan-parties")}
    assert parties == {
        "Government Skills": ["0", "0", "2", "0"],
        "Trade Union side": ["0", "0", "2", "0"],
    }


def test_key_figures_give_the_headline_numbers_with_links(db: None, data: Data) -> None:
    found = {
        f.label: (f.value, f.link)
        for f in selectors.key_figures(dashboard_scope(data.world.users["officer"]), TODAY)
    }
    assert found["Members"] == (1, "/dashboard/#members")
    assert found["Cases in progress"][0] == 3
    assert found["Cases waiting more than 14 days"][0] == 2
    assert found["Reviews overdue"][0] == 0
    assert found["Reviews due in the next 90 days"][0] == 1
    assert found["Members' activities overdue"][0] == 2
    assert found["Plan actions overdue"] == (4, "/dashboard/#plans")
    assert selectors.key_figures(dashboard_scope(data.world.users["rep"]), TODAY) == []


# --- who sees what ---------------------------------------------------------------------------


def test_a_local_secretary_sees_only_their_associations_cases(db: None, data: Data) -> None:
    html = _client(data, "secretary").get("/dashboard/").content.decode()
    rows = {r[0]: r[1:] for r in _table(html, "open-cases")}
    # One region column (North) and the total: Southtown's case is not counted.
    assert rows["Endorsed by the local secretary"] == ["1", "1"]
    assert "South" not in html.split('data-testid="open-cases"')[1].split("</thead>")[0]
    other = _client(data, "other_secretary").get("/dashboard/").content.decode()
    rows = {r[0]: r[1:] for r in _table(other, "open-cases")}
    assert rows["Endorsed by the local secretary"] == ["1", "1"]
    assert rows["Proposed"] == ["0", "0"]
    assert rows["Listed on the register"] == ["0", "0"]
    # Plans are not theirs to read: no plan section.
    assert 'data-testid="plan-status"' not in html


def test_an_nem_sees_their_districts_cases(db: None, data: Data) -> None:
    board = _figures(data, "nem")
    assert sum(board.figures.pipeline.values()) == 3  # the school, the trust, Extra School
    board = _figures(data, "other_nem")
    assert board.figures.pipeline == {("endorsed", data.south.association.region_id): 1}


@pytest.mark.parametrize("persona", ["rep", "gmb", "unison", "other_officer", "outsider"])
def test_anyone_else_is_refused(db: None, data: Data, persona: str) -> None:
    client = _client(data, persona)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/open-cases.csv").status_code == 403


def test_an_employer_contact_is_sent_to_their_progress_picture(db: None, data: Data) -> None:
    response = _client(data, "employer").get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == f"/employers/{data.world.employer.pk}/"


def test_a_visitor_who_is_not_signed_in_is_asked_to_sign_in(db: None, data: Data) -> None:
    response = Client().get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_dashboard_link_is_shown_to_those_who_may_open_it(db: None, data: Data) -> None:
    assert 'href="/dashboard/"' in _client(data, "nem").get("/tasks/").content.decode()
    assert 'href="/dashboard/"' not in _client(data, "rep").get("/tasks/").content.decode()


# --- filters -------------------------------------------------------------------------------


def test_a_region_filter_counts_that_region_only(db: None, data: Data) -> None:
    south = data.south.association.region_id
    html = _client(data, "officer").get(f"/dashboard/?region={south}").content.decode()
    rows = {r[0]: r[1:] for r in _table(html, "open-cases")}
    assert rows["Endorsed by the local secretary"] == ["1", "1"]
    assert rows["Proposed"] == ["0", "0"]
    # The downloads carry the filter.
    assert f'href="/dashboard/open-cases.xlsx?region={south}"' in html


def test_an_association_outside_the_region_chosen_is_ignored(db: None, data: Data) -> None:
    south = data.south.association.region_id
    northtown = data.world.association.pk
    html = (
        _client(data, "officer")
        .get(f"/dashboard/?region={south}&association={northtown}")
        .content.decode()
    )
    assert '<a href="#f-association">Association: it is not in the region chosen' in html
    rows = {r[0]: r[1:] for r in _table(html, "open-cases")}
    assert rows["Proposed"] == ["0", "0"]  # the region still applies


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("region=999999", "f-region", "Region: choose one from the list"),
        ("region=1%20OR%201=1", "f-region", "Region: choose one from the list"),
        ("scheme=abc", "f-scheme", "Scheme: choose one from the list"),
        ("association=-3", "f-association", "Association: choose one from the list"),
        ("from=2026-13", "f-from", "From: give a month as YYYY-MM"),
        ("from=2026-05&to=2025-01", "f-to", "To: the period must end after it starts"),
        ("from=1900-01&to=2026-01", "f-from", "From: a period is at most 10 years"),
        ("stuck_days=-1", "f-stuck_days", "Stuck after: give a number of days"),
        ("stuck_days=99999999999999999999999", "f-stuck_days", "Stuck after: give a number"),
        ("stuck_days=%00", "f-stuck_days", "Stuck after: give a number of days"),
    ],
)
def test_a_tampered_filter_is_named_and_ignored(
    db: None, data: Data, query: str, field: str, words: str
) -> None:
    response = _client(data, "officer").get(f"/dashboard/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="#{field}">{words}' in html
    # Ignored: the figures are the unfiltered ones.
    rows = {r[0]: r[1:] for r in _table(html, "open-cases")}
    assert rows["Endorsed by the local secretary"] == ["1", "1", "2"]


def test_an_association_outside_the_scope_is_refused_without_a_leak(db: None, data: Data) -> None:
    southtown = data.world.other_association.pk
    client = _client(data, "secretary")
    html = client.get(f"/dashboard/?association={southtown}").content.decode()
    assert '<a href="#f-association">Association: choose one from the list' in html
    rows = {r[0]: r[1:] for r in _table(html, "open-cases")}
    assert rows["Proposed"] == ["1", "1"]  # Northtown's trust, not Southtown
    body = client.get(f"/dashboard/open-cases.csv?association={southtown}").content.decode()
    assert "South" not in body


# --- downloads --------------------------------------------------------------------------------


def test_each_table_downloads_as_csv_with_iso_dates(db: None, data: Data) -> None:
    response = _client(data, "officer").get("/dashboard/cases-by-month.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Month", "Entered (proposed)", "Left (listed or closed)"]
    assert rows[1] == ["2025-07-01", "1", "1"]
    assert len(rows) == 13


def test_each_table_downloads_as_xlsx_with_real_dates_and_the_filters(db: None, data: Data) -> None:
    south = data.south.association.region_id
    client = _client(data, "officer")
    response = client.get(f"/dashboard/cases-by-month.xlsx?region={south}&from=2026-01&to=2026-03")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1] == (datetime.datetime(2026, 1, 1), 1, 0)
    assert values[2] == (datetime.datetime(2026, 2, 1), 0, 0)
    assert len(values) == 4  # the header and three months
    response = client.get(f"/dashboard/open-cases.xlsx?region={south}")
    values = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert values[0] == ("Step", "South", "Total")


def test_an_unknown_table_or_format_is_not_found(db: None, data: Data) -> None:
    client = _client(data, "officer")
    assert client.get("/dashboard/nothing.csv").status_code == 404
    assert client.get("/dashboard/open-cases.pdf").status_code == 404


# --- queries and the cache --------------------------------------------------------------------


def _more_cases(data: Data, count: int) -> None:
    journey = data.world.journey()
    for n in range(count):
        employer = Employer.objects.create(
            name=f"Bulk School {n}",
            kind=EmployerKind.SCHOOL,
            local_authority=data.world.other_employer.local_authority,
            association=data.world.other_association,
        )
        journey.to(employer, State.PROPOSED, "other_secretary", secretary="other_secretary")


def test_the_page_runs_the_same_few_queries_whatever_the_data_size(
    db: None, data: Data, django_assert_max_num_queries: Any
) -> None:
    client = _client(data, "officer")
    counts = []
    for extra in (0, 25):
        _more_cases(data, extra)
        selectors.cache().clear()  # counted afresh, not read from the cache
        with django_assert_max_num_queries(12) as captured:
            response = client.get("/dashboard/")
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert Enrolment.objects.filter(employer__name__startswith="Bulk").count() == 25


def test_a_change_shows_at_once_and_a_repeat_visit_reads_the_cache(
    db: None, data: Data, django_assert_max_num_queries: Any
) -> None:
    client = _client(data, "officer")
    client.get("/dashboard/")
    with django_assert_max_num_queries(6):
        client.get("/dashboard/")
    _more_cases(data, 1)
    html = client.get("/dashboard/").content.decode()
    rows = {r[0]: r[1:] for r in _table(html, "open-cases")}
    assert rows["Proposed"] == ["1", "1", "2"]
