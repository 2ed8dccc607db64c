"""Small-number suppression (accord/core/suppression.py).

The examples are worked by hand. The property tests check every kept-back figure of any small
table against an attacker written here, independent of the module's own check. The attacker
tries every table of the same shape that fits what is shown, by brute force:

- the figures shown;
- "fewer than t" figures between 0 and t-1;
- withheld figures at least t;
- rows and columns adding up to their totals.

The table is protected when every figure kept back takes at least two values among them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.core.suppression import Entry, Kind, Published, suppress


def text(published: Published) -> dict[str, object]:
    return {
        "cells": [[str(e) for e in row] for row in published.cells],
        "rows": [str(e) for e in published.row_totals],
        "columns": [str(e) for e in published.column_totals],
        "total": str(published.total),
    }


# --- by hand ----------------------------------------------------------------------------------


def test_a_table_with_nothing_small_is_shown_whole() -> None:
    assert text(suppress([[5, 5], [5, 5]])) == {
        "cells": [["5", "5"], ["5", "5"]],
        "rows": ["10", "10"],
        "columns": ["10", "10"],
        "total": "20",
    }


def test_one_small_cell_takes_three_more_with_it() -> None:
    # Women and men, by whether they had training: 3 women did. Withholding only the 3 would
    # leave it as 23 - 20; withholding one more in its row and column leaves the fourth cell to
    # give both away, so the four cells go, and every total stays.
    assert text(suppress([[3, 20], [12, 30]])) == {
        "cells": [["fewer than 5", "withheld"], ["withheld", "withheld"]],
        "rows": ["23", "42"],
        "columns": ["15", "50"],
        "total": "65",
    }


def test_the_loop_withheld_is_the_one_through_the_small_cell() -> None:
    # 2 in the corner: its row's 50 and its column's 12 go, and the 9 that closes the loop.
    assert text(suppress([[40, 10, 7], [12, 9, 30], [2, 50, 60]]))["cells"] == [
        ["40", "10", "7"],
        ["withheld", "withheld", "30"],
        ["fewer than 5", "withheld", "60"],
    ]


def test_small_totals_are_small_too() -> None:
    assert text(suppress([[4, 1]])) == {
        "cells": [["fewer than 5", "fewer than 5"]],
        "rows": ["5"],
        "columns": ["fewer than 5", "fewer than 5"],
        "total": "5",
    }
    assert text(suppress([[0]])) == {
        "cells": [["fewer than 5"]],
        "rows": ["fewer than 5"],
        "columns": ["fewer than 5"],
        "total": "fewer than 5",
    }


def test_the_threshold_is_configurable() -> None:
    published = suppress([[7, 30], [20, 40]], threshold=10)
    assert str(published.cells[0][0]) == "fewer than 10"
    assert str(suppress([[7, 30], [20, 40]], threshold=5).cells[0][0]) == "7"


@pytest.mark.parametrize(
    ("counts", "threshold", "message"),
    [
        ([[1]], 1, "at least 2"),
        ([[1, 2], [3]], 5, "as many cells"),
        ([[-1]], 5, "negative"),
    ],
)
def test_bad_tables_are_refused(counts: list[list[int]], threshold: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress(counts, threshold)


# --- the attacker -----------------------------------------------------------------------------


def _fits(total: int, entry: Entry, threshold: int) -> bool:
    if entry.kind is Kind.SHOWN:
        return total == entry.value
    if entry.kind is Kind.SMALL:
        return total < threshold
    return total >= threshold


# How far from its real value the attacker tries a withheld cell.
REACH = 3


def _outward(low: int, high: int, start: int) -> list[int]:
    """low..high, nearest `start` first (so a table close to the real one is tried early)."""
    return sorted(range(low, high + 1), key=lambda v: (abs(v - start), v))


def completions(published: Published, real: list[list[int]]) -> Iterator[list[list[int]]]:
    """The tables that fit what is shown, with no withheld cell more than `REACH` from its real
    value: `real` bounds and orders the search. A bounded search can only miss a table, and so
    call a figure exposed that is not, never the other way round."""
    t = published.threshold
    rows_ok: list[list[list[int]]] = []
    for i, row in enumerate(published.cells):
        choices = []
        for j, entry in enumerate(row):
            if entry.kind is Kind.SHOWN:
                choices.append([entry.value])
            elif entry.kind is Kind.SMALL:
                choices.append(_outward(0, t - 1, real[i][j]))
            else:
                choices.append(_outward(t, real[i][j] + REACH, real[i][j]))
        rows_ok.append(
            [
                list(values)
                for values in itertools.product(*choices)
                if _fits(sum(values), published.row_totals[i], t)
            ]
        )
    for table in itertools.product(*rows_ok):
        columns = [sum(column) for column in zip(*table, strict=True)]
        if _fits(sum(columns), published.total, t) and all(
            _fits(c, e, t) for c, e in zip(columns, published.column_totals, strict=True)
        ):
            yield [list(row) for row in table]


def exposed_figures(published: Published, real: list[list[int]]) -> list[str]:
    """The figures kept back that take one value only in every table that fits."""
    seen: dict[str, set[int]] = {}
    kept: list[str] = []
    for i, row in enumerate(published.cells):
        kept += [f"cell {i},{j}" for j, e in enumerate(row) if e.kept_back]
    kept += [f"row {i}" for i, e in enumerate(published.row_totals) if e.kept_back]
    kept += [f"column {j}" for j, e in enumerate(published.column_totals) if e.kept_back]
    kept += ["total"] if published.total.kept_back else []
    for table in completions(published, real):
        figures = {f"cell {i},{j}": v for i, row in enumerate(table) for j, v in enumerate(row)}
        figures |= {f"row {i}": sum(row) for i, row in enumerate(table)}
        columns = [sum(c) for c in zip(*table, strict=True)]
        figures |= {f"column {j}": c for j, c in enumerate(columns)}
        figures["total"] = sum(columns)
        for name in kept:
            seen.setdefault(name, set()).add(figures[name])
        if all(len(seen[name]) > 1 for name in kept):
            return []
    return [name for name in kept if len(seen.get(name, ())) < 2]


def test_the_attacker_finds_a_lone_small_cell() -> None:
    """The attacker works: withholding only the small cell gives it away."""
    naive = Published(
        threshold=5,
        cells=(
            (Entry(None, Kind.SMALL, 5), Entry(20, Kind.SHOWN, 5)),
            (Entry(12, Kind.SHOWN, 5), Entry(30, Kind.SHOWN, 5)),
        ),
        row_totals=(Entry(23, Kind.SHOWN, 5), Entry(42, Kind.SHOWN, 5)),
        column_totals=(Entry(15, Kind.SHOWN, 5), Entry(50, Kind.SHOWN, 5)),
        total=Entry(65, Kind.SHOWN, 5),
    )
    assert exposed_figures(naive, [[3, 20], [12, 30]]) == ["cell 0,0"]


def test_the_attacker_tells_a_withheld_figure_from_a_small_one() -> None:
    """A row of one small and one withheld figure adding up to 5 gives both away: the withheld
    one is at least 5, so the small one is 0."""
    naive = Published(
        threshold=5,
        cells=((Entry(None, Kind.SMALL, 5), Entry(None, Kind.WITHHELD, 5)),),
        row_totals=(Entry(5, Kind.SHOWN, 5),),
        column_totals=(Entry(None, Kind.SMALL, 5), Entry(None, Kind.WITHHELD, 5)),
        total=Entry(5, Kind.SHOWN, 5),
    )
    assert exposed_figures(naive, [[0, 5]]) == ["cell 0,0", "cell 0,1", "column 0", "column 1"]


# --- any table --------------------------------------------------------------------------------


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[int]], int]:
    rows = draw(st.integers(1, 3))
    columns = draw(st.integers(1, 3))
    threshold = draw(st.integers(2, 6))
    value = st.integers(0, 2 * threshold + 2)
    counts = draw(
        st.lists(st.lists(value, min_size=columns, max_size=columns), min_size=rows, max_size=rows)
    )
    return counts, threshold


@settings(max_examples=150, deadline=None)
@given(tables())
def test_no_figure_kept_back_can_be_worked_out(table: tuple[list[list[int]], int]) -> None:
    counts, threshold = table
    published = suppress(counts, threshold)
    if published.withheld_entirely:
        # Nothing is shown but the table's shape.
        assert all(e.value is None for row in published.cells for e in row)
        return
    assert exposed_figures(published, counts) == []


@settings(max_examples=150, deadline=None)
@given(tables())
def test_what_is_shown_is_true_and_every_small_figure_is_kept_back(
    table: tuple[list[list[int]], int],
) -> None:
    counts, threshold = table
    published = suppress(counts, threshold)
    real = {
        **{("cell", i, j): v for i, row in enumerate(counts) for j, v in enumerate(row)},
        **{("row", i): sum(row) for i, row in enumerate(counts)},
        **{("column", j): sum(c) for j, c in enumerate(zip(*counts, strict=True))},
        ("total",): sum(map(sum, counts)),
    }
    shown = {
        **{("cell", i, j): e for i, row in enumerate(published.cells) for j, e in enumerate(row)},
        **{("row", i): e for i, e in enumerate(published.row_totals)},
        **{("column", j): e for j, e in enumerate(published.column_totals)},
        ("total",): published.total,
    }
    for key, entry in shown.items():
        if real[key] < threshold and not published.withheld_entirely:
            assert entry.kind is Kind.SMALL, key
        if entry.kind is Kind.SMALL:
            assert real[key] < threshold, key
        if entry.kind is Kind.SHOWN:
            assert entry.value == real[key], key
        if entry.kind is Kind.WITHHELD and not published.withheld_entirely:
            assert real[key] >= threshold, key
