"""A timeline of a plan's due dates, drawn as SVG: one row per action, a mark on its date."""

from __future__ import annotations

import datetime
from xml.sax.saxutils import escape

from accord.actions.models import Action, ActionStatus

COLOURS = {
    ActionStatus.NOT_STARTED: "#505a5f",
    ActionStatus.IN_PROGRESS: "#1d70b8",
    ActionStatus.DONE: "#00703c",
    ActionStatus.DROPPED: "#b1b4b6",
}
OVERDUE = "#d4351c"


def timeline_svg(actions: list[Action]) -> str:
    if not actions:
        return ""
    first = min(a.due_on for a in actions).replace(day=1)
    last = max(a.due_on for a in actions)
    last = (last.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)  # next month
    span = max((last - first).days, 1)
    left, width, row_h, top = 60, 560, 26, 30
    height = top + row_h * len(actions) + 20

    def x(day: datetime.date) -> float:
        return left + width * (day - first).days / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 150} {height}" '
        f'width="{left + width + 150}" height="{height}" role="img" '
        'aria-labelledby="timeline-title" font-family="Arial, sans-serif" font-size="12">',
        '<title id="timeline-title">When each action is due (the workplan table gives the '
        "same dates)</title>",
    ]
    month = first
    while month <= last:
        parts.append(
            f'<line x1="{x(month)}" y1="{top - 8}" x2="{x(month)}" y2="{height - 15}" '
            'stroke="#dddddd"/>'
            f'<text x="{x(month) + 2}" y="{top - 12}">{month:%b %Y}</text>'
        )
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    for row, action in enumerate(actions):
        y = top + row * row_h + row_h / 2
        colour = OVERDUE if action.is_overdue else COLOURS[action.status]
        label = "overdue" if action.is_overdue else action.get_status_display().lower()
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{action.number}</text>'
            f'<line x1="{left}" y1="{y}" x2="{x(action.due_on)}" y2="{y}" stroke="{colour}" '
            'stroke-width="3"/>'
            f'<circle cx="{x(action.due_on)}" cy="{y}" r="6" fill="{colour}"/>'
            f'<text x="{x(action.due_on) + 10}" y="{y + 4}">{action.due_on:%-d %b %Y} '
            f"({escape(label)})</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
