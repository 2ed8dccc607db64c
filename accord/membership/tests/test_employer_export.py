"""The employer directory downloads as CSV and XLSX: every employer its filters find, with the
step of the open enrolment the reader may see, for union staff only, in fixed queries."""

from __future__ import annotations

import datetime

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.enrolments.process import State
from accord.organisations.models import Employer, EmployerKind
from tests.downloads import csv_rows, sheet_rows, streamed
from tests.world import World


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


@time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_download_holds_every_employer_the_filters_find_in_name_order(world: World) -> None:
    world.enrolment(State.ENDORSED)
    Employer.objects.create(
        name="@Closed School", kind=EmployerKind.SCHOOL, is_open=False, urn="100009"
    )
    officer = _client(world, "officer")
    response = officer.get(f"/employers/export.csv?la={world.employer.local_authority_id}")
    assert response["Content-Disposition"] == 'attachment; filename="employers-2026-12-01.csv"'
    rows = csv_rows(response)
    assert [row["Name"] for row in rows] == [
        "Northern Star Trust",
        "Northtown High School",
        "Star Academy",
    ]
    assert rows[1] == {
        "Name": "Northtown High School",
        "Kind": "School",
        "URN": "100001",
        "UKPRN": "",
        "Companies House number": "",
        "Part of": "",
        "Street": "1 School Lane",
        "Town": "Northtown",
        "Postcode": "NT1 1AA",
        "Local authority": "Northtown",
        "Association": "Northtown",
        "Region": "North",
        "Open": "yes",
        "Enrolment": "Endorsed by the local secretary",
    }
    assert rows[2]["Part of"] == "Northern Star Trust" and rows[2]["Enrolment"] == ""
    # Closed employers only when asked for, as on the page; a formula-like name is text.
    closed = csv_rows(officer.get("/employers/export.csv?q=closed&closed=1"))
    assert [(row["Name"], row["Open"]) for row in closed] == [("'@Closed School", "no")]
    assert csv_rows(officer.get("/employers/export.csv?q=closed")) == []


def test_the_workbook_opens_with_the_header_and_the_rows(world: World) -> None:
    rows = sheet_rows(_client(world, "secretary").get("/employers/export.xlsx?q=southtown"))
    assert rows[0][:3] == ["Name", "Kind", "URN"]
    assert [row[0] for row in rows[1:]] == ["Southtown School"]


def test_an_enrolment_the_reader_cannot_see_is_not_in_their_download(world: World) -> None:
    world.enrolment(State.PROPOSED)
    mine = csv_rows(_client(world, "secretary").get("/employers/export.csv?q=Northtown High"))
    assert mine[0]["Enrolment"] == "Proposed"
    theirs = csv_rows(_client(world, "other_secretary").get("/employers/export.csv?q=Northtown"))
    assert [(row["Name"], row["Enrolment"]) for row in theirs] == [("Northtown High School", "")]


def test_employer_contacts_and_people_without_a_union_role_are_refused(world: World) -> None:
    for persona in ("employer", "outsider"):
        assert _client(world, persona).get("/employers/export.csv").status_code == 403
    assert _client(world, "officer").get("/employers/export.json").status_code == 404


def test_bad_filter_values_are_ignored_as_on_the_page(world: World) -> None:
    rows = csv_rows(_client(world, "officer").get("/employers/export.csv?la=x&kind=%00&q=Star"))
    assert [row["Name"] for row in rows] == ["Northern Star Trust", "Star Academy"]


def test_the_directory_links_to_its_downloads_with_its_filters(world: World) -> None:
    html = _client(world, "officer").get("/employers/?q=star&page=1").content.decode()
    assert 'href="/employers/export.csv?q=star"' in html
    assert 'href="/employers/export.xlsx?q=star"' in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        streamed(client.get(url))
    return len(captured)


def test_the_download_runs_the_same_queries_for_ten_rows_as_for_fifty(world: World) -> None:
    world.enrolment(State.PROPOSED)

    def add(count: int) -> None:
        start = Employer.objects.count()
        Employer.objects.bulk_create(
            Employer(
                name=f"School {n}",
                kind=EmployerKind.SCHOOL,
                local_authority=world.employer.local_authority,
                association=world.association,
                parent=world.trust,
            )
            for n in range(start, start + count)
        )

    add(6)  # ten with the world's four
    clients = {p: _client(world, p) for p in ("officer", "secretary", "gmb")}
    urls = ["/employers/export.csv", "/employers/export.xlsx"]
    small = {(p, u): _queries(c, u) for p, c in clients.items() for u in urls}
    add(40)
    large = {(p, u): _queries(c, u) for p, c in clients.items() for u in urls}
    assert small == large
    assert len(csv_rows(clients["officer"].get(urls[0]))) == 50
