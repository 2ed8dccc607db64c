"""Writing cycles: the commitment drafted at joining becomes cycle 1."""

from __future__ import annotations

from typing import Any

from accord.actions.models import Action
from accord.enrolments.models import Enrolment
from accord.enrolments.services import StepError

from .models import Cycle, SelfAssessment


def _validate_commitment(enrolment: Enrolment, data: dict[str, Any]) -> None:
    current = {v.pk: v for v in enrolment.scheme.current_principles()}
    if data["principle_version"].pk not in current:
        raise StepError("Choose one of the scheme's principles as now worded.", field="principle")
    if data["ends_on"] <= data["starts_on"]:
        raise StepError("The period must end after it starts.", field="ends_on")
    activities = data["activities"]
    if not activities:
        raise StepError("Add at least one activity.", field="activities")
    for number, activity in enumerate(activities, start=1):
        if activity["due_on"] < data["starts_on"]:
            raise StepError(
                f"Activity {number} is due before the period starts.", field="activities"
            )
    assessed = {item["principle_version"].pk for item in data["self_assessments"]}
    if assessed != set(current):
        raise StepError(
            "Give the employer's priorities against every principle.", field="self_assessments"
        )


def draft_first_cycle(enrolment: Enrolment, *, data: dict[str, Any]) -> Cycle:
    """Create or replace the draft commitment (cycle 1). Any earlier confirmation lapses."""
    _validate_commitment(enrolment, data)
    cycle = enrolment.first_cycle or Cycle(enrolment=enrolment, number=1)
    cycle.principle_version = data["principle_version"]
    cycle.objectives = data["objectives"]
    cycle.success_criteria = data["success_criteria"]
    cycle.starts_on = data["starts_on"]
    cycle.ends_on = data["ends_on"]
    cycle.union_confirmed_at = cycle.union_confirmed_by = None
    cycle.employer_confirmed_at = cycle.employer_confirmed_by = None
    cycle.full_clean()
    cycle.save()
    cycle.actions.all().delete()
    Action.objects.bulk_create(
        Action(
            cycle=cycle,
            number=number,
            detail=item["detail"],
            owner=item["owner"],
            due_on=item["due_on"],
        )
        for number, item in enumerate(data["activities"], start=1)
    )
    cycle.self_assessments.all().delete()
    SelfAssessment.objects.bulk_create(
        SelfAssessment(
            cycle=cycle,
            principle_version=item["principle_version"],
            readiness=item["readiness"],
            priority=item["priority"],
            narrative=item.get("narrative", ""),
        )
        for item in data["self_assessments"]
    )
    return cycle


def clear_confirmations(cycle: Cycle | None) -> None:
    if cycle is None:
        return
    cycle.union_confirmed_at = cycle.union_confirmed_by = None
    cycle.employer_confirmed_at = cycle.employer_confirmed_by = None
    cycle.save()
