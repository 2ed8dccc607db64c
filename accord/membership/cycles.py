"""After joining: reviews at the end of each cycle, extensions, and the next cycle.

The rules of the scheme live here: a review may be recorded from 30 days before a cycle ends;
both sides confirm it (the unions' side co-signed by each partner union represented locally,
before the employer confirms: see cosigning.py); if the objective was met the next cycle must
take a different principle, and if not the parties extend the cycle or agree a revised
objective on the same principle.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role, User
from accord.accounts.rules import has_role
from accord.core import audit
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.schemes.models import Principle

from . import lapse, rules, selectors
from .models import Cycle, Decision, NextCycleRule, ObjectiveOutcome, Outcome, Review
from .services import MembershipError, draft_cycle, pending_unions, settle

REVIEW_WINDOW = datetime.timedelta(days=30)


def latest_cycle(enrolment: Enrolment) -> Cycle | None:
    cycles = sorted(enrolment.cycles.all(), key=lambda c: c.number)
    return cycles[-1] if cycles else None


def latest_review(cycle: Cycle) -> Review | None:
    reviews = sorted(cycle.reviews.all(), key=lambda r: (r.held_on, r.pk))
    return reviews[-1] if reviews else None


def review_pending(cycle: Cycle) -> bool:
    """Whether the cycle is waiting for a review to be recorded."""
    review = latest_review(cycle)
    if review is None:
        return True
    return (
        review.decision == Decision.EXTEND
        and review.is_confirmed
        and (cycle.ends_on > review.held_on)
    )


def principles_met(enrolment: Enrolment) -> list[Principle]:
    """The principles the employer has met in the scheme, in this enrolment or an earlier one.
    An enrolment read with `has_earlier_enrolment` (the enrolment page's selector) and none
    before it answers from its own loaded cycles."""
    if getattr(enrolment, "has_earlier_enrolment", True) is False:
        found = {
            cycle.principle_version.principle
            for cycle in enrolment.cycles.all()
            for review in cycle.reviews.all()
            if review.outcome == Outcome.MET and review.employer_confirmed_at is not None
        }
        return sorted(found, key=lambda p: p.number)
    met = (
        Review.objects.met()
        .filter(
            cycle__enrolment__employer=enrolment.employer, cycle__enrolment__scheme=enrolment.scheme
        )
        .select_related("cycle__principle_version__principle")
    )
    found = {r.cycle.principle_version.principle for r in met}
    return sorted(found, key=lambda p: p.number)


def _log(
    enrolment: Enrolment,
    target: Any,
    action: str,
    actor: User,
    summary: str,
    changes: dict[str, Any],
    note: str = "",
) -> None:
    audit.log_action(
        target,
        action,
        actor=actor,
        summary=f"{actor} {summary}",
        context=enrolment.audit_context,
        changes=changes,
        note=note,
    )


def record_review(cycle: Cycle, *, actor: User, data: dict[str, Any]) -> Review:
    """The unions' record of the review; the employer then confirms it.

    `data`: held_on, outcome, objective_outcomes (one per objective), evidence, notes,
    decision, extended_to (for an extension).
    """
    if not rules.can_record_review(actor, cycle.enrolment):
        raise MembershipError("Only the local secretary records the review.")
    with transaction.atomic():
        enrolment = selectors.enrolment_for_update(cycle.enrolment_id)
        cycle = next(c for c in enrolment.cycles.all() if c.pk == cycle.pk)
        return _record_review(enrolment, cycle, actor, data)


def review_refusal(
    enrolment: Enrolment, cycle: Cycle, today: datetime.date
) -> MembershipError | None:
    """Why a review of `cycle` cannot be recorded today, or None when it can."""
    if not cycle.is_confirmed:
        return MembershipError("The cycle has not been confirmed by both sides yet.")
    if latest_cycle(enrolment) != cycle or not review_pending(cycle):
        return MembershipError("This cycle is not waiting for a review.")
    if today < cycle.ends_on - REVIEW_WINDOW:
        return MembershipError(
            f"The review can be recorded from {cycle.ends_on - REVIEW_WINDOW:%-d %B %Y}, "
            "30 days before the cycle ends.",
            field="held_on",
        )
    return None


def _record_review(enrolment: Enrolment, cycle: Cycle, actor: User, data: dict[str, Any]) -> Review:
    refusal = review_refusal(enrolment, cycle, timezone.localdate())
    if refusal is not None:
        raise refusal
    objectives = cycle.objective_list()
    outcomes = data["objective_outcomes"]
    if len(outcomes) != len(objectives):
        raise MembershipError("Give an outcome for every objective.", field="outcome")
    outcome, decision = data["outcome"], data["decision"]
    if outcome == Outcome.MET and decision != Decision.NEXT_CYCLE:
        raise MembershipError("When the objective is met, the next cycle begins.", field="decision")
    if outcome != Outcome.MET and decision == Decision.NEXT_CYCLE:
        raise MembershipError(
            "When the objective is not met, extend the cycle or agree a revised objective "
            "on the same principle.",
            field="decision",
        )
    extended_to = data.get("extended_to") if decision == Decision.EXTEND else None
    if decision == Decision.EXTEND and (extended_to is None or extended_to <= cycle.ends_on):
        raise MembershipError(
            "Give the new end date, after the cycle's current end.", field="extended_to"
        )
    review = Review.objects.create(
        cycle=cycle,
        held_on=data["held_on"],
        outcome=outcome,
        evidence=data["evidence"],
        notes=data.get("notes", ""),
        decision=decision,
        extended_to=extended_to,
        recorded_by=actor,
    )
    ObjectiveOutcome.objects.bulk_create(
        ObjectiveOutcome(review=review, position=n, objective=objective, outcome=result)
        for n, (objective, result) in enumerate(zip(objectives, outcomes, strict=True), 1)
    )
    # The secretary's record is the lead union's signature; with no partner union represented
    # locally the review waits only for the employer.
    settle(enrolment, review)
    _log(
        enrolment,
        review,
        "review.record",
        actor,
        f"recorded the review of cycle {cycle.number}",
        {"outcome": [None, outcome], "decision": [None, decision]},
        data["evidence"],
    )
    return review


def confirm_review(review: Review, *, actor: User, comment: str = "") -> Review:
    """The employer's confirmation, with its comment if it gives one; an agreed extension moves
    the cycle's end. A confirmed review overtakes a pending decision on a lapse, and makes a
    lapsed membership active again."""
    enrolment = review.cycle.enrolment
    if not rules.can_confirm_for_employer(actor, enrolment):
        raise MembershipError("Only the employer's contact confirms for the employer.")
    with transaction.atomic():
        locked = Review.objects.select_for_update().select_related("cycle").get(pk=review.pk)
        if locked.is_confirmed:
            raise MembershipError("The review has already been confirmed.")
        if locked.partners_signed_at is None:
            waiting = ", ".join(u.short_name for u in pending_unions(enrolment, locked))
            raise MembershipError(
                f"The review waits for the partner unions to co-sign it first ({waiting})."
            )
        locked.employer_confirmed_at = timezone.now()
        locked.employer_confirmed_by = actor
        locked.employer_comment = comment.strip()
        locked.save()
        changes: dict[str, Any] = {"employer_confirmed": [None, str(actor)]}
        if locked.employer_comment:
            changes["employer_comment"] = ["", locked.employer_comment]
        if locked.decision == Decision.EXTEND:
            cycle = locked.cycle
            changes["ends_on"] = [cycle.ends_on.isoformat(), locked.extended_to.isoformat()]
            cycle.ends_on = locked.extended_to
            cycle.save(update_fields=["ends_on", "updated_at"])
        _log(
            enrolment,
            locked,
            "review.confirm",
            actor,
            f"confirmed the review of cycle {locked.cycle.number}",
            changes,
            locked.employer_comment,
        )
        lapse.review_confirmed(locked, actor=actor)
    return locked


def next_cycle_rule(previous: Cycle) -> tuple[NextCycleRule, Principle | None]:
    """(DIFFERENT, principle to avoid) after a met review; (SAME, principle) for a revised
    objective; (NONE, None) while no confirmed review allows a new cycle."""
    review = latest_review(previous)
    if review is None or not review.is_confirmed or review.decision == Decision.EXTEND:
        return NextCycleRule.NONE, None
    principle = previous.principle_version.principle
    if review.decision == Decision.NEXT_CYCLE:
        return NextCycleRule.DIFFERENT, principle
    return NextCycleRule.SAME, principle


def suggested_principles(
    enrolment: Enrolment, principles: list[Principle] | None = None
) -> list[Principle]:
    """Principles not yet met, in order: the ones to suggest for the next cycle. `principles`:
    the scheme's, when the caller has them read."""
    met = {p.pk for p in principles_met(enrolment)}
    if principles is None:
        principles = list(enrolment.scheme.principles.order_by("number"))
    return [p for p in sorted(principles, key=lambda p: p.number) if p.pk not in met]


def start_next_cycle(enrolment: Enrolment, *, actor: User, data: dict[str, Any]) -> Cycle:
    """Draft the next cycle (the unions' side confirms by drafting; the employer confirms)."""
    if not rules.can_record_review(actor, enrolment):
        raise MembershipError("Only the local secretary drafts the next cycle.")
    with transaction.atomic():
        return _start_next_cycle(selectors.enrolment_for_update(enrolment.pk), actor, data)


def _start_next_cycle(enrolment: Enrolment, actor: User, data: dict[str, Any]) -> Cycle:
    previous = latest_cycle(enrolment)
    if previous is None:
        raise MembershipError("The employer has no cycle yet.")
    rule, principle = next_cycle_rule(previous)
    chosen = data["principle_version"].principle
    if rule == NextCycleRule.NONE:
        raise MembershipError("The current cycle's review must be confirmed first.")
    if rule == NextCycleRule.DIFFERENT and chosen == principle:
        others = ", ".join(str(p.number) for p in suggested_principles(enrolment) if p != principle)
        raise MembershipError(
            f"The objective on principle {principle.number} was met, so the next cycle must "
            f"work on a different principle. Not yet met: {others}.",
            field="principle",
        )
    if rule == NextCycleRule.SAME and chosen != principle:
        raise MembershipError(
            f"A revised objective stays on principle {principle.number}.", field="principle"
        )
    cycle = draft_cycle(
        enrolment, Cycle(enrolment=enrolment, number=previous.number + 1), data=data
    )
    cycle.union_confirmed_at, cycle.union_confirmed_by = timezone.now(), actor
    cycle.save(update_fields=["union_confirmed_at", "union_confirmed_by", "updated_at"])
    _log(
        enrolment,
        cycle,
        "cycle.start",
        actor,
        f"drafted cycle {cycle.number}",
        {"cycle": [None, cycle.summary()]},
    )
    return cycle


def confirm_cycle(cycle: Cycle, *, actor: User) -> Cycle:
    enrolment = cycle.enrolment
    if not rules.can_confirm_for_employer(actor, enrolment):
        raise MembershipError("Only the employer's contact confirms for the employer.")
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.employer_confirmed_at is not None:
            raise MembershipError("The cycle has already been confirmed.")
        locked.employer_confirmed_at, locked.employer_confirmed_by = timezone.now(), actor
        locked.save(update_fields=["employer_confirmed_at", "employer_confirmed_by", "updated_at"])
        _log(
            enrolment,
            locked,
            "cycle.confirm",
            actor,
            f"confirmed cycle {locked.number} for the employer",
            {"employer_confirmed": [None, str(actor)]},
        )
    return locked


def cycle_actions(user: User, enrolment: Enrolment) -> list[tuple[str, str]]:
    """(label, address) of what `user` may do now about this member's cycles and reviews."""
    if enrolment.state != State.LISTED:
        return []
    current = latest_cycle(enrolment)
    if current is None:
        return []
    actions = []
    secretary = rules.can_record_review(user, enrolment)
    employer = rules.can_confirm_for_employer(user, enrolment)
    review = latest_review(current)
    today = timezone.localdate()
    # Partner unions' co-signatures, read only for those who may give one somewhere.
    partner = has_role(user, Role.PARTNER_REP)
    if (
        partner
        and review is not None
        and not review.is_confirmed
        and rules.unions_to_cosign(user, enrolment, pending_unions(enrolment, review))
    ):
        actions.append(
            (
                f"Co-sign the review of cycle {current.number}",
                reverse("review-cosign", args=[review.pk]),
            )
        )
    if (
        partner
        and current.number > 1
        and rules.unions_to_cosign(user, enrolment, pending_unions(enrolment, current))
    ):
        actions.append(
            (f"Co-sign cycle {current.number}", reverse("cycle-cosign", args=[current.pk]))
        )
    if secretary and review_refusal(enrolment, current, today) is None:
        actions.append(
            (
                f"Record the review of cycle {current.number}",
                reverse("cycle-review", args=[enrolment.pk, current.number]),
            )
        )
    if (
        employer
        and review is not None
        and not review.is_confirmed
        and review.partners_signed_at is not None
    ):
        actions.append(
            (
                f"Confirm the review of cycle {current.number}",
                reverse("review-confirm", args=[review.pk]),
            )
        )
    if secretary and next_cycle_rule(current)[0] != NextCycleRule.NONE:
        actions.append(
            (f"Draft cycle {current.number + 1}", reverse("cycle-new", args=[enrolment.pk]))
        )
    if employer and current.number > 1 and current.employer_confirmed_at is None:
        actions.append(
            (f"Confirm cycle {current.number}", reverse("cycle-confirm", args=[current.pk]))
        )
    return actions
