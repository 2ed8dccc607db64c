"""The benchmark's national data in miniature: the counts asked for, what the dashboard reads
(cases at each step with their step history, policy checks, status changes, smaller plans), and
a sealed audit trail whose chain holds, as `verify_audit` would check it."""

from __future__ import annotations

import itertools

import pytest

from accord.actions.models import Action
from accord.core.audit import verify_chain
from accord.core.models import AuditEvent, AuditStreamHead
from accord.enrolments.models import Enrolment
from accord.enrolments.process import CLOSED_STATES, OPEN_STATES
from accord.membership.models import Cycle, LapseDecision, Membership, PolicyCheck
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
    # What the dashboard reads: 6 open and 3 closed cases (3,000 and 1,500 at scale 1),
    # 20 policy checks (10,000), one smaller plan of 20 actions (50 plans); of the 10 members,
    # the first suspended (by the register's builder, 1 in 20) and the eighth withdrawn (1 in
    # 50, the eighth of each fifty), none lapsed (the fourteenth of each hundred).
    cases = Enrolment.objects.filter(listed_on__isnull=True)
    assert cases.filter(state__in=OPEN_STATES).count() == 6
    assert cases.filter(state__in=CLOSED_STATES).count() == 3
    assert PolicyCheck.objects.count() == 20
    assert Action.objects.filter(plan__title="Joint plan 1").count() == 20
    members = list(Membership.objects.order_by("pk").select_related("enrolment"))
    assert [m.status for m in members].count("suspended") == 1
    assert members[0].status == "suspended"
    assert (members[7].status, members[7].enrolment.state) == ("withdrawn", "withdrawn")
    assert LapseDecision.objects.count() == 0
    # Every case's history, in the trail, leads from its proposal to the state it is in.
    for enrolment in Enrolment.objects.all():
        events = AuditEvent.objects.filter(context=f"enrolment:{enrolment.pk}").order_by(
            "created_at", "sequence"
        )
        states = [
            e.changes.get("state") or e.changes["enrolment_state"]
            for e in events
            if "state" in e.changes or "enrolment_state" in e.changes
        ]
        assert states[0] == [None, "proposed"]
        assert states[-1][1] == enrolment.state
        assert all(a[1] == b[0] for a, b in itertools.pairwise(states))
    assert list(verify_chain()) == []
    # Every stream's head is its newest event.
    for head in AuditStreamHead.objects.filter(sequence__gt=0):
        newest = AuditEvent.objects.filter(stream=head.stream).order_by("-sequence").first()
        assert (newest.sequence, newest.hash) == (head.sequence, head.hash)
