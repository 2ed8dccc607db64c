"""Charts of items against time or against each other: the timeline and the grid."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .base import NOT_SHOWN, WIDTH, Chart, chart_id, colour, legend
from .svg import (
    INK,
    MUTED,
    PALETTE,
    PAPER,
    RULE,
    SEQUENTIAL,
    fits,
    frame,
    not_shown_pattern,
    num,
    text,
    text_width,
)


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
    colours: Mapping[str, str] | None = None,
    header: Sequence[str] = ("Item", "Date", "Category"),
    id: str | None = None,
) -> Chart:
    """One row a mark: a line from the start of the first month to its date, and a dot on the
    date, coloured by its category (`colours`, or the palette in the order of `categories`),
    with the date and the category written beside it, so that colour is never the only clue.
    The table gives each mark's label, date (as drawn: 31 Oct 2008) and category."""
    cid = chart_id(id)
    fills = {c: PALETTE[i % len(PALETTE)][0] for i, c in enumerate(categories)}
    fills.update({category: colour(c) for category, c in (colours or {}).items()})
    table = [[m.label, f"{m.on:%-d %b %Y}", m.category] for m in marks]
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
        ink = fills.get(m.category, INK)
        body.append(
            f'<text x="{num(label_w - 8)}" y="{num(y + 4)}" text-anchor="end">'
            f"{text(fits(m.label, label_w - 8))}</text>"
            f'<line x1="{num(label_w)}" y1="{num(y)}" x2="{num(x(m.on))}" y2="{num(y)}" '
            f'stroke="{ink}" stroke-width="3"/>'
            f'<circle cx="{num(x(m.on))}" cy="{num(y)}" r="6" fill="{ink}" stroke="{INK}"/>'
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
    cid = chart_id(id)
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
    key, key_h = legend(entries, key_y, width=width)
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
