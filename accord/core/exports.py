"""Writing CSV and XLSX downloads that a spreadsheet opens as data, never as formulas.

A cell that starts with = + - @ (or a tab or carriage return) is read by Excel, LibreOffice and
Google Sheets as a formula, so text from users could run when an officer opens an export. As
OWASP recommends, such text is prefixed with a single quote, and XLSX cells are always written
as strings. Numbers stay numbers. Control characters that cannot be stored are removed, so old
data saved before the forms refused them cannot break an export.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from .text import clean_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """`value` as it may go into a spreadsheet cell: numbers, dates and empty cells unchanged,
    text without control characters and quoted if it would start a formula."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal | datetime.date | datetime.time):
        return value
    # Cleaned before the test: a control character in front of "=" (old data) would otherwise
    # hide the formula from the test and then be removed, leaving the formula bare.
    text = clean_text(str(value))
    if text.startswith(FORMULA_STARTS):
        # The tab or carriage return that starts it is kept under the quote, not removed,
        # so the quote is what a reader sees first.
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV text, one line at a time (for streaming)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow(safe_row(row))


def csv_text(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    return "".join(csv_lines(header, rows))


def xlsx_bytes(title: str, header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A one-sheet workbook in which no cell is a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for values in [header, *rows]:
        sheet.append(safe_row(values))
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                # openpyxl makes any text that starts with "=" a formula; say it is a string.
                cell.data_type = TYPE_STRING
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
