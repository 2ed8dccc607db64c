"""Small-number suppression: publishing a table of counts about people without letting anyone
learn a count under the threshold, nor work one out from what is shown.

A table has cells, a total for each row and each column, and a grand total. What is shown:

- **Primary suppression.** Every entry under the threshold (default 5, zero included), cell or
  total, is shown as "fewer than 5".
- **Secondary suppression.** More entries are withheld, shown only as "withheld", so that no
  entry kept back can be worked out from the rest. The entries chosen are the smallest that
  still protect, cells before totals.

What can be worked out. The shown values fix every entry that is not kept back. Each row's
cells add up to its total, and each column's to its total. The row totals add up to the grand
total, and so do the column totals. A "fewer than" entry lies between 0 and the threshold less
one; a withheld entry is at least the threshold. The table is protected when every entry kept
back can take at least two values that fit all of these.

The check. The table is a circulation in a small network:

- source → each row (the row's total);
- row → column (the cell);
- column → sink (the column's total);
- sink → source (the grand total).

Two tables that fit what is shown differ by a sum of cycles in the residual network of the real
table. So an entry kept back can differ from its real value exactly when its edge lies on a
cycle of that network: forwards if it may grow, backwards if it may shrink. Every edge on the
cycle must be an entry kept back, with room to move that way. The check follows the edges kept
back, with the real values. Another entry is withheld until every entry kept back lies on such
a cycle. This always ends: once everything is kept back, nothing but the bounds remains, and
the threshold is at least 2.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

DEFAULT_THRESHOLD = 5


class Kind(Enum):
    SHOWN = "shown"
    SMALL = "small"  # under the threshold: "fewer than 5"
    WITHHELD = "withheld"  # kept back so that a small one cannot be worked out


@dataclass(frozen=True)
class Entry:
    """One figure as published: its value, or None when it is kept back."""

    value: int | None
    kind: Kind
    threshold: int

    def __str__(self) -> str:
        if self.kind is Kind.SMALL:
            return f"fewer than {self.threshold}"
        if self.kind is Kind.WITHHELD:
            return "withheld"
        return str(self.value)

    @property
    def kept_back(self) -> bool:
        return self.kind is not Kind.SHOWN


@dataclass(frozen=True)
class Published:
    """A table as it may be shown: cells by row, then the totals."""

    threshold: int
    cells: tuple[tuple[Entry, ...], ...]
    row_totals: tuple[Entry, ...]
    column_totals: tuple[Entry, ...]
    total: Entry
    # True when no choice of figures to withhold could protect the small ones: nothing of the
    # table is shown but its shape.
    withheld_entirely: bool = False


# An entry of the table: ("cell", row, column), ("row", row), ("column", column) or ("total",).
Key = tuple


def _entries(counts: Sequence[Sequence[int]]) -> dict[Key, int]:
    rows, columns = len(counts), len(counts[0]) if counts else 0
    values: dict[Key, int] = {}
    for i in range(rows):
        for j in range(columns):
            values[("cell", i, j)] = counts[i][j]
        values[("row", i)] = sum(counts[i])
    for j in range(columns):
        values[("column", j)] = sum(counts[i][j] for i in range(rows))
    values[("total",)] = sum(values[("row", i)] for i in range(rows))
    return values


def _edge(key: Key) -> tuple[str, str]:
    """The entry as an edge of the network, from one node to another."""
    if key[0] == "cell":
        return f"r{key[1]}", f"c{key[2]}"
    if key[0] == "row":
        return "source", f"r{key[1]}"
    if key[0] == "column":
        return f"c{key[1]}", "sink"
    return "sink", "source"


def _room(value: int, kind: Kind, threshold: int) -> tuple[bool, bool]:
    """Whether an entry kept back could be larger, and whether smaller, as far as its own
    bounds go: "fewer than" between 0 and threshold-1, "withheld" at least the threshold."""
    if kind is Kind.SMALL:
        return value < threshold - 1, value > 0
    return True, value > threshold


def undetermined(values: dict[Key, int], kinds: dict[Key, Kind], threshold: int) -> set[Key]:
    """The entries kept back that could take another value, given everything shown."""
    # The residual network: an arc for each way an entry kept back can move.
    arcs: dict[str, list[tuple[str, Key]]] = {}
    for key, kind in kinds.items():
        if kind is Kind.SHOWN:
            continue
        start, end = _edge(key)
        up, down = _room(values[key], kind, threshold)
        if up:
            arcs.setdefault(start, []).append((end, key))
        if down:
            arcs.setdefault(end, []).append((start, key))

    def reaches(start: str, goal: str, without: Key) -> bool:
        seen, queue = {start}, deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                return True
            for nxt, key in arcs.get(node, ()):
                if key != without and nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return False

    free = set()
    for key, kind in kinds.items():
        if kind is Kind.SHOWN:
            continue
        start, end = _edge(key)
        up, down = _room(values[key], kind, threshold)
        # Growing the entry needs a way back from its end to its start; shrinking, the reverse.
        if (up and reaches(end, start, key)) or (down and reaches(start, end, key)):
            free.add(key)
    return free


def _lines(key: Key, rows: int, columns: int) -> list[list[Key]]:
    """The sums an entry takes part in, each as the list of its entries."""

    def row(i: int) -> list[Key]:
        return [("cell", i, j) for j in range(columns)] + [("row", i)]

    def column(j: int) -> list[Key]:
        return [("cell", i, j) for i in range(rows)] + [("column", j)]

    totals_row = [("column", j) for j in range(columns)] + [("total",)]
    totals_column = [("row", i) for i in range(rows)] + [("total",)]
    if key[0] == "cell":
        return [row(key[1]), column(key[2])]
    if key[0] == "row":
        return [row(key[1]), totals_column]
    if key[0] == "column":
        return [column(key[1]), totals_row]
    return [totals_row, totals_column]


def _next_to_withhold(
    exposed: list[Key], values: dict[Key, int], kinds: dict[Key, Kind], rows: int, columns: int
) -> Key:
    """The entry to withhold next, from the sums through the exposed entries: first from a sum
    with the fewest entries kept back (a lone one there is the easiest worked out); then one
    lying on the most such sums, which closes a loop of withheld figures; then a cell before a
    total, and the smallest."""
    fewest: dict[Key, int] = {}
    hits: dict[Key, int] = {}
    for key in exposed:
        for line in _lines(key, rows, columns):
            shown = [k for k in line if kinds[k] is Kind.SHOWN]
            for k in shown:
                fewest[k] = min(fewest.get(k, len(line)), len(line) - len(shown))
                hits[k] = hits.get(k, 0) + 1
    if not fewest:
        # Every sum through them is all kept back: the smallest figure still shown anywhere.
        fewest = {k: 0 for k, kind in kinds.items() if kind is Kind.SHOWN}
    return min(fewest, key=lambda k: (fewest[k], -hits.get(k, 0), k[0] != "cell", values[k], k))


def suppress(counts: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> Published:
    """`counts` (rows of non-negative whole numbers, all rows as long) as it may be published."""
    if threshold < 2:
        raise ValueError("The threshold must be at least 2: “fewer than 1” would say 0.")
    if counts and len({len(row) for row in counts}) != 1:
        raise ValueError("Every row must have as many cells.")
    if any(value < 0 for row in counts for value in row):
        raise ValueError("Counts cannot be negative.")
    rows, columns = len(counts), len(counts[0]) if counts else 0
    values = _entries(counts)
    kinds = {key: Kind.SMALL if value < threshold else Kind.SHOWN for key, value in values.items()}
    entirely = False
    while True:
        kept = {key for key, kind in kinds.items() if kind is not Kind.SHOWN}
        exposed = sorted(kept - undetermined(values, kinds, threshold))
        if not exposed:
            break
        if len(kept) == len(kinds):
            # Even with every figure kept back, telling "fewer than" from "withheld" gives one
            # away: withhold the lot, saying nothing of any size.
            kinds = dict.fromkeys(kinds, Kind.WITHHELD)
            entirely = True
            break
        kinds[_next_to_withhold(exposed, values, kinds, rows, columns)] = Kind.WITHHELD

    def entry(key: Key) -> Entry:
        kind = kinds[key]
        return Entry(values[key] if kind is Kind.SHOWN else None, kind, threshold)

    return Published(
        threshold=threshold,
        cells=tuple(tuple(entry(("cell", i, j)) for j in range(columns)) for i in range(rows)),
        row_totals=tuple(entry(("row", i)) for i in range(rows)),
        column_totals=tuple(entry(("column", j)) for j in range(columns)),
        total=entry(("total",)),
        withheld_entirely=entirely,
    )
