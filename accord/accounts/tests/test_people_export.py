"""The list of people downloads as CSV and XLSX: everyone the list shows its reader with its
filters, only the roles the page shows them, audited like a person's data download, streamed,
in fixed queries."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.accounts.models import Role, RoleAssignment, User
from accord.core.models import AuditEvent
from tests.downloads import csv_rows, sheet, streamed
from tests.world import World

NOON = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _emails(rows: list[dict[str, str]]) -> list[str]:
    return [row["E-mail address"] for row in rows]


@time_machine.travel(NOON, tick=False)
def test_the_download_holds_everyone_the_filters_find_with_their_roles(world: World) -> None:
    User.objects.filter(pk=world.users["rep"].pk).update(last_login=NOON, full_name="=Rep One")
    response = _client(world, "officer").get(
        f"/people/export.csv?association={world.association.pk}"
    )
    assert response["Content-Disposition"] == 'attachment; filename="people-2026-12-01.csv"'
    rows = csv_rows(response)
    # By name, as the list ("=" sorts first), the formula quoted.
    assert rows == [
        {
            "Name": "'=Rep One",
            "E-mail address": "rep@example.org",
            "Current roles": "Workplace representative, NASUWT, Northtown High School",
            "Status": "Active",
            "Last signed in": "2026-12-01T12:00:00+00:00",
        },
        {
            "Name": "Employer",
            "E-mail address": "employer@example.org",
            "Current roles": "Employer contact, Northtown High School",
            "Status": "Active",
            "Last signed in": "",
        },
        {
            "Name": "Secretary",
            "E-mail address": "secretary@example.org",
            "Current roles": "Local secretary, NASUWT, Northtown",
            "Status": "Active",
            "Last signed in": "",
        },
        {
            "Name": "Unison",
            "E-mail address": "unison@example.org",
            "Current roles": "Partner-union representative, UNISON, Northtown",
            "Status": "Active",
            "Last signed in": "",
        },
    ]


@time_machine.travel(NOON, tick=False)
def test_the_workbook_holds_the_sign_in_as_a_date(world: World) -> None:
    User.objects.filter(pk=world.users["rep"].pk).update(last_login=NOON)
    book = sheet(_client(world, "officer").get(f"/people/export.xlsx?role={Role.WORKPLACE_REP}"))
    assert [c.value for c in book[1]] == [
        "Name",
        "E-mail address",
        "Current roles",
        "Status",
        "Last signed in",
    ]
    # The other association's rep ("Other Rep") first, then the rep.
    assert [book["B2"].value, book["B3"].value] == ["other_rep@example.org", "rep@example.org"]
    signed_in = book["E3"]
    assert signed_in.is_date and signed_in.value == datetime.datetime(2026, 12, 1, 12, 0)


def test_an_employer_contact_never_reads_a_colleagues_union_role_in_the_download(
    world: World,
) -> None:
    colleague = User.objects.create_user("x@example.org", email="x@example.org", full_name="X")
    RoleAssignment.objects.create(
        user=colleague, role=Role.EMPLOYER_CONTACT, employer=world.employer
    )
    RoleAssignment.objects.create(
        user=colleague,
        role=Role.WORKPLACE_REP,
        union=world.unions["NASUWT"],
        employer=world.employer,
    )
    client = _client(world, "employer")
    rows = csv_rows(client.get("/people/export.csv"))
    assert [(row["E-mail address"], row["Current roles"]) for row in rows] == [
        ("employer@example.org", "Employer contact, Northtown High School"),
        ("x@example.org", "Employer contact, Northtown High School"),
    ]
    # Filtering by the union role picks out nobody, as on the page.
    assert csv_rows(client.get(f"/people/export.csv?role={Role.WORKPLACE_REP}")) == []
    assert b"NASUWT" not in streamed(client.get("/people/export.xlsx"))


def test_a_secretary_downloads_only_their_associations_people(world: World) -> None:
    rows = csv_rows(_client(world, "secretary").get("/people/export.csv"))
    assert _emails(rows) == [
        "employer@example.org",
        "rep@example.org",
        "secretary@example.org",
        "unison@example.org",
    ]


@pytest.mark.parametrize("persona", ["rep", "nem", "gmb", "outsider"])
def test_who_may_not_see_the_list_may_not_download_it(world: World, persona: str) -> None:
    assert _client(world, persona).get("/people/export.csv").status_code == 403
    assert not AuditEvent.objects.filter(action="people.export").exists()


def test_every_download_is_audited_with_its_filters(world: World) -> None:
    officer = _client(world, "officer")
    streamed(officer.get(f"/people/export.xlsx?role={Role.LOCAL_SECRETARY}&q=sec&page=3"))
    event = AuditEvent.objects.get(action="people.export")
    assert event.actor == world.users["officer"]
    assert event.summary == "Officer downloaded the list of people as XLSX"
    assert event.changes == {
        "download": [None, "people (xlsx)"],
        "filters": [None, "q=sec&role=local_secretary"],
    }
    assert officer.get("/people/export.txt").status_code == 404
    assert AuditEvent.objects.filter(action="people.export").count() == 1


def test_bad_filter_values_are_ignored_as_on_the_page(world: World) -> None:
    client = _client(world, "officer")
    everyone = _emails(csv_rows(client.get("/people/export.csv")))
    assert len(everyone) == 16
    bad = _emails(
        csv_rows(client.get("/people/export.csv?role=emperor&union=x&region=" + "9" * 40))
    )
    assert bad == everyone


def test_the_list_links_to_its_downloads_with_its_filters(world: World) -> None:
    html = _client(world, "officer").get("/people/?role=nem&page=1").content.decode()
    assert 'href="/people/export.csv?role=nem"' in html
    assert 'href="/people/export.xlsx?role=nem"' in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        streamed(client.get(url))
    return len(captured)


def test_the_download_runs_the_same_queries_for_ten_people_as_for_fifty(world: World) -> None:
    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            user = User.objects.create_user(f"p{n}@example.org", email=f"p{n}@example.org")
            RoleAssignment.objects.create(
                user=user,
                role=Role.WORKPLACE_REP,
                union=world.unions["NASUWT"],
                employer=world.academy,
            )
            RoleAssignment.objects.create(
                user=user, role=Role.EMPLOYER_CONTACT, employer=world.trust
            )

    add(0, 10)
    client = _client(world, "officer")
    urls = [
        f"/people/export.csv?role={Role.WORKPLACE_REP}",
        f"/people/export.xlsx?role={Role.WORKPLACE_REP}",
    ]
    # The first download starts the reader's audit stream: a few queries more, once.
    streamed(client.get(urls[0]))
    small = [_queries(client, url) for url in urls]
    add(10, 40)
    assert [_queries(client, url) for url in urls] == small
    assert len(csv_rows(client.get(urls[0]))) == 52  # with the two reps of the world
