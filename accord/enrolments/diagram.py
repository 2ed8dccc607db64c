"""The process diagram, drawn as SVG from the process declaration (`process.STEPS`): the way in
down the left, the ways out beside it, and on the right, level with each state, whom each step
waiting there is escalated to when it waits too long."""

from __future__ import annotations

from xml.sax.saxutils import escape

from .process import (
    CLOSED_STATES,
    MAIN_PATH,
    STEPS,
    State,
    Step,
    task_steps_from,
)

BOX_W, BOX_H, GAP = 250, 44, 34
LEFT, RIGHT_X, TOP = 40, 470, 20
CLOSED_W = 230
ESCALATION_X, ESCALATION_W, LINE_H = RIGHT_X + CLOSED_W + 30, 300, 13


def _layout() -> dict[State, tuple[int, int, int]]:
    """x, y and width of every state's box: the way in down the left, ways out on the right."""
    boxes: dict[State, tuple[int, int, int]] = {}
    for index, state in enumerate(MAIN_PATH):
        boxes[state] = (LEFT, TOP + index * (BOX_H + GAP), BOX_W)
    used_rows: set[int] = set()
    for state in State:
        if state not in CLOSED_STATES:
            continue
        sources = [
            src for s in STEPS if state in s.targets for src in s.sources if src in MAIN_PATH
        ]
        row = min(MAIN_PATH.index(src) for src in sources)
        while row in used_rows:
            row += 1
        used_rows.add(row)
        boxes[state] = (RIGHT_X, TOP + row * (BOX_H + GAP), CLOSED_W)
    return boxes


def render_svg(current: State | None) -> str:
    boxes = _layout()
    height = max(y for _, y, _ in boxes.values()) + BOX_H + TOP
    width = ESCALATION_X + ESCALATION_W
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="diagram-title" '
        'font-family="Arial, sans-serif" font-size="13">',
        '<title id="diagram-title">The joining process'
        + (f", now at: {escape(current.label)}" if current else "")
        + "</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#0b0c0c"/></marker></defs>',
    ]
    # Arrows first, so boxes sit on top of them; steps that share a source and target share
    # an arrow.
    edges: dict[tuple[State, State], list[str]] = {}
    for s in STEPS:
        for target in s.targets:
            for source in s.sources:
                if source is not None and source != target and source in boxes:
                    edges.setdefault((source, target), []).append(s.label)
    for (source, target), labels in edges.items():
        parts.append(_arrow(boxes[source], boxes[target], " / ".join(labels), source, target))
    for state, (x, y, w) in boxes.items():
        parts.append(_box(state, x, y, w, here=state == current))
    parts.append(
        f'<text x="{ESCALATION_X}" y="{TOP - 6}" font-size="11" font-weight="bold">'
        "If a step waits too long</text>"
    )
    for state in MAIN_PATH:
        _, y, _ = boxes[state]
        for index, s in enumerate(task_steps_from(state)):
            parts.append(_escalation(s, y + 14 + index * 2 * LINE_H))
    parts.append("</svg>")
    return "\n".join(parts)


def _escalation(step: Step, y: float) -> str:
    label = step.label if len(step.label) <= 48 else step.label[:46] + "…"
    said = f"{step.label}: {step.escalation}"
    target = step.escalates_to.value if step.escalates_to else ""
    return (
        f'<g class="escalation" data-step="{step.name}" data-to="{target}" '
        f'data-after-days="{step.escalate_after_days if target else ""}">'
        f"<title>{escape(said)}</title>"
        f'<text x="{ESCALATION_X}" y="{y}" font-size="11" fill="#505a5f">{escape(label)}</text>'
        f'<text x="{ESCALATION_X + 10}" y="{y + LINE_H}" font-size="11">'
        f"{escape(step.escalation)}</text></g>"
    )


def _box(state: State, x: int, y: int, w: int, *, here: bool) -> str:
    closed = state in CLOSED_STATES
    fill = "#1d70b8" if here else ("#f3f2f1" if closed else "#ffffff")
    colour = "#ffffff" if here else "#0b0c0c"
    dash = ' stroke-dasharray="5 3"' if closed else ""
    weight = ' font-weight="bold"' if here else ""
    marker = (
        f'<text x="{x - 6}" y="{y + BOX_H / 2 + 5}" text-anchor="end" font-weight="bold" '
        'fill="#1d70b8">▶</text>'
        if here
        else ""
    )
    return (
        f'<g class="state{" current" if here else ""}" data-state="{state.value}">'
        f'<rect x="{x}" y="{y}" width="{w}" height="{BOX_H}" rx="6" fill="{fill}" '
        f'stroke="#0b0c0c" stroke-width="{3 if here else 1.5}"{dash}/>'
        f'<text x="{x + w / 2}" y="{y + BOX_H / 2 + 5}" text-anchor="middle" fill="{colour}"'
        f"{weight}>{escape(state.label)}</text>{marker}</g>"
    )


def _arrow(
    src: tuple[int, int, int], dst: tuple[int, int, int], label: str, source: State, target: State
) -> str:
    sx, sy, sw = src
    dx, dy, dw = dst
    title = f"<title>{escape(label)}</title>"
    if target in CLOSED_STATES:
        # Out to the right, to the way-out box.
        x1, y1 = sx + sw, sy + BOX_H / 2
        x2, y2 = dx, dy + BOX_H / 2
        mid = (x1 + x2) / 2
        path = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
        return (
            f'<path d="{path}" fill="none" stroke="#6f777b" stroke-width="1.2" '
            f'marker-end="url(#arrow)">{title}</path>'
        )
    if source in CLOSED_STATES:
        # Back from a way out into the way in (reopening).
        x1, y1 = sx + sw / 2, sy + BOX_H
        x2, y2 = dx + dw, dy + BOX_H / 2
        path = f"M{x1},{y1} C{x1},{y1 + 30} {x2 + 60},{y2} {x2},{y2}"
        return (
            f'<path d="{path}" fill="none" stroke="#1d70b8" stroke-width="1.5" '
            f'stroke-dasharray="4 3" marker-end="url(#arrow)">{title}</path>'
        )
    if MAIN_PATH.index(target) < MAIN_PATH.index(source):
        # A step back along the way in, drawn on the left.
        x1, y1 = sx, sy + BOX_H / 2
        x2, y2 = dx, dy + BOX_H / 2
        path = f"M{x1},{y1} C{x1 - 35},{y1} {x2 - 35},{y2} {x2},{y2}"
        return (
            f'<path d="{path}" fill="none" stroke="#1d70b8" stroke-width="1.5" '
            f'stroke-dasharray="4 3" marker-end="url(#arrow)">{title}</path>'
        )
    x = sx + sw / 2
    y1, y2 = sy + BOX_H, dy
    text = escape(label if len(label) <= 42 else label[:40] + "…")
    return (
        f'<g><path d="M{x},{y1} L{x},{y2}" stroke="#0b0c0c" stroke-width="1.5" '
        f'marker-end="url(#arrow)">{title}</path>'
        f'<text x="{x + 8}" y="{(y1 + y2) / 2 + 4}" font-size="11" fill="#505a5f">{text}</text></g>'
    )
