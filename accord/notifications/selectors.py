"""What waits on a user: joining steps, reviews, confirmations, next cycles, overdue activities,
cases nobody can act on.

Every read here selects what is due in the database, dates compared there, and reads only the
window of rows a page shows (one more, to say whether more follow), so that the task list and
the calendar cost the same whatever the number of members and cases with nothing due.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import JSONObject, RowNumber
from django.utils import timezone

from accord.accounts import rules
from accord.accounts.models import Role, RoleAssignment
from accord.actions.models import Action
from accord.enrolments import inline, process
from accord.enrolments import notifications as step_notifications
from accord.enrolments import rules as enrolment_rules
from accord.enrolments.models import Enrolment, Escalation, PartnerPosition, Position
from accord.enrolments.process import OPEN_STATES, STEPS, State, Step, task_steps_from
from accord.membership import cycles
from accord.membership import rules as membership_rules
from accord.membership.models import (
    Cycle,
    Decision,
    Membership,
    MembershipStatus,
    PolicyCheck,
    Review,
    Signature,
)
from accord.organisations.models import Union
from accord.schemes.models import Scheme

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser

T = TypeVar("T")

# How many rows each list on the task page shows; a longer list says so and links to the rest.
SHOWN = 20
# Candidates read at a time where Python has the last word on a row (a member's actions).
CHUNK = 50


@dataclass
class Shown(Generic[T]):
    """The first rows of a list, and whether more follow them."""

    rows: list[T]
    more: bool = False

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __getitem__(self, index: int) -> T:
        return self.rows[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            return self.rows == other
        return isinstance(other, Shown) and (self.rows, self.more) == (other.rows, other.more)


def shown(rows: list[T], limit: int = SHOWN) -> Shown[T]:
    """`rows`, read with one row beyond `limit`, cut to `limit`."""
    return Shown(rows[:limit], len(rows) > limit)


@dataclass
class MemberTask:
    enrolment: Enrolment
    actions: list[tuple[str, str]]
    since: datetime.date


# Both sides have confirmed the cycle (the unions' side co-signed by each partner union
# represented locally, `Cycle.is_confirmed`): its review and activities are due.
CONFIRMED = Q(
    union_confirmed_at__isnull=False,
    partners_signed_at__isnull=False,
    employer_confirmed_at__isnull=False,
)
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


def current_cycles(members: QuerySet[Enrolment]) -> QuerySet[Cycle]:
    """The current cycle of each of `members`: found from the members, one lookup each on a
    cycle's enrolment and number, rather than by asking of every cycle ever held whether a
    later one exists (a member's history grows every year)."""
    latest = Cycle.objects.filter(enrolment=OuterRef("pk")).order_by("-number").values("pk")[:1]
    return Cycle.objects.filter(pk__in=members.annotate(current=Subquery(latest)).values("current"))


def review_pending(found: QuerySet[Cycle]) -> QuerySet[Cycle]:
    """The cycles of `found` waiting for a review to be recorded (`cycles.review_pending`, read
    in the database): no review yet, or the latest one extended the cycle, was confirmed, and
    the cycle now ends after it was held."""
    latest = Review.objects.filter(cycle=OuterRef("pk")).order_by("-held_on", "-pk")
    return found.annotate(
        last_held_on=Subquery(latest.values("held_on")[:1]),
        last_decision=Subquery(latest.values("decision")[:1]),
        last_confirmed_at=Subquery(latest.values("employer_confirmed_at")[:1]),
    ).filter(
        Q(last_held_on__isnull=True)
        | Q(
            last_decision=Decision.EXTEND,
            last_confirmed_at__isnull=False,
            ends_on__gt=F("last_held_on"),
        )
    )


def _with_current_cycle(cycle: Cycle) -> Enrolment:
    """The cycle's enrolment, holding that cycle as its only loaded one: what the cycle rules
    (`cycles.latest_cycle`, `cycle_actions`) read of a member's current cycle."""
    enrolment = cycle.enrolment
    loaded = Cycle.objects.none()
    loaded._result_cache = [cycle]
    loaded._prefetch_done = True
    enrolment._prefetched_objects_cache = {
        **getattr(enrolment, "_prefetched_objects_cache", {}),
        "cycles": loaded,
    }
    return enrolment


def member_tasks(
    user: AnyUser,
    today: datetime.date | None = None,
    *,
    limit: int = SHOWN,
    offset: int = 0,
) -> Shown[MemberTask]:
    """What the user may do now about members' cycles, reviews and policy checks, the cycles
    ending soonest first: the `limit` tasks after the first `offset`."""
    if not rules.has_role(user, Role.LOCAL_SECRETARY, Role.EMPLOYER_CONTACT, Role.PARTNER_REP):
        return Shown([])
    today = today or timezone.localdate()
    # Only the current cycles that may have a task are read; `cycles.cycle_actions` then
    # decides. A review is recorded, confirmed, or leads to the next cycle only from
    # REVIEW_WINDOW before the current cycle ends; a later cycle may wait for the employer at
    # any time, and so may a policy check for the secretary.
    due = Q(pk__in=[])
    if rules.has_role(user, Role.LOCAL_SECRETARY, Role.EMPLOYER_CONTACT):
        due |= Q(ends_on__lte=today + cycles.REVIEW_WINDOW) | Q(
            number__gt=1, employer_confirmed_at__isnull=True
        )
    # A partner union's representative co-signs a later cycle, or a recorded review, that
    # waits for their union's signature.
    partner = rules.has_role(user, Role.PARTNER_REP)
    if partner:
        due |= _unsigned_for(user)
    assessor = rules.has_role(user, Role.LOCAL_SECRETARY)
    if assessor:
        unassessed = PolicyCheck.objects.filter(
            membership__enrolment=OuterRef("enrolment"), assessment=""
        )
        due |= Exists(unassessed)
    candidates = (
        current_cycles(members_in_scope(user))
        .filter(due)
        .select_related(
            "principle_version__principle",
            "enrolment__scheme",
            "enrolment__employer__parent",
            "enrolment__employer__association",
        )
        .prefetch_related("reviews")
        .order_by("ends_on", "enrolment__employer__name", "enrolment_id")
    )
    if partner:
        # What says which partner unions are still to co-sign.
        candidates = candidates.prefetch_related(
            "signatures",
            "reviews__signatures",
            "enrolment__partner_positions",
            "enrolment__scheme__partner_unions",
        )
    wanted = offset + limit + 1
    tasks: list[MemberTask] = []
    start = 0
    size = wanted  # enough when every candidate has a task, as is usual
    while len(tasks) < wanted:
        chunk = list(candidates[start : start + size])
        start += len(chunk)
        checks: dict[int, list[PolicyCheck]] = {}
        if assessor and chunk:
            for check in PolicyCheck.objects.filter(
                membership__enrolment__in=[c.enrolment_id for c in chunk], assessment=""
            ).select_related("membership"):
                checks.setdefault(check.membership.enrolment_id, []).append(check)
        for cycle in chunk:
            enrolment = _with_current_cycle(cycle)
            actions = cycles.cycle_actions(user, enrolment)
            if membership_rules.can_assess_policy(user, enrolment):
                actions += [
                    (f"Assess the policy “{check.title}”", check.get_absolute_url())
                    for check in checks.get(enrolment.pk, [])
                ]
            if actions:
                tasks.append(MemberTask(enrolment, actions, cycle.ends_on))
        if len(chunk) < size:
            break
        size = CHUNK
    return shown(tasks[offset:wanted], limit)


def _unsigned_for(user: AnyUser) -> Q:
    """Current cycles with the cycle itself, or its review, waiting for the co-signature of a
    union the user represents as a partner union (`cycles.cycle_actions` has the last word)."""
    unions = [a.union_id for a in rules.assignments(user) if a.role == Role.PARTNER_REP]
    cycle_signed = Signature.objects.filter(cycle=OuterRef("pk"), union__in=unions)
    review_signed = Signature.objects.filter(review=OuterRef("pk"), union__in=unions)
    unsigned_review = Review.objects.filter(
        cycle=OuterRef("pk"), partners_signed_at__isnull=True, employer_confirmed_at__isnull=True
    ).exclude(Exists(review_signed))
    return (Q(number__gt=1, partners_signed_at__isnull=True) & ~Q(Exists(cycle_signed))) | Q(
        Exists(unsigned_review)
    )


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


OVERDUE_FIELDS = (
    "number",
    "detail",
    "owner",
    "due_on",
    "status",
    "plan",
    "cycle__number",
    "cycle__enrolment__employer__name",
)


def overdue_actions(
    user: AnyUser,
    today: datetime.date | None = None,
    *,
    limit: int = SHOWN,
    offset: int = 0,
) -> Shown[tuple[Enrolment, Action]]:
    """Late activities of the members the user may see, most overdue first: the `limit`
    after the first `offset`."""
    today = today or timezone.localdate()
    # The late activities are read first, by status and due date, and only they are asked
    # whether their cycle is a confirmed one in scope: few activities are late, while a
    # member's cycles, read first, would bring every activity they ever held.
    in_scope = members_in_scope(user).filter(pk=OuterRef("enrolment_id"))
    confirmed = Cycle.objects.filter(CONFIRMED, Exists(in_scope), pk=OuterRef("cycle_id"))
    late = (
        Action.objects.open()
        .filter(Exists(confirmed), due_on__lt=today)
        .select_related("cycle__enrolment__employer")
        # What the lists show of each row, and no more: the rows' other fields are many.
        .only(*OVERDUE_FIELDS)
        .order_by("due_on", "cycle__enrolment__employer__name", "number")
    )
    found = list(late[offset : offset + limit + 1])
    return shown([(a.cycle.enrolment, a) for a in found], limit)


# A calendar holds the dates a person works to: the reviews and activities of the members
# where they are one of the parties. National officers and auditors, who may see every
# member, follow them on their task list instead, so their calendars stay small.


def calendar_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today - CALENDAR_PAST, today + CALENDAR_AHEAD


def calendar_activities(user: AnyUser, today: datetime.date) -> list[tuple[Enrolment, Action]]:
    """Open activities due within the calendar's window, at members the user takes part in."""
    found = _activities(members_taking_part(user)).filter(due_on__range=calendar_window(today))
    return [(a.cycle.enrolment, a) for a in found]


def calendar_reviews(user: AnyUser, today: datetime.date) -> list[Cycle]:
    """Current cycles of the members the user takes part in whose review falls due within the
    calendar's window and is still to be recorded."""
    found = current_cycles(members_taking_part(user)).filter(
        CONFIRMED, ends_on__range=calendar_window(today)
    )
    return list(
        review_pending(found).select_related("enrolment__employer").order_by("ends_on", "pk")
    )


# --- joining steps ----------------------------------------------------------------------------
# The process's guards (enrolments.process), read as filters on enrolments. `union` is the
# union of the assignment the step would be taken under, None for "anyone holding the role".

GuardQ = Callable[[int | None], Q]


def _own_position_pending_q(union: int | None) -> Q:
    if union is None:
        return Q(pk__in=[])
    partner = Scheme.partner_unions.through.objects.filter(scheme=OuterRef("scheme"), union=union)
    recorded = PartnerPosition.objects.filter(enrolment=OuterRef("pk"), union=union)
    return Q(Exists(partner)) & ~Q(Exists(recorded))


def _any_position_pending_q(union: int | None) -> Q:
    recorded = PartnerPosition.objects.filter(
        enrolment=OuterRef(OuterRef("pk")), union=OuterRef("union")
    )
    pending = Scheme.partner_unions.through.objects.filter(scheme=OuterRef("scheme")).exclude(
        Exists(recorded)
    )
    return Q(Exists(pending))


def _first_cycle_q(unconfirmed: str) -> GuardQ:
    def condition(union: int | None) -> Q:
        first = Cycle.objects.filter(enrolment=OuterRef("pk"), number=1, **{unconfirmed: True})
        return Q(Exists(first))

    return condition


def _own_signature_pending_q(union: int | None) -> Q:
    """`process.own_signature_pending`: cycle 1 waits for `union`'s co-signature (for None,
    for any partner union's), the union having agreed and not yet signed."""
    signed = Signature.objects.filter(cycle=OuterRef(OuterRef("pk")), union=OuterRef("union"))
    agreed = PartnerPosition.objects.filter(
        enrolment=OuterRef("enrolment"),
        position=Position.AGREE,
        enrolment__scheme__partner_unions=F("union"),
    ).exclude(Exists(signed))
    if union is not None:
        agreed = agreed.filter(union=union)
    first = Cycle.objects.filter(
        Exists(agreed), enrolment=OuterRef("pk"), number=1, partners_signed_at__isnull=True
    )
    return Q(Exists(first))


GUARDS: dict[Callable, GuardQ] = {
    process._always: lambda union: Q(),
    process.own_position_pending: _own_position_pending_q,
    process.any_position_pending: _any_position_pending_q,
    process.union_confirmation_pending: _first_cycle_q("union_confirmed_at__isnull"),
    process.employer_confirmation_pending: _first_cycle_q("employer_confirmed_at__isnull"),
    process.own_signature_pending: _own_signature_pending_q,
}
# Guards that look at the enrolment only, not at who takes the step.
ENROLMENT_GUARDS = frozenset(
    {
        process._always,
        process.any_position_pending,
        process.union_confirmation_pending,
        process.employer_confirmation_pending,
    }
)


def guard_q(step: Step, union: int | None) -> Q:
    """`step.guard` as a filter on enrolments, for an assignment of `union`."""
    return GUARDS[step.guard](union)


def _task_steps() -> list[Step]:
    return [s for s in STEPS if s.task and any(state is not None for state in s.sources)]


def _sources(step: Step) -> list[State]:
    return [state for state in step.sources if state is not None]


@dataclass
class Waiting:
    """Cases waiting on the user, each with the steps they may take, oldest first: at most
    `SHOWN` + 1 in each state, and the states with more than `SHOWN`."""

    rows: list[tuple[Enrolment, list[Step]]]
    full: set[str] = field(default_factory=set)


def _guard_name(step: Step, union: int | None) -> str:
    """The annotation holding `step.guard` for an assignment of `union`."""
    if step.guard in ENROLMENT_GUARDS:
        return f"guard_{step.guard.__name__}"
    return f"guard_{step.guard.__name__}_{union}"


def steps_waiting(user: AnyUser, limit: int = SHOWN) -> Waiting:
    """The joining steps the user may take now (`enrolments.rules.can_take_step`): the cases
    and the steps' guards are selected in the database, for each state the oldest `limit` + 1;
    whose assignment reaches which case is then `accounts.rules.covers`."""
    conditions = []
    guards: dict[str, Q] = {}
    for a in rules.assignments(user):
        steps = [step for step in _task_steps() if a.role in step.roles]
        if not steps:
            continue
        waiting = Q(pk__in=[])
        for step in steps:
            if step.guard is process._always:
                waiting |= Q(state__in=_sources(step))
                continue
            name = _guard_name(step, a.union_id)
            guards.setdefault(name, guard_q(step, a.union_id))
            waiting |= Q(state__in=_sources(step), **{name: True})
        conditions.append(rules.enrolment_scope_q(a) & waiting)
    if not conditions:
        return Waiting([])
    anything = conditions[0]
    for condition in conditions[1:]:
        anything |= condition
    found = (
        Enrolment.objects.annotate(
            **{
                name: ExpressionWrapper(condition, output_field=BooleanField())
                for name, condition in guards.items()
            }
        )
        .filter(anything)
        .annotate(
            place=Window(
                RowNumber(), partition_by=[F("state")], order_by=[F("state_changed_at"), F("pk")]
            ),
            in_state=Window(Count("pk"), partition_by=[F("state")]),
        )
        .filter(place__lte=limit + 1)
        .select_related("scheme", "employer__parent", "employer__association")
        .order_by("state_changed_at", "pk")
    )
    if rules.has_role(user, Role.PARTNER_REP):
        # A partner rep's reach is read through the scheme's partner unions.
        found = found.prefetch_related("scheme__partner_unions")
    assignments = rules.assignments(user)
    rows, full = [], set()
    for enrolment in found:
        steps = [
            step
            for step in _task_steps()
            if enrolment.state in step.sources
            and any(
                a.role in step.roles
                and rules.covers(a, enrolment.employer, enrolment.scheme)
                and (
                    step.guard is process._always
                    or getattr(enrolment, _guard_name(step, a.union_id), False)
                )
                for a in assignments
            )
        ]
        if steps:
            rows.append((enrolment, steps))
        if enrolment.in_state > limit:
            full.add(enrolment.state)
    return Waiting(rows, full)


# --- escalations ----------------------------------------------------------------------------------


def escalating_steps() -> list[Step]:
    """The steps that escalate when they wait too long (`process.escalation_role`)."""
    return [s for s in _task_steps() if s.escalates_to is not None]


def step_pending_q(step: Step) -> Q:
    """`step` is still to be taken by someone, as a filter on enrolments: a partner union's
    position is pending while any partner union's is."""
    if step.guard is process.own_position_pending:
        return _any_position_pending_q(None)
    return guard_q(step, None)


def states_stalled(steps: list[Step], today: datetime.date) -> set[str]:
    """The states in which some case has waited long enough for one of `steps` to escalate: one
    cheap read, so that the daily run looks further only where something may have stalled."""
    shortest = min((s.escalate_after_days for s in steps), default=0)
    return set(
        Enrolment.objects.filter(
            state__in={state.value for step in steps for state in _sources(step)},
            state_changed_at__date__lte=today - datetime.timedelta(days=shortest),
        )
        .order_by()
        .values_list("state", flat=True)
        .distinct()
    )


def stalled(step: Step, today: datetime.date) -> QuerySet[Enrolment]:
    """Enrolments on which `step` has waited `step.escalate_after_days` or more by `today`
    and whose stall has not been escalated yet."""
    escalated = Escalation.objects.filter(
        enrolment=OuterRef("pk"), step=step.name, since=OuterRef("state_changed_at")
    )
    return (
        Enrolment.objects.filter(
            state__in=_sources(step),
            state_changed_at__date__lte=today - datetime.timedelta(days=step.escalate_after_days),
        )
        .filter(step_pending_q(step))
        .exclude(Exists(escalated))
        .select_related("scheme", "employer__parent", "employer__association")
        .order_by("state_changed_at", "id")
    )


def open_escalations() -> QuerySet[Escalation]:
    """Escalations whose step still waits: the enrolment has not moved since, and the step is
    still to be taken."""
    pending = Q(pk__in=[])
    for step in escalating_steps():
        condition = step_pending_q(step)
        if condition:
            on_enrolment = Enrolment.objects.filter(condition, pk=OuterRef("enrolment_id"))
            pending |= Q(step=step.name) & Q(Exists(on_enrolment))
        else:
            pending |= Q(step=step.name)
    return Escalation.objects.filter(pending, enrolment__state_changed_at=F("since"))


def escalations_for(user: AnyUser, *, limit: int = SHOWN) -> Shown[Escalation]:
    """Open escalations to a role the user holds, on enrolments that role reaches: the
    oldest first, the first `limit`."""
    targets = {s.escalates_to for s in escalating_steps()} | {Role.NATIONAL_OFFICER}
    reach = Q(pk__in=[])
    found_any = False
    for a in rules.assignments(user):
        if a.role in targets:
            found_any = True
            scope = Enrolment.objects.filter(
                rules.enrolment_scope_q(a), pk=OuterRef("enrolment_id")
            )
            reach |= Q(role=a.role) & Q(Exists(scope))
    if not found_any:
        return Shown([])
    found = (
        open_escalations()
        .filter(reach)
        .select_related("enrolment__employer", "enrolment__scheme")
        .order_by("escalated_at", "id")
    )
    return shown(list(found[: limit + 1]), limit)


# --- cases nobody can act on --------------------------------------------------------------------


def _holders(role: str) -> QuerySet[RoleAssignment] | None:
    """Active assignments of `role` that reach the outer enrolment, as the scopes in
    `accounts.rules` say; None for a role not read here (its cases are then left to the
    check in Python)."""
    held = RoleAssignment.objects.filter(role=role, user__is_active=True)
    lead = OuterRef("scheme__lead_union")
    match role:
        case Role.LOCAL_SECRETARY:
            return held.filter(union=lead, association=OuterRef("employer__association"))
        case Role.NEM:
            return held.filter(union=lead, district=OuterRef("employer__association__district"))
        case Role.NATIONAL_OFFICER:
            return held.filter(union=lead)
        case Role.EMPLOYER_CONTACT:
            return held.filter(employer=OuterRef("employer"))
    return None


def _pending_q(step: Step) -> Q:
    """`enrolments.notifications.is_pending` as a filter: still to be taken by someone."""
    # Asked with a blank assignment of each role, as `is_pending` does: a blank one has no
    # union, so the guard reads the enrolment alone, the same for every role.
    return guard_q(step, None) if step.roles else Q(pk__in=[])


def _nobody_q(step: Step) -> Q:
    """Nobody active holds a role that may take `step` here."""
    condition = Q()
    for role in step.roles:
        holders = _holders(role)
        if holders is not None:
            condition &= ~Q(Exists(holders))
    return condition


@dataclass
class Unattended:
    """A case that nobody in scope can act on, for the national officers."""

    enrolment: Enrolment
    steps: list[tuple[Step, str]]  # each step waited for with nobody to take it, and its roles
    # Those who held the task until they were deactivated or their role ended: the case then
    # "needs a new owner".
    former_owners: list[str] = field(default_factory=list)


@functools.cache
def _unattended_candidates() -> QuerySet[Enrolment]:
    """The cases waiting on a step nobody holds a role to take, whoever asks: built once, as
    the process it is read from is fixed, and narrowed to each user's scope on each request
    (a filter clones the query, leaving this one as it is)."""
    waiting_states = [s for s in OPEN_STATES if task_steps_from(s)]
    # The steps grouped by guard and roles, each group's states together, so that the filter
    # asks once whether anyone holds a role.
    groups: dict[tuple[Callable, frozenset[Role]], tuple[Step, list[State]]] = {}
    for state in waiting_states:
        for step in task_steps_from(state):
            _, states = groups.setdefault((step.guard, step.roles), (step, []))
            states.append(state)
    nobody = Q(pk__in=[])
    pending = {}
    for (guard, _), (step, states) in groups.items():
        if guard is process.own_position_pending:
            continue  # never pending for a blank assignment: nobody is ever missing
        nobody |= Q(state__in=states) & _pending_q(step) & _nobody_q(step)
        if guard is not process._always:
            pending[guard.__name__] = ExpressionWrapper(
                _pending_q(step), output_field=BooleanField()
            )
    return (
        Enrolment.objects.filter(nobody, state__in=waiting_states)
        .annotate(**{f"pending_{name}": condition for name, condition in pending.items()})
        .annotate(unsigned_unions_read=_unsigned_unions(), partner_unions_read=_partner_unions())
        .select_related("scheme", "employer__parent", "employer__association")
        .order_by("state_changed_at", "id")
    )


def unattended(user: AnyUser, *, limit: int = SHOWN) -> Shown[Unattended]:
    """Cases in progress, in the scope of the user as a national officer, that wait on a step
    nobody in scope can take (a trust with no local association has no secretary to endorse
    it): the national officers take them up, so that no case waits on nobody. Oldest first;
    the first `limit`."""
    scope = rules.visible_enrolments_q(user, [Role.NATIONAL_OFFICER])
    if scope is None:
        return Shown([])
    candidates = _unattended_candidates().filter(scope)
    cases: list[Unattended] = []
    start = 0
    size = limit + 1  # enough when each candidate is a case, as the filter makes usual
    while len(cases) <= limit:
        found = list(candidates[start : start + size])
        start += len(found)
        if not found:
            break
        _load_partner_unions(found)
        holders, former = _task_role_holders(found)

        def holding(enrolment: Enrolment, step: Step, by_role: dict) -> list[RoleAssignment]:
            return [
                a
                for role in step.roles
                for a in by_role.get(role, [])
                if rules.covers(a, enrolment.employer, enrolment.scheme)
                and (step.guard in ENROLMENT_GUARDS or _guard(step)(enrolment, a))
            ]

        for enrolment in found:
            steps = [
                step
                for step in task_steps_from(enrolment.state_enum)
                if _is_pending(step, enrolment) and not holding(enrolment, step, holders)
            ]
            if steps:
                owners = {
                    a.user.get_full_name() for s in steps for a in holding(enrolment, s, former)
                }
                missing = [(s, step_notifications.missing_roles(s)) for s in steps]
                cases.append(Unattended(enrolment, missing, sorted(owners)))
        if len(found) < size:
            break
        size = CHUNK
    return shown(cases, limit)


def _unsigned_unions() -> Subquery:
    """The partner unions that have yet to co-sign the outer enrolment's drafted commitment, as
    `process.own_signature_pending` finds them, read in the enrolment's query: those of the
    scheme's partner unions whose representative agreed (`Enrolment.cosigning_unions`) with
    no signature on the first cycle, while that cycle waits for its co-signatures."""
    first_cycle = Cycle.objects.filter(enrolment_id=OuterRef("enrolment_id"), number=1)
    waiting = PartnerPosition.objects.filter(
        Exists(first_cycle.filter(partners_signed_at__isnull=True)),
        Exists(
            Scheme.partner_unions.through.objects.filter(
                scheme_id=OuterRef("enrolment__scheme_id"), union_id=OuterRef("union_id")
            )
        ),
        ~Exists(
            Signature.objects.filter(
                cycle__enrolment_id=OuterRef("enrolment_id"),
                cycle__number=1,
                union_id=OuterRef("union_id"),
            )
        ),
        position=Position.AGREE,
    )
    return inline.child_rows(waiting, "enrolment", union_id="union_id")


def _partner_unions() -> Subquery:
    """The partner unions of the outer enrolment's scheme, read in the enrolment's query as
    JSON (`_load_partner_unions` puts them on the scheme): `rules.covers` reads them."""
    through = Scheme.partner_unions.through
    return Subquery(
        through.objects.filter(scheme_id=OuterRef("scheme_id"))
        .order_by()
        .values("scheme_id")
        .annotate(
            rows=inline.JSONList(
                JSONObject(
                    id="union__id",
                    name="union__name",
                    short_name="union__short_name",
                    slug="union__slug",
                    logo="union__logo",
                )
            )
        )
        .values("rows")[:1],
        output_field=JSONField(),
    )


def _load_partner_unions(enrolments: list[Enrolment]) -> None:
    """Each enrolment's scheme's partner unions from what `_partner_unions` read, as if
    prefetched."""
    for enrolment in enrolments:
        unions = sorted(
            inline.instances(Union, enrolment.partner_unions_read), key=lambda u: u.short_name
        )
        loaded = enrolment.scheme.partner_unions.all()
        loaded._result_cache = unions
        loaded._prefetch_done = True
        enrolment.scheme._prefetched_objects_cache = {"partner_unions": loaded}


def _signature_pending(enrolment: Enrolment, assignment: RoleAssignment) -> bool:
    """`process.own_signature_pending`, from the unions `_unsigned_unions` read."""
    pending = {row["union_id"] for row in enrolment.unsigned_unions_read or []}
    if assignment.union_id is None:
        return bool(pending)
    return assignment.union_id in pending


def _guard(step: Step) -> Callable[[Enrolment, RoleAssignment], bool]:
    """The step's guard, as `unattended` asks it of what its query read."""
    if step.guard is process.own_signature_pending:
        return _signature_pending
    return step.guard


def _is_pending(step: Step, enrolment: Enrolment) -> bool:
    """`enrolments.notifications.is_pending`, from what `unattended` read in the database."""
    if step.guard is process._always:
        return True
    if step.guard is process.own_position_pending:
        return False
    return getattr(enrolment, f"pending_{step.guard.__name__}")


def _task_role_holders(
    enrolments: list[Enrolment],
) -> tuple[dict[str, list[RoleAssignment]], dict[str, list[RoleAssignment]]]:
    """The assignments of the roles that take steps, by role, read at once: the active ones,
    and those that no longer count (ended, or held by someone deactivated). Every area role,
    and those held for these employers (or their schools), which are the only employers they
    reach."""
    roles = {role for s in STEPS if s.task for role in s.roles}
    employers = {e.employer_id for e in enrolments}
    today = timezone.localdate()
    found = (
        RoleAssignment.history.filter(role__in=roles)
        .filter(
            Q(employer__isnull=True)
            | Q(employer_id__in=employers)
            | Q(employer__parent_id__in=employers)
        )
        .select_related("user", "union", "employer__parent", "association", "district", "region")
        .order_by("id")
    )
    active: dict[str, list[RoleAssignment]] = {}
    former: dict[str, list[RoleAssignment]] = {}
    for assignment in found:
        ended = assignment.ends_on is not None and assignment.ends_on <= today
        held = former if ended or not assignment.user.is_active else active
        held.setdefault(assignment.role, []).append(assignment)
    return active, former


# --- plans ---------------------------------------------------------------------------------------


def plan_actions(user: AnyUser) -> QuerySet[Action] | None:
    """Open plan actions the user may update, soonest due first; None without a plan role."""
    owned_plans, parties = set(), set()
    for a in rules.assignments(user):
        if a.role == Role.PLAN_OWNER:
            owned_plans.add(a.plan_id)
        elif a.role == Role.PLAN_MEMBER:
            parties.add((a.plan_id, a.party_id))
    if not owned_plans and not parties:
        return None
    condition = Q(plan_id__in=owned_plans)
    for plan_id, party_id in parties:
        condition |= Q(plan_id=plan_id, owner_party_id=party_id)
    return (
        Action.objects.open().filter(condition).select_related("plan").order_by("due_on", "number")
    )


def plan_actions_for(user: AnyUser, *, within_days: int = 30, limit: int = SHOWN) -> Shown[Action]:
    """Open plan actions the user may update that are overdue or due within `within_days`:
    the first `limit`."""
    actions = plan_actions(user)
    if actions is None:
        return Shown([])
    horizon = timezone.localdate() + datetime.timedelta(days=within_days)
    return shown(list(actions.filter(due_on__lte=horizon)[: limit + 1]), limit)


def calendar_plan_actions(user: AnyUser) -> list[Action]:
    """The open plan actions of the user, whenever due: a plan's dates are the plan's, set
    when it is agreed, and each stays on the calendar until it is done."""
    actions = plan_actions(user)
    return [] if actions is None else list(actions)
