"""The drawing primitives the chart kinds share: escaping, colours, patterns and the frame of
an accessible SVG picture (role, title, description)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe

# XML 1.0 cannot carry most C0 controls, even escaped, and a bidi override would make a label
# read differently from what is stored: neither reaches the picture.
_NOT_DRAWN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)

INK = "#0b0c0c"  # text and outlines: 19.3:1 on white
MUTED = "#505a5f"  # secondary text (axes, "not shown"): 7.0:1 on white
RULE = "#b1b4b6"  # grid lines, a picture's furniture, never the only carrier of meaning
PAPER = "#ffffff"

# Okabe and Ito's palette, readable by people with each common colour-vision deficiency,
# in an order that keeps neighbours apart. With each colour, the text colour that reaches
# 4.5:1 on it (tests/… check the ratios), though labels sit on a white label box anyway.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#0072b2", PAPER),  # blue
    ("#e69f00", INK),  # orange
    ("#009e73", INK),  # bluish green
    ("#cc79a7", INK),  # reddish purple
    ("#56b4e9", INK),  # sky blue
    ("#d55e00", INK),  # vermilion
    ("#f0e442", INK),  # yellow
)

# A single-hue sequence (ColorBrewer "Blues", 5 classes) for amounts: lighter is fewer, which
# reads the same in every kind of colour vision and in greyscale print.
SEQUENTIAL: tuple[tuple[str, str], ...] = (
    ("#eff3ff", INK),
    ("#bdd7e7", INK),
    ("#6baed6", INK),
    ("#3182bd", INK),
    ("#08519c", PAPER),
)

FONT = 'font-family="Arial, Helvetica, sans-serif"'


def clean(value: object) -> str:
    """The text of `value` as the picture shows it: characters XML cannot hold removed."""
    return _NOT_DRAWN.sub("", str(value))


def text(value: object) -> str:
    """`value` escaped for an element's content."""
    return clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: object) -> str:
    """`value` escaped for a double-quoted attribute."""
    return text(value).replace('"', "&quot;").replace("'", "&#x27;")


def num(value: float) -> str:
    """A coordinate, short: 12, 12.5."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def new_id(prefix: str = "chart") -> str:
    """An id unlikely to meet another chart's on the same page."""
    return f"{prefix}-{secrets.token_hex(4)}"


def fits(label: str, width: float, size: float = 13) -> str:
    """`label`, cut with an ellipsis to fit about `width` pixels (the table has it whole)."""
    room = max(int(width / (size * 0.55)), 1)
    return label if len(label) <= room else label[: max(room - 1, 1)].rstrip() + "…"


def text_width(label: str, size: float = 13) -> float:
    """About how wide `label` is drawn (Arial averages a little over half the size a letter)."""
    return len(label) * size * 0.58


# Patterns, so that a series never depends on its colour alone: solid, then hatches and dots.
# Each is drawn in ink over the series' colour, and is the same in the key.
def pattern(pid: str, index: int, colour: str) -> str:
    """The <pattern> for the series at `index`, filled with `colour`."""
    kind = index % 5
    base = f'<rect width="8" height="8" fill="{colour}"/>'
    if kind == 0:
        marks = ""
    elif kind == 1:
        marks = f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{INK}" stroke-width="1.2"/>'
    elif kind == 2:
        marks = f'<circle cx="4" cy="4" r="1.4" fill="{INK}"/>'
    elif kind == 3:
        marks = f'<path d="M0,4 h8" stroke="{INK}" stroke-width="1.2"/>'
    else:
        marks = f'<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="{INK}" stroke-width="1.2"/>'
    return (
        f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f"{base}{marks}</pattern>"
    )


def not_shown_pattern(pid: str) -> str:
    """Sparse grey hatching on white: a value that is not shown (suppressed or unknown)."""
    return (
        f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{PAPER}"/>'
        f'<path d="M0,6 l6,-6 M-1,1 l2,-2 M5,7 l2,-2" stroke="{MUTED}" stroke-width="0.8"/>'
        "</pattern>"
    )


def label_box(x: float, y: float, label: str, *, anchor: str = "middle", size: float = 12) -> str:
    """`label` in ink on a white box, readable whatever it is drawn over; (x, y) its centre
    line, at its start, middle or end as `anchor` says."""
    width = text_width(label, size) + 6
    left = {"start": x - 3, "middle": x - width / 2, "end": x - width + 3}[anchor]
    return (
        f'<rect x="{num(left)}" y="{num(y - size * 0.8)}" width="{num(width)}" '
        f'height="{num(size * 1.2)}" rx="2" fill="{PAPER}" fill-opacity="0.92"/>'
        f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" font-size="{num(size)}" '
        f'fill="{INK}">{text(label)}</text>'
    )


def frame(
    *,
    chart_id: str,
    title: str,
    description: str,
    width: float,
    height: float,
    defs: Iterable[str],
    body: Iterable[str],
) -> SafeString:
    """The whole picture: an image named by its title and described by its description."""
    chart_id = attr(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart__svg" '
        f'viewBox="0 0 {num(width)} {num(height)}" width="{num(width)}" height="{num(height)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT} '
        f'font-size="13" fill="{INK}">'
        f'<title id="{chart_id}-title">{text(title)}</title>'
        f'<desc id="{chart_id}-desc">{text(description)}</desc>'
        # Dark on white wherever the picture is put, on screen or on paper.
        f'<rect width="{num(width)}" height="{num(height)}" fill="{PAPER}"/>'
    )
    defs = "".join(defs)
    # Every value drawn went through text() or attr() on its way in.
    return mark_safe(head + (f"<defs>{defs}</defs>" if defs else "") + "".join(body) + "</svg>")


def nice_ceiling(value: float) -> float:
    """The round number at or above `value` an axis ends on: 1, 2, 2.5, 5 or 10 × 10ⁿ."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def fmt(value: float) -> str:
    """A figure as a label: 1,234 or 12.5."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"
