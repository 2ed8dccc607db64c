"""The benchmark's national data in miniature: the counts asked for, and a sealed audit trail
whose chain holds, as `verify_audit` would check it."""

from __future__ import annotations

import pytest

from accord.actions.models import Action
from accord.core.audit import verify_chain
from accord.core.models import AuditEvent, AuditStreamHead
from accord.membership.models import Cycle, Membership
from accord.organisations.models import Employer
from accord.schemes.loader import load_builtin_scheme
from bench import national

pytestmark = pytest.mark.django_db


def test_a_small_build_has_the_counts_and_an_unbroken_audit_chain() -> None:
    load_builtin_scheme("vws")  # which records its own creation
    events_before = AuditEvent.objects.count()

    result = national.build(scale=0.002, seed=1)

    # A five-hundredth of 35,000 employers, 5,000 members, 100,000 cycles, 1,000,000 actions
    # (the plan's 1,000 among them) and 2,000,000 audit events.
    assert Employer.objects.count() == 70
    assert Membership.objects.count() == 10
    assert Cycle.objects.count() == 200
    assert Action.objects.count() == 2000
    assert Action.objects.filter(plan_id=result.plan).count() == 1000
    assert AuditEvent.objects.count() - events_before == 4000
    assert (
        AuditEvent.objects.filter(context=f"enrolment:{result.long_history_enrolment}").count()
        == 500
    )
    assert list(verify_chain()) == []
    # Every stream's head is its newest event.
    for head in AuditStreamHead.objects.filter(sequence__gt=0):
        newest = AuditEvent.objects.filter(stream=head.stream).order_by("-sequence").first()
        assert (newest.sequence, newest.hash) == (head.sequence, head.hash)
