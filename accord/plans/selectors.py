"""Reads of plans that pages share, with a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accord.accounts import rules
from accord.actions.models import OPEN_STATUSES, Action, ActionStatus

from .models import Commitment, Plan, PlanReview, Theme

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


def visible_plans(user: AnyUser) -> QuerySet[Plan]:
    condition = rules.plans_q(user)
    if condition is None:
        return Plan.objects.none()
    # Named, not left to the model's ordering, which a query that counts (GROUP BY) drops.
    return (
        Plan.objects.filter(condition)
        .prefetch_related("parties")
        .order_by("-adopted_on", "title", "id")
    )


def with_action_counts(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """`plans`, each with how many actions it has (`actions_count`), done, open and overdue
    today (`actions_done`, `actions_open`, `actions_overdue`), counted in the same query."""
    today = timezone.localdate()
    return plans.annotate(
        actions_count=Count("actions"),
        actions_done=Count("actions", filter=Q(actions__status=ActionStatus.DONE)),
        actions_open=Count("actions", filter=Q(actions__status__in=OPEN_STATUSES)),
        actions_overdue=Count(
            "actions", filter=Q(actions__status__in=OPEN_STATUSES, actions__due_on__lt=today)
        ),
    )


def plan_overview(pk: int) -> Plan:
    return Plan.objects.prefetch_related(
        "parties",
        "purposes",
        Prefetch("reviews", queryset=PlanReview.objects.select_related("recorded_by")),
        Prefetch(
            "themes",
            queryset=Theme.objects.prefetch_related(
                Prefetch("commitments", queryset=Commitment.objects.prefetch_related("parties"))
            ),
        ),
    ).get(pk=pk)


def workplan(
    plan: Plan,
    *,
    owner: int | None = None,
    status: str = "",
    overdue: bool = False,
    progress: bool = True,
) -> QuerySet[Action]:
    """The plan's actions in number order, filtered; with `progress`, each one's updates."""
    actions = (
        plan.actions.select_related("owner_party")
        .prefetch_related("commitments", *(["progress"] if progress else []))
        .order_by("number")
    )
    if owner is not None:
        actions = actions.filter(owner_party_id=owner)
    if status:
        actions = actions.filter(status=status)
    if overdue:
        actions = actions.overdue()
    return actions
