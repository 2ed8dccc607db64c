"""Bars and columns: one series as bars, several stacked in a bar, or grouped in columns."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .base import (
    NOT_SHOWN,
    WIDTH,
    Chart,
    Value,
    chart_id,
    check,
    legend,
    series_defs,
    series_rows,
    top_of,
)
from .svg import (
    INK,
    MUTED,
    PALETTE,
    RULE,
    fits,
    fmt,
    frame,
    label_box,
    nice_ceiling,
    num,
    text,
    text_width,
)


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
    check(values)
    cid = chart_id(id)
    labels = [str(label) for label, _ in rows]
    label_w = min(max((text_width(lab) for lab in labels), default=0) + 12, WIDTH * 0.4)
    value_w = max(text_width(missing), text_width(fmt(top_of(values)))) + 12
    plot_w = WIDTH - label_w - value_w
    top = top_of(values)
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


def stacked_bar(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    unit: str,
    label_heading: str = "Category",
    missing: str = NOT_SHOWN,
    colours: Sequence[str] | None = None,
    id: str | None = None,
) -> Chart:
    """Horizontal bars, one a category, each split into its series (patterned, with a key);
    each part's value is written on it where it fits, and the total at the bar's end. A value
    of None is left out of the bar and named after it as not shown."""
    table = series_rows(categories, series)
    cid = chart_id(id)
    names = [name for name, _ in series]
    defs, fills = series_defs(cid, names, colours)
    totals = [sum(v for v in row[1:] if v is not None) for row in table]
    top = max(totals, default=0) or 1
    labels = [str(c) for c in categories]
    label_w = min(max((text_width(lab) for lab in labels), default=0) + 12, WIDTH * 0.4)
    value_w = text_width(f"{fmt(top)} in all") + 12
    plot_w = WIDTH - label_w - value_w
    key, key_h = legend(list(zip(fills, names, strict=True)), 0)
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
    colours: Sequence[str] | None = None,
    id: str | None = None,
) -> Chart:
    """Grouped columns, one group a category (months, say), one patterned column a series,
    on a scale whose figures are written on the left; each value is written above its column
    where there is room. A value of None is a small hatched square on the base line."""
    table = series_rows(categories, series)
    cid = chart_id(id)
    names = [name for name, _ in series]
    defs, fills = series_defs(cid, names, colours)
    values = [v for row in table for v in row[1:]]
    top = nice_ceiling(top_of(values))
    entries = list(zip(fills, names, strict=True))
    if any(v is None for v in values):
        entries.append((f"url(#{cid}-ns)", missing))
    key, key_h = legend(entries, 0)
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
