"""What waits on a user after joining: reviews, confirmations, next cycles, overdue activities.

Every read here selects what is due in the database, so that the task list and the calendar
cost the same for a national officer whatever the number of members with nothing due.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accord.accounts import rules
from accord.accounts.models import Role, RoleAssignment
from accord.actions.models import Action
from accord.enrolments import notifications as step_notifications
from accord.enrolments import rules as enrolment_rules
from accord.enrolments.models import Enrolment
from accord.enrolments.process import OPEN_STATES, STEPS, State, Step, task_steps_from
from accord.membership import cycles
from accord.membership import rules as membership_rules
from accord.membership import selectors as member_selectors
from accord.membership.models import Cycle, Membership, MembershipStatus, PolicyCheck

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


@dataclass
class MemberTask:
    enrolment: Enrolment
    actions: list[tuple[str, str]]
    since: datetime.date


# Both sides have confirmed the cycle: its review and activities are due.
CONFIRMED = Q(union_confirmed_at__isnull=False, employer_confirmed_at__isnull=False)
# The calendar carries due dates from a month back to a year ahead: a whole cycle.
CALENDAR_PAST = datetime.timedelta(days=31)
CALENDAR_AHEAD = datetime.timedelta(days=366)


def current_members() -> QuerySet[Enrolment]:
    """Listed enrolments whose membership has not been withdrawn (unloaded: a subquery)."""
    withdrawn = Membership.objects.filter(
        scheme=OuterRef("scheme"),
        employer=OuterRef("employer"),
        status=MembershipStatus.WITHDRAWN,
    )
    return Enrolment.objects.filter(state=State.LISTED).exclude(Exists(withdrawn))


def members_in_scope(user: AnyUser, roles: Iterable[Role] | None = None) -> QuerySet[Enrolment]:
    """The current members the user may see (through one of `roles`, if given), unloaded: a
    subquery for the reads below."""
    condition = rules.visible_enrolments_q(user, roles)
    if condition is None:
        return Enrolment.objects.none()
    return current_members().filter(condition)


def latest_cycles() -> QuerySet[Cycle]:
    """Each enrolment's current cycle: the one with no later cycle."""
    later = Cycle.objects.filter(enrolment=OuterRef("enrolment"), number__gt=OuterRef("number"))
    return Cycle.objects.exclude(Exists(later))


def member_tasks(user: AnyUser, today: datetime.date | None = None) -> list[MemberTask]:
    """What the user may do now about members' cycles, reviews and policy checks."""
    if not rules.has_role(user, Role.LOCAL_SECRETARY, Role.EMPLOYER_CONTACT):
        return []
    today = today or timezone.localdate()
    members = members_in_scope(user)
    # Only members that may have a task are loaded; `cycles.cycle_actions` then decides. A
    # review is recorded, confirmed, or leads to the next cycle only from REVIEW_WINDOW
    # before the current cycle ends; a later cycle may wait for the employer at any time.
    waiting = latest_cycles().filter(
        Q(ends_on__lte=today + cycles.REVIEW_WINDOW)
        | Q(number__gt=1, employer_confirmed_at__isnull=True),
        enrolment__in=members,
    )
    candidates = Q(pk__in=waiting.values("enrolment_id"))
    assessor = rules.has_role(user, Role.LOCAL_SECRETARY)
    if assessor:
        unassessed = PolicyCheck.objects.filter(membership__enrolment__in=members, assessment="")
        candidates |= Q(pk__in=unassessed.values("membership__enrolment_id"))
    found = list(
        member_selectors.enrolments(detail=True).filter(candidates).order_by("employer__name", "id")
    )
    checks: dict[int, list[PolicyCheck]] = {}
    if assessor:
        for check in PolicyCheck.objects.filter(
            membership__enrolment__in=found, assessment=""
        ).select_related("membership"):
            checks.setdefault(check.membership.enrolment_id, []).append(check)
    tasks = []
    for enrolment in found:
        actions = cycles.cycle_actions(user, enrolment)
        if membership_rules.can_assess_policy(user, enrolment):
            actions += [
                (f"Assess the policy “{check.title}”", check.get_absolute_url())
                for check in checks.get(enrolment.pk, [])
            ]
        if actions:
            current = cycles.latest_cycle(enrolment)
            tasks.append(MemberTask(enrolment, actions, current.ends_on))
    return sorted(tasks, key=lambda t: t.since)


def members_taking_part(user: AnyUser) -> QuerySet[Enrolment]:
    """The current members where the user is one of the parties (unloaded: a subquery)."""
    return members_in_scope(user, enrolment_rules.PARTIES)


def _activities(members: QuerySet[Enrolment]) -> QuerySet[Action]:
    """Open activities of the confirmed cycles of `members`."""
    confirmed = Cycle.objects.filter(CONFIRMED, enrolment__in=members)
    return (
        Action.objects.open()
        .filter(cycle__in=confirmed)
        .select_related("cycle__enrolment__employer")
        .order_by("due_on", "cycle__enrolment__employer__name", "number")
    )


def overdue_actions(
    user: AnyUser, today: datetime.date | None = None
) -> list[tuple[Enrolment, Action]]:
    """Late activities of the members the user may see, most overdue first."""
    today = today or timezone.localdate()
    late = _activities(members_in_scope(user)).filter(due_on__lt=today)
    return [(a.cycle.enrolment, a) for a in late]


# A calendar holds the dates a person works to: the reviews and activities of the members
# where they are one of the parties. National officers and auditors, who may see every
# member, follow them on their task list instead, so their calendars stay small.


def calendar_activities(user: AnyUser, today: datetime.date) -> list[tuple[Enrolment, Action]]:
    """Open activities due within the calendar's window, at members the user takes part in."""
    window = (today - CALENDAR_PAST, today + CALENDAR_AHEAD)
    found = _activities(members_taking_part(user)).filter(due_on__range=window)
    return [(a.cycle.enrolment, a) for a in found]


def calendar_reviews(user: AnyUser, today: datetime.date) -> list[Cycle]:
    """Current cycles of the members the user takes part in whose review falls due within the
    calendar's window and is still to be recorded."""
    found = (
        latest_cycles()
        .filter(
            CONFIRMED,
            enrolment__in=members_taking_part(user),
            ends_on__range=(today - CALENDAR_PAST, today + CALENDAR_AHEAD),
        )
        .select_related("enrolment__employer")
        .prefetch_related("reviews")
        .order_by("ends_on", "pk")
    )
    return [cycle for cycle in found if cycles.review_pending(cycle)]


@dataclass
class Unattended:
    """A case that nobody in scope can act on, for the national officers."""

    enrolment: Enrolment
    steps: list[tuple[Step, str]]  # each step waited for with nobody to take it, and its roles
    # Those who held the task until they were deactivated or their role ended: the case then
    # "needs a new owner".
    former_owners: list[str] = field(default_factory=list)


def unattended(user: AnyUser) -> list[Unattended]:
    """Cases in progress, in the scope of the user as a national officer, that wait on a step
    nobody in scope can take (a trust with no local association has no secretary to endorse
    it): the national officers take them up, so that no case waits on nobody. Oldest first."""
    scope = rules.visible_enrolments_q(user, [Role.NATIONAL_OFFICER])
    if scope is None:
        return []
    waiting_states = [s for s in OPEN_STATES if task_steps_from(s)]
    found = list(
        member_selectors.enrolments()
        .filter(scope, state__in=waiting_states)
        .order_by("state_changed_at", "id")
    )
    holders = _task_role_holders(found)
    former = _task_role_holders(found, former=True)

    def holding(enrolment: Enrolment, step: Step, by_role: dict) -> list[RoleAssignment]:
        return [
            a
            for role in step.roles
            for a in by_role.get(role, [])
            if rules.covers(a, enrolment.employer, enrolment.scheme) and step.guard(enrolment, a)
        ]

    cases = []
    for enrolment in found:
        pending = [
            step
            for step in task_steps_from(enrolment.state_enum)
            if step_notifications.is_pending(step, enrolment)
            and not holding(enrolment, step, holders)
        ]
        if pending:
            owners = {
                a.user.get_full_name() for s in pending for a in holding(enrolment, s, former)
            }
            steps = [(s, step_notifications.missing_roles(s)) for s in pending]
            cases.append(Unattended(enrolment, steps, sorted(owners)))
    return cases


def _task_role_holders(
    enrolments: list[Enrolment], *, former: bool = False
) -> dict[str, list[RoleAssignment]]:
    """Active assignments of the roles that take steps, by role: every area role, and those
    held for these employers (or their schools), which are the only employers they reach.
    With `former`, instead the assignments that no longer count: ended, or held by someone
    deactivated."""
    roles = {role for s in STEPS if s.task for role in s.roles}
    employers = {e.employer_id for e in enrolments}
    if former:
        today = timezone.localdate()
        held = RoleAssignment.history.filter(
            Q(ends_on__lte=today) | Q(user__is_active=False), role__in=roles
        ).select_related("user")
    else:
        held = RoleAssignment.objects.filter(role__in=roles, user__is_active=True)
    found = held.filter(
        Q(employer__isnull=True)
        | Q(employer_id__in=employers)
        | Q(employer__parent_id__in=employers)
    ).select_related("union", "employer__parent", "association", "district", "region")
    by_role: dict[str, list[RoleAssignment]] = {}
    for assignment in found:
        by_role.setdefault(assignment.role, []).append(assignment)
    return by_role


def plan_actions_for(user: AnyUser, *, within_days: int | None = 30) -> list[Action]:
    """Open plan actions the user may update: those overdue or due within `within_days`
    (all of them when None)."""
    owned_plans, parties = set(), set()
    for a in rules.assignments(user):
        if a.role == Role.PLAN_OWNER:
            owned_plans.add(a.plan_id)
        elif a.role == Role.PLAN_MEMBER:
            parties.add((a.plan_id, a.party_id))
    if not owned_plans and not parties:
        return []
    condition = Q(plan_id__in=owned_plans)
    for plan_id, party_id in parties:
        condition |= Q(plan_id=plan_id, owner_party_id=party_id)
    actions = Action.objects.open().filter(condition)
    if within_days is not None:
        horizon = timezone.localdate() + datetime.timedelta(days=within_days)
        actions = actions.filter(due_on__lte=horizon)
    return list(actions.select_related("plan").order_by("due_on", "number"))
