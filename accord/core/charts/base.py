"""What every chart kind shares: the Chart (picture and table), and the checks and key."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from .svg import (
    INK,
    PALETTE,
    new_id,
    not_shown_pattern,
    num,
    pattern,
    text,
    text_width,
)

WIDTH = 640
NOT_SHOWN = "not shown"

Value = float | int | None


@dataclass(frozen=True)
class Chart:
    """A picture and its data table: `header` names the table's columns, and each row of
    `rows` starts with the row's heading. A value of None is shown as `missing`."""

    id: str
    title: str
    description: str
    svg: SafeString
    header: list[str]
    rows: list[list[Any]]
    missing: str = NOT_SHOWN


_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def chart_id(given: str | None) -> str:
    """The id the chart's parts are named from: `given` if it is a plain id, else a new one."""
    if given is None:
        return new_id()
    if not _ID.fullmatch(given):
        raise ValueError(f"A chart's id is letters, digits, - and _, not {given!r}.")
    return given


def check(values: Sequence[Value]) -> None:
    """Refuse what cannot be drawn as a length: negative, infinite or not a number."""
    for value in values:
        if value is None:
            continue
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise ValueError(f"A chart draws counts and amounts of zero or more, not {value!r}.")


def top_of(values: Sequence[Value]) -> float:
    """The largest value shown, or 1 when there is none, so that scales never divide by 0."""
    shown = [v for v in values if v is not None]
    return max(shown, default=0) or 1


def legend(
    entries: Sequence[tuple[str, str]], y: float, *, width: float = WIDTH
) -> tuple[list[str], float]:
    """A key of (fill, label) swatches, wrapped over lines; its parts and its height."""
    parts: list[str] = []
    x, line = 0.0, 0
    for fill, label in entries:
        room = 14 + 6 + text_width(label) + 18
        if x and x + room > width:
            x, line = 0.0, line + 1
        top = y + line * 22
        parts.append(
            f'<rect x="{num(x)}" y="{num(top)}" width="14" height="14" fill="{fill}" '
            f'stroke="{INK}"/>'
            f'<text x="{num(x + 20)}" y="{num(top + 11.5)}">{text(label)}</text>'
        )
        x += room
    return parts, (line + 1) * 22 if entries else 0


COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def colour(value: str) -> str:
    """`value` if it is a colour written #rrggbb (all a caller may pass into a picture)."""
    if not COLOUR.fullmatch(value):
        raise ValueError(f"A colour is written #rrggbb, not {value!r}.")
    return value


def series_defs(
    cid: str, names: Sequence[str], colours: Sequence[str] | None = None
) -> tuple[list[str], list[str]]:
    """A pattern per series (on `colours`, or the palette in order), and the fill of each."""
    if colours is not None and len(colours) != len(names):
        raise ValueError(f"{len(colours)} colours for {len(names)} series.")
    chosen = (
        [colour(c) for c in colours]
        if colours is not None
        else [PALETTE[i % len(PALETTE)][0] for i in range(len(names))]
    )
    defs = [pattern(f"{cid}-s{i}", i, chosen[i]) for i in range(len(names))]
    defs.append(not_shown_pattern(f"{cid}-ns"))
    return defs, [f"url(#{cid}-s{i})" for i in range(len(names))]


def series_rows(
    categories: Sequence[str], series: Sequence[tuple[str, Sequence[Value]]]
) -> list[list[Any]]:
    """The table of series by category: one row a category, one column a series."""
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"Series {name!r} has {len(values)} values for {len(categories)}.")
        check(values)
    return [
        [category, *(values[i] for _, values in series)] for i, category in enumerate(categories)
    ]
