"""Who may do what with a membership: its status, reviews, policy checks, confirmations and
concerns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accord.accounts.models import Role
from accord.accounts.rules import assignments, covers, opens_page
from accord.enrolments.models import Enrolment
from accord.enrolments.rules import can_view_enrolment, holds_for, is_party
from accord.organisations.models import Union

from .models import AppealSide, Concern, ConcernEvidence, ConcernState, Membership, PolicyCheck

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


def unions_to_cosign(user: AnyUser, enrolment: Enrolment, unions: list[Union]) -> list[Union]:
    """Those of `unions` (partner unions) the user may co-sign for here: a partner union's
    representative in the area signs for their own union only. The lead union's part is its
    local secretary's (`can_record_review`, and the joining step that confirms the commitment)."""
    held = {
        a.union_id
        for a in assignments(user)
        if a.role == Role.PARTNER_REP and covers(a, enrolment.employer, enrolment.scheme)
    }
    return [u for u in unions if u.pk in held]


def may_cosign(user: AnyUser, enrolment: Enrolment) -> bool:
    """Whether the user co-signs here for some partner union represented locally, whether or
    not anything waits for their signature now."""
    return bool(unions_to_cosign(user, enrolment, enrolment.cosigning_unions()))


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


# --- concerns: confidential to the national officers of the scheme's lead union -------------


def can_handle_concerns(user: AnyUser, membership: Membership) -> bool:
    """Read concerns about a member, who raised them, and take their officers' steps."""
    return can_manage_membership(user, membership)


def is_raiser(user: AnyUser, concern: Concern) -> bool:
    return user.is_authenticated and concern.raised_by_id == user.pk


def is_employer_told(user: AnyUser, concern: Concern) -> bool:
    """The employer's contact, once an officer has put the concern to the employer."""
    return concern.put_at is not None and holds_for(
        user, concern.membership.enrolment, [Role.EMPLOYER_CONTACT]
    )


@opens_page("membership.Concern")
def can_view_concern(user: AnyUser, concern: Concern) -> bool:
    """Officers see it whole; the raiser its state; the employer what it is about once put to
    it. Nobody else may know it exists, nor anyone (officers included) a public concern never
    confirmed: only its raiser's link opens that."""
    confirmed = concern.state not in (ConcernState.UNCONFIRMED, ConcernState.EXPIRED)
    return (
        (confirmed and can_handle_concerns(user, concern.membership))
        or is_raiser(user, concern)
        or is_employer_told(user, concern)
    )


def can_respond_to_concern(user: AnyUser, concern: Concern) -> bool:
    return concern.state == ConcernState.PUT_TO_EMPLOYER and is_employer_told(user, concern)


def can_decide_appeal(user: AnyUser, concern: Concern) -> bool:
    """An appeal goes to a national officer other than the one who decided."""
    return (
        concern.state == ConcernState.APPEALED
        and user.is_authenticated
        and user.pk != concern.decided_by_id
        and can_handle_concerns(user, concern.membership)
    )


def can_open_concern_evidence(user: AnyUser, evidence: ConcernEvidence) -> bool:
    """The officers who handle the concern open every file; the employer's contacts, once told
    of the concern, the files given with its response. Anyone else is told there is none."""
    concern = evidence.concern
    if can_handle_concerns(user, concern.membership):
        return True
    return evidence.side == AppealSide.EMPLOYER and is_employer_told(user, concern)
