"""The streamed workbook: it is sent as the rows are read, never holding them all, and still
opens as the export helper promises (widths from the first rows, wrapping beyond them, Excel's
row limit kept)."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.dom import minidom

from openpyxl import load_workbook

from accord.core import exports, workbook


def _book(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data)).active


def test_the_first_bytes_leave_before_the_last_row_is_read() -> None:
    read = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal read
        for n in range(5000):
            read += 1
            yield [f"Row {n}", n]

    chunks = exports.xlsx_chunks("Long", ["Name", "No."], rows())
    first = next(chunks)
    assert first.startswith(b"PK")  # the zip's first part, sent at once
    assert read < 5000
    received = [first]
    seen = []
    for chunk in chunks:
        received.append(chunk)
        seen.append(read)
    # The sheet went out in several batches as the rows came, not in one piece at the end.
    assert len([count for count in seen if count < 5000]) >= 5
    sheet = _book(b"".join(received))
    assert sheet.max_row == 5001 and sheet["A5001"].value == "Row 4999"


def test_every_part_of_the_workbook_is_well_formed_xml() -> None:
    data = exports.xlsx_bytes("It's & <that>", ["a", "b"], [["<b>&amp;</b>", True]])
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    for name in archive.namelist():
        minidom.parseString(archive.read(name))
    sheet = _book(data)
    assert sheet.title == "It's & <that>"
    assert [sheet["A2"].value, sheet["B2"].value] == ["<b>&amp;</b>", True]


def test_a_long_text_after_the_first_rows_still_wraps_in_a_row_as_high_as_its_lines() -> None:
    long = "word " * 30
    rows = [["short"]] * workbook.SAMPLE_ROWS + [[long.strip()]]
    sheet = _book(exports.xlsx_bytes("Late", ["Text"], rows))
    # The width came from the first rows; the late cell wraps on its own.
    assert sheet.column_dimensions["A"].width == 8
    late = workbook.SAMPLE_ROWS + 2
    assert sheet[f"A{late}"].alignment.wrap_text is True
    assert not sheet["A2"].alignment.wrap_text
    # In a column 8 wide text wraps at 6 characters: one "word" a line, 30 lines of 15 points.
    assert sheet.row_dimensions[late].height == 450


def test_past_excels_last_row_the_sheet_says_the_table_goes_on() -> None:
    data = b"".join(workbook.stream("Cut", ["No."], ([n] for n in range(10)), max_rows=5))
    assert [cell.value for cell in _book(data)["A"]] == [
        "No.",
        0,
        1,
        2,
        "The table goes on beyond what one sheet holds: download it as CSV for every row.",
    ]


def test_a_carriage_return_and_a_very_long_text_are_kept_as_a_spreadsheet_can_hold_them() -> None:
    sheet = _book(exports.xlsx_bytes("Text", ["a", "b"], [["one\r\ntwo", "x" * 40_000]]))
    assert sheet["A2"].value == "one\r\ntwo"
    assert len(sheet["B2"].value) == 32_767 and sheet["B2"].value.endswith("…")


def test_times_and_moments_are_written_as_the_server_shows_them() -> None:
    moment = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)  # winter: same in London
    sheet = _book(exports.xlsx_bytes("T", ["at", "time"], [[moment, datetime.time(14, 5)]]))
    assert sheet["A2"].value == datetime.datetime(2026, 1, 15, 9, 30)
    assert sheet["A2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["B2"].value == datetime.time(14, 5)
