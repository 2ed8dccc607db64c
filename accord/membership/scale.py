"""Listed members in bulk, for the synthetic data of the scale tests and the benchmarks: bulk
inserts, no audit events, no e-mails."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from accord.accounts.models import User
from accord.core.signals import memberships_changed
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.organisations.models import Employer
from accord.schemes.models import Scheme

from .models import Membership, MembershipStatus


def list_in_bulk(
    scheme: Scheme,
    employers: Sequence[Employer],
    *,
    proposer: User,
    since: datetime.date,
    prefix: str,
    suspended_every: int = 0,
) -> list[Enrolment]:
    """A listed enrolment and a membership since `since` for each employer, with references
    `<prefix>-<employer id>`; every `suspended_every`-th member is suspended (none when 0).
    Returns the enrolments in key order."""
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                scheme=scheme,
                employer=employer,
                state=State.LISTED,
                proposed_by=proposer,
                listed_on=since,
            )
            for employer in employers
        ],
        batch_size=2000,
    )
    enrolments = list(
        Enrolment.objects.filter(
            scheme=scheme, employer__in=employers, state=State.LISTED
        ).order_by("pk")
    )
    Membership.objects.bulk_create(
        [
            Membership(
                scheme=scheme,
                employer_id=enrolment.employer_id,
                enrolment=enrolment,
                reference=f"{prefix}-{enrolment.employer_id:07d}",
                member_since=since,
                status_since=since,
                status=MembershipStatus.SUSPENDED
                if suspended_every and n % suspended_every == 0
                else MembershipStatus.ACTIVE,
            )
            for n, enrolment in enumerate(enrolments)
        ],
        batch_size=2000,
    )
    memberships_changed.send(
        sender=Membership,
        membership_ids=list(
            Membership.objects.filter(enrolment__in=enrolments).values_list("pk", flat=True)
        ),
    )
    return enrolments
