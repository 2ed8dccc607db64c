"""What the scheme dashboard reads beyond the register, built in bulk for bench/national.py.

Cases open at every joining step and cases closed along the way, on employers that are not
members; every case's and every member's step history, as the audit events `take_step` writes
(`enrolment.<step>` with the state before and after), dated so that each case has waited
between a few days and months at each step; policy checks, some of them detriments and some
not yet assessed; memberships suspended, withdrawn and lapsed, with their history; and joint
action plans beside the big one, with actions done, open and overdue. At scale 1: 3,000 open
and 1,500 closed cases, 10,000 policy checks and 50 more plans of 20 actions.

The history is returned as `HistoryEvent`s for national.py to write into the sealed audit
trail with everything else.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accord.actions.models import Action, ActionStatus
from accord.enrolments.models import Enrolment
from accord.enrolments.process import CLOSED_STATES, MAIN_PATH, STEPS, State, Step
from accord.membership.models import (
    Assessment,
    LapseDecision,
    LapseOutcome,
    Membership,
    MembershipStatus,
    PolicyCheck,
)
from accord.organisations.models import Employer
from accord.plans.models import Party, Plan, PlanStatus
from accord.schemes.models import Scheme
from bench.bulk import defaults, insert

FULL = {"open_cases": 3_000, "closed_cases": 1_500, "policy_checks": 10_000, "plans": 50}
# Actions in each of the smaller plans.
PLAN_SIZE = 20
# Which members leave, by their position in key order; none of these is a multiple of 20,
# the members the register's builder suspends.
WITHDRAWN_EVERY, WITHDRAWN_AT = 50, 7
LAPSED_EVERY, LAPSED_AT = 100, 13
ENROLMENT_TYPE = Enrolment._meta.label_lower
MEMBERSHIP_TYPE = Membership._meta.label_lower
# When a step records a date, the enrolment's field that holds it (the process declaration's
# `date_field`, and the dates the introduction records).
DATE_FIELDS = {
    State.INTRODUCED: "introduced_on",
    State.JOINED: "joined_on",
    State.NATIONAL_NOTIFIED: "national_notified_on",
}


@dataclass(frozen=True)
class HistoryEvent:
    """One audit event of a record's history, for national.py to seal into its stream."""

    stream: str
    created_at: datetime.datetime
    action: str
    summary: str
    target_type: str
    target_id: str
    changes: dict[str, Any]
    internal: bool


def scaled(scale: float) -> dict[str, int]:
    return {name: max(1, round(count * scale)) for name, count in FULL.items()}


def step_between(before: State | None, after: State) -> Step:
    """The first step the process declares from `before` to `after`."""
    for step in STEPS:
        if before in step.sources and after in step.targets:
            return step
    raise LookupError(f"No step leads from {before} to {after}.")


def _history(
    enrolment: int, path: Sequence[State], times: Sequence[datetime.datetime]
) -> list[HistoryEvent]:
    events = []
    for before, after, at in zip([None, *path[:-1]], path, times, strict=True):
        step = step_between(before, after)
        events.append(
            HistoryEvent(
                stream=f"enrolment:{enrolment}",
                created_at=at,
                action=f"enrolment.{step.name}",
                summary=f"Bench {step.done}",
                target_type=ENROLMENT_TYPE,
                target_id=str(enrolment),
                changes={"state": [before.value if before else None, after.value]},
                internal=step.internal,
            )
        )
    return events


def _times(rng: random.Random, steps: int, last: datetime.datetime) -> list[datetime.datetime]:
    """When each of `steps` steps was taken, the last at `last`: 2 to 45 days apart."""
    times = [last]
    for _ in range(steps - 1):
        times.append(times[-1] - datetime.timedelta(days=rng.uniform(2, 45)))
    return times[::-1]


def cases(
    scale: float,
    scheme: Scheme,
    proposer: int,
    rng: random.Random,
    now: datetime.datetime,
) -> list[HistoryEvent]:
    """Open cases at every step before listing (waiting up to 150 days) and closed cases at
    each way out, on employers that are not members, with their histories."""
    counts = scaled(scale)
    wanted = counts["open_cases"] + counts["closed_cases"]
    employers = list(
        Employer.objects.filter(memberships__isnull=True, enrolments__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:wanted]
    )
    waiting = MAIN_PATH[:-1]
    ways_out = sorted(CLOSED_STATES)
    paths: dict[int, tuple[list[State], list[datetime.datetime]]] = {}
    rows = []
    for n, employer in enumerate(employers):
        if n < counts["open_cases"]:
            path = list(MAIN_PATH[: MAIN_PATH.index(waiting[n % len(waiting)]) + 1])
        else:
            closed = ways_out[n % len(ways_out)]
            step = next(s for s in STEPS if closed in s.targets)
            sources = [s for s in MAIN_PATH[:-1] if s in step.sources]
            path = [*MAIN_PATH[: MAIN_PATH.index(rng.choice(sources)) + 1], closed]
        last = now - datetime.timedelta(days=rng.uniform(0, 150))
        times = _times(rng, len(path), last)
        paths[employer] = (path, times)
        row = defaults(Enrolment) | {
            "scheme_id": scheme.pk,
            "employer_id": employer,
            "state": path[-1].value,
            "state_changed_at": last,
            "proposed_by_id": proposer,
            "reason": "A recognised union and a willing head.",
            "closed_reason": "Bench: not proceeding." if path[-1] in CLOSED_STATES else "",
            "created_at": times[0],
            "updated_at": last,
        }
        for state, at in zip(path, times, strict=True):
            if state in DATE_FIELDS:
                row[DATE_FIELDS[state]] = at.date()
        rows.append(row)
    insert(Enrolment, rows)
    ids = dict(Enrolment.objects.filter(employer_id__in=employers).values_list("employer_id", "pk"))
    events = []
    for employer, (path, times) in paths.items():
        events += _history(ids[employer], path, times)
    return events


def member_histories(rng: random.Random) -> list[HistoryEvent]:
    """Each member's way in, from its proposal to its listing on the day it was listed."""
    events = []
    members = Enrolment.objects.filter(state=State.LISTED, listed_on__isnull=False).order_by("pk")
    for enrolment, listed_on in members.values_list("pk", "listed_on"):
        last = datetime.datetime.combine(listed_on, datetime.time(10), tzinfo=datetime.UTC)
        events += _history(enrolment, MAIN_PATH, _times(rng, len(MAIN_PATH), last))
    return events


def policy_checks(
    scale: float,
    principles: Sequence[int],
    actors: Sequence[int],
    rng: random.Random,
    now: datetime.datetime,
) -> None:
    """Policy checks logged over three years across the members: one in ten a detriment, one
    in five not yet assessed, the rest consistent with the principles."""
    members = list(Membership.objects.order_by("pk").values_list("pk", flat=True))
    rows = []
    for n in range(scaled(scale)["policy_checks"]):
        logged = now - datetime.timedelta(days=rng.uniform(0, 3 * 365))
        assessment = (
            "" if n % 5 == 1 else Assessment.DETRIMENT if n % 10 == 3 else Assessment.CONSISTENT
        )
        assessed = logged + datetime.timedelta(days=rng.uniform(1, 30)) if assessment else None
        rows.append(
            defaults(PolicyCheck)
            | {
                "membership_id": members[rng.randrange(len(members))],
                "title": f"Policy {n + 1}: flexible working",
                "description": "A new flexible working policy for support staff.",
                "introduced_on": logged.date(),
                "logged_by_id": actors[n % len(actors)],
                "logged_at": logged,
                "assessment": assessment,
                "reasoning": "Read against the principles." if assessment else "",
                "assessed_by_id": actors[(n + 1) % len(actors)] if assessment else None,
                "assessed_at": min(assessed, now) if assessed else None,
            }
        )
    insert(PolicyCheck, rows)
    through = PolicyCheck.principles.through
    assessed_ids = PolicyCheck.objects.exclude(assessment="").values_list("pk", flat=True)
    insert(
        through,
        (
            {"policycheck_id": pk, "principleversion_id": principles[pk % len(principles)]}
            for pk in assessed_ids
        ),
    )


def status_changes(
    officer: int,
    current_cycles: dict[int, tuple[int, datetime.date]],
    rng: random.Random,
    today: datetime.date,
    now: datetime.datetime,
) -> list[HistoryEvent]:
    """Members suspended (those the register's builder suspended), withdrawn (their cases
    closed) and lapsed (after a decision "extend or lapse"), each on a day of the past two
    years, with the history a national officer's change writes. `current_cycles`: each member
    enrolment's current cycle and its end."""
    changed: list[tuple[Membership, str, str, datetime.date]] = []
    members = Membership.objects.order_by("pk").only("pk", "enrolment_id", "status")
    for n, membership in enumerate(members):
        if membership.status == MembershipStatus.SUSPENDED:
            change, status = "suspend", MembershipStatus.SUSPENDED
        elif n % WITHDRAWN_EVERY == WITHDRAWN_AT:
            change, status = "withdraw", MembershipStatus.WITHDRAWN
        elif n % LAPSED_EVERY == LAPSED_AT:
            change, status = "lapse_decision_lapse", MembershipStatus.LAPSED
        else:
            continue
        since = today - datetime.timedelta(days=rng.randrange(1, 730))
        membership.status, membership.status_since = status, since
        membership.status_reason = "Bench: decided by a national officer."
        membership.logo_stop_requested_on = since
        changed.append((membership, change, status, since))
    Membership.objects.bulk_update(
        [m for m, _, _, _ in changed],
        ["status", "status_since", "status_reason", "logo_stop_requested_on"],
        batch_size=1000,
    )
    withdrawn = [m.enrolment_id for m, _, status, _ in changed if status == "withdrawn"]
    Enrolment.objects.filter(pk__in=withdrawn).update(
        state=State.WITHDRAWN, closed_reason="Bench: membership withdrawn."
    )
    lapses = []
    events = []
    for membership, change, status, since in changed:
        at = datetime.datetime.combine(since, datetime.time(11), tzinfo=datetime.UTC)
        if status == MembershipStatus.LAPSED:
            cycle, ends = current_cycles[membership.enrolment_id]
            lapses.append(
                defaults(LapseDecision)
                | {
                    "membership_id": membership.pk,
                    "cycle_id": cycle,
                    "review_due_on": ends,
                    "grace_ended_on": since,
                    "opened_on": since,
                    "opened_at": at,
                    "outcome": LapseOutcome.LAPSE,
                    "reasons": "Bench: no review after the grace period.",
                    "decided_by_id": officer,
                    "decided_at": at,
                }
            )
        changes = {"status": ["active", status], "status_since": [None, since.isoformat()]}
        if status == MembershipStatus.WITHDRAWN:
            # As `membership.services.change_status` records the case it closes.
            changes["enrolment_state"] = [State.LISTED.value, State.WITHDRAWN.value]
        events.append(
            HistoryEvent(
                stream=f"enrolment:{membership.enrolment_id}",
                created_at=at,
                action=f"membership.{change}",
                summary="Bench national officer changed the membership",
                target_type=MEMBERSHIP_TYPE,
                target_id=str(membership.pk),
                changes=changes,
                internal=True,
            )
        )
    insert(LapseDecision, lapses)
    return events


def plans(
    scale: float, officer: int, rng: random.Random, today: datetime.date, now: datetime.datetime
) -> int:
    """Smaller joint action plans, each with two or three parties and PLAN_SIZE actions due
    over two years, in every status. Returns how many actions they have."""
    count = scaled(scale)["plans"]
    made = Plan.objects.bulk_create(
        [
            Plan(
                title=f"Joint plan {n + 1}",
                adopted_on=today - datetime.timedelta(days=rng.randrange(30, 900)),
                status=PlanStatus.CLOSED if n % 10 == 9 else PlanStatus.ACTIVE,
                next_review_on=today + datetime.timedelta(days=rng.randrange(-30, 180)),
                created_by_id=officer,
            )
            for n in range(count)
        ]
    )
    names = ["Employers' side", "Trade Union side", "Joint"]
    parties = Party.objects.bulk_create(
        [
            Party(plan=plan, name=name, position=position)
            for n, plan in enumerate(made)
            for position, name in enumerate(names[: 2 + n % 2], start=1)
        ]
    )
    by_plan: dict[int, list[int]] = {}
    for party in parties:
        by_plan.setdefault(party.plan_id, []).append(party.pk)
    statuses = list(ActionStatus)
    rows = []
    for plan in made:
        for number in range(1, PLAN_SIZE + 1):
            owners = by_plan[plan.pk]
            rows.append(
                defaults(Action)
                | {
                    "plan_id": plan.pk,
                    "number": number,
                    "detail": f"Action {number}: agree and publish the next step",
                    "owner": "",
                    "owner_party_id": owners[number % len(owners)],
                    "due_on": plan.adopted_on + datetime.timedelta(days=36 * number),
                    "status": statuses[rng.randrange(len(statuses))],
                    "source": "{}",
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return insert(Action, rows)
