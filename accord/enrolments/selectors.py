"""Reads of enrolments that pages share, with their related rows loaded up front."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from accord.accounts import rules as account_rules
from accord.core.models import AuditEvent

from . import rules
from .models import Enrolment
from .process import STEPS, task_states_for

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


def enrolments(*, detail: bool = False, cycles: QuerySet | None = None) -> QuerySet[Enrolment]:
    """Enrolments with what the process reads loaded; `cycles` says how to load their cycles
    (membership's selectors, above, pass theirs), by default the rows alone."""
    queryset = Enrolment.objects.select_related(
        "scheme__lead_union",
        "employer__parent",
        "employer__local_authority",
        "employer__association__region",
        "employer__association__district",
        "proposed_by",
    ).prefetch_related(
        "scheme__partner_unions",
        "partner_positions__union",
        "partner_positions__recorded_by",
        Prefetch("cycles", queryset=cycles),
    )
    if detail:
        queryset = queryset.prefetch_related("initial_meetings__recorded_by", "materials_sent")
    return queryset


def visible_enrolments(
    user: AnyUser, *, detail: bool = False, cycles: QuerySet | None = None
) -> QuerySet[Enrolment]:
    """The enrolments `user` may see, loaded as `enrolments()` says."""
    condition = account_rules.visible_enrolments_q(user)
    if condition is None:
        return Enrolment.objects.none()
    return enrolments(detail=detail, cycles=cycles).filter(condition)


def enrolment_detail(pk: int, *, cycles: QuerySet | None = None) -> Enrolment:
    return enrolments(detail=True, cycles=cycles).get(pk=pk)


def enrolment_for_update(pk: int, *, cycles: QuerySet | None = None) -> Enrolment:
    """Lock the enrolment's row for this transaction, then read it and its cycles afresh: of
    two people acting on it at once, the second waits and then sees what the first did."""
    Enrolment.objects.select_for_update().filter(pk=pk).values_list("pk").get()
    return enrolment_detail(pk, cycles=cycles)


def timeline(enrolment: Enrolment, *, include_internal: bool) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.for_context(enrolment.audit_context)
    return events if include_internal else events.filter(internal=False)


def waiting_for(user: AnyUser) -> list[tuple[Enrolment, list]]:
    """Enrolments waiting on `user`, oldest first, each with the steps they may take."""
    states: set[str] = set()
    for a in account_rules.assignments(user):
        states |= task_states_for(a.role)
    candidates = (
        visible_enrolments(user).filter(state__in=states).order_by("state_changed_at", "id")
    )
    tasks = []
    for enrolment in candidates:
        steps = [s for s in STEPS if s.task and rules.can_take_step(user, enrolment, s)]
        if steps:
            tasks.append((enrolment, steps))
    return tasks
