"""E-mails an enrolment step leads to: one to each person the process now waits on, and to the
national officers when nobody in scope can take a step it waits on.

They are queued in the step's own transaction (see accord/core/outbox.py) and sent after it commits.
"""

from __future__ import annotations

import logging

from django.conf import settings

from accord.accounts import emails
from accord.accounts.models import EmailKind, Role, RoleAssignment, User

from . import rules, selectors
from .models import Enrolment
from .process import CLOSED_STATES, State, Step, task_steps_from

logger = logging.getLogger(__name__)


def step_taken(enrolment_pk: int, step: Step, actor_pk: int, *, moved: bool = True) -> int:
    """Queue the e-mails a step leads to; returns how many were queued.

    E-mails never carry notes or reasons: they say what is waiting and link to the page, where
    the reader's permissions decide what they see.
    """
    if not moved:
        return 0
    enrolment = selectors.enrolment_detail(enrolment_pk)
    waiting: dict[int, tuple[User, list[Step]]] = {}
    nobody: list[Step] = []
    for next_step in task_steps_from(enrolment.state_enum):
        people = rules.recipients_for(next_step, enrolment)
        if not people and is_pending(next_step, enrolment):
            nobody.append(next_step)
        for user in people:
            if user.pk != actor_pk:
                waiting.setdefault(user.pk, (user, []))[1].append(next_step)
    # A step nobody in scope can take goes to the national officers, never nowhere.
    unattended = [(s, missing_roles(s)) for s in nobody]
    officers = rules.role_holders(enrolment, [Role.NATIONAL_OFFICER]) if nobody else []
    alerted = {user.pk for user in officers if user.pk != actor_pk}
    for user in officers:
        if user.pk in alerted:
            waiting.setdefault(user.pk, (user, []))
    informed: list[User] = []
    finished = enrolment.state in CLOSED_STATES or enrolment.state == State.LISTED
    proposer = enrolment.proposed_by
    if finished and proposer.pk != actor_pk and proposer.pk not in waiting:
        informed.append(proposer)

    url = f"{settings.SITE_URL}{enrolment.get_absolute_url()}"
    count = 0
    for user, steps in waiting.values():
        context = {"user": user, "enrolment": enrolment, "steps": steps, "url": url}
        if user.pk in alerted:
            subject = f"Needs someone in scope: {enrolment.employer.name}"
            context["unattended"] = unattended
            why = emails.reason(user, [Role.NATIONAL_OFFICER])
        else:
            subject = f"Waiting for you: {steps[0].label} — {enrolment.employer.name}"
            why = emails.reason(user, {role for step in steps for role in step.roles})
        _queue(user, subject, context, why)
        count += 1
    for user in informed:
        _queue(
            user,
            f"{enrolment.employer.name}: {rules.state_label(user, enrolment)}",
            {"user": user, "enrolment": enrolment, "steps": [], "url": url},
            f"you proposed {enrolment.employer.name} for the {enrolment.scheme.name}",
        )
        count += 1
    logger.debug("Queued %d e-mail(s) for enrolment %s", count, enrolment_pk)
    return count


def is_pending(step: Step, enrolment: Enrolment) -> bool:
    """Whether `step` is still to be taken by someone. Its guard looks at the enrolment (and
    at most at the assignment's union), so it is asked with a blank assignment of each role."""
    return any(step.guard(enrolment, RoleAssignment(role=role)) for role in step.roles)


def missing_roles(step: Step) -> str:
    """The roles that could take `step`, for saying whom a case needs."""
    return " or ".join(sorted(Role(role).label.lower() for role in step.roles))


def _queue(user: User, subject: str, context: dict, why: str) -> None:
    context = {**context, "state_label": rules.state_label(user, context["enrolment"])}
    emails.send(
        user,
        kind=EmailKind.STEPS,
        subject=subject,
        template="enrolments/email/step",
        context=context,
        why=why,
    )
