"""Reading a workplan from a CSV or XLSX file: one row per action, with the columns "Action
Number", "Action Detail", "Action Owner" and "Action By date" (in any order, any case). Rows are
numbered as a spreadsheet shows them, so problems point at the right row."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from accord.core.params import id_param
from accord.core.text import clean_text, refusal, removal

from .document import (
    WORKPLAN_COLUMNS,
    Note,
    ParsedPlan,
    aliases,
    parties_from_owners,
    read_workplan,
)


class TableError(Exception):
    pass


@dataclass
class Reading:
    """A table as read from its file, and what reading it changed or could not read."""

    rows: list[list[Any]] = field(default_factory=list)
    repairs: list[Note] = field(default_factory=list)
    problems: list[Note] = field(default_factory=list)


def too_many(limit: int, unit: str) -> str:
    return f"The file has more than {limit} {unit}: split it into files of at most {limit} {unit}."


def rows_from_upload(name: str, data: bytes, *, max_rows: int) -> Reading:
    """The rows ([[line, [cells...]], ...] including the header row), with every cell that
    could not be read as a problem and every character removed as a repair. More than
    `max_rows` rows under the header is refused before the rest of the file is read."""
    if name.lower().endswith(".xlsx"):
        return _read_xlsx(data, max_rows)
    replaced = False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        replaced = "\ufffd" in text
    reading = Reading()
    # Rows are counted as records, not lines: a spreadsheet shows a cell that runs over lines
    # as one row.
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if any(c.strip() for c in cells):
            _add_row(reading, number, cells, max_rows)
            for index, cell in enumerate(cells):
                if replaced and "\ufffd" in cell:
                    reading.repairs.append(
                        Note(
                            number,
                            _column(reading, index),
                            "Bytes that are not text were replaced by �.",
                        )
                    )
    return reading


def _read_xlsx(data: bytes, max_rows: int) -> Reading:
    try:
        # Formulas are read once as written and once as last calculated: a formula the file
        # holds no calculated value for cannot be read, and must not pass for an empty cell.
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        formulas = load_workbook(io.BytesIO(data), read_only=True).active
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise TableError("The file is not an Excel workbook that can be read.") from exc
    reading = Reading()
    rows = zip(values.iter_rows(), formulas.iter_rows(), strict=False)
    for number, (row, written) in enumerate(rows, start=1):
        cells, unreadable = [], []
        for index, (cell, as_written) in enumerate(zip(row, written, strict=False)):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "e":
                unreadable.append((index, f"The cell holds the error {value}, not a value."))
                value = None
            elif value is None and getattr(as_written, "data_type", None) == "f":
                unreadable.append(
                    (
                        index,
                        f"The cell holds the formula {as_written.value} with no calculated "
                        "value saved: type the value in, or open and save the file in Excel.",
                    )
                )
            cells.append("" if value is None else _text(value))
        if any(c.strip() for c in cells) or unreadable:
            _add_row(reading, number, cells, max_rows)
            for index, message in unreadable:
                reading.problems.append(Note(number, _column(reading, index), message))
    return reading


def _add_row(reading: Reading, line: int, cells: list[str], max_rows: int) -> None:
    if len(reading.rows) > max_rows:
        raise TableError(too_many(max_rows, "rows"))
    kept = []
    for index, cell in enumerate(cells):
        removed = removal(cell)
        if removed:
            reading.repairs.append(Note(line, _column(reading, index), removed))
            cell = clean_text(cell)
        kept.append(cell)
    reading.rows.append([line, kept])


def _column(reading: Reading, index: int) -> str:
    """A cell's column by the header's name for it, else by its spreadsheet letter."""
    header = reading.rows[0][1] if reading.rows else []
    if index < len(header) and str(header[index]).strip():
        return column_name(header[index])
    return get_column_letter(index + 1)


def _text(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_rows(
    rows: list[list[Any]], *, title: str, parties: list[str] | None = None
) -> ParsedPlan:
    plan = ParsedPlan(title=title)
    if not rows:
        plan.problems.append(Note(1, "file", "The file has no rows."))
        return plan
    header_line, header = rows[0]
    positions = {str(c).strip().lower(): i for i, c in enumerate(header)}
    missing = [c for c in WORKPLAN_COLUMNS if c.lower() not in positions]
    if missing:
        plan.problems.append(
            Note(header_line, "header", "Missing column(s): " + ", ".join(missing))
        )
        return plan
    ordered = []
    for line, cells in rows[1:]:
        ordered.append(
            (
                line,
                [
                    str(cells[positions[c.lower()]]) if positions[c.lower()] < len(cells) else ""
                    for c in WORKPLAN_COLUMNS
                ],
            )
        )
    plan.parties = parties or parties_from_owners(ordered)
    read_workplan(plan, ordered, aliases(plan.parties))
    return plan


def column_name(header: Any) -> str:
    """A header as the workplan column it names (in its usual spelling), else as written."""
    text = str(header).strip()
    return next((c for c in WORKPLAN_COLUMNS if c.lower() == text.lower()), text)


def cells(rows: list[list[Any]]) -> dict[tuple[int, str], str]:
    """Every cell by (row, column), the header row naming the columns."""
    if not rows:
        return {}
    header = [column_name(h) for h in rows[0][1]]
    return {
        (line, column): str(values[index]) if index < len(values) else ""
        for line, values in rows
        for index, column in enumerate(header)
    }


def corrected_rows(rows: list[list[Any]], corrections: list[Any]) -> list[list[Any]]:
    """The rows with each corrected cell (line, column name) replaced."""
    if not rows:
        return rows
    header = [str(c).strip().lower() for c in rows[0][1]]
    fixed = [[line, list(cells)] for line, cells in rows]
    for correction in corrections:
        try:
            index = header.index(correction.column.lower())
        except ValueError as exc:
            raise TableError(f"There is no column “{correction.column}”.") from exc
        row = next((r for r in fixed if r[0] == correction.line), None)
        if row is None or index >= len(row[1]):
            raise TableError(f"There is no {correction.column} cell on row {correction.line}.")
        refused = refusal(
            f"The correction of row {correction.line}, {correction.column}", correction.value
        )
        if refused:
            raise TableError(f"{refused}.")
        row[1][index] = correction.value
    return fixed


def posted_corrections(post: Mapping[str, str], kept: list[Any]) -> list[dict[str, Any]]:
    """The corrections `kept` so far, updated with what a person typed in an import's preview
    (fields named fix:<line>:<column>, as the preview writes them; anything else was not
    offered), in order of line and column."""
    cells = {(c["line"], c["column"]): c["value"] for c in kept}
    for key, value in post.items():
        prefix, _, rest = key.partition(":")
        line_text, _, column = rest.partition(":")
        line = id_param(line_text)
        if prefix == "fix" and line is not None and column:
            cells[(line, column)] = value.strip()
    return [
        {"line": line, "column": column, "value": value}
        for (line, column), value in sorted(cells.items())
    ]
