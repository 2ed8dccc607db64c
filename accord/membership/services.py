"""Writing membership: cycles (the commitment drafted at joining is cycle 1) and status."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.actions.models import Action
from accord.core import audit
from accord.core.errors import DomainError
from accord.enrolments.models import Enrolment
from accord.enrolments.process import CLOSED_BY_MEMBERSHIP_WITHDRAWAL
from accord.organisations.models import Union

from . import rules
from .models import Cycle, Membership, MembershipStatus, Review, SelfAssessment


class MembershipError(DomainError):
    """A change to a membership or its cycles cannot be made."""


def _validate_commitment(enrolment: Enrolment, data: dict[str, Any]) -> None:
    current = {v.pk: v for v in enrolment.scheme.current_principles()}
    if data["principle_version"].pk not in current:
        raise MembershipError(
            "Choose one of the scheme's principles as now worded.", field="principle"
        )
    if data["ends_on"] <= data["starts_on"]:
        raise MembershipError("The period must end after it starts.", field="ends_on")
    activities = data["activities"]
    if not activities:
        raise MembershipError("Add at least one activity.", field="activities")
    for number, activity in enumerate(activities, start=1):
        if activity["due_on"] < data["starts_on"]:
            raise MembershipError(
                f"Activity {number} is due before the period starts.", field="activities"
            )
    assessed = {item["principle_version"].pk for item in data["self_assessments"]}
    if assessed != set(current):
        raise MembershipError(
            "Give the employer's priorities against every principle.", field="self_assessments"
        )


# --- partner unions' co-signatures (cosigning.py takes them) ---------------------------------

Signed = Cycle | Review


def pending_unions(enrolment: Enrolment, target: Signed) -> list[Union]:
    """The partner unions represented locally that have yet to co-sign `target`."""
    if target.partners_signed_at is not None:
        return []
    signed = {s.union_id for s in target.signatures.all()}
    return [u for u in enrolment.cosigning_unions() if u.pk not in signed]


def settle(enrolment: Enrolment, target: Signed) -> bool:
    """Record that the partner unions have all co-signed `target` once none is still to; True
    when it did so now. Called as a cycle is drafted (no partner union represented locally: at
    once) and after each co-signature."""
    if target.partners_signed_at is not None or pending_unions(enrolment, target):
        return False
    target.partners_signed_at = timezone.now()
    fields = ["partners_signed_at"] + (["updated_at"] if isinstance(target, Cycle) else [])
    target.save(update_fields=fields)
    return True


def start_afresh(enrolment: Enrolment, target: Signed) -> None:
    """A redrafted cycle (or one sent back for changes) is co-signed again from the start."""
    target.signatures.all().delete()
    getattr(target, "_prefetched_objects_cache", {}).pop("signatures", None)
    target.partners_signed_at = None
    if target.pk is not None:
        fields = ["partners_signed_at"] + (["updated_at"] if isinstance(target, Cycle) else [])
        target.save(update_fields=fields)
    settle(enrolment, target)


def draft_first_cycle(enrolment: Enrolment, *, data: dict[str, Any]) -> Cycle:
    """Create or replace the draft commitment (cycle 1). Any earlier confirmation lapses."""
    return draft_cycle(
        enrolment, enrolment.first_cycle or Cycle(enrolment=enrolment, number=1), data=data
    )


def draft_cycle(enrolment: Enrolment, cycle: Cycle, *, data: dict[str, Any]) -> Cycle:
    """Write a cycle's terms, activities and self-assessments; confirmations start afresh."""
    _validate_commitment(enrolment, data)
    cycle.principle_version = data["principle_version"]
    cycle.objectives = data["objectives"]
    cycle.success_criteria = data["success_criteria"]
    cycle.starts_on = data["starts_on"]
    cycle.ends_on = data["ends_on"]
    cycle.union_confirmed_at = cycle.union_confirmed_by = None
    cycle.employer_confirmed_at = cycle.employer_confirmed_by = None
    cycle.partners_signed_at = None
    cycle.full_clean()
    cycle.save()
    start_afresh(enrolment, cycle)
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


def clear_confirmations(enrolment: Enrolment, cycle: Cycle | None) -> None:
    """Every confirmation of the cycle lapses, the partner unions' co-signatures too."""
    if cycle is None:
        return
    cycle.union_confirmed_at = cycle.union_confirmed_by = None
    cycle.employer_confirmed_at = cycle.employer_confirmed_by = None
    cycle.save()
    start_afresh(enrolment, cycle)


# --- membership status ---------------------------------------------------------------------


def list_member(enrolment: Enrolment, *, actor: User, listed_on: datetime.date) -> Membership:
    """Put the employer on the register (the last step of joining). A returning employer keeps
    its reference, so the verification address it once printed still works."""
    membership = (
        Membership.objects.select_for_update()
        .filter(scheme=enrolment.scheme, employer=enrolment.employer)
        .first()
    )
    if membership is None:
        return Membership.objects.create(
            scheme=enrolment.scheme,
            employer=enrolment.employer,
            enrolment=enrolment,
            reference=Membership.new_reference(enrolment.scheme),
            member_since=listed_on,
            status_since=listed_on,
        )
    # Rejoining: only a withdrawn employer can be listed again (a member or suspended member
    # cannot be proposed), and the new membership period starts on the new listing date.
    if membership.status != MembershipStatus.WITHDRAWN:
        raise MembershipError(f"{enrolment.employer.name} is already on the register.")
    fields = ["enrolment_id", "status", "member_since", "status_since", "logo_stop_requested_on"]
    before = audit.snapshot(membership, fields)
    membership.enrolment = enrolment
    membership.status = MembershipStatus.ACTIVE
    membership.member_since = listed_on
    membership.status_since = listed_on
    membership.status_reason = ""
    membership.logo_stop_requested_on = None
    membership.save()
    audit.log_action(
        membership,
        "membership.rejoin",
        actor=actor,
        summary=f"{enrolment.employer.name} rejoined the {enrolment.scheme.name}",
        context=enrolment.audit_context,
        changes=audit.diff(before, audit.snapshot(membership, fields)),
    )
    return membership


def _close_enrolment(pk: int, reason: str) -> tuple[str, str]:
    """Close the listed enrolment of a withdrawn membership, so that it no longer blocks a new
    proposal; returns its state before and after."""
    enrolment = Enrolment.objects.select_for_update().get(pk=pk)
    before = enrolment.state
    enrolment.state = CLOSED_BY_MEMBERSHIP_WITHDRAWAL
    enrolment.state_changed_at = timezone.now()
    enrolment.closed_reason = reason
    enrolment.save(update_fields=["state", "state_changed_at", "closed_reason", "updated_at"])
    return before, enrolment.state


# Which statuses each change may be made from, and the status it leads to.
STATUS_CHANGES: dict[str, tuple[frozenset[str], MembershipStatus, str]] = {
    "suspend": (frozenset({MembershipStatus.ACTIVE}), MembershipStatus.SUSPENDED, "suspended"),
    "withdraw": (
        frozenset({MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED, MembershipStatus.LAPSED}),
        MembershipStatus.WITHDRAWN,
        "withdrew",
    ),
    # A withdrawal is final: the employer returns only by being proposed and listed again. A
    # lapsed membership is reinstated by a confirmed review (`lapse.review_confirmed`), not here.
    "reinstate": (
        frozenset({MembershipStatus.SUSPENDED}),
        MembershipStatus.ACTIVE,
        "reinstated",
    ),
}


def change_status(
    membership: Membership,
    change: str,
    *,
    actor: User,
    reason: str,
    logo_stop_requested_on: datetime.date | None = None,
) -> Membership:
    """Suspend, withdraw or reinstate a membership, with reasons. National officers only."""
    sources, target, verb = STATUS_CHANGES[change]
    if not rules.can_manage_membership(actor, membership):
        raise MembershipError("Only a national officer of the scheme may change a membership.")
    if not reason.strip():
        raise MembershipError("Give the reasons.", field="reason")
    leaving = target != MembershipStatus.ACTIVE
    if leaving and logo_stop_requested_on is None:
        raise MembershipError(
            "Record when the employer was asked to stop using the logo.",
            field="logo_stop_requested_on",
        )
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status not in sources:
            raise MembershipError(
                f"The membership is {locked.get_status_display().lower()}: it cannot be {verb} now."
            )
        before = audit.snapshot(locked, ["status", "status_since", "logo_stop_requested_on"])
        locked.status = target
        locked.status_since = timezone.localdate()
        locked.status_reason = reason.strip()
        locked.logo_stop_requested_on = logo_stop_requested_on if leaving else None
        locked.save()
        after = audit.snapshot(locked, ["status", "status_since", "logo_stop_requested_on"])
        if target == MembershipStatus.WITHDRAWN:
            closed = _close_enrolment(locked.enrolment_id, reason.strip())
            before["enrolment_state"], after["enrolment_state"] = closed
        audit.log_action(
            locked,
            f"membership.{change}",
            actor=actor,
            summary=f"{actor} {verb} the membership",
            context=locked.enrolment.audit_context,
            changes=audit.diff(before, after),
            note=reason.strip(),
            internal=True,
        )
    return locked
