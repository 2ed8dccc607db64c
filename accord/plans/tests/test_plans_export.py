"""The list of plans downloads as CSV and XLSX: every plan the list shows its reader, in its
order, with its actions done, open and overdue, streamed, in fixed queries."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.accounts.models import Role, RoleAssignment
from accord.actions.models import Action, ActionStatus
from accord.plans.models import Party, Plan, PlanStatus
from tests.downloads import csv_rows, sheet, streamed
from tests.world import World

TODAY = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _plan(world: World, title: str, adopted_on: datetime.date, **values: object) -> Plan:
    plan = Plan.objects.create(
        title=title, adopted_on=adopted_on, created_by=world.users["officer"], **values
    )
    Party.objects.create(plan=plan, name="Employer side", position=1)
    Party.objects.create(plan=plan, name="Trade Union side", position=2)
    return plan


def _actions(plan: Plan, *statuses_and_dues: tuple[str, datetime.date]) -> None:
    Action.objects.bulk_create(
        Action(plan=plan, number=n, detail=f"Action {n}", owner="Both", status=s, due_on=d)
        for n, (s, d) in enumerate(statuses_and_dues, start=1)
    )


@pytest.fixture
def plans(world: World) -> tuple[Plan, Plan]:
    older = _plan(
        world,
        "=Skills plan 2008",
        datetime.date(2008, 7, 1),
        date_wording="July 2008",
        status=PlanStatus.ACTIVE,
        next_review_on=datetime.date(2027, 1, 15),
    )
    newer = _plan(world, "Learning plan 2025", datetime.date(2025, 3, 1))
    _actions(
        older,
        (ActionStatus.DONE, datetime.date(2008, 10, 31)),
        (ActionStatus.IN_PROGRESS, datetime.date(2026, 11, 30)),  # overdue since today
        (ActionStatus.NOT_STARTED, datetime.date(2026, 12, 1)),  # due today: not yet overdue
        (ActionStatus.DROPPED, datetime.date(2008, 12, 31)),
    )
    return older, newer


@time_machine.travel(TODAY, tick=False)
def test_the_download_holds_every_plan_with_its_action_counts(
    world: World, plans: tuple[Plan, Plan]
) -> None:
    response = _client(world, "officer").get("/plans/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="plans-2026-12-01.csv"'
    # Latest adopted first, as on the list; the formula-like title comes out as text.
    assert csv_rows(response) == [
        {
            "Plan": "Learning plan 2025",
            "Parties": "Employer side, Trade Union side",
            "Agreed": "",
            "Adopted on": "2025-03-01",
            "Status": "Draft",
            "Next review": "",
            "Actions": "0",
            "Done": "0",
            "Open": "0",
            "Overdue": "0",
        },
        {
            "Plan": "'=Skills plan 2008",
            "Parties": "Employer side, Trade Union side",
            "Agreed": "July 2008",
            "Adopted on": "2008-07-01",
            "Status": "Active",
            "Next review": "2027-01-15",
            "Actions": "4",
            "Done": "1",
            "Open": "2",
            "Overdue": "1",
        },
    ]


@time_machine.travel(TODAY, tick=False)
def test_the_workbook_has_real_dates_and_numbers(world: World, plans: tuple[Plan, Plan]) -> None:
    book = sheet(_client(world, "auditor").get("/plans/export.xlsx"))
    assert book["D3"].is_date and book["D3"].value == datetime.datetime(2008, 7, 1)
    assert book["F3"].is_date and book["F3"].value == datetime.datetime(2027, 1, 15)
    assert (book["G3"].value, book["J3"].value) == (4, 1)
    assert book["A3"].value == "'=Skills plan 2008" and book["A3"].data_type == "s"


def test_a_plan_member_downloads_only_their_own_plan(
    world: World, plans: tuple[Plan, Plan]
) -> None:
    older, _ = plans
    RoleAssignment.objects.create(
        user=world.users["outsider"],
        role=Role.PLAN_MEMBER,
        plan=older,
        party=older.parties.get(name="Trade Union side"),
    )
    rows = csv_rows(_client(world, "outsider").get("/plans/export.csv"))
    assert [row["Plan"] for row in rows] == ["'=Skills plan 2008"]


def test_someone_with_no_plan_gets_an_empty_table_and_no_other_kind_of_file(
    world: World, plans: tuple[Plan, Plan]
) -> None:
    client = _client(world, "employer")
    assert csv_rows(client.get("/plans/export.csv")) == []
    assert client.get("/plans/export.html").status_code == 404
    assert Client().get("/plans/export.csv").status_code == 302


def test_the_list_links_to_its_downloads(world: World, plans: tuple[Plan, Plan]) -> None:
    html = _client(world, "officer").get("/plans/").content.decode()
    assert 'href="/plans/export.csv"' in html and 'href="/plans/export.xlsx"' in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        streamed(client.get(url))
    return len(captured)


def test_the_download_runs_the_same_queries_for_ten_plans_as_for_fifty(world: World) -> None:
    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            plan = _plan(world, f"Plan {n}", datetime.date(2020, 1, 1))
            _actions(plan, (ActionStatus.DONE, datetime.date(2020, 6, 1)))

    add(0, 10)
    client = _client(world, "officer")
    urls = ["/plans/export.csv", "/plans/export.xlsx"]
    small = [_queries(client, url) for url in urls]
    add(10, 40)
    assert [_queries(client, url) for url in urls] == small
    assert len(csv_rows(client.get(urls[0]))) == 50
