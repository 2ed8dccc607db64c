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
from django.db.models import F
from django.utils import timezone

from accord.accounts.models import User
from accord.core import audit
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.schemes.models import Principle, PrincipleVersion

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


def views_of(enrolment: Enrolment) -> dict[int, EmployerView]:
    """The enrolment's employer's views by cycle number, each with its assessments in order
    (`loaded`) and who last changed it: from the rows read with the enrolment
    (`selectors.employer_views_read`), or else read now in one query."""
    rows = getattr(enrolment, "employer_views_read", None)
    if rows is None and not hasattr(enrolment, "employer_views_read"):
        rows = list(
            EmployerAssessment.objects.filter(view__enrolment=enrolment).values(
                "id",
                "principle_version_id",
                "readiness",
                "priority",
                "narrative",
                "view_id",
                principle_number=F("principle_version__principle__number"),
                principle_title=F("principle_version__principle__short_title"),
                cycle_number=F("view__cycle_number"),
                priorities=F("view__priorities"),
                updated_at=F("view__updated_at"),
                updated_by_id=F("view__updated_by_id"),
                updated_by_name=F("view__updated_by__full_name"),
                updated_by_email=F("view__updated_by__email"),
            )
        )
    found: dict[int, EmployerView] = {}
    for row in sorted(rows or [], key=lambda r: (r["cycle_number"], r["principle_number"])):
        view = found.get(row["cycle_number"])
        if view is None:
            view = found[row["cycle_number"]] = EmployerView(
                pk=row["view_id"],
                enrolment_id=enrolment.pk,
                cycle_number=row["cycle_number"],
                priorities=row["priorities"],
                updated_by=User(
                    pk=row["updated_by_id"],
                    full_name=row["updated_by_name"],
                    email=row["updated_by_email"],
                ),
            )
            view.updated_at = _moment(row["updated_at"])
            view.loaded = []
        version = PrincipleVersion(
            pk=row["principle_version_id"],
            principle=Principle(number=row["principle_number"], short_title=row["principle_title"]),
        )
        view.loaded.append(
            EmployerAssessment(
                pk=row["id"],
                view=view,
                principle_version=version,
                readiness=row["readiness"],
                priority=row["priority"],
                narrative=row["narrative"],
            )
        )
    return found


def _moment(value: Any) -> datetime.datetime:
    """A moment read as JSON (text) or by a query, made aware: SQLite's JSON gives UTC text
    without its offset."""
    moment = EmployerView._meta.get_field("updated_at").to_python(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def view_for(enrolment: Enrolment, number: int) -> EmployerView | None:
    return views_of(enrolment).get(number)


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
