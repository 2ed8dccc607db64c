"""The employer's own voice: its priorities for the year ahead and its self-assessment against
every principle, entered by its contact before the unions draft the cycle they prepare, then
compared with that cycle as drafted.

The view is open for cycle 1 once the scheme has been introduced and until the commitment is
drafted (again if the employer asks for changes), and for each later cycle from the time the
current cycle's review may be recorded until the next cycle is drafted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.core import audit
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State

from . import rules, selectors
from .cycles import REVIEW_WINDOW, latest_cycle
from .models import (
    Cycle,
    EmployerAssessment,
    EmployerView,
    Priority,
    Readiness,
    SelfAssessment,
)
from .services import MembershipError


def open_number(enrolment: Enrolment, today: datetime.date | None = None) -> int | None:
    """The number of the cycle whose employer's view may be entered now, or None."""
    if enrolment.state == State.INTRODUCED:
        return 1
    if enrolment.state != State.LISTED:
        return None
    current = latest_cycle(enrolment)
    if current is None or not current.is_confirmed:
        return None
    today = today or timezone.localdate()
    if today < current.ends_on - REVIEW_WINDOW:
        return None
    return current.number + 1


def closed_message(number: int) -> str:
    if number == 1:
        return (
            "The commitment has been drafted, so the employer's view can no longer be changed. "
            "Ask for changes to the commitment to reopen it."
        )
    return f"The employer's view for cycle {number} is not open for changes now."


def views_by_number(enrolment: Enrolment) -> dict[int, EmployerView]:
    """The enrolment's employer's views by cycle number, each with its assessments loaded
    (`loaded`), read in one query."""
    found: dict[int, EmployerView] = {}
    rows = (
        EmployerAssessment.objects.filter(view__enrolment=enrolment)
        .select_related("view__updated_by", "principle_version__principle")
        .order_by("view__cycle_number", "principle_version__principle__number")
    )
    for row in rows:
        view = found.setdefault(row.view.cycle_number, row.view)
        if not hasattr(view, "loaded"):
            view.loaded = []
        view.loaded.append(row)
    return found


def view_for(enrolment: Enrolment, number: int) -> EmployerView | None:
    return views_by_number(enrolment).get(number)


def _snapshot(view: EmployerView | None, assessments: list[Any]) -> dict[str, Any]:
    """The view as the audit trail records it: its priorities and one line per principle."""
    if view is None:
        return {}
    values: dict[str, Any] = {"priorities": view.priorities}
    for item in assessments:
        number = item.principle_version.principle.number
        values[f"principle_{number}"] = _line(item)
    return values


def _line(item: Any) -> str:
    line = f"{Readiness(item.readiness).label}; {Priority(item.priority).label}"
    return f"{line}; {item.narrative}" if item.narrative else line


def save_view(
    enrolment: Enrolment, number: int, *, actor: User, data: dict[str, Any]
) -> EmployerView:
    """Enter or change the employer's view for cycle `number`.

    `data`: priorities (text), assessments (one per current principle: principle_version,
    readiness, priority, narrative).
    """
    if not rules.can_edit_employer_view(actor, enrolment):
        raise MembershipError("Only the employer's contact enters the employer's view.")
    with transaction.atomic():
        locked = selectors.enrolment_for_update(enrolment.pk)
        if open_number(locked) != number:
            raise MembershipError(closed_message(number))
        current = {v.pk: v for v in locked.scheme.current_principles()}
        given = {item["principle_version"].pk for item in data["assessments"]}
        if given != set(current):
            raise MembershipError(
                "Give your view of every principle of the scheme as now worded.",
                field="assessments",
            )
        view = (
            EmployerView.objects.select_for_update()
            .filter(enrolment=locked, cycle_number=number)
            .first()
        )
        before = _snapshot(
            view,
            list(view.assessments.select_related("principle_version__principle")) if view else [],
        )
        entered = view is None
        if view is None:
            view = EmployerView(enrolment=locked, cycle_number=number)
        view.priorities = data.get("priorities", "")
        view.updated_by = actor
        view.save()
        view.assessments.all().delete()
        rows = EmployerAssessment.objects.bulk_create(
            EmployerAssessment(
                view=view,
                principle_version=item["principle_version"],
                readiness=item["readiness"],
                priority=item["priority"],
                narrative=item.get("narrative", ""),
            )
            for item in data["assessments"]
        )
        changes = audit.diff(before, _snapshot(view, rows))
        verb = "entered" if entered else "changed"
        audit.log_action(
            view,
            "employer_view.enter" if entered else "employer_view.change",
            actor=actor,
            summary=f"{actor} {verb} the employer's priorities and self-assessment "
            f"for cycle {number}",
            context=locked.audit_context,
            changes=changes,
        )
    return view


@dataclass(frozen=True)
class Difference:
    """One principle on which the employer's view and the cycle as drafted differ."""

    principle: Any
    employer: EmployerAssessment | None
    drafted: SelfAssessment | None


def differences(view: EmployerView, cycle: Cycle) -> list[Difference]:
    """The principles, in order, where the cycle's self-assessment as drafted is not the
    employer's own (a rating, the priority or the words changed, or one side missing)."""
    mine = {item.principle_version.principle.number: item for item in view.loaded}
    drafted = {
        item.principle_version.principle.number: item for item in cycle.self_assessments.all()
    }
    found = []
    for number in sorted(set(mine) | set(drafted)):
        a, b = mine.get(number), drafted.get(number)
        if a is not None and b is not None and _same(a, b):
            continue
        principle = (a or b).principle_version.principle  # type: ignore[union-attr]
        found.append(Difference(principle, a, b))
    return found


def _same(a: Any, b: Any) -> bool:
    return (a.readiness, a.priority, a.narrative.strip()) == (
        b.readiness,
        b.priority,
        b.narrative.strip(),
    )


def comparisons(enrolment: Enrolment, views: dict[int, EmployerView]) -> list[dict[str, Any]]:
    """For the enrolment page: each employer's view with the cycle drafted from it (if any)
    and the principles where the two differ."""
    drafted = {cycle.number: cycle for cycle in enrolment.cycles.all()}
    rows = []
    for number, view in sorted(views.items()):
        cycle = drafted.get(number)
        rows.append(
            {
                "number": number,
                "view": view,
                "cycle": cycle,
                "differences": differences(view, cycle) if cycle is not None else [],
            }
        )
    return rows
