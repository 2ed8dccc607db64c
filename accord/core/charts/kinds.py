"""The chart kinds: each takes figures and returns a Chart, the SVG picture and the same
figures as a table."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString

from .svg import (
    INK,
    MUTED,
    PALETTE,
    PAPER,
    RULE,
    SEQUENTIAL,
    attr,
    fits,
    fmt,
    frame,
    label_box,
    new_id,
    nice_ceiling,
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


@dataclass(frozen=True)
class Tile:
    """A place on a tile map: its code, its name, where it sits (column and row, from 1) and
    its figure; `short` is the name drawn on the tile when the whole one is too long."""

    code: str
    label: str
    column: int
    row: int
    value: Value = None
    short: str = ""


@dataclass(frozen=True)
class GridCell:
    """A cell of a grid chart: its shade (an index into the grid's `levels`), what the table
    says of it, what is drawn on it, and whether it is outlined in bold."""

    level: int
    text: str
    mark: str = ""
    strong: bool = False


@dataclass(frozen=True)
class Mark:
    """A dated event on a timeline: its label, its date and its category."""

    label: str
    on: datetime.date
    category: str
    note: str = field(default="")


_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def _chart_id(given: str | None) -> str:
    """The id the chart's parts are named from: `given` if it is a plain id, else a new one."""
    if given is None:
        return new_id()
    if not _ID.fullmatch(given):
        raise ValueError(f"A chart's id is letters, digits, - and _, not {given!r}.")
    return given


def _check(values: Sequence[Value]) -> None:
    for value in values:
        if value is not None and (not isinstance(value, int | float) or value < 0):
            raise ValueError(f"A chart draws counts and amounts of zero or more, not {value!r}.")


def _top(values: Sequence[Value]) -> float:
    shown = [v for v in values if v is not None]
    return max(shown, default=0) or 1


def _key(
    chart_id: str, entries: Sequence[tuple[str, str]], y: float, *, width: float = WIDTH
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


def bar(
    *,
    title: str,
    description: str,
    rows: Sequence[tuple[str, Value]],
    unit: str,
    label_heading: str = "Category",
    missing: str = NOT_SHOWN,
    id: str | None = None,
) -> Chart:
    """Horizontal bars, one a row, labels on the left and each value written at its bar's end;
    a value of None is written as `missing` with no bar."""
    values = [v for _, v in rows]
    _check(values)
    cid = _chart_id(id)
    labels = [str(label) for label, _ in rows]
    label_w = min(max((text_width(lab) for lab in labels), default=0) + 12, WIDTH * 0.4)
    value_w = max(text_width(missing), text_width(fmt(_top(values)))) + 12
    plot_w = WIDTH - label_w - value_w
    top = _top(values)
    row_h, bar_h = 28, 18
    height = row_h * len(rows) + 8
    body: list[str] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 4 + i * row_h
        mid = y + row_h / 2 + 4.5
        body.append(
            f'<text x="{num(label_w - 8)}" y="{num(mid)}" text-anchor="end">'
            f"{text(fits(label, label_w - 8))}</text>"
        )
        if value is None:
            body.append(
                f'<text x="{num(label_w + 4)}" y="{num(mid)}" fill="{MUTED}" '
                f'font-style="italic">{text(missing)}</text>'
            )
            continue
        length = plot_w * value / top
        body.append(
            f'<rect class="chart__bar" x="{num(label_w)}" y="{num(y + (row_h - bar_h) / 2)}" '
            f'width="{num(length)}" height="{bar_h}" fill="{PALETTE[0][0]}" stroke="{INK}" '
            f'stroke-width="0.5" data-value="{num(value)}"/>'
            f'<text x="{num(label_w + length + 6)}" y="{num(mid)}">{text(fmt(value))}</text>'
        )
    body.append(
        f'<line x1="{num(label_w)}" y1="0" x2="{num(label_w)}" y2="{num(height)}" stroke="{INK}"/>'
    )
    svg = frame(
        chart_id=cid,
        title=title,
        description=description,
        width=WIDTH,
        height=height,
        defs=[],
        body=body,
    )
    return Chart(
        id=cid,
        title=title,
        description=description,
        svg=svg,
        header=[label_heading, unit[:1].upper() + unit[1:]],
        rows=[[label, value] for label, value in zip(labels, values, strict=True)],
        missing=missing,
    )


def _series_defs(cid: str, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """A pattern per series, and the fill that refers to each."""
    defs = [pattern(f"{cid}-s{i}", i, PALETTE[i % len(PALETTE)][0]) for i in range(len(names))]
    defs.append(not_shown_pattern(f"{cid}-ns"))
    return defs, [f"url(#{cid}-s{i})" for i in range(len(names))]


def _series_rows(
    categories: Sequence[str], series: Sequence[tuple[str, Sequence[Value]]]
) -> list[list[Any]]:
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"Series {name!r} has {len(values)} values for {len(categories)}.")
        _check(values)
    return [
        [category, *(values[i] for _, values in series)] for i, category in enumerate(categories)
    ]


def stacked_bar(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    unit: str,
    label_heading: str = "Category",
    missing: str = NOT_SHOWN,
    id: str | None = None,
) -> Chart:
    """Horizontal bars, one a category, each split into its series (patterned, with a key);
    each part's value is written on it where it fits, and the total at the bar's end. A value
    of None is left out of the bar and named after it as not shown."""
    table = _series_rows(categories, series)
    cid = _chart_id(id)
    names = [name for name, _ in series]
    defs, fills = _series_defs(cid, names)
    totals = [sum(v for v in row[1:] if v is not None) for row in table]
    top = max(totals, default=0) or 1
    labels = [str(c) for c in categories]
    label_w = min(max((text_width(lab) for lab in labels), default=0) + 12, WIDTH * 0.4)
    value_w = text_width(f"{fmt(top)} in all") + 12
    plot_w = WIDTH - label_w - value_w
    key, key_h = _key(cid, list(zip(fills, names, strict=True)), 0)
    row_h, bar_h = 32, 22
    body = list(key)
    for i, row in enumerate(table):
        y = key_h + 8 + i * row_h
        mid = y + row_h / 2 + 4.5
        body.append(
            f'<text x="{num(label_w - 8)}" y="{num(mid)}" text-anchor="end">'
            f"{text(fits(labels[i], label_w - 8))}</text>"
        )
        x = label_w
        hidden = []
        for s, value in enumerate(row[1:]):
            if value is None:
                hidden.append(names[s])
                continue
            length = plot_w * value / top
            if length:
                body.append(
                    f'<rect class="chart__bar" x="{num(x)}" y="{num(y + (row_h - bar_h) / 2)}" '
                    f'width="{num(length)}" height="{bar_h}" fill="{fills[s]}" stroke="{INK}" '
                    f'data-value="{num(value)}"/>'
                )
            if length >= text_width(fmt(value), 12) + 10:
                body.append(label_box(x + length / 2, mid, fmt(value)))
            x += length
        end = f"{fmt(totals[i])} in all" if not hidden else f"{', '.join(hidden)} {missing}"
        colour = MUTED if hidden else INK
        body.append(
            f'<text x="{num(x + 6)}" y="{num(mid)}" fill="{colour}">'
            f"{text(fits(end, WIDTH - x - 6))}</text>"
        )
    height = key_h + 8 + row_h * len(table) + 4
    body.append(
        f'<line x1="{num(label_w)}" y1="{num(key_h + 4)}" x2="{num(label_w)}" '
        f'y2="{num(height)}" stroke="{INK}"/>'
    )
    svg = frame(
        chart_id=cid,
        title=title,
        description=description,
        width=WIDTH,
        height=height,
        defs=defs,
        body=body,
    )
    return Chart(
        id=cid,
        title=title,
        description=description,
        svg=svg,
        header=[label_heading, *names],
        rows=table,
        missing=missing,
    )


def columns(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    unit: str,
    label_heading: str = "Period",
    missing: str = NOT_SHOWN,
    id: str | None = None,
) -> Chart:
    """Grouped columns, one group a category (months, say), one patterned column a series,
    on a scale whose figures are written on the left; each value is written above its column
    where there is room. A value of None is a small hatched square on the base line."""
    table = _series_rows(categories, series)
    cid = _chart_id(id)
    names = [name for name, _ in series]
    defs, fills = _series_defs(cid, names)
    values = [v for row in table for v in row[1:]]
    top = nice_ceiling(_top(values))
    entries = list(zip(fills, names, strict=True))
    if any(v is None for v in values):
        entries.append((f"url(#{cid}-ns)", missing))
    key, key_h = _key(cid, entries, 0)
    axis_w = text_width(fmt(top)) + 10
    plot_top, plot_h = key_h + 14, 220
    plot_w = WIDTH - axis_w - 4
    base = plot_top + plot_h
    body = list(key)
    for step in range(5):
        tick = top * step / 4
        y = base - plot_h * step / 4
        body.append(
            f'<line x1="{num(axis_w)}" y1="{num(y)}" x2="{num(WIDTH)}" y2="{num(y)}" '
            f'stroke="{RULE if step else INK}"/>'
            f'<text x="{num(axis_w - 6)}" y="{num(y + 4)}" text-anchor="end" fill="{MUTED}" '
            f'font-size="12">{text(fmt(tick))}</text>'
        )
    group_w = plot_w / max(len(table), 1)
    col_w = group_w * 0.8 / max(len(names), 1)
    show_values = col_w >= text_width(fmt(top), 11) + 2
    label_every = max(
        1, math.ceil(max((text_width(str(c), 12) for c in categories), default=0) / group_w + 0.2)
    )
    for i, row in enumerate(table):
        gx = axis_w + i * group_w + group_w * 0.1
        for s, value in enumerate(row[1:]):
            x = gx + s * col_w
            if value is None:
                body.append(
                    f'<rect x="{num(x + col_w / 2 - 4)}" y="{num(base - 8)}" width="8" '
                    f'height="8" fill="url(#{cid}-ns)" stroke="{MUTED}"/>'
                )
                continue
            h = plot_h * value / top
            if h:
                body.append(
                    f'<rect class="chart__bar" x="{num(x)}" y="{num(base - h)}" '
                    f'width="{num(col_w)}" height="{num(h)}" fill="{fills[s]}" stroke="{INK}" '
                    f'stroke-width="0.5" data-value="{num(value)}"/>'
                )
            if show_values:
                body.append(
                    f'<text x="{num(x + col_w / 2)}" y="{num(base - h - 4)}" '
                    f'text-anchor="middle" font-size="11">{text(fmt(value))}</text>'
                )
        if i % label_every == 0:
            body.append(
                f'<text x="{num(axis_w + i * group_w + group_w / 2)}" y="{num(base + 16)}" '
                f'text-anchor="middle" font-size="12">{text(row[0])}</text>'
            )
    height = base + 26
    svg = frame(
        chart_id=cid,
        title=title,
        description=description,
        width=WIDTH,
        height=height,
        defs=defs,
        body=body,
    )
    return Chart(
        id=cid,
        title=title,
        description=description,
        svg=svg,
        header=[label_heading, *names],
        rows=table,
        missing=missing,
    )


def _classes(top: float) -> list[tuple[float, float]]:
    """Five equal classes from 0 to a round number at or above `top`: (above, up to)."""
    ceiling = nice_ceiling(top)
    step = ceiling / len(SEQUENTIAL)
    return [(step * i, step * (i + 1)) for i in range(len(SEQUENTIAL))]


def _class_of(value: float, classes: list[tuple[float, float]]) -> int:
    for i, (_, upto) in enumerate(classes):
        if value <= upto:
            return i
    return len(classes) - 1


def tile_map(
    *,
    title: str,
    description: str,
    tiles: Sequence[Tile],
    unit: str,
    label_heading: str = "Region",
    missing: str = NOT_SHOWN,
    id: str | None = None,
) -> Chart:
    """A map of equal tiles, shaded from light (fewer) to dark (more) in five classes with a
    key, each tile carrying its name and figure; a tile whose value is None is hatched and
    says `missing`."""
    _check([t.value for t in tiles])
    cid = _chart_id(id)
    tile_w, tile_h, gap = 104, 60, 4
    cols = max((t.column for t in tiles), default=1)
    rows_n = max((t.row for t in tiles), default=1)
    classes = _classes(_top([t.value for t in tiles]))
    whole = all(float(t.value).is_integer() for t in tiles if t.value is not None)
    entries = []
    for i, (above, upto) in enumerate(classes):
        low = (fmt(math.floor(above) + 1) if i else "0") if whole else fmt(above)
        entries.append((SEQUENTIAL[i][0], f"{low} to {fmt(upto)}"))
    if any(t.value is None for t in tiles):
        entries.append((f"url(#{cid}-ns)", missing))
    map_w = cols * (tile_w + gap)
    key, key_h = _key(cid, entries, 0, width=max(map_w, 300))
    width = max(map_w, 300)
    body = list(key)
    top_y = key_h + 8
    for t in tiles:
        x = (t.column - 1) * (tile_w + gap)
        y = top_y + (t.row - 1) * (tile_h + gap)
        name = t.label if text_width(t.label, 12) <= tile_w - 8 else (t.short or t.label)
        if t.value is None:
            fill, ink, figure = f"url(#{cid}-ns)", INK, missing
        else:
            fill, ink = SEQUENTIAL[_class_of(t.value, classes)]
            figure = fmt(t.value)
        body.append(
            f'<rect class="chart__tile" x="{num(x)}" y="{num(y)}" width="{tile_w}" '
            f'height="{tile_h}" fill="{fill}" stroke="{INK}" data-code="{attr(t.code)}"/>'
        )
        if t.value is None:
            body.append(label_box(x + tile_w / 2, y + 24, fits(name, tile_w - 10, 12)))
            body.append(label_box(x + tile_w / 2, y + 44, figure))
        else:
            body.append(
                f'<text x="{num(x + tile_w / 2)}" y="{num(y + 24)}" text-anchor="middle" '
                f'font-size="12" fill="{ink}">{text(fits(name, tile_w - 10, 12))}</text>'
                f'<text x="{num(x + tile_w / 2)}" y="{num(y + 45)}" text-anchor="middle" '
                f'font-size="15" font-weight="bold" fill="{ink}">{text(figure)}</text>'
            )
    height = top_y + rows_n * (tile_h + gap)
    svg = frame(
        chart_id=cid,
        title=title,
        description=description,
        width=width,
        height=height,
        defs=[not_shown_pattern(f"{cid}-ns")],
        body=body,
    )
    return Chart(
        id=cid,
        title=title,
        description=description,
        svg=svg,
        header=[label_heading, unit[:1].upper() + unit[1:]],
        rows=[[t.label, t.value] for t in sorted(tiles, key=lambda t: (t.row, t.column))],
        missing=missing,
    )


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    month, found = first.replace(day=1), []
    while month <= last:
        found.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return found


def timeline(
    *,
    title: str,
    description: str,
    marks: Sequence[Mark],
    categories: Sequence[str],
    header: Sequence[str] = ("Item", "Date", "Category"),
    id: str | None = None,
) -> Chart:
    """One row a mark: a line from the start of the first month to its date, and a dot on the
    date, coloured by its category (in the order of `categories`), with the date and the
    category written beside it."""
    cid = _chart_id(id)
    colours = {c: PALETTE[i % len(PALETTE)][0] for i, c in enumerate(categories)}
    table = [[m.label, m.on, m.category] for m in marks]
    if not marks:
        svg = frame(
            chart_id=cid,
            title=title,
            description=description,
            width=WIDTH,
            height=20,
            defs=[],
            body=[],
        )
        return Chart(
            id=cid, title=title, description=description, svg=svg, header=list(header), rows=table
        )
    first = min(m.on for m in marks).replace(day=1)
    months = _months(first, max(m.on for m in marks))
    end = (months[-1].replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    span = max((end - first).days, 1)
    label_w = min(max(text_width(m.label) for m in marks) + 12, 120)
    note_w = max(text_width(f"{m.on:%-d %b %Y} ({m.category})", 12) for m in marks) + 16
    plot_w = max(WIDTH - label_w - note_w, 200)
    width = label_w + plot_w + note_w
    row_h, top = 26, 30

    def x(day: datetime.date) -> float:
        return label_w + plot_w * (day - first).days / span

    height = top + row_h * len(marks) + 10
    body: list[str] = []
    every = max(1, math.ceil(len(months) * 62 / plot_w))
    for i, month in enumerate(months):
        body.append(
            f'<line x1="{num(x(month))}" y1="{top - 8}" x2="{num(x(month))}" '
            f'y2="{num(height - 6)}" stroke="{RULE}"/>'
        )
        if i % every == 0:
            body.append(
                f'<text x="{num(x(month) + 2)}" y="{top - 12}" font-size="12" '
                f'fill="{MUTED}">{month:%b %Y}</text>'
            )
    for row, m in enumerate(marks):
        y = top + row * row_h + row_h / 2
        colour = colours.get(m.category, INK)
        body.append(
            f'<text x="{num(label_w - 8)}" y="{num(y + 4)}" text-anchor="end">'
            f"{text(fits(m.label, label_w - 8))}</text>"
            f'<line x1="{num(label_w)}" y1="{num(y)}" x2="{num(x(m.on))}" y2="{num(y)}" '
            f'stroke="{colour}" stroke-width="3"/>'
            f'<circle cx="{num(x(m.on))}" cy="{num(y)}" r="6" fill="{colour}" stroke="{INK}"/>'
            f'<text x="{num(x(m.on) + 10)}" y="{num(y + 4)}" font-size="12">'
            f"{m.on:%-d %b %Y} ({text(m.category)})</text>"
        )
    svg = frame(
        chart_id=cid,
        title=title,
        description=description,
        width=width,
        height=height,
        defs=[],
        body=body,
    )
    return Chart(
        id=cid, title=title, description=description, svg=svg, header=list(header), rows=table
    )


def grid(
    *,
    title: str,
    description: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Sequence[Sequence[GridCell | None]],
    levels: Sequence[str],
    corner: str = "",
    strong_means: str = "",
    missing: str = NOT_SHOWN,
    id: str | None = None,
) -> Chart:
    """A grid of rows by columns, each cell shaded by its level (light to dark, with a key)
    and carrying its mark in words; a strong cell has a bold border (said in the key). The
    table gives each cell's text."""
    cid = _chart_id(id)
    shades = [SEQUENTIAL[round(i * 4 / max(len(levels) - 1, 1))] for i in range(len(levels))]
    label_w = min(max((text_width(lab) for lab in row_labels), default=0) + 12, 240)
    cell_w, cell_h, top = 120, 34, 40
    body: list[str] = []
    for i, column in enumerate(column_labels):
        body.append(
            f'<text x="{num(label_w + i * cell_w + cell_w / 2)}" y="{top - 12}" '
            f'text-anchor="middle" font-weight="bold">{text(fits(column, cell_w - 4))}</text>'
        )
    for j, (label, row) in enumerate(zip(row_labels, cells, strict=True)):
        y = top + j * cell_h
        body.append(
            f'<text x="0" y="{num(y + cell_h / 2 + 4)}">{text(fits(label, label_w - 8))}</text>'
        )
        for i, cell in enumerate(row):
            x = label_w + i * cell_w
            fill, ink = shades[cell.level] if cell else (f"url(#{cid}-ns)", INK)
            body.append(
                f'<rect x="{num(x + 2)}" y="{num(y + 2)}" width="{cell_w - 4}" '
                f'height="{cell_h - 4}" fill="{fill}" stroke="{INK}" '
                f'stroke-width="{3 if cell and cell.strong else 1}"/>'
            )
            if cell and cell.mark:
                body.append(
                    f'<text x="{num(x + cell_w / 2)}" y="{num(y + cell_h / 2 + 4)}" '
                    f'text-anchor="middle" font-weight="bold" fill="{ink}">'
                    f"{text(fits(cell.mark, cell_w - 10))}</text>"
                )
    entries = [(shade, label) for (shade, _), label in zip(shades, levels, strict=True)]
    if any(c is None for row in cells for c in row):
        entries.append((f"url(#{cid}-ns)", missing))
    width = max(label_w + cell_w * len(column_labels) + 10, 520)
    key_y = top + cell_h * len(row_labels) + 12
    key, key_h = _key(cid, entries, key_y, width=width)
    body.extend(key)
    if strong_means:
        body.append(
            f'<rect x="0" y="{num(key_y + key_h)}" width="14" height="14" fill="{PAPER}" '
            f'stroke="{INK}" stroke-width="3"/>'
            f'<text x="20" y="{num(key_y + key_h + 11.5)}">Bold border: {text(strong_means)}'
            "</text>"
        )
        key_h += 22
    svg = frame(
        chart_id=cid,
        title=title,
        description=description,
        width=width,
        height=key_y + key_h + 4,
        defs=[not_shown_pattern(f"{cid}-ns")],
        body=body,
    )
    return Chart(
        id=cid,
        title=title,
        description=description,
        svg=svg,
        header=[corner, *column_labels],
        rows=[
            [label, *(c.text if c else None for c in row)]
            for label, row in zip(row_labels, cells, strict=True)
        ],
        missing=missing,
    )
