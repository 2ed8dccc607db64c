"""What waits on a user after joining: reviews, confirmations, next cycles, overdue activities."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from accord.accounts import rules
from accord.accounts.models import Role
from accord.actions.models import Action
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership import cycles
from accord.membership import rules as membership_rules
from accord.membership import selectors as member_selectors
from accord.membership.models import PolicyCheck

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


@dataclass
class MemberTask:
    enrolment: Enrolment
    actions: list[tuple[str, str]]
    since: datetime.date


def members_in_scope(user: AnyUser) -> list[Enrolment]:
    """Listed members the user may see, with cycles, activities and reviews loaded."""
    return list(
        member_selectors.visible_enrolments(user, detail=True)
        .filter(state=State.LISTED)
        .order_by("employer__name", "id")
    )


def member_tasks(user: AnyUser, members: list[Enrolment]) -> list[MemberTask]:
    if not rules.has_role(user, Role.LOCAL_SECRETARY, Role.EMPLOYER_CONTACT):
        return []
    unassessed: dict[int, list[PolicyCheck]] = {}
    if rules.has_role(user, Role.LOCAL_SECRETARY):
        for check in PolicyCheck.objects.filter(
            membership__enrolment__in=members, assessment=""
        ).select_related("membership"):
            unassessed.setdefault(check.membership.enrolment_id, []).append(check)
    tasks = []
    for enrolment in members:
        actions = cycles.cycle_actions(user, enrolment)
        if membership_rules.can_assess_policy(user, enrolment):
            actions += [
                (f"Assess the policy “{check.title}”", check.get_absolute_url())
                for check in unassessed.get(enrolment.pk, [])
            ]
        if actions:
            current = cycles.latest_cycle(enrolment)
            tasks.append(MemberTask(enrolment, actions, current.ends_on))
    return sorted(tasks, key=lambda t: t.since)


def open_actions(members: list[Enrolment]) -> list[tuple[Enrolment, Action]]:
    """Activities of confirmed cycles that are not done or dropped, soonest due first."""
    found = [
        (enrolment, action)
        for enrolment in members
        for cycle in enrolment.cycles.all()
        if cycle.is_confirmed
        for action in cycle.actions.all()
        if action.is_open
    ]
    return sorted(found, key=lambda pair: pair[1].due_on)


def overdue_actions(
    members: list[Enrolment], today: datetime.date | None = None
) -> list[tuple[Enrolment, Action]]:
    today = today or timezone.localdate()
    return [(e, a) for e, a in open_actions(members) if a.is_overdue_on(today)]


def plan_actions_for(user: AnyUser, *, within_days: int | None = 30) -> list[Action]:
    """Open plan actions the user may update: those overdue or due within `within_days`
    (all of them when None)."""
    owned_plans, parties = set(), set()
    for a in rules.assignments(user):
        if a.role == Role.PLAN_OWNER:
            owned_plans.add(a.plan_id)
        elif a.role == Role.PLAN_MEMBER:
            parties.add((a.plan_id, a.party_id))
    if not owned_plans and not parties:
        return []
    condition = Q(plan_id__in=owned_plans)
    for plan_id, party_id in parties:
        condition |= Q(plan_id=plan_id, owner_party_id=party_id)
    actions = Action.objects.open().filter(condition)
    if within_days is not None:
        horizon = timezone.localdate() + datetime.timedelta(days=within_days)
        actions = actions.filter(due_on__lte=horizon)
    return list(actions.select_related("plan").order_by("due_on", "number"))
