"""The enrolment list downloads as CSV and XLSX: every row the list shows its reader with its
filters (not only a page), the step as the reader may know it, streamed, in fixed queries."""

from __future__ import annotations

import datetime

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.organisations.models import Employer, EmployerKind
from tests.downloads import csv_rows, sheet, sheet_rows, streamed
from tests.world import World

TODAY = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _school(world: World, name: str, *, other: bool = False) -> Employer:
    place = world.other_employer if other else world.employer
    return Employer.objects.create(
        name=name,
        kind=EmployerKind.SCHOOL,
        local_authority=place.local_authority,
        association=place.association,
    )


@time_machine.travel(TODAY, tick=False)
def test_the_download_holds_every_matching_enrolment_in_the_lists_order(world: World) -> None:
    proposed = world.enrolment(State.PROPOSED)
    endorsed = world.enrolment(State.ENDORSED, _school(world, "=Brook School"))
    world.enrolment(
        State.PROPOSED, _school(world, "Southtown Primary", other=True), secretary="other_secretary"
    )
    officer = _client(world, "officer")

    rows = csv_rows(officer.get("/enrolments/export.csv?state=proposed"))
    # Only the proposed ones, the one in the other association too (the officer sees all).
    assert [row["Employer"] for row in rows] == ["Northtown High School", "Southtown Primary"]
    assert rows[0] == {
        "Employer": "Northtown High School",
        "URN": "100001",
        "Scheme": "Valued Worker Scheme",
        "Step": "Proposed",
        "Since": "2026-12-01",
        "Local authority": "Northtown",
        "Association": "Northtown",
        "Region": "North",
    }
    # The formula-like employer name comes out as text.
    everything = csv_rows(officer.get("/enrolments/export.csv?q=brook"))
    assert [row["Employer"] for row in everything] == ["'=Brook School"]
    assert proposed.pk != endorsed.pk


@time_machine.travel(TODAY, tick=False)
def test_the_workbook_has_real_dates_and_a_dated_name(world: World) -> None:
    world.enrolment(State.PROPOSED)
    response = _client(world, "secretary").get("/enrolments/export.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="enrolments-2026-12-01.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = sheet(response)
    assert book["A1"].value == "Employer" and book["A1"].font.b
    since = book["E2"]
    assert since.is_date and since.value == datetime.datetime(2026, 12, 1)
    assert since.number_format == "dd/mm/yyyy"


@time_machine.travel(TODAY, tick=False)
def test_an_out_of_scope_secretary_gets_none_of_another_associations_enrolments(
    world: World,
) -> None:
    world.enrolment(State.PROPOSED)
    rows = csv_rows(_client(world, "other_secretary").get("/enrolments/export.csv"))
    assert rows == []


def test_the_employer_never_learns_of_an_nems_objection_from_the_download(world: World) -> None:
    objected = world.enrolment(State.OBJECTED)
    Enrolment.objects.filter(pk=objected.pk).update(initiated_by="employer")
    employer = _client(world, "employer")
    response = employer.get("/enrolments/export.csv?state=objected")
    assert response["Content-Disposition"].startswith('attachment; filename="memberships-')
    rows = csv_rows(response)
    # The internal state was never offered: it is ignored, as on the page.
    assert [row["Step"] for row in rows] == ["Not proceeding"]
    assert sheet_rows(employer.get("/enrolments/export.xlsx"))[1][3] == "Not proceeding"
    assert b"bjection" not in streamed(employer.get("/enrolments/export.xlsx?state=objected"))


def test_someone_who_sees_no_enrolment_gets_an_empty_table_and_anonymous_people_sign_in(
    world: World,
) -> None:
    world.enrolment(State.PROPOSED)
    assert csv_rows(_client(world, "outsider").get("/enrolments/export.csv")) == []
    response = Client().get("/enrolments/export.csv")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_kind_of_file_is_not_found_and_bad_filters_are_ignored(world: World) -> None:
    world.enrolment(State.PROPOSED)
    officer = _client(world, "officer")
    assert officer.get("/enrolments/export.pdf").status_code == 404
    rows = csv_rows(officer.get("/enrolments/export.csv?state=%00&waiting=-1&page=x"))
    assert [row["Employer"] for row in rows] == ["Northtown High School"]


def test_the_list_page_links_to_its_downloads_with_its_filters(world: World) -> None:
    html = _client(world, "officer").get("/enrolments/?state=proposed&page=2").content.decode()
    assert 'href="/enrolments/export.csv?state=proposed"' in html
    assert 'href="/enrolments/export.xlsx?state=proposed"' in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        streamed(client.get(url))
    return len(captured)


def test_the_download_runs_the_same_queries_for_ten_rows_as_for_fifty(world: World) -> None:
    proposer = world.users["secretary"]

    def add(count: int) -> None:
        start = Employer.objects.count()
        for n in range(start, start + count):
            Enrolment.objects.create(
                scheme=world.scheme, employer=_school(world, f"School {n}"), proposed_by=proposer
            )

    add(10)
    clients = {p: _client(world, p) for p in ("officer", "secretary", "gmb", "employer")}
    urls = ["/enrolments/export.csv", "/enrolments/export.xlsx"]
    small = {(p, u): _queries(c, u) for p, c in clients.items() for u in urls}
    add(40)
    large = {(p, u): _queries(c, u) for p, c in clients.items() for u in urls}
    assert small == large
    assert len(csv_rows(clients["officer"].get(urls[0]))) == 50
