"""The export helper: spreadsheet cells that would start a formula come out as text, and a
workbook opens readable: real dates, columns wide enough, a bold, frozen, filtered header."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from accord.core import exports

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("value", HOSTILE)
def test_text_that_starts_a_formula_is_quoted(value: str) -> None:
    assert exports.safe_cell(value) == "'" + value


def test_real_numbers_stay_numbers_and_plain_text_is_unchanged() -> None:
    assert exports.safe_cell(-5) == -5
    assert exports.safe_cell(-2.5) == -2.5
    assert exports.safe_cell("-5") == "'-5"
    assert exports.safe_cell("Agree the plan") == "Agree the plan"
    assert exports.safe_cell(None) is None


def test_control_characters_from_old_data_are_removed() -> None:
    assert exports.safe_cell("Started\x01 \u202eeno") == "Started eno"


@pytest.mark.parametrize("hidden", ["\x00=cmd|' /C calc'!A0", "\x01=HYPERLINK(1)", "\u202e=1+2"])
def test_a_formula_behind_a_control_character_from_old_data_is_still_quoted(hidden: str) -> None:
    assert exports.safe_cell(hidden).startswith("'=")


def _csv(header: list[str], rows: list[list[Any]]) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(exports.csv_lines(header, rows)))))


def test_a_csv_export_quotes_every_formula_cell() -> None:
    assert _csv(["a", "b"], [["=1+1", -3], ["ok", "@x"]]) == [
        ["a", "b"],
        ["'=1+1", "-3"],
        ["ok", "'@x"],
    ]


def test_a_csv_export_writes_dates_and_times_as_iso_8601_in_the_servers_zone() -> None:
    # 14:05 UTC on 1 July 2008 is 15:05 in London (summer time).
    moment = datetime.datetime(2008, 7, 1, 14, 5, tzinfo=datetime.UTC)
    rows = _csv(["Due on", "Updated at"], [[datetime.date(2008, 10, 31), moment], [None, None]])
    assert rows[1:] == [["2008-10-31", "2008-07-01T15:05:00+01:00"], ["", ""]]


def test_an_xlsx_export_writes_no_formula_cells() -> None:
    data = exports.xlsx_bytes("Sheet", ["a", "b"], [["=1+1", -3], ["\x01x", "@x"]])
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert [c.value for c in cells] == ["a", "b", "'=1+1", -3, "x", "'@x"]
    assert {c.data_type for c in cells} == {"s", "n"}


LONG = "Produce a sector map showing the distribution of Union Learning Reps within government"
HEADER = ["No.", "Action", "Due on", "Updated at", "Note"]
ROWS: list[list[Any]] = [
    [
        1,
        "Agree the plan",
        datetime.date(2008, 10, 31),
        datetime.datetime(2008, 7, 1, 14, 5, tzinfo=datetime.UTC),
        "=HYPERLINK(1)",
    ],
    [2, LONG, datetime.date(2009, 1, 5), None, "Two\nlines"],
    [3, "Review", None, None, ""],
]


def _sheet(title: str = "Workplan", rows: list[list[Any]] = ROWS) -> Worksheet:
    return load_workbook(io.BytesIO(exports.xlsx_bytes(title, HEADER, rows))).active


def test_dates_in_a_workbook_are_dates_shown_day_month_year() -> None:
    sheet = _sheet()
    due = sheet["C2"]
    assert due.is_date and due.number_format == "dd/mm/yyyy"
    assert due.value == datetime.datetime(2008, 10, 31)
    assert sheet["C3"].is_date and sheet["C3"].value == datetime.datetime(2009, 1, 5)
    # A moment is shown on the server's clock: 14:05 UTC is 15:05 in London in July.
    updated = sheet["D2"]
    assert updated.is_date and updated.number_format == "dd/mm/yyyy hh:mm"
    assert updated.value == datetime.datetime(2008, 7, 1, 15, 5)
    assert sheet["C4"].value is None


def test_columns_are_as_wide_as_what_they_hold_within_bounds() -> None:
    widths = {letter: d.width for letter, d in _sheet().column_dimensions.items()}
    # Each: the longest text in the column, two more for the filter button, 8 at least, 60 at most.
    assert widths == {
        "A": 8,  # "No." and one digit: the least
        "B": 60,  # the long action: the most, and it wraps
        "C": 12,  # "31/10/2008"
        "D": 18,  # "01/07/2008 15:05"
        "E": 16,  # "'=HYPERLINK(1)", 14 with its quote
    }


def test_long_text_wraps_in_a_row_high_enough_and_short_text_does_not() -> None:
    sheet = _sheet()
    assert sheet["B3"].alignment.wrap_text is True
    assert sheet["B2"].alignment.wrap_text is True  # the whole column
    assert sheet["E3"].alignment.wrap_text is True  # a line break
    assert not sheet["C2"].alignment.wrap_text
    assert not sheet["A2"].alignment.wrap_text
    # A row says how high its wrapped text is (LibreOffice does not fit it on opening): two
    # lines of 15 points for the long action and for the line break; one line is left alone.
    assert sheet.row_dimensions[3].height == 30
    assert sheet.row_dimensions[2].height is None


def test_the_header_row_is_bold_frozen_and_filters_every_row() -> None:
    sheet = _sheet()
    assert [c.value for c in sheet[1]] == HEADER
    assert all(c.font.b for c in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"
    assert sheet.print_title_rows == "$1:$1"


def test_an_empty_export_still_has_its_header_and_filter() -> None:
    sheet = _sheet(rows=[])
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:E1"
    assert sheet.column_dimensions["B"].width == 8


def test_a_formula_like_text_in_a_workbook_is_text() -> None:
    cell = _sheet()["E2"]
    assert (cell.value, cell.data_type) == ("'=HYPERLINK(1)", "s")


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Plan: 2024/25 [draft]", "Plan 2024 25 draft"),
        ("'Quoted'", "Quoted"),
        ("A workplan title that is far too long for a sheet", "A workplan title that is far"),
        ("?*", "Sheet"),
    ],
)
def test_a_sheet_is_named_as_excel_allows(title: str, shown: str) -> None:
    workbook = load_workbook(io.BytesIO(exports.xlsx_bytes(title, HEADER, ROWS)))
    assert workbook.sheetnames == [shown]
    assert workbook.properties.creator == "Accord"


def test_a_table_is_described_once_and_written_as_csv_and_xlsx_alike() -> None:
    table = exports.Table(
        "People",
        [
            exports.Column("Name", lambda person: person["name"]),
            exports.Column("Joined", lambda person: person["joined"]),
        ],
    )
    people = [
        {"name": "Tom Bell", "joined": datetime.date(2020, 3, 1)},
        {"name": "=cmd", "joined": None},
    ]
    assert list(csv.reader(io.StringIO("".join(table.csv_lines(people))))) == [
        ["Name", "Joined"],
        ["Tom Bell", "2020-03-01"],
        ["'=cmd", ""],
    ]
    sheet = load_workbook(io.BytesIO(table.xlsx_bytes(people))).active
    assert sheet.title == "People"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Name", "Joined"],
        ["Tom Bell", datetime.datetime(2020, 3, 1)],
        ["'=cmd", None],
    ]
    response = table.csv_response(people, filename="people", streaming=True)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert b"".join(response.streaming_content).startswith(b"Name,Joined\r\n")
    download = table.xlsx_response(people, filename="people")
    assert download["Content-Disposition"] == 'attachment; filename="people.xlsx"'
