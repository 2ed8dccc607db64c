"""Joining steps that waited too long: each stall escalated once, to the role above the one that
should have taken the step (`process.escalation_role`), recorded on the case's timeline.

The daily run (`notifications.reminders`) finds the stalls and calls `escalate`; it then sends
each escalation in its targets' digests, and the task lists show it until the step is taken.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.accounts.models import Role, User
from accord.core import audit

from . import rules
from .models import Enrolment, Escalation
from .process import ESCALATION_TARGET_WORDS, Step, step


def describe(escalation: Escalation, enrolment: Enrolment | None = None) -> str:
    """What the escalation says, on the timeline, in the digest and on the task list."""
    enrolment = enrolment or escalation.enrolment
    since = timezone.localdate(escalation.since)
    label = step(escalation.step).label
    return (
        f"{enrolment.employer.name}: “{label}” has waited since {since:%-d %B %Y}; escalated "
        f"to {ESCALATION_TARGET_WORDS[Role(escalation.role)]}"
    )


def targets(enrolment: Enrolment, role: Role) -> tuple[Role, list[User]]:
    """Who an escalation to `role` reaches on `enrolment`: the holders of `role` in scope, or,
    with nobody holding it there, the national officers, so that no escalation goes nowhere."""
    people = rules.role_holders(enrolment, [role])
    if people or role == Role.NATIONAL_OFFICER:
        return role, people
    return Role.NATIONAL_OFFICER, rules.role_holders(enrolment, [Role.NATIONAL_OFFICER])


def escalate(enrolment: Enrolment, step_: Step) -> Escalation | None:
    """Record that `step_` has waited too long on `enrolment` since it reached its state, once:
    None when that stall was already escalated, or the step escalates to nobody."""
    declared = step_.escalates_to
    if declared is None:
        return None
    role, _ = targets(enrolment, declared)
    with transaction.atomic():
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    enrolment=enrolment,
                    step=step_.name,
                    since=enrolment.state_changed_at,
                    role=role,
                )
        except IntegrityError:
            return None  # another run escalated this stall a moment ago
        audit.log_action(
            enrolment,
            "escalation.recorded",
            actor=None,
            summary=describe(escalation, enrolment),
            context=enrolment.audit_context,
            changes={
                "escalation": [
                    None,
                    {
                        "step": step_.name,
                        "since": escalation.since,
                        "role": role,
                        "after_days": step_.escalate_after_days,
                    },
                ]
            },
            # The unions chasing one another is their own business, never the employer's.
            internal=True,
        )
    return escalation
