"""Reading a table's counts from a CSV or XLSX file, through the plan importer's reader
(`accord.plans.tables`: the rows as a spreadsheet numbers them, characters that cannot be
stored removed and listed, unreadable cells as problems, corrections by row and column).

The file has a header row: its first column names the categories (any heading), the others are
the table's columns by heading, in any order. Each further row is one category, by its label or
its value ("Female" or "female"). Every problem is named by row and column: an unknown category,
a category given twice, a column missing from the header or not one of the table's, a count
that is empty, not a whole number or negative. Nothing is dropped or changed silently: a
category with no row is listed, and its counts are 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.plans.document import Note
from accord.plans.tables import column_name

from .models import MAX_COUNT, FigureTable


@dataclass
class ReadCounts:
    counts: dict[tuple[str, int], int] = field(default_factory=dict)
    problems: list[Note] = field(default_factory=list)
    # Said about the file without stopping it: categories it has no row for.
    notes: list[Note] = field(default_factory=list)


def _category_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_counts(table: FigureTable, rows: list[list[Any]]) -> ReadCounts:
    """The counts `rows` (header first, as `plans.tables.rows_from_upload` reads them) give
    for `table`, with every problem by row and column."""
    read = ReadCounts()
    if not rows:
        read.problems.append(Note(1, "file", "The file has no rows."))
        return read
    header_line, header = rows[0]
    header = [column_name(h) for h in header]
    category_column = header[0] if header else ""
    wanted = {_category_key(name): j for j, name in enumerate(table.columns)}
    positions: dict[int, int] = {}  # the file's column index: the table's column
    for index, heading in enumerate(header[1:], start=1):
        if not heading.strip():
            continue
        j = wanted.get(_category_key(heading))
        if j is None:
            read.problems.append(
                Note(
                    header_line,
                    heading,
                    f"“{heading}” is not one of this table's columns ("
                    + ", ".join(table.columns)
                    + "): correct the heading, or remove the column from the file.",
                )
            )
        elif j in positions.values():
            read.problems.append(Note(header_line, heading, f"The column “{heading}” is twice."))
        else:
            positions[index] = j
    missing = [name for j, name in enumerate(table.columns) if j not in positions.values()]
    if missing:
        read.problems.append(
            Note(header_line, "header", "Missing column(s): " + ", ".join(missing))
        )
    known = {}
    for value, label in table.categories:
        known[_category_key(value)] = value
        known[_category_key(label)] = value
    labels = dict(table.categories)
    seen: dict[str, int] = {}
    for line, cells in rows[1:]:
        text = str(cells[0]) if cells else ""
        category = known.get(_category_key(text))
        if category is None:
            read.problems.append(
                Note(
                    line,
                    category_column,
                    f"“{text}” is not a category of {table.get_breakdown_display().lower()}: "
                    "use one of " + "; ".join(labels.values()) + ".",
                )
            )
        elif category in seen:
            read.problems.append(
                Note(
                    line,
                    category_column,
                    f"{labels[category]} is on row {seen[category]} already.",
                )
            )
            category = None
        else:
            seen[category] = line
        for index, j in positions.items():
            raw = str(cells[index]).strip() if index < len(cells) else ""
            count = _count(raw)
            if isinstance(count, str):
                read.problems.append(Note(line, header[index], count))
            elif category is not None:
                read.counts[(category, j)] = count
    for value, label in table.categories:
        if value not in seen:
            read.notes.append(
                Note(header_line, category_column, f"No row for {label}: its counts will be 0.")
            )
    return read


def _count(raw: str) -> int | str:
    """The count a cell holds, or why it holds none (as a message)."""
    if raw == "":
        return "The count is empty: type 0 if there are none."
    text = raw.replace(",", "") if raw.replace(",", "").isdigit() else raw
    try:
        value = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return f"“{raw}” is not a whole number."
        if not number.is_integer():
            return f"“{raw}” is not a whole number: a count of people is."
        value = int(number)
    if value < 0:
        return f"{value} is negative: a count cannot be."
    if value > MAX_COUNT:
        # Left to the database, a larger count fails the whole import with a server error.
        return f"{value} is too large: a count is at most {MAX_COUNT:,}."
    return value
