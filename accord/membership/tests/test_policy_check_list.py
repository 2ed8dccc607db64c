"""The list of policy checks and its downloads: every check of the members whose enrolment the
reader sees, found by employer or title and by assessment, latest logged first; the CSV and
XLSX hold every matching check with what its own page shows, streamed, in fixed queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.enrolments.process import State
from accord.membership import policy_checks
from accord.membership.models import Assessment, Membership, PolicyCheck
from tests.downloads import csv_rows, sheet, streamed
from tests.world import World, build_world

pytestmark = pytest.mark.django_db

LOGGED = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
ASSESSED = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)


@dataclass
class Data:
    world: World
    membership: Membership
    checks: dict[str, PolicyCheck]


def _log(membership: Membership, actor: Any, title: str, day: int) -> PolicyCheck:
    with time_machine.travel(LOGGED + datetime.timedelta(days=day), tick=False):
        return policy_checks.log_policy(
            membership,
            actor=actor,
            data={
                "title": title,
                "description": f"{title}: what it does.",
                "introduced_on": datetime.date(2026, 10, 1),
            },
        )


@pytest.fixture(scope="module")
def data(django_db_setup: None, django_db_blocker: Any) -> Iterator[Data]:
    """A listed member with three policies: one awaiting assessment (its title a formula),
    one consistent, one a detriment against principle 4. Made once, rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        world.enrolment(State.LISTED)
        membership = Membership.objects.get()
        employer, secretary = world.users["employer"], world.users["secretary"]
        consistent = _log(membership, employer, "Flexible working", 0)
        detriment = _log(membership, employer, "Outsourced cleaning", 1)
        awaited = _log(membership, world.users["rep"], "=HYPERLINK(1)", 2)
        principle_4 = next(
            v for v in membership.scheme.current_principles() if v.principle.number == 4
        )
        with time_machine.travel(ASSESSED, tick=False):
            policy_checks.assess_policy(
                consistent,
                actor=secretary,
                data={
                    "assessment": Assessment.CONSISTENT,
                    "reasoning": "Requests from day one.",
                    "union_response": "Welcomed.",
                },
            )
            policy_checks.assess_policy(
                detriment,
                actor=secretary,
                data={
                    "assessment": Assessment.DETRIMENT,
                    "principles": [principle_4],
                    "reasoning": "Cleaners lose the Living Wage.",
                    "union_response": "-Please think again.",
                },
            )
        checks = {"consistent": consistent, "detriment": detriment, "awaited": awaited}
        yield Data(world, membership, checks)
        transaction.set_rollback(True)


def _client(data: Data, persona: str) -> Client:
    client = Client()
    client.force_login(data.world.users[persona])
    return client


def _titles(rows: list[dict[str, str]]) -> list[str]:
    return [row["Policy or initiative"] for row in rows]


def test_the_list_shows_every_check_latest_logged_first(data: Data) -> None:
    response = _client(data, "secretary").get("/policy-checks/")
    assert response.status_code == 200
    assert [c.title for c in response.context["page"].object_list] == [
        "=HYPERLINK(1)",
        "Outsourced cleaning",
        "Flexible working",
    ]
    html = response.content.decode()
    assert 'href="/policy-checks/export.csv"' in html


def test_the_list_filters_by_assessment_and_by_employer_or_title(data: Data) -> None:
    client = _client(data, "officer")

    def titles(query: str) -> list[str]:
        return [c.title for c in client.get(f"/policy-checks/?{query}").context["page"]]

    assert titles("assessment=awaited") == ["=HYPERLINK(1)"]
    assert titles("assessment=detriment") == ["Outsourced cleaning"]
    assert titles("q=flexible") == ["Flexible working"]
    assert titles("q=northtown high&assessment=consistent") == ["Flexible working"]
    # A value nobody could choose is ignored, never a server error.
    assert len(titles("assessment=%00&q=" + "x" * 500 + "&page=-1")) == 0
    assert len(titles("assessment=maybe")) == 3


@time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_download_holds_every_matching_check_with_its_assessment(data: Data) -> None:
    response = _client(data, "employer").get("/policy-checks/export.csv?q=ing")
    assert response["Content-Disposition"] == 'attachment; filename="policy-checks-2026-12-01.csv"'
    rows = csv_rows(response)
    assert rows == [
        {
            "Employer": "Northtown High School",
            "Scheme": "Valued Worker Scheme",
            "Policy or initiative": "Outsourced cleaning",
            "What it does": "Outsourced cleaning: what it does.",
            "Introduced on": "2026-10-01",
            "Logged on": "2026-11-03",
            "Assessment": "A detriment identified",
            "Principles": "4",
            "Why": "Cleaners lose the Living Wage.",
            "The unions' response": "'-Please think again.",
            "Assessed on": "2026-11-20",
        },
        {
            "Employer": "Northtown High School",
            "Scheme": "Valued Worker Scheme",
            "Policy or initiative": "Flexible working",
            "What it does": "Flexible working: what it does.",
            "Introduced on": "2026-10-01",
            "Logged on": "2026-11-02",
            "Assessment": "Consistent with the principles",
            "Principles": "",
            "Why": "Requests from day one.",
            "The unions' response": "Welcomed.",
            "Assessed on": "2026-11-20",
        },
    ]
    awaited = csv_rows(_client(data, "nem").get("/policy-checks/export.csv?assessment=awaited"))
    assert [(r["Policy or initiative"], r["Assessment"], r["Assessed on"]) for r in awaited] == [
        ("'=HYPERLINK(1)", "Awaited", "")
    ]


def test_the_workbook_has_real_dates_and_formulas_as_text(data: Data) -> None:
    book = sheet(_client(data, "auditor").get("/policy-checks/export.xlsx"))
    assert book["C2"].value == "'=HYPERLINK(1)" and book["C2"].data_type == "s"
    assert book["E2"].is_date and book["E2"].value == datetime.datetime(2026, 10, 1)
    assert book["F2"].is_date and book["F2"].value == datetime.datetime(2026, 11, 4)
    assert book["K3"].value == datetime.datetime(2026, 11, 20)


@pytest.mark.parametrize("persona", ["other_secretary", "other_employer", "other_rep"])
def test_someone_who_cannot_see_the_member_gets_none_of_its_checks(
    data: Data, persona: str
) -> None:
    client = _client(data, persona)
    assert csv_rows(client.get("/policy-checks/export.csv")) == []
    assert list(client.get("/policy-checks/").context["page"]) == []


def test_someone_who_follows_no_member_is_refused_and_a_visitor_signs_in(data: Data) -> None:
    client = _client(data, "outsider")
    assert client.get("/policy-checks/").status_code == 403
    assert client.get("/policy-checks/export.csv").status_code == 403
    assert Client().get("/policy-checks/export.xlsx").status_code == 302
    assert _client(data, "officer").get("/policy-checks/export.docx").status_code == 404


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if url.endswith("/"):
            assert response.status_code == 200
        else:
            streamed(response)
    return len(captured)


def test_the_list_and_downloads_run_the_same_queries_for_ten_checks_as_for_fifty(
    data: Data, django_assert_max_num_queries: Any
) -> None:
    with transaction.atomic():
        rep = data.world.users["rep"]
        for n in range(7):
            _log(data.membership, rep, f"Policy {n}", 3)
        client = _client(data, "officer")
        urls = ["/policy-checks/", "/policy-checks/export.csv", "/policy-checks/export.xlsx"]
        client.get(urls[0])
        small = [_queries(client, url) for url in urls]
        for n in range(7, 47):
            _log(data.membership, rep, f"Policy {n}", 3)
        assert [_queries(client, url) for url in urls] == small
        assert len(csv_rows(client.get(urls[1]))) == 50
        with django_assert_max_num_queries(12):
            client.get(urls[0])
        transaction.set_rollback(True)
