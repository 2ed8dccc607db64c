"""No figure kept back can be worked out from what a table's page or its exports show, for any
table: the page and the CSV are read back as a visitor would read them, and handed to the
brute-force attacker of accord/core/tests/test_suppression.py, which tries every table of the
same shape that fits them. And what they show as a number is the true number, never under the
threshold."""

from __future__ import annotations

import csv
import datetime
import io
import re

from django.template.loader import render_to_string
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.core.suppression import Entry, Kind, Published
from accord.core.tests.test_suppression import exposed_figures
from accord.workforce import published
from accord.workforce.models import Breakdown, FigureTable

CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)


def _table(breakdown: str, columns: int) -> FigureTable:
    """A table as the pages get it; unsaved, since only what it shows is asked of it."""
    return FigureTable(
        measure="Access to training",
        breakdown=breakdown,
        columns=[f"Column {j + 1}" for j in range(columns)],
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2026, 3, 31),
    )


def _entry(text: str, threshold: int) -> Entry:
    """A figure as a reader takes it from the page: nothing but the words shown."""
    if text == f"fewer than {threshold}":
        return Entry(None, Kind.SMALL, threshold)
    if text == "withheld":
        return Entry(None, Kind.WITHHELD, threshold)
    return Entry(int(text), Kind.SHOWN, threshold)


def _as_published(grid: list[list[str]], threshold: int) -> Published:
    """Rows of [cells..., row total], the last row the column totals and the grand total."""
    entries = [[_entry(t, threshold) for t in row] for row in grid]
    return Published(
        threshold=threshold,
        cells=tuple(tuple(row[:-1]) for row in entries[:-1]),
        row_totals=tuple(row[-1] for row in entries[:-1]),
        column_totals=tuple(entries[-1][:-1]),
        total=entries[-1][-1],
    )


def _page_grid(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</table>", 1)[0]
    return [[c.strip() for c in CELL.findall(row)] for row in ROW.findall(body)]


def _csv_grid(text: str) -> list[list[str]]:
    return [row[1:] for row in list(csv.reader(io.StringIO(text)))[1:]]


@st.composite
def tables(draw: st.DrawFn) -> tuple[FigureTable, dict[tuple[str, int], int], int]:
    # Sex and disability have three categories each: the attacker's brute force stays quick.
    table = _table(
        draw(st.sampled_from([Breakdown.SEX, Breakdown.DISABILITY])), draw(st.integers(1, 3))
    )
    threshold = draw(st.integers(2, 6))
    value = st.integers(0, 2 * threshold + 2)
    counts = {
        (category, j): draw(value)
        for category, _ in table.categories
        for j in range(len(table.columns))
    }
    return table, counts, threshold


def _check(shown: Published, grid: list[list[int]], threshold: int, withheld_all: bool) -> None:
    numbers = [
        e.value
        for e in (
            *[e for row in shown.cells for e in row],
            *shown.row_totals,
            *shown.column_totals,
            shown.total,
        )
        if e.value is not None
    ]
    assert all(n >= threshold for n in numbers)
    if withheld_all:
        assert not numbers
        return
    assert exposed_figures(shown, grid) == []


@settings(max_examples=120, deadline=None)
@given(tables())
def test_nothing_kept_back_can_be_worked_out_from_the_page(table_counts) -> None:  # type: ignore[no-untyped-def]
    table, counts, threshold = table_counts
    with override_settings(ACCORD_SUPPRESSION_THRESHOLD=threshold):
        figures = published.shown(table, counts)
        html = render_to_string("workforce/figures.html", {"figures": figures})
    shown = _as_published(_page_grid(html), threshold)
    grid = published.counts_grid(table, counts)
    _check(shown, grid, threshold, figures.withheld_entirely)


@settings(max_examples=120, deadline=None)
@given(tables())
def test_nothing_kept_back_can_be_worked_out_from_the_export(table_counts) -> None:  # type: ignore[no-untyped-def]
    table, counts, threshold = table_counts
    with override_settings(ACCORD_SUPPRESSION_THRESHOLD=threshold):
        figures = published.shown(table, counts)
        text = "".join(published.export_table(figures).csv_lines(published.export_rows(figures)))
    shown = _as_published(_csv_grid(text.lstrip("\ufeff")), threshold)
    grid = published.counts_grid(table, counts)
    _check(shown, grid, threshold, figures.withheld_entirely)


def test_the_reader_of_the_page_would_catch_a_table_shown_raw() -> None:
    """The property can fail: a page showing a small count as a number is caught."""
    table = _table(Breakdown.SEX, 2)
    counts = {("female", 0): 3, ("female", 1): 20, ("male", 0): 12, ("male", 1): 30}
    html = render_to_string("workforce/figures.html", {"figures": published.shown(table, counts)})
    rows = _page_grid(html)
    assert rows[0][:2] == ["fewer than 5", "withheld"]
    rows[0][1] = "20"  # a page that forgot to withhold the cell beside the small one
    shown = _as_published(rows, 5)
    assert exposed_figures(shown, published.counts_grid(table, counts)) != []
