"""Who may see and update an action: a cycle's activity by the parties at the member, a plan's
action by its owners or the party that owns it, a concern's remedy by the scheme's national
officers and the employer's contact (a concern is confidential to them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accord.accounts.models import Role
from accord.accounts.rules import assignments, can_manage_plan, can_view_plan, opens_page
from accord.enrolments.rules import can_post_progress, can_view_enrolment, holds_for

from .models import Action

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


def _remedy_party(user: AnyUser, action: Action) -> bool:
    """A concern's remedy: the national officers of the scheme's lead union, and the
    employer's contact (the concern was put to the employer before remedies were agreed)."""
    membership = action.concern.membership
    if any(
        a.role == Role.NATIONAL_OFFICER and a.union_id == membership.scheme.lead_union_id
        for a in assignments(user)
    ):
        return True
    return holds_for(user, membership.enrolment, [Role.EMPLOYER_CONTACT])


def can_update_action(user: AnyUser, action: Action) -> bool:
    """Post progress and change the status: for a plan, its owners, or a member of the party
    that owns the action; for a cycle, either side at the member; for a concern's remedy, its
    officers and the employer's contact."""
    if action.concern_id is not None:
        return _remedy_party(user, action)
    if action.plan_id is None:
        return can_post_progress(user, action.cycle.enrolment)
    if can_manage_plan(user, action.plan):
        return True
    return any(
        a.role == Role.PLAN_MEMBER
        and a.plan_id == action.plan_id
        and a.party_id == action.owner_party_id
        for a in assignments(user)
    )


@opens_page("actions.Action")
def can_view_action(user: AnyUser, action: Action) -> bool:
    if action.concern_id is not None:
        return _remedy_party(user, action)
    if action.plan_id is None:
        return can_view_enrolment(user, action.cycle.enrolment)
    return can_view_plan(user, action.plan)
