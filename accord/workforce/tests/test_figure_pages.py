"""A table's pages: shown suppressed to everyone, counts entered by hand on a grid whose errors
name the cell, every change audited before and after, publication decided by officers only,
exports carrying the suppressed words, never a raw small count; a constant number of queries."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accord.core.models import AuditEvent
from accord.enrolments.process import State
from accord.membership.models import Membership
from accord.workforce import services
from accord.workforce.models import FigureCell, FigureTable
from tests.downloads import streamed
from tests.world import World

from .helpers import client, make_table

# SEX_COUNTS as it is published with a threshold of 5, worked by hand. Men who took part (3) is
# under 5. Withholding it with the next smallest cells in its row and column (6 men applied, 5
# "not known" took part) and the one closing the loop (5 "not known" applied) is not enough:
# "withheld" says "at least 5", and those two "not known" cells add up to 17 - 7 = 10, so both
# are 5, and the 3 follows. The staff counts of men (30) and of "not known" (7) go too. Then,
# with t men taking part: "not known" took part is 8 - t (at least 5: t is at most 3); men
# applied, a, is 5 or 6 (a + "not known" applied = 11, both at least 5); "not known" staff is
# a + t - 2 (at least 5: t is at least 1). So t may be 1, 2 or 3, and every total stays shown.
#                  Staff  Applied     Took part       Total
SHOWN = [
    ["Female", "40", "12", "9", "61"],
    ["Male", "withheld", "withheld", "fewer than 5", "39"],
    ["Not known or prefer not to say", "withheld", "withheld", "withheld", "17"],
    ["Total", "77", "23", "17", "117"],
]


def _cells(html: str) -> list[list[str]]:
    """The figures table's rows as text, headings and cells alike."""
    body = html.split('data-testid="figures"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def test_the_table_is_shown_suppressed_even_to_those_who_entered_it(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer)
    page = client("employer").get(table.get_absolute_url()).content.decode()
    assert _cells(page)[1:] == SHOWN
    assert "<caption>Access to training by sex, 1 Apr 2025 to 31 Mar 2026</caption>" in page
    assert '<th scope="col">Sex</th>' in page and '<th scope="row">Male</th>' in page
    assert "fewer than 5" in page and 'data-testid="suppression-note"' in page


def test_the_exports_carry_the_words_never_the_small_counts(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer)
    reader = client("auditor")
    text = streamed(reader.get(reverse("figure-export", args=[table.pk, "csv"]))).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Sex", "Staff", "Applied", "Took part", "Total"], *SHOWN]
    workbook = streamed(reader.get(reverse("figure-export", args=[table.pk, "xlsx"])))
    sheet = load_workbook(io.BytesIO(workbook)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[2] == ["Male", "withheld", "withheld", "fewer than 5", 39]
    assert values[4] == ["Total", 77, 23, 17, 117]
    # The kept-back counts (30, 6, 3, 7, 5, 5) are nowhere in the workbook.
    numbers = {v for row in values[1:] for v in row[1:] if isinstance(v, int)}
    assert numbers == {40, 12, 9, 61, 39, 17, 77, 23, 117}
    assert reader.get(reverse("figure-export", args=[table.pk, "pdf"])).status_code == 404


def test_counts_are_entered_on_a_grid_whose_errors_name_the_cell(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer, counts={})
    url = reverse("figure-counts", args=[table.pk])
    keeper = client("employer")
    form = keeper.get(url).content.decode()
    # Each input labelled by its category and column.
    assert '<label class="label" for="id_count_female_0">Female, Staff</label>' in form
    grid = {f"count_{c}_{j}": "10" for c, _ in table.categories for j in range(3)}
    refused = keeper.post(url, {**grid, "count_male_1": "-2", "count_female_2": "lots"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "The count for Male, Applied cannot be negative." in page
    assert "The count for Female, Took part must be a whole number." in page
    assert not FigureCell.objects.filter(table=table).exclude(count=0).exists()
    assert keeper.post(url, {**grid, "count_male_2": "3"}).status_code == 302
    assert FigureCell.objects.get(table=table, category="male", column=2).count == 3
    # Only the grid shows the raw counts again, to those who keep them.
    assert 'value="3"' in keeper.get(url).content.decode()


def test_every_change_of_the_counts_is_audited_before_and_after(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer)
    services.set_counts(
        table, actor=world.users["secretary"], counts={("male", 2): 4, ("female", 0): 40}
    )
    event = AuditEvent.objects.filter(action="figures.entered").latest("pk")
    assert event.changes["Male, Took part"] == [3, 4]
    assert event.changes["Female, Applied"] == [12, 0]
    assert "Female, Staff" not in event.changes  # unchanged
    assert event.actor_id == world.users["secretary"].pk


def test_a_count_cannot_be_negative_nor_a_cell_twice_in_the_database(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer)
    with pytest.raises(IntegrityError), transaction.atomic():
        FigureCell.objects.create(table=table, category="male", column=0, count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        FigureTable.objects.create(
            measure="Both",
            breakdown="sex",
            columns=["Staff"],
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2025, 12, 31),
            entered_by=world.users["officer"],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FigureTable.objects.filter(pk=table.pk).update(starts_on=datetime.date(2027, 1, 1))


def _member_reference(world: World) -> str:
    enrolment = world.enrolment(State.LISTED)
    return Membership.objects.get(enrolment=enrolment).reference


def test_only_a_national_officer_marks_a_table_public(world: World) -> None:
    table = make_table(world.users["secretary"], employer=world.employer)
    edit = reverse("figure-edit", args=[table.pk])
    details = {
        "measure": table.measure,
        "columns": "Staff\nApplied\nTook part",
        "starts_on": "2025-04-01",
        "ends_on": "2026-03-31",
        "public": "on",
    }
    # The secretary is not offered the choice, and what is posted anyway changes nothing.
    secretary = client("secretary")
    assert 'name="public"' not in secretary.get(edit).content.decode()
    assert secretary.post(edit, details).status_code == 302
    table.refresh_from_db()
    assert not table.public
    with pytest.raises(services.FiguresError, match="Only a national officer"):
        services.update_table(
            table,
            actor=world.users["secretary"],
            data={
                **details,
                "columns": table.columns,
                "starts_on": table.starts_on,
                "ends_on": table.ends_on,
                "public": True,
            },
        )
    officer = client("officer")
    assert 'name="public"' in officer.get(edit).content.decode()
    assert officer.post(edit, details).status_code == 302
    table.refresh_from_db()
    assert table.public
    event = AuditEvent.objects.filter(action="figures.update").latest("pk")
    assert event.changes["public"] == [False, True]


def test_the_public_sees_a_members_figures_only_when_marked_public_and_suppressed(
    world: World,
) -> None:
    reference = _member_reference(world)
    table = make_table(world.users["employer"], employer=world.employer)
    public = reverse("verification", args=[reference])
    visitor = Client()
    assert "Access to training" not in visitor.get(public).content.decode()
    services.update_table(
        table,
        actor=world.users["officer"],
        data={
            "measure": table.measure,
            "columns": table.columns,
            "starts_on": table.starts_on,
            "ends_on": table.ends_on,
            "public": True,
        },
    )
    page = visitor.get(public).content.decode()
    assert _cells(page)[1:] == SHOWN
    # Figures pages themselves stay behind sign-in.
    assert visitor.get(table.get_absolute_url()).status_code == 302


def test_the_table_pages_run_few_queries_however_many_tables(
    world: World, django_assert_max_num_queries
) -> None:
    keeper = client("secretary")
    table = make_table(world.users["employer"], employer=world.employer)
    listing = reverse("employer-figures", args=[world.employer.pk])
    for url in (table.get_absolute_url(), reverse("figure-counts", args=[table.pk]), listing):
        with django_assert_max_num_queries(12):
            assert keeper.get(url).status_code == 200
    for _ in range(30):
        make_table(world.users["employer"], employer=world.employer, counts={})
    with django_assert_max_num_queries(12):
        page = keeper.get(listing)
    assert page.content.decode().count("Access to training by sex") == 31


def test_a_plans_table_is_never_published(world: World) -> None:
    """The public see figures only on an employer's register page: a plan has none."""
    plan = world.plan()
    with pytest.raises(services.FiguresError, match="Only an employer's tables are published"):
        make_table(world.users["officer"], plan=plan, public=True)
    table = make_table(world.users["officer"], plan=plan)
    edit = client("officer").get(reverse("figure-edit", args=[table.pk])).content.decode()
    assert 'name="public"' not in edit
