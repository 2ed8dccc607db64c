"""The importer never changes a cell silently: every change is a repair and every cell it
cannot read is a problem, by row and column. Characters that cannot be stored are removed and
listed; a file with too many rows is refused before it is read in full."""

from __future__ import annotations

import csv
import io

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from accord.plans import services
from accord.plans.models import Plan, PlanImport
from tests.world import PASSWORD, World

HEADER = ["Action Number", "Action Detail", "Action Owner", "Action By date"]


def _csv(*rows: list[str]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def _read(name: str, data: bytes) -> tuple[services.ParsedPlan, dict[tuple[int, str], list[str]]]:
    """What an upload reads as, and every note (repair or problem) by (row, column)."""
    parsed = services.read_table_upload(name, data, title="Council plan")
    notes: dict[tuple[int, str], list[str]] = {}
    for note in [*parsed.repairs, *parsed.problems]:
        notes.setdefault((note.line, note.column), []).append(note.message)
    return parsed, notes


def _officer() -> Client:
    client = Client()
    client.login(username="officer@example.org", password=PASSWORD)
    return client


def test_html_removed_from_a_csv_cell_is_listed_as_a_repair() -> None:
    parsed, notes = _read("w.csv", _csv(["1", "<b>Review</b> the plan", "Council", "31/07/2025"]))
    assert parsed.actions[0].detail == "Review the plan"
    assert (2, "Action Detail") in notes
    assert not parsed.problems


def test_spaces_tidied_in_a_cell_are_listed_as_a_repair() -> None:
    parsed, notes = _read("w.csv", _csv(["1", "Review  the plan ", "Council", "31/07/2025"]))
    assert parsed.actions[0].detail == "Review the plan"
    assert (2, "Action Detail") in notes


def test_a_formula_cell_with_no_saved_value_is_a_problem_not_an_empty_detail() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([1, '=CONCAT("Review ", "the plan")', "Council", "31/07/2025"])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed, _ = _read("w.xlsx", buffer.getvalue())
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "Action Detail")]
    assert "formula" in parsed.problems[0].message


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_cell_text_is_imported_as_written_or_a_note_names_the_cell(text: str) -> None:
    parsed, notes = _read("w.csv", _csv(["1", text, "Council", "31/07/2025"]))
    [action] = parsed.actions
    assert action.detail == text or (2, "Action Detail") in notes


def test_control_characters_in_a_csv_are_removed_and_listed_by_row_and_column(
    world: World,
) -> None:
    data = _csv(
        ["1", "Agree\x00 the plan", "Council", "31/07/2025"],
        ["2", "Consult \u202emembers", "Council", "31/08/2025"],
    )
    officer = _officer()
    officer.post(
        reverse("plan-import-upload"),
        {"file": SimpleUploadedFile("w.csv", data, "text/csv"), "title": "Council plan"},
    )
    upload = PlanImport.objects.get()
    preview = officer.get(upload.get_absolute_url())
    repairs = {(r.line, r.column): r.message for r in preview.context["parsed"].repairs}
    assert "U+0000" in repairs[(2, "Action Detail")]
    assert "U+202E" in repairs[(3, "Action Detail")]
    officer.post(upload.get_absolute_url(), {"confirm": "1"})
    plan = Plan.objects.get()
    assert sorted(plan.actions.values_list("detail", flat=True)) == [
        "Agree the plan",
        "Consult members",
    ]


def test_control_characters_in_a_plan_document_are_removed_and_listed(world: World) -> None:
    text = (
        "Council plan\nJuly 2025\n1. To agree\nIssue\tAction\nPay\tThe Council will pay.\n"
        "Action Number\tAction Detail\tAction Owner\tAction By date\n"
        "1\tAgree\x01 the\u202e plan\tCouncil\tEnd July 2025\n"
    )
    parsed = services.read_with_corrections(text, [])
    repairs = {(r.line, r.column): r.message for r in parsed.repairs}
    assert "U+0001, U+202E" in repairs[(7, "Action Detail")]
    plan = services.create_plan(
        text, actor=world.users["officer"], source_name="plan.txt", parties=["Council"]
    )
    assert plan.actions.get().detail == "Agree the plan"
    assert "\x01" not in plan.source_text


def test_a_workplan_with_more_rows_than_the_limit_is_refused_with_a_clear_message(
    world: World, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_PLAN_IMPORT_MAX_ROWS = 3
    rows = [[str(n), "Do it", "Council", "31/07/2025"] for n in range(1, 5)]
    response = _officer().post(
        reverse("plan-import-upload"),
        {"file": SimpleUploadedFile("w.csv", _csv(*rows), "text/csv"), "title": "Council plan"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The file has more than 3 rows: split it into files of at most 3 rows."
    ]
    assert not PlanImport.objects.exists()
    allowed = _officer().post(
        reverse("plan-import-upload"),
        {"file": SimpleUploadedFile("w.csv", _csv(*rows[:3]), "text/csv"), "title": "Plan"},
    )
    assert allowed.status_code == 302


def test_a_plan_document_with_more_lines_than_the_limit_is_refused(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_PLAN_IMPORT_MAX_ROWS = 3
    text = "Council plan\nJuly 2025\n1. To agree\n2. To review\n"
    response = _officer().post(
        reverse("plan-import-upload"),
        {"file": SimpleUploadedFile("plan.txt", text.encode(), "text/plain")},
    )
    assert response.context["form"].errors["file"] == [
        "The file has more than 3 lines: split it into files of at most 3 lines."
    ]


def test_the_row_limit_is_five_thousand_by_default() -> None:
    assert django_settings.ACCORD_PLAN_IMPORT_MAX_ROWS == 5000


def test_a_correction_holding_a_control_character_is_refused_naming_the_cell(
    world: World,
) -> None:
    officer = _officer()
    data = _csv(["1", "Agree the plan", "Council", "31/02/2025"])
    officer.post(
        reverse("plan-import-upload"),
        {"file": SimpleUploadedFile("w.csv", data, "text/csv"), "title": "Council plan"},
    )
    upload = PlanImport.objects.get()
    response = officer.post(upload.get_absolute_url(), {"fix:2:Action By date": "31/07\x00/2025"})
    assert response.status_code == 400
    assert response.context["error"] == (
        "The correction of row 2, Action By date contains characters that cannot be stored "
        "(U+0000)."
    )
    assert not Plan.objects.exists()


def test_bytes_that_are_not_text_are_listed_where_they_were_replaced() -> None:
    data = b"Action Number,Action Detail,Action Owner,Action By date\n"
    data += b"1,Agree \x81 plan,Council,31/07/2025\n2,Caf\xe9 rota,Council,31/07/2025\n"
    parsed, notes = _read("w.csv", data)
    assert parsed.actions[1].detail == "Café rota"
    assert notes[(2, "Action Detail")] == ["Bytes that are not text were replaced by �."]
    assert (3, "Action Detail") not in notes
