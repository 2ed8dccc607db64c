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

Every download is streamed: rows are read from the database a chunk at a time (`chunked`) and
written out as they come, CSV a line at a time and XLSX a batch of rows at a time (`workbook`
says how), so memory stays flat for a hundred thousand rows and the first bytes leave at once.
A workbook's column widths come from its header and first rows. A list page offers both at
`<its address>export.csv` and `export.xlsx`, with its filters in the query string
(`Table.response`), named `<list>-<date>`.

CSV is written as UTF-8 without a byte order mark: it is read by programs (the workplan
importer, open-data readers, for which a mark becomes part of the first column's name), and
people who open a table in Excel are offered the same rows as XLSX.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from . import workbook
from .text import clean_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# The kinds of download a list page offers, each at `<list>/export.<kind>`.
KINDS = ("csv", "xlsx")
# Rows read from the database at a time by a download: a few megabytes at most.
CHUNK_SIZE = 2000
# How a workbook shows dates (`workbook` writes them): day/month/year, as read in the UK.
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MIN_WIDTH = workbook.MIN_WIDTH
MAX_WIDTH = workbook.MAX_WIDTH
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


def xlsx_chunks(
    title: str, header: Sequence[str], rows: Iterable[Iterable[Any]]
) -> Iterator[bytes]:
    """A one-sheet workbook, as a stream of bytes, in which no cell is a formula, dates are
    dates, the header row is bold, frozen and filtered, and each column is as wide as what it
    holds (`workbook` writes it; memory stays flat however many rows)."""
    return workbook.stream(
        sheet_title(title),
        safe_row(header),
        ([_xlsx_cell(v) for v in values] for values in rows),
    )


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """The same workbook whole, for a short table or a test."""
    return b"".join(xlsx_chunks(title, header, rows))


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
        self, items: Iterable[T], *, filename: str, streaming: bool = True
    ) -> StreamingHttpResponse:
        """The CSV as a download, written as the items are read. (`streaming` is kept for the
        callers that asked for it: every download streams.)"""
        response = StreamingHttpResponse(
            _batched(self.csv_lines(items)), content_type=CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response

    def xlsx_response(self, items: Iterable[T], *, filename: str) -> StreamingHttpResponse:
        """The workbook as a download, written as the items are read."""
        response = StreamingHttpResponse(
            xlsx_chunks(self.title, self.header, self.rows(items)),
            content_type=XLSX_CONTENT_TYPE,
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.xlsx")
        return response

    def response(self, items: Iterable[T], *, kind: str, name: str) -> StreamingHttpResponse:
        """A list page's download of `kind` (csv or xlsx; anything else is not found), named
        `<name>-<today>.<kind>`."""
        if kind not in KINDS:
            raise Http404("A list is downloaded as .csv or .xlsx.")
        filename = dated_filename(name)
        if kind == "xlsx":
            return self.xlsx_response(items, filename=filename)
        return self.csv_response(items, filename=filename)


def _batched(lines: Iterator[str], size: int = 500) -> Iterator[str]:
    """The lines a few hundred at a time: one write to the client per batch, not per line."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def download_links(url_name: str, querystring: str = "", *args: Any) -> dict[str, str]:
    """The addresses of a list's downloads, {"csv": ..., "xlsx": ...}, carrying its filters
    (`querystring`, without the page number): for `includes/downloads.html`."""
    suffix = f"?{querystring}" if querystring else ""
    return {kind: reverse(url_name, args=[*args, kind]) + suffix for kind in KINDS}


def dated_filename(name: str) -> str:
    """`enrolments-2026-12-01`: what was downloaded, and on which day (the server's)."""
    return f"{name}-{timezone.localdate().isoformat()}"


def chunked(queryset: QuerySet[Any], chunk_size: int = CHUNK_SIZE) -> Iterator[Any]:
    """Every row of `queryset`, read `chunk_size` at a time (each chunk's prefetches read
    with it), never all at once: a download's memory stays flat however long the list."""
    return queryset.iterator(chunk_size=chunk_size)
