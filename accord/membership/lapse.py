"""Lapse, never silent: a review overdue beyond the scheme's grace period is put to the
national officers, who decide with reasons to extend the cycle to a new date or to lapse the
membership. Nothing lapses by itself.

- `open_due_decisions` runs daily (from the reminders run): each active member whose current
  cycle's review has been overdue since longer than the scheme's grace period gets one
  `LapseDecision`, once per cycle and due date.
- `decide` is the officer's decision. Extending moves the cycle's end, so the next grace period
  counts from the new date; lapsing marks the membership lapsed, with the date the employer was
  asked to stop using the logo.
- `review_confirmed` is called when a review is confirmed: it closes the cycle's open decision
  and reinstates a lapsed membership. A confirmed review is the only way back from a lapse.
"""

from __future__ import annotations

import calendar
import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accord.accounts import emails
from accord.accounts.models import Role, User
from accord.accounts.rules import assignments
from accord.core import audit
from accord.enrolments import rules as enrolment_rules
from accord.enrolments.process import State
from accord.schemes.models import Scheme

from . import rules
from .models import (
    Cycle,
    Decision,
    LapseDecision,
    LapseOutcome,
    Membership,
    MembershipStatus,
    Review,
)
from .services import MembershipError

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser

# Read from the scheme's grace period with room for short months; each candidate is then
# checked to the day.
_MONTH_END_SLACK = datetime.timedelta(days=3)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def grace_ends_on(due_on: datetime.date, scheme: Scheme) -> datetime.date:
    """The day a review due on `due_on` goes to the national officers if still not recorded."""
    return months_after(due_on, scheme.lapse_grace_months)


def _overdue_cycles(scheme: Scheme, today: datetime.date) -> QuerySet[Cycle]:
    """The current, confirmed cycles of the scheme's active members whose review is pending and
    was due at least about the grace period ago, with no decision yet for that due date."""
    latest_cycle = Cycle.objects.filter(enrolment=OuterRef("enrolment")).order_by("-number")
    members = Membership.objects.filter(
        scheme=scheme, status=MembershipStatus.ACTIVE, enrolment__state=State.LISTED
    ).annotate(current=Subquery(latest_cycle.values("pk")[:1]))
    latest_review = Review.objects.filter(cycle=OuterRef("pk")).order_by("-held_on", "-pk")
    # Roughly `today` less the grace period, a little late so that no candidate is missed.
    bound = months_after(today, -scheme.lapse_grace_months) + _MONTH_END_SLACK
    decided = LapseDecision.objects.filter(cycle=OuterRef("pk"), review_due_on=OuterRef("ends_on"))
    return (
        Cycle.objects.filter(
            pk__in=members.values("current"),
            # Confirmed by both sides, the partner unions' co-signatures included
            # (`Cycle.is_confirmed`): only then is its review due.
            union_confirmed_at__isnull=False,
            partners_signed_at__isnull=False,
            employer_confirmed_at__isnull=False,
            ends_on__lte=bound,
        )
        .annotate(
            last_held_on=Subquery(latest_review.values("held_on")[:1]),
            last_decision=Subquery(latest_review.values("decision")[:1]),
            last_confirmed_at=Subquery(latest_review.values("employer_confirmed_at")[:1]),
        )
        # Waiting for a review: none yet, or the latest extended the cycle past when it was held.
        .filter(
            Q(last_held_on__isnull=True)
            | Q(
                last_decision=Decision.EXTEND,
                last_confirmed_at__isnull=False,
                ends_on__gt=F("last_held_on"),
            )
        )
        .exclude(Exists(decided))
        .select_related("enrolment__employer")
        .order_by("ends_on", "pk")
    )


def open_due_decisions(today: datetime.date | None = None) -> list[LapseDecision]:
    """Open a decision "extend or lapse" for each review overdue beyond its scheme's grace
    period, once per cycle and due date, however often it runs. Returns those opened now."""
    today = today or timezone.localdate()
    opened: list[LapseDecision] = []
    for scheme in Scheme.objects.order_by("pk"):
        for cycle in _overdue_cycles(scheme, today):
            grace_ended_on = grace_ends_on(cycle.ends_on, scheme)
            if grace_ended_on > today:
                continue
            membership = Membership.objects.get(scheme=scheme, enrolment_id=cycle.enrolment_id)
            try:
                with transaction.atomic():
                    decision = LapseDecision.objects.create(
                        membership=membership,
                        cycle=cycle,
                        review_due_on=cycle.ends_on,
                        grace_ended_on=grace_ended_on,
                        opened_on=today,
                    )
                    audit.log_action(
                        decision,
                        "membership.lapse_decision_open",
                        actor=None,
                        summary=(
                            f"The review of cycle {cycle.number}, due on "
                            f"{cycle.ends_on:%-d %B %Y}, is overdue beyond the "
                            f"{scheme.lapse_grace_months}-month grace period: the national "
                            "officers decide whether to extend or lapse the membership"
                        ),
                        context=cycle.enrolment.audit_context,
                        changes={"lapse_decision": [None, "open"]},
                        internal=True,
                    )
            except IntegrityError:
                # Opened by another run at the same moment.
                continue
            opened.append(decision)
    return opened


def waiting(user: AnyUser) -> QuerySet[LapseDecision]:
    """The decisions waiting for `user`: open ones about active members of the schemes led by
    the user's union, as a national officer. Oldest first."""
    unions = [a.union_id for a in assignments(user) if a.role == Role.NATIONAL_OFFICER]
    return (
        LapseDecision.objects.filter(
            outcome="",
            membership__status=MembershipStatus.ACTIVE,
            membership__scheme__lead_union_id__in=unions,
        )
        .select_related("membership__employer", "membership__scheme", "cycle")
        .order_by("grace_ended_on", "pk")
    )


def decide(
    decision: LapseDecision,
    *,
    actor: User,
    outcome: str,
    reasons: str,
    extended_to: datetime.date | None = None,
    logo_stop_requested_on: datetime.date | None = None,
) -> LapseDecision:
    """The national officer's decision, with reasons: extend the cycle to `extended_to`, or
    lapse the membership, recording when the employer was asked to stop using the logo."""
    membership = decision.membership
    if not rules.can_manage_membership(actor, membership):
        raise MembershipError("Only a national officer of the scheme decides on a lapse.")
    if outcome not in (LapseOutcome.EXTEND, LapseOutcome.LAPSE):
        raise MembershipError("Choose whether to extend or to lapse.", field="outcome")
    reasons = reasons.strip()
    if not reasons:
        raise MembershipError("Give the reasons.", field="reasons")
    today = timezone.localdate()
    if outcome == LapseOutcome.EXTEND and (extended_to is None or extended_to <= today):
        raise MembershipError("Give the new date for the review, after today.", field="extended_to")
    if outcome == LapseOutcome.LAPSE and logo_stop_requested_on is None:
        # Accord asks the employer's contacts itself, today (below), unless the officer
        # records that the employer was asked earlier.
        logo_stop_requested_on = today
    with transaction.atomic():
        locked = LapseDecision.objects.select_for_update().get(pk=decision.pk)
        if not locked.is_open:
            raise MembershipError(
                f"This has been decided already: {locked.get_outcome_display().lower()}."
            )
        member = (
            Membership.objects.select_for_update()
            .select_related("enrolment")
            .get(pk=locked.membership_id)
        )
        if member.status != MembershipStatus.ACTIVE:
            raise MembershipError(
                f"The membership is {member.get_status_display().lower()}: there is nothing to "
                "decide now."
            )
        before = audit.snapshot(locked, ["outcome", "extended_to", "logo_stop_requested_on"])
        locked.outcome = outcome
        locked.reasons = reasons
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        context = member.enrolment.audit_context
        if outcome == LapseOutcome.EXTEND:
            cycle = Cycle.objects.select_for_update().get(pk=locked.cycle_id)
            changes = {"ends_on": [cycle.ends_on.isoformat(), extended_to.isoformat()]}
            cycle.ends_on = extended_to
            cycle.save(update_fields=["ends_on", "updated_at"])
            locked.extended_to = extended_to
            summary = f"{actor} extended cycle {cycle.number} to {extended_to:%-d %B %Y}"
            target = locked
        else:
            fields = ["status", "status_since", "logo_stop_requested_on"]
            member_before = audit.snapshot(member, fields)
            member.status = MembershipStatus.LAPSED
            member.status_since = today
            member.status_reason = reasons
            member.logo_stop_requested_on = logo_stop_requested_on
            member.save()
            changes = audit.diff(member_before, audit.snapshot(member, fields))
            locked.logo_stop_requested_on = logo_stop_requested_on
            summary = f"{actor} lapsed the membership: its review was overdue"
            target = member
            _ask_to_stop_using_the_logo(member)
        locked.save()
        changes.update(
            audit.diff(
                before,
                audit.snapshot(locked, ["outcome", "extended_to", "logo_stop_requested_on"]),
            )
        )
        audit.log_action(
            target,
            f"membership.lapse_decision_{outcome}",
            actor=actor,
            summary=summary,
            context=context,
            changes=changes,
            note=reasons,
            internal=True,
        )
    return locked


def _ask_to_stop_using_the_logo(membership: Membership) -> None:
    """Tell the employer's contacts, in the decision's transaction, that the membership has
    lapsed, that the logo may no longer be used, and how to become a member again."""
    enrolment = membership.enrolment
    url = f"{settings.SITE_URL}{enrolment.get_absolute_url()}"
    for user in enrolment_rules.role_holders(enrolment, [Role.EMPLOYER_CONTACT]):
        emails.send(
            user,
            kind=None,
            subject=f"Your membership of the {membership.scheme.name} has lapsed",
            template="membership/email/lapsed",
            context={"membership": membership, "url": url},
            why=emails.reason(user),
        )


def review_confirmed(review: Review, *, actor: User) -> Membership | None:
    """After a review is confirmed, in its transaction: the cycle's open decision is overtaken,
    and a lapsed membership is active again. Returns the membership reinstated, if any."""
    cycle = review.cycle
    for decision in LapseDecision.objects.select_for_update().filter(cycle=cycle, outcome=""):
        before = audit.snapshot(decision, ["outcome"])
        decision.outcome, decision.decided_at = LapseOutcome.REVIEWED, timezone.now()
        decision.save(update_fields=["outcome", "decided_at"])
        audit.log_action(
            decision,
            "lapse_decision.reviewed",
            actor=actor,
            summary=f"The decision on the overdue review of cycle {cycle.number} is overtaken: "
            "the review was confirmed by both sides",
            context=cycle.enrolment.audit_context,
            changes=audit.diff(before, audit.snapshot(decision, ["outcome"])),
            internal=True,
        )
    membership = (
        Membership.objects.select_for_update()
        .select_related("enrolment")
        .filter(enrolment_id=cycle.enrolment_id, status=MembershipStatus.LAPSED)
        .first()
    )
    if membership is None:
        return None
    fields = ["status", "status_since", "logo_stop_requested_on"]
    before = audit.snapshot(membership, fields)
    membership.status = MembershipStatus.ACTIVE
    membership.status_since = timezone.localdate()
    membership.status_reason = ""
    membership.logo_stop_requested_on = None
    membership.save()
    audit.log_action(
        membership,
        "membership.reinstate_after_review",
        actor=actor,
        summary=f"The membership is active again: the review of cycle {cycle.number} was "
        "confirmed by both sides",
        context=membership.enrolment.audit_context,
        changes=audit.diff(before, audit.snapshot(membership, fields)),
        internal=True,
    )
    return membership
