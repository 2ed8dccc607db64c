"""Reading a workplan from a CSV or XLSX file: one row per action, with the columns "Action
Number", "Action Detail", "Action Owner" and "Action By date" (in any order, any case). Rows are
numbered as a spreadsheet shows them, so problems point at the right row."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

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


def rows_from_upload(name: str, data: bytes) -> list[list[Any]]:
    """[[line, [cells...]], ...] including the header row."""
    if name.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
            raise TableError("The file is not an Excel workbook that can be read.") from exc
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else _text(v) for v in values]
            if any(c.strip() for c in cells):
                rows.append([number, cells])
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    for cells in reader:
        if any(c.strip() for c in cells):
            rows.append([reader.line_num, cells])
    return rows


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
        row[1][index] = correction.value
    return fixed
