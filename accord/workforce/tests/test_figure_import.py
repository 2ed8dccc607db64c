"""Importing a table's counts from CSV or XLSX through the plan importer's reader: every problem
by row and column (unknown category, a category twice, a missing or unknown column, a count
empty, not whole or negative), corrected in the preview; nothing saved while one remains, and
then the whole file in one go."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accord.core.models import AuditEvent
from accord.workforce.models import FigureCell, FigureImport, FigureTable
from tests.world import World

from .helpers import SEX_COUNTS, client, make_table

MESSY = (
    "Sex,Staff,Applied,Took part\n"
    "Female,40,-12,9\n"  # a negative count
    "Men,30,6,3.5\n"  # not a category; not a whole number
    "female,7,5,5\n"  # Female again (the person meant "not known")
)


def _upload(table: FigureTable, name: str, data: bytes, persona: str = "employer") -> FigureImport:
    response = client(persona).post(
        reverse("figure-import-upload", args=[table.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )
    upload = FigureImport.objects.latest("pk")
    assert response["Location"] == upload.get_absolute_url()
    return upload


def _problems(response) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(p.line, p.column, v) for p, v in response.context["fixes"]]


def test_every_problem_is_named_by_row_and_column_and_nothing_is_saved(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer, counts={})
    upload = _upload(table, "training.csv", MESSY.encode())
    keeper = client("employer")
    preview = keeper.get(upload.get_absolute_url())
    assert _problems(preview) == [
        (2, "Applied", "-12"),
        (3, "Sex", "Men"),
        (3, "Took part", "3.5"),
        (4, "Sex", "female"),
    ]
    page = preview.content.decode()
    assert "-12 is negative" in page
    assert "“Men” is not a category of sex" in page
    assert "“3.5” is not a whole number" in page
    assert "Female is on row 2 already." in page
    refused = keeper.post(upload.get_absolute_url(), {"confirm": "1"})
    assert refused.status_code == 400
    assert "4 problem(s) must be corrected first" in refused.content.decode()
    assert set(FigureCell.objects.filter(table=table).values_list("count", flat=True)) == {0}
    assert not AuditEvent.objects.filter(action="figures.imported").exists()


def test_corrected_in_the_preview_the_file_replaces_the_counts_at_once(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer, counts={})
    upload = _upload(table, "training.csv", MESSY.encode())
    keeper = client("employer")
    fixed = keeper.post(
        upload.get_absolute_url(),
        {"fix:2:Applied": "12", "fix:3:Sex": "Male", "fix:3:Took part": "3"},
    )
    assert _problems(fixed) == [(4, "Sex", "female")]
    fixed = keeper.post(upload.get_absolute_url(), {"fix:4:Sex": "Not known or prefer not to say"})
    assert fixed.context["fixes"] == []
    done = keeper.post(upload.get_absolute_url(), {"confirm": "1"})
    assert done["Location"] == table.get_absolute_url()
    assert {(c.category, c.column): c.count for c in table.cells.all()} == SEX_COUNTS
    event = AuditEvent.objects.filter(action="figures.imported").latest("pk")
    assert event.changes["Male, Took part"] == [0, 3]
    # Each correction is on the record with what the file said.
    assert "Corrected row 3, Took part: “3.5” → “3”" in event.note
    assert "Corrected row 2, Applied: “-12” → “12”" in event.note


def test_a_clean_workbook_imports_its_counts_and_is_audited(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer, counts={})
    book = Workbook()
    sheet = book.active
    # Columns in another order, categories by label, one category missing (listed, then 0).
    sheet.append(["Category", "Took part", "Staff", "Applied"])
    sheet.append(["Male", 3, 30, 6])
    sheet.append(["Female", 9, 40, 12])
    data = io.BytesIO()
    book.save(data)
    upload = _upload(table, "training.xlsx", data.getvalue())
    keeper = client("employer")
    preview = keeper.get(upload.get_absolute_url())
    assert preview.context["fixes"] == []
    assert "No row for Not known or prefer not to say: its counts will be 0." in (
        preview.content.decode()
    )
    # The preview shows the figures as they will be published: suppressed.
    assert "fewer than 5" in preview.content.decode()
    done = keeper.post(upload.get_absolute_url(), {"confirm": "1"})
    assert done["Location"] == table.get_absolute_url()
    counts = {(c.category, c.column): c.count for c in table.cells.all()}
    assert counts == {
        ("female", 0): 40,
        ("female", 1): 12,
        ("female", 2): 9,
        ("male", 0): 30,
        ("male", 1): 6,
        ("male", 2): 3,
        ("not_known", 0): 0,
        ("not_known", 1): 0,
        ("not_known", 2): 0,
    }
    event = AuditEvent.objects.filter(action="figures.imported").latest("pk")
    assert event.changes["Male, Took part"] == [0, 3]
    assert "training.xlsx" in event.note
    # Done once: the preview is gone.
    assert keeper.get(upload.get_absolute_url()).status_code == 404


def test_a_missing_or_unknown_column_is_a_problem_of_the_header(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer)
    upload = _upload(table, "t.csv", b"Sex,Staff,Attended\nFemale,1,2\n")
    preview = client("employer").get(upload.get_absolute_url())
    assert [(p.line, p.column) for p, _ in preview.context["fixes"]] == [
        (1, "Attended"),
        (1, "header"),
    ]
    assert "Missing column(s): Applied, Took part" in preview.content.decode()


def test_only_the_tables_keepers_import_and_only_their_own_upload(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer)
    url = reverse("figure-import-upload", args=[table.pk])
    assert client("auditor").get(url).status_code == 403
    assert client("other_employer").get(url).status_code == 404
    upload = _upload(table, "t.csv", b"Sex,Staff,Applied,Took part\nFemale,1,2,3\n")
    # Another keeper of the same table does not see someone else's upload.
    assert client("secretary").get(upload.get_absolute_url()).status_code == 404


def test_a_count_too_large_to_store_is_a_problem_of_its_cell_not_a_server_error(
    world: World,
) -> None:
    # A count column holds at most 2,147,483,647: one more cannot be stored.
    table = make_table(world.users["employer"], employer=world.employer, counts={})
    upload = _upload(table, "training.csv", b"Sex,Staff,Applied,Took part\nFemale,2147483648,1,1\n")
    keeper = client("employer")
    preview = keeper.get(upload.get_absolute_url())
    assert _problems(preview) == [(2, "Staff", "2147483648")]
    assert "2147483648 is too large: a count is at most 2,147,483,647." in (
        preview.content.decode()
    )
    refused = keeper.post(upload.get_absolute_url(), {"confirm": "1"})
    assert refused.status_code == 400
    assert "1 problem(s) must be corrected first" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="figures.imported").exists()
