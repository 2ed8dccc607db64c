"""Who may do what with a membership: its status, reviews, policy checks and confirmations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accord.accounts.models import Role
from accord.accounts.rules import assignments, opens_page
from accord.enrolments.models import Enrolment
from accord.enrolments.rules import can_view_enrolment, holds_for, is_party

from .models import Membership, PolicyCheck

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


def can_manage_membership(user: AnyUser, membership: Membership) -> bool:
    """Suspend, withdraw, reinstate: national officers of the scheme's lead union."""
    return any(
        a.role == Role.NATIONAL_OFFICER and a.union_id == membership.scheme.lead_union_id
        for a in assignments(user)
    )


def can_record_review(user: AnyUser, enrolment: Enrolment) -> bool:
    """Reviews and next cycles are drafted by the local secretary, for the unions."""
    return holds_for(user, enrolment, [Role.LOCAL_SECRETARY])


def can_log_policy(user: AnyUser, enrolment: Enrolment) -> bool:
    """Either side logs a member's new policies and initiatives, while it is a member (listed,
    perhaps suspended; a withdrawal closes the enrolment)."""
    return not enrolment.is_closed and is_party(user, enrolment)


def can_assess_policy(user: AnyUser, enrolment: Enrolment) -> bool:
    return holds_for(user, enrolment, [Role.LOCAL_SECRETARY])


def can_confirm_for_employer(user: AnyUser, enrolment: Enrolment) -> bool:
    return holds_for(user, enrolment, [Role.EMPLOYER_CONTACT])


def can_edit_employer_view(user: AnyUser, enrolment: Enrolment) -> bool:
    """The employer's own priorities and self-assessment: its contact, and nobody else."""
    return holds_for(user, enrolment, [Role.EMPLOYER_CONTACT])


# Who reads the employer's view: the unions' people at the employer (not the auditor, who
# reads the cycles as drafted) and the employer itself.
EMPLOYER_VIEW_READERS = frozenset(
    {
        Role.WORKPLACE_REP,
        Role.LOCAL_SECRETARY,
        Role.NEM,
        Role.PARTNER_REP,
        Role.NATIONAL_OFFICER,
        Role.EMPLOYER_CONTACT,
    }
)


def can_read_employer_view(user: AnyUser, enrolment: Enrolment) -> bool:
    return can_view_enrolment(user, enrolment) and holds_for(user, enrolment, EMPLOYER_VIEW_READERS)


@opens_page("membership.PolicyCheck")
def can_view_policy_check(user: AnyUser, check: PolicyCheck) -> bool:
    """A policy check is read by whoever may see its member's enrolment."""
    return can_view_enrolment(user, check.membership.enrolment)
