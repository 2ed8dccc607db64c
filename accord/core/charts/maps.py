"""The tile map: places as equal tiles on a grid, shaded by their figure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .base import NOT_SHOWN, Chart, Value, chart_id, check, legend, top_of
from .svg import (
    INK,
    SEQUENTIAL,
    attr,
    fits,
    fmt,
    frame,
    label_box,
    nice_ceiling,
    not_shown_pattern,
    num,
    text,
    text_width,
)


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
    check([t.value for t in tiles])
    cid = chart_id(id)
    tile_w, tile_h, gap = 104, 60, 4
    cols = max((t.column for t in tiles), default=1)
    rows_n = max((t.row for t in tiles), default=1)
    classes = _classes(top_of([t.value for t in tiles]))
    whole = all(float(t.value).is_integer() for t in tiles if t.value is not None)
    entries = []
    for i, (above, upto) in enumerate(classes):
        low = (fmt(math.floor(above) + 1) if i else "0") if whole else fmt(above)
        entries.append((SEQUENTIAL[i][0], f"{low} to {fmt(upto)}"))
    if any(t.value is None for t in tiles):
        entries.append((f"url(#{cid}-ns)", missing))
    map_w = cols * (tile_w + gap)
    key, key_h = legend(entries, 0, width=max(map_w, 300))
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
