"""E-mails an enrolment step leads to: one to each person the process now waits on.

They are queued in the step's own transaction (see accord/core/outbox.py) and sent after it commits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.loader import render_to_string

from accord.accounts.models import User
from accord.core import outbox

from . import rules, selectors
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
    for next_step in task_steps_from(enrolment.state_enum):
        for user in rules.recipients_for(next_step, enrolment):
            if user.pk != actor_pk:
                waiting.setdefault(user.pk, (user, []))[1].append(next_step)
    informed: list[User] = []
    finished = enrolment.state in CLOSED_STATES or enrolment.state == State.LISTED
    proposer = enrolment.proposed_by
    if finished and proposer.pk != actor_pk and proposer.pk not in waiting:
        informed.append(proposer)

    url = f"{settings.SITE_URL}{enrolment.get_absolute_url()}"
    for user, steps in waiting.values():
        _queue(
            user,
            f"Waiting for you: {steps[0].label} — {enrolment.employer.name}",
            {"user": user, "enrolment": enrolment, "steps": steps, "url": url},
        )
    for user in informed:
        _queue(
            user,
            f"{enrolment.employer.name}: {rules.state_label(user, enrolment)}",
            {"user": user, "enrolment": enrolment, "steps": [], "url": url},
        )
    count = len(waiting) + len(informed)
    logger.debug("Queued %d e-mail(s) for enrolment %s", count, enrolment_pk)
    return count


def _queue(user: User, subject: str, context: dict) -> None:
    context = {**context, "state_label": rules.state_label(user, context["enrolment"])}
    body = render_to_string("enrolments/email/step.txt", context)
    outbox.queue(to=user.email, subject=subject, body=body)
