"""Partner unions co-sign: a cycle's terms and each review are confirmed for the unions only
when the lead union's local secretary and each partner union represented locally have
confirmed them.

The partner unions represented locally are those whose representative agreed to the approach
(`Enrolment.cosigning_unions`). The lead union's part is its local secretary's: confirming the
commitment (cycle 1), drafting a later cycle, or recording a review. The order:

- A cycle (the commitment at joining, and every later cycle): the secretary, the partner unions
  and the employer confirm in any order; the cycle is confirmed once all have.
- A review: the secretary records it, the partner unions co-sign it, and only then does the
  employer confirm it, since the employer's confirmation is what takes effect (an extension
  moves the cycle's end; a met objective counts on the register).
"""

from __future__ import annotations

from django.db import transaction

from accord.accounts.models import User
from accord.core import audit
from accord.enrolments.models import Enrolment
from accord.organisations.models import Union

from . import rules, selectors
from .models import Cycle, Review, Signature
from .services import MembershipError, Signed, pending_unions, settle


def sign(enrolment: Enrolment, target: Signed, *, union: Union, actor: User) -> Signature:
    """Add `union`'s co-signature to `target`, inside the caller's transaction (which holds the
    enrolment's lock); the caller checks who may sign and records the audit event."""
    if union.pk not in {u.pk for u in pending_unions(enrolment, target)}:
        raise MembershipError(f"{union.short_name} is not waiting to co-sign this.")
    field = "cycle" if isinstance(target, Cycle) else "review"
    signature = Signature.objects.create(**{field: target}, union=union, signed_by=actor)
    getattr(target, "_prefetched_objects_cache", {}).pop("signatures", None)
    settle(enrolment, target)
    return signature


def _cosign(enrolment_id: int, target: Signed, actor: User, what: str) -> Signature:
    with transaction.atomic():
        enrolment = selectors.enrolment_for_update(enrolment_id)
        # The target as read under the lock, with its signatures.
        if isinstance(target, Cycle):
            target = next(c for c in enrolment.cycles.all() if c.pk == target.pk)
        else:
            target = next(
                r for c in enrolment.cycles.all() for r in c.reviews.all() if r.pk == target.pk
            )
        unions = rules.unions_to_cosign(actor, enrolment, pending_unions(enrolment, target))
        if not unions:
            if rules.may_cosign(actor, enrolment):
                raise MembershipError(f"{what[0].upper()}{what[1:]} is not waiting for you.")
            raise MembershipError(
                "Only a representative of a partner union represented locally co-signs."
            )
        union = unions[0]
        signature = sign(enrolment, target, union=union, actor=actor)
        kind = "cycle" if isinstance(target, Cycle) else "review"
        audit.log_action(
            target,
            f"{kind}.cosign",
            actor=actor,
            summary=f"{actor} co-signed {what} for {union.short_name}",
            context=enrolment.audit_context,
            changes={f"signature:{union.short_name}": [None, str(actor)]},
            internal=True,
        )
    return signature


def cosign_cycle(cycle: Cycle, *, actor: User) -> Signature:
    """A partner union's co-signature of a later cycle's terms (the commitment, cycle 1, is a
    joining step: `cosign_commitment`)."""
    if cycle.number == 1:
        raise MembershipError("The commitment is co-signed as a step of joining.")
    return _cosign(cycle.enrolment_id, cycle, actor, f"cycle {cycle.number}")


def cosign_review(review: Review, *, actor: User) -> Signature:
    """A partner union's co-signature of a review, before the employer confirms it."""
    enrolment_id, number = Cycle.objects.values_list("enrolment_id", "number").get(
        pk=review.cycle_id
    )
    return _cosign(enrolment_id, review, actor, f"the review of cycle {number}")
