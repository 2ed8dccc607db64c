"""A workforce table as it may be shown or exported: its counts through small-number
suppression (accord.core.suppression), laid out as rows of categories with their totals.

Every page and every export of figures reads them from here, so none can show a raw count
under the threshold. Only the form that enters the counts shows them as entered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings

from accord.core import exports
from accord.core.suppression import Entry, Published, suppress

from .models import FigureTable

TOTAL = "Total"


def threshold() -> int:
    return settings.ACCORD_SUPPRESSION_THRESHOLD


@dataclass(frozen=True)
class Row:
    label: str
    entries: tuple[Entry, ...]
    total: Entry


@dataclass(frozen=True)
class Shown:
    """What is shown of a table: its column headings, one row per category, the totals."""

    table: FigureTable
    columns: list[str]
    rows: list[Row]
    column_totals: tuple[Entry, ...]
    total: Entry
    threshold: int
    withheld_entirely: bool

    @property
    def hides_any(self) -> bool:
        return any(e.kept_back for row in self.rows for e in (*row.entries, row.total)) or any(
            e.kept_back for e in (*self.column_totals, self.total)
        )


def counts_grid(table: FigureTable, counts: Mapping[tuple[str, int], int]) -> list[list[int]]:
    """The counts by category (in the standard's order) and column; a cell not entered is 0."""
    return [
        [counts.get((category, j), 0) for j in range(len(table.columns))]
        for category, _ in table.categories
    ]


def counts_of(table: FigureTable) -> dict[tuple[str, int], int]:
    """The table's counts by (category, column), from its prefetched cells."""
    return {(c.category, c.column): c.count for c in table.cells.all()}


def shown(table: FigureTable, counts: Mapping[tuple[str, int], int] | None = None) -> Shown:
    """The table as it may be shown (its stored counts unless `counts` are given)."""
    grid = counts_grid(table, counts_of(table) if counts is None else counts)
    limit = threshold()
    published: Published = suppress(grid, limit)
    rows = [
        Row(label, published.cells[i], published.row_totals[i])
        for i, (_, label) in enumerate(table.categories)
    ]
    return Shown(
        table=table,
        columns=list(table.columns),
        rows=rows,
        column_totals=published.column_totals,
        total=published.total,
        threshold=limit,
        withheld_entirely=published.withheld_entirely,
    )


def _value(entry: Entry) -> int | str:
    """A figure for an export: the number when shown, else why not, in words."""
    return entry.value if entry.value is not None else str(entry)


def export_table(figures: Shown) -> exports.Table[Row]:
    """The export's columns: the category, each count's heading, and the row's total."""
    heading = figures.table.get_breakdown_display()
    columns = [exports.Column(heading, lambda row: row.label)]
    for j, name in enumerate(figures.columns):
        columns.append(exports.Column(name, lambda row, j=j: _value(row.entries[j])))
    columns.append(exports.Column(TOTAL, lambda row: _value(row.total)))
    return exports.Table(str(figures.table), columns)


def export_rows(figures: Shown) -> Iterable[Row]:
    """The rows of the export: each category, then the column totals."""
    yield from figures.rows
    yield Row(TOTAL, figures.column_totals, figures.total)
