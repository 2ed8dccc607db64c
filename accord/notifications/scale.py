"""Synthetic data in bulk, for the row-count tests of the task list, the calendar and the
reminders, and for their benchmarks: members with a history of cycles and activities,
employers with no case, cases closed long ago. Fast: bulk inserts, no audit events, no
e-mails. Each builder takes counts, so that a benchmark can build any scale with them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone

from accord.accounts.models import User
from accord.actions.models import Action, ActionStatus
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership.models import Cycle, Decision, Outcome, Review
from accord.membership.scale import list_in_bulk
from accord.organisations.models import Association, Employer, EmployerKind, LocalAuthority
from accord.schemes.models import Scheme

# Each cycle's activities, as days after the cycle starts (three by default).
ACTIVITY_DAYS = (60, 120, 240)
BATCH = 2000
YEAR = datetime.timedelta(days=364)


def activity_days(count: int) -> tuple[int, ...]:
    """When `count` activities fall due in a cycle, as days after it starts."""
    if count == len(ACTIVITY_DAYS):
        return ACTIVITY_DAYS
    return tuple(int(364 * (n + 1) / (count + 1)) for n in range(count))


def build_employers(
    count: int,
    *,
    association: Association | None,
    local_authority: LocalAuthority,
    name: str = "School",
) -> list[Employer]:
    """`count` employers with no case: most of a national register of schools."""
    start = Employer.objects.count()
    return Employer.objects.bulk_create(
        [
            Employer(
                name=f"{name} {start + n:06d}",
                kind=EmployerKind.SCHOOL,
                urn=f"6{start + n:06d}",
                local_authority=local_authority,
                association=association,
                postcode="B1 1AA",
            )
            for n in range(count)
        ],
        batch_size=BATCH,
    )


def _proposer() -> User:
    """A user to hold the bulk-made records; counted, so that each call makes a new one."""
    key = f"bulk{User.objects.count()}@example.org"
    return User.objects.create_user(key, email=key, full_name="Proposer")


def build_members(
    scheme: Scheme,
    *,
    count: int,
    association: Association | None,
    local_authority: LocalAuthority,
    first_start: datetime.date,
    spread_days: int = 1,
    late_every: int = 0,
    past_cycles: int = 0,
    activities: int = len(ACTIVITY_DAYS),
) -> list[Enrolment]:
    """`count` listed members, each with a confirmed one-year current cycle and `activities`
    activities in it, after `past_cycles` earlier cycles, each reviewed (met) and confirmed,
    whose activities are all done.

    Member n's current cycle starts `n % spread_days` days after `first_start` (n: the
    enrolment's key). Its activities due before today are done, except on every
    `late_every`-th member (none when 0), where they are late.
    """
    today = timezone.localdate()
    now = timezone.now()
    employers = build_employers(
        count, association=association, local_authority=local_authority, name="Member School"
    )
    proposer = _proposer()
    enrolments = list_in_bulk(scheme, employers, proposer=proposer, since=first_start, prefix="M")
    principles = list(scheme.current_principles())
    # Counted on the enrolment's key, so that members built in several calls spread evenly.
    starts = {
        e.pk: first_start + datetime.timedelta(days=e.pk % max(spread_days, 1)) for e in enrolments
    }
    cycles = []
    for e in enrolments:
        for number in range(1, past_cycles + 2):
            begins = starts[e.pk] - (past_cycles + 1 - number) * (YEAR + datetime.timedelta(1))
            cycles.append(
                Cycle(
                    enrolment=e,
                    number=number,
                    principle_version=principles[(number - 1) % len(principles)],
                    objectives="Hold a termly joint committee.",
                    success_criteria="Three meetings with minutes.",
                    starts_on=begins,
                    ends_on=begins + YEAR,
                    union_confirmed_at=now,
                    union_confirmed_by=proposer,
                    partners_signed_at=now,
                    employer_confirmed_at=now,
                    employer_confirmed_by=proposer,
                )
            )
    Cycle.objects.bulk_create(cycles, batch_size=BATCH)
    built = list(
        Cycle.objects.filter(enrolment__in=enrolments).only(
            "pk", "enrolment_id", "number", "starts_on", "ends_on"
        )
    )
    Review.objects.bulk_create(
        [
            Review(
                cycle_id=cycle.pk,
                held_on=cycle.ends_on,
                outcome=Outcome.MET,
                evidence="Minutes of three meetings.",
                decision=Decision.NEXT_CYCLE,
                recorded_by=proposer,
                partners_signed_at=now,
                employer_confirmed_at=now,
                employer_confirmed_by=proposer,
            )
            for cycle in built
            if cycle.number <= past_cycles
        ],
        batch_size=BATCH,
    )
    late = {e.pk for e in enrolments if late_every and e.pk % late_every == 0}
    days = activity_days(activities)
    actions = []
    for cycle in built:
        current = cycle.number == past_cycles + 1
        for number, after in enumerate(days, 1):
            due = cycle.starts_on + datetime.timedelta(days=after)
            done = not current or (due < today and cycle.enrolment_id not in late)
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
    Action.objects.bulk_create(actions, batch_size=BATCH)
    return enrolments


def build_cases(
    scheme: Scheme,
    employers: Sequence[Employer],
    *,
    state: State,
    since: datetime.date,
) -> list[Enrolment]:
    """A case for each employer that reached `state` on `since`: closed cases are history
    that waits on nobody; open ones wait on whoever takes their next step."""
    proposer = _proposer()
    changed_at = timezone.make_aware(datetime.datetime.combine(since, datetime.time(12)))
    return Enrolment.objects.bulk_create(
        [
            Enrolment(
                scheme=scheme,
                employer=employer,
                state=state,
                state_changed_at=changed_at,
                proposed_by=proposer,
            )
            for employer in employers
        ],
        batch_size=BATCH,
    )
