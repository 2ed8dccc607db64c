"""Synthetic members in bulk, for the task list's and the calendar's row-count tests and their
benchmark. Fast: bulk inserts, no audit events, no e-mails."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accord.accounts.models import User
from accord.actions.models import Action, ActionStatus
from accord.enrolments.models import Enrolment
from accord.membership.models import Cycle
from accord.membership.scale import list_in_bulk
from accord.organisations.models import Association, Employer, EmployerKind, LocalAuthority
from accord.schemes.models import Scheme

# Each cycle's activities, as days after the cycle starts.
ACTIVITY_DAYS = (60, 120, 240)


def build_members(
    scheme: Scheme,
    *,
    count: int,
    association: Association | None,
    local_authority: LocalAuthority,
    first_start: datetime.date,
    spread_days: int = 1,
    late_every: int = 0,
) -> list[Enrolment]:
    """`count` listed members, each with a confirmed one-year cycle and three activities.

    Member n's cycle starts `n % spread_days` days after `first_start` (n: the enrolment's
    key). Activities due before today are done, except on every `late_every`-th member (none
    when 0), where they are late.
    """
    today = timezone.localdate()
    now = timezone.now()
    start = Employer.objects.count()
    employers = Employer.objects.bulk_create(
        [
            Employer(
                name=f"Member School {start + n:06d}",
                kind=EmployerKind.SCHOOL,
                urn=f"6{start + n:06d}",
                local_authority=local_authority,
                association=association,
                postcode="B1 1AA",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    proposer = User.objects.create_user(
        f"members{start}@example.org", email=f"members{start}@example.org", full_name="Members"
    )
    enrolments = list_in_bulk(scheme, employers, proposer=proposer, since=first_start, prefix="M")
    principle = scheme.current_principles()[0]
    # Counted on the enrolment's key, so that members built in several calls spread evenly.
    starts = {
        e.pk: first_start + datetime.timedelta(days=e.pk % max(spread_days, 1)) for e in enrolments
    }
    Cycle.objects.bulk_create(
        [
            Cycle(
                enrolment=e,
                number=1,
                principle_version=principle,
                objectives="Hold a termly joint committee.",
                success_criteria="Three meetings with minutes.",
                starts_on=starts[e.pk],
                ends_on=starts[e.pk] + datetime.timedelta(days=364),
                union_confirmed_at=now,
                union_confirmed_by=proposer,
                employer_confirmed_at=now,
                employer_confirmed_by=proposer,
            )
            for e in enrolments
        ],
        batch_size=2000,
    )
    late = {e.pk for e in enrolments if late_every and e.pk % late_every == 0}
    actions = []
    for cycle in Cycle.objects.filter(enrolment__in=enrolments).only("pk", "enrolment_id"):
        for number, days in enumerate(ACTIVITY_DAYS, 1):
            due = starts[cycle.enrolment_id] + datetime.timedelta(days=days)
            done = due < today and cycle.enrolment_id not in late
            actions.append(
                Action(
                    cycle_id=cycle.pk,
                    number=number,
                    detail=f"Activity {number}",
                    owner="HR director",
                    due_on=due,
                    status=ActionStatus.DONE if done else ActionStatus.NOT_STARTED,
                )
            )
    Action.objects.bulk_create(actions, batch_size=2000)
    return enrolments
