"""The chart of when a plan's actions are due, from the one chart module (accord.core.charts):
one row per action, a mark on its date, its status written beside it."""

from __future__ import annotations

from accord.actions.models import Action, ActionStatus
from accord.core import charts

OVERDUE = "overdue"
# Done reads as done, overdue as a warning; the status is written beside each mark too.
COLOURS = {
    ActionStatus.NOT_STARTED.label.lower(): "#505a5f",
    ActionStatus.IN_PROGRESS.label.lower(): "#0072b2",
    ActionStatus.DONE.label.lower(): "#009e73",
    ActionStatus.DROPPED.label.lower(): "#b1b4b6",
    OVERDUE: "#d55e00",
}


def _status(action: Action) -> str:
    return OVERDUE if action.is_overdue else action.get_status_display().lower()


def due_dates(actions: list[Action]) -> charts.Chart | None:
    """The chart of these actions' due dates (a page of the workplan), or None if none."""
    if not actions:
        return None
    return charts.timeline(
        title="When each action on this page is due",
        description=(
            "One row per action, in number order: a line from the start of the first month "
            "shown to the action's due date, with the date and the action's status (overdue, "
            "not started, in progress, done or dropped) written beside it."
        ),
        marks=[charts.Mark(str(a.number), a.due_on, _status(a)) for a in actions],
        categories=list(COLOURS),
        colours=COLOURS,
        header=("Action", "Due", "Status"),
    )
