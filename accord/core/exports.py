"""Every CSV and XLSX download: a table described once (its columns), written as data that a
spreadsheet opens as data, never as formulas, and as a workbook a person can read at once.

A cell that starts with = + - @ (or a tab or carriage return) is read by Excel, LibreOffice and
Google Sheets as a formula, so text from users could run when an officer opens an export. As
OWASP recommends, such text is prefixed with a single quote, and XLSX cells holding text are
always written as strings. Numbers stay numbers. Control characters that cannot be stored are
removed, so old data saved before the forms refused them cannot break an export.

Dates are real dates in a workbook (so they sort and filter), shown day/month/year as in the
UK; in CSV, which is read as data, they are ISO 8601 (2008-10-31). A workbook's columns are as
wide as what they hold (within bounds), long text wraps, and the header row is bold, frozen and
carries an autofilter.

CSV is written as UTF-8 without a byte order mark: it is read by programs (the workplan
importer, open-data readers, for which a mark becomes part of the first column's name), and
people who open a table in Excel are offered the same rows as XLSX.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .text import clean_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# How a workbook shows dates: day/month/year, as read in the UK.
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
# Column widths, in characters: never so narrow that a short header is cut, never so wide that
# a long text pushes the next column off the screen (it wraps instead).
MIN_WIDTH = 8
MAX_WIDTH = 60
# The height of a line of text in points, in the default font (Calibri 11).
LINE_HEIGHT = 15
# What Excel refuses in a sheet's name, and how long the name may be.
_SHEET_TITLE_REFUSED = re.compile(r"[\\/?*\[\]:]")
_SHEET_TITLE_LENGTH = 31

T = TypeVar("T")


def safe_cell(value: Any) -> Any:
    """`value` as it may go into a spreadsheet cell: numbers, dates and empty cells unchanged,
    text without control characters and quoted if it would start a formula."""
    if isinstance(value, str):
        return _safe_text(value)
    if value is None or isinstance(value, _KEPT):
        return value
    return _safe_text(str(value))


# Written as they are (bool is an int).
_KEPT = (int, float, decimal.Decimal, datetime.date, datetime.time)


def _safe_text(value: str) -> str:
    # Cleaned before the test: a control character in front of "=" (old data) would otherwise
    # hide the formula from the test and then be removed, leaving the formula bare.
    text = clean_text(value)
    if text.startswith(FORMULA_STARTS):
        # The tab or carriage return that starts it is kept under the quote, not removed,
        # so the quote is what a reader sees first.
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def _local(value: datetime.datetime) -> datetime.datetime:
    """A moment as the server's clock shows it (a spreadsheet cell holds no time zone)."""
    if timezone.is_aware(value):
        return timezone.localtime(value)
    return value


# CSV


def _csv_cell(value: Any) -> Any:
    # Text first: most cells are text, and an export may run to thousands of rows.
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe_cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV text, one line at a time (for streaming)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row])


# XLSX


def sheet_title(title: str) -> str:
    """`title` as a sheet's name may be: none of \\ / ? * [ ] :, at most 31 characters (cut
    at a word), not empty, and not starting or ending with an apostrophe."""
    text = " ".join(_SHEET_TITLE_REFUSED.sub(" ", clean_text(title)).split())
    if len(text) > _SHEET_TITLE_LENGTH:
        cut = text[: _SHEET_TITLE_LENGTH + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:_SHEET_TITLE_LENGTH]
    return text.strip("' ") or "Sheet"


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return _local(value).replace(tzinfo=None)
    return safe_cell(value)


def _shown_length(value: Any) -> int:
    """How many characters wide a cell shows its value (its longest line)."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return len("31/12/2000 23:59")
    if isinstance(value, datetime.date):
        return len("31/12/2000")
    return max(len(line) for line in str(value).split("\n"))


def _wrapped_lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped at words in a column `width` characters wide (at
    most: most letters are narrower than the digit a column's width is counted in)."""
    return sum(len(textwrap.wrap(line, width)) or 1 for line in text.split("\n"))


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A one-sheet workbook in which no cell is a formula, dates are dates, the header row is
    bold, frozen and filtered, and each column is as wide as what it holds."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(title)
    book.properties.creator = "Accord"
    book.properties.title = sheet.title
    widths = [_shown_length(h) for h in header]
    wrapped = [False] * len(header)
    bold, top = Font(bold=True), Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)

    sheet.append(safe_row(header))
    for cell in sheet[1]:
        cell.data_type = TYPE_STRING
        cell.font = bold
        cell.alignment = top
    for values in rows:
        row = [_xlsx_cell(v) for v in values]
        sheet.append(row)
        for index, value in enumerate(row[: len(widths)]):
            length = _shown_length(value)
            widths[index] = max(widths[index], length)
            if isinstance(value, str) and (length > MAX_WIDTH or "\n" in value):
                wrapped[index] = True

    # Two characters more than the text: the filter button sits in the header cell.
    widths = [min(max(width + 2, MIN_WIDTH), MAX_WIDTH) for width in widths]
    for row in sheet.iter_rows(min_row=2):
        lines = 1
        for index, cell in enumerate(row):
            value = cell.value
            if isinstance(value, str):
                # openpyxl makes any text that starts with "=" a formula; say it is a string.
                cell.data_type = TYPE_STRING
            elif isinstance(value, datetime.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
            if index < len(wrapped) and wrapped[index]:
                cell.alignment = wrap
                if isinstance(value, str):
                    lines = max(lines, _wrapped_lines(value, widths[index] - 2))
            else:
                cell.alignment = top
        if lines > 1:
            # Spreadsheets do not all fit a row to its wrapped text on opening (LibreOffice
            # leaves it one line high, under the next row), so the row says how high it is.
            sheet.row_dimensions[row[0].row].height = lines * LINE_HEIGHT

    last_column = get_column_letter(max(len(header), 1))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{sheet.max_row}"
    # Printed: A4 landscape, as wide as one page, the header on every page.
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# A table described once


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column of an export: its header, and how to read its value from one item (a date
    as a `datetime.date`, not as text, so that a workbook can sort and filter it)."""

    header: str
    value: Callable[[T], Any]


class Table(Generic[T]):
    """The columns of an export, written as CSV or XLSX from the same items."""

    def __init__(self, title: str, columns: Sequence[Column[T]]) -> None:
        self.title = title
        self.columns = list(columns)

    @property
    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def rows(self, items: Iterable[T]) -> Iterator[list[Any]]:
        getters = [column.value for column in self.columns]
        for item in items:
            yield [get(item) for get in getters]

    def csv_lines(self, items: Iterable[T]) -> Iterator[str]:
        return csv_lines(self.header, self.rows(items))

    def xlsx_bytes(self, items: Iterable[T]) -> bytes:
        return xlsx_bytes(self.title, self.header, self.rows(items))

    def csv_response(
        self, items: Iterable[T], *, filename: str, streaming: bool = False
    ) -> HttpResponse | StreamingHttpResponse:
        """The CSV as a download; `streaming` for a long table read a chunk at a time."""
        lines = self.csv_lines(items)
        response: HttpResponse | StreamingHttpResponse
        if streaming:
            response = StreamingHttpResponse(lines, content_type=CSV_CONTENT_TYPE)
        else:
            response = HttpResponse("".join(lines), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response

    def xlsx_response(self, items: Iterable[T], *, filename: str) -> HttpResponse:
        response = HttpResponse(self.xlsx_bytes(items), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.xlsx")
        return response
