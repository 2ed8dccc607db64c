"""A one-sheet XLSX workbook written row by row as a stream of bytes, in memory that stays
flat however many rows it holds.

Why not openpyxl: its ordinary mode keeps every cell in memory, and its write-only mode writes
the whole sheet to a temporary file before the zip can be read, so a download starts only once
the last row is written and the app server needs disk for it. A sheet is one XML part of a zip;
Python's `zipfile` writes a zip to a stream that cannot seek (each part's sizes follow its data),
so here the sheet's XML is deflated as each batch of rows is read, and handed to the response at
once. Nothing but the standard library is needed; openpyxl only converts dates to serial numbers.

The parts are the least a spreadsheet needs: content types, relationships, core properties
(creator and title), styles (a bold header; text aligned to the top, wrapping in wide columns;
dates day/month/year), the workbook (the sheet, its print titles and filter range) and the
sheet. Text is written as inline strings, never as shared strings, which would have to be held
until the end; inline text is never read as a formula. The caller passes cells already made
safe (`exports.safe_cell`); this module decides only how each is written.

Column widths must come before the rows in a sheet, so they are measured on the header and the
first `SAMPLE_ROWS` rows (held back until then); a later cell whose text is longer than its
column still wraps, in a row as high as its lines.
"""

from __future__ import annotations

import datetime
import decimal
import math
import textwrap
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

# Column widths, in characters: never so narrow that a short header is cut, never so wide that
# a long text pushes the next column off the screen (it wraps instead).
MIN_WIDTH = 8
MAX_WIDTH = 60
# The height of a line of text in points, in the default font (Calibri 11).
LINE_HEIGHT = 15
# Rows read before the columns' widths are fixed.
SAMPLE_ROWS = 200
# Rows deflated together: big enough for the compressor to work well, small enough that a
# batch's text is a few hundred kilobytes at most.
BATCH_ROWS = 500
# What a sheet holds at most: Excel's rows, and the characters of a cell it opens.
MAX_ROWS = 1_048_576
MAX_CELL_TEXT = 32_767
# A zip part without the zip64 extension holds under 2 GiB; the sheet stops well before.
MAX_SHEET_BYTES = 1_900_000_000
CUT_NOTE = "The table goes on beyond what one sheet holds: download it as CSV for every row."

# Styles (their index in styles.xml's cellXfs).
HEADER, TEXT, WRAPPED, DATE, DATETIME, TIME = 1, 2, 3, 4, 5, 6

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL_NS}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_APP = (
    _XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>Accord</Application></Properties>'
)
_WORKBOOK_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_TOP = '<alignment vertical="top"/>'
_STYLES = (
    _XML + f'<styleSheet xmlns="{_NS}">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/>'
    '<numFmt numFmtId="166" formatCode="hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"'
    f' applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{_TOP}</xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    + "".join(
        f'<xf numFmtId="{number_format}" fontId="0" fillId="0" borderId="0" xfId="0"'
        f' applyNumberFormat="1" applyAlignment="1">{_TOP}</xf>'
        for number_format in (164, 165, 166)
    )
    + "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _text(value: str) -> str:
    """Text as XML element content; a carriage return is kept as one (XML reads a bare one as
    a line feed)."""
    return escape(value).replace("\r", "&#13;")


def _attribute(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def shown_length(value: Any) -> int:
    """How many characters wide a cell shows its value (its longest line)."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return len("31/12/2000 23:59")
    if isinstance(value, datetime.date):
        return len("31/12/2000")
    return max(len(line) for line in str(value).split("\n"))


def wrapped_lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped at words in a column `width` characters wide (at
    most: most letters are narrower than the digit a column's width is counted in)."""
    if len(text) <= width and "\n" not in text:
        return 1  # most cells: no need to wrap them to know
    return sum(len(textwrap.wrap(line, width)) or 1 for line in text.split("\n"))


def _needs_wrap(value: Any) -> bool:
    return isinstance(value, str) and ("\n" in value or shown_length(value) > MAX_WIDTH)


class _Sink:
    """Where the zip is written: the bytes since the last `drain`, for the response. It has
    no `tell` or `seek`, so `zipfile` writes each part's sizes after its data."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class _Sheet:
    """The sheet's XML, a row at a time, with the styles and widths its columns need."""

    def __init__(self, columns: int, widths: list[int], wrapped: list[bool]) -> None:
        self.letters = [get_column_letter(index) for index in range(1, columns + 1)]
        self.widths = widths
        self.wrapped = wrapped
        self.count = 0

    def head(self) -> str:
        cols = "".join(
            f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
            for index, width in enumerate(self.widths, start=1)
        )
        return (
            f'{_XML}<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews>"
            f'<sheetFormatPr defaultRowHeight="{LINE_HEIGHT}"/>'
            f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
        )

    def row(self, values: Sequence[Any], *, header: bool = False) -> str:
        self.count += 1
        number = self.count
        cells = []
        lines = 1
        for index, value in enumerate(values[: len(self.letters)]):
            if value is None:
                continue
            ref = f"{self.letters[index]}{number}"
            if isinstance(value, str):
                if len(value) > MAX_CELL_TEXT:
                    value = value[: MAX_CELL_TEXT - 1] + "…"
                style = TEXT
                if header:
                    style = HEADER
                elif self.wrapped[index] or _needs_wrap(value):
                    style = WRAPPED
                    lines = max(lines, wrapped_lines(value, self.widths[index] - 2))
                cells.append(
                    f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{_text(value)}</t></is></c>"
                )
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" s="{TEXT}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | decimal.Decimal) or (
                isinstance(value, float) and math.isfinite(value)
            ):
                cells.append(f'<c r="{ref}" s="{TEXT}"><v>{value}</v></c>')
            elif isinstance(value, datetime.datetime):
                if timezone.is_aware(value):
                    value = timezone.localtime(value).replace(tzinfo=None)
                cells.append(f'<c r="{ref}" s="{DATETIME}"><v>{to_excel(value)}</v></c>')
            elif isinstance(value, datetime.date):
                cells.append(f'<c r="{ref}" s="{DATE}"><v>{to_excel(value)}</v></c>')
            elif isinstance(value, datetime.time):
                cells.append(f'<c r="{ref}" s="{TIME}"><v>{to_excel(value)}</v></c>')
            else:  # infinity, or anything else: shown as text
                cells.append(
                    f'<c r="{ref}" s="{TEXT}" t="inlineStr"><is><t>{_text(str(value))}</t></is></c>'
                )
        height = ""
        if lines > 1:
            # Spreadsheets do not all fit a row to its wrapped text on opening (LibreOffice
            # leaves it one line high, under the next row), so the row says how high it is.
            height = f' ht="{lines * LINE_HEIGHT}" customHeight="1"'
        return f'<row r="{number}"{height}>{"".join(cells)}</row>'

    def tail(self) -> str:
        return (
            f'</sheetData><autoFilter ref="A1:{self.letters[-1]}{self.count}"/>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3"'
            ' footer="0.3"/>'
            # Printed: A4 (9) landscape, as wide as one page, the header on every page.
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            "</worksheet>"
        )


def _core(title: str) -> str:
    now = timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        _XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>Accord</dc:creator><dc:title>{_text(title)}</dc:title>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        "</cp:coreProperties>"
    )


def _workbook(title: str, last_column: str, last_row: int) -> str:
    # A sheet's name in a reference is quoted, its own apostrophes doubled.
    quoted = "'" + title.replace("'", "''") + "'"
    return (
        f'{_XML}<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}">'
        "<bookViews><workbookView/></bookViews>"
        f'<sheets><sheet name="{_attribute(title)}" sheetId="1" r:id="rId1"/></sheets>'
        "<definedNames>"
        '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{_text(quoted)}!$A$1:${last_column}${last_row}</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="0">{_text(quoted)}!$1:$1'
        "</definedName></definedNames></workbook>"
    )


def measure(header: Sequence[Any], sample: Iterable[Sequence[Any]]) -> tuple[list[int], list[bool]]:
    """Each column's width (its longest text, two more for the filter button, within bounds)
    and whether it wraps, from the header and the sample rows."""
    widths = [shown_length(h) for h in header]
    wrapped = [False] * len(header)
    for row in sample:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], shown_length(value))
            if _needs_wrap(value):
                wrapped[index] = True
    return [min(max(width + 2, MIN_WIDTH), MAX_WIDTH) for width in widths], wrapped


def stream(
    title: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    max_rows: int = MAX_ROWS,
) -> Iterator[bytes]:
    """The workbook's bytes, a batch of rows at a time. `title` is the sheet's name as Excel
    allows it; `header` and `rows` hold cells already made safe. Past `max_rows` (Excel's
    limit) the sheet ends with a row saying that the table goes on."""
    columns = max(len(header), 1)
    rows = iter(rows)
    sample = [list(row) for row in islice(rows, SAMPLE_ROWS)]
    widths, wrapped = measure(header, sample)
    sheet = _Sheet(columns, widths or [MIN_WIDTH], wrapped or [False])
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("docProps/core.xml", _core(title))
        book.writestr("docProps/app.xml", _APP)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        yield sink.drain()
        with book.open("xl/worksheets/sheet1.xml", "w") as part:
            written = 0
            batch = [sheet.head(), sheet.row(list(header), header=True)]
            for values in _chain(sample, rows):
                if sheet.count >= max_rows - 1 or written > MAX_SHEET_BYTES:
                    batch.append(sheet.row([CUT_NOTE]))
                    break
                batch.append(sheet.row(values))
                if len(batch) >= BATCH_ROWS:
                    data = "".join(batch).encode()
                    written += len(data)
                    part.write(data)
                    batch.clear()
                    yield sink.drain()
            batch.append(sheet.tail())
            part.write("".join(batch).encode())
        yield sink.drain()
        book.writestr("xl/workbook.xml", _workbook(title, sheet.letters[-1], sheet.count))
    yield sink.drain()


def _chain(sample: list[list[Any]], rows: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    yield from sample
    yield from rows
