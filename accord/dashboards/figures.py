"""The dashboard's figures, counted in the database: every section's aggregates in one query
(a UNION ALL of small GROUP BY queries), and the median days per step in another (window
functions). Nothing loops over cases in Python, so the work a request does is bounded by the
number of steps, regions, months and plans, never by the number of cases.

Each part of the union yields the same five columns: (section, text key, int key, int key,
count). The parts are read back into plain rows (`Figures`) that can be cached and pickled."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Concat, ExtractMonth, ExtractYear, RowNumber
from django.utils import timezone

from accord.actions.models import Action, ActionStatus
from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment
from accord.enrolments.process import CLOSED_STATES, OPEN_STATES, State
from accord.membership.models import (
    Cycle,
    Membership,
    MembershipStatus,
    PolicyCheck,
    Review,
)
from accord.notifications.selectors import CONFIRMED, current_cycles, current_members
from accord.notifications.selectors import review_pending as pending_reviews

from .filters import Filters
from .rules import DashboardScope

# A listed case waits for nothing: it is a member.
WAITING_STATES = OPEN_STATES - {State.LISTED}
# A case leaves the way in when it is listed, or closes.
LEFT_STATES = CLOSED_STATES | {State.LISTED}
# Reviews falling due, by how soon: (bucket, label); 0 is overdue.
REVIEW_WINDOWS = ((0, "Overdue"), (30, "Due within 30 days"), (60, "Due in 31 to 60 days"))
REVIEW_AHEAD_DAYS = 90
REVIEW_BUCKETS = (
    *REVIEW_WINDOWS,
    (REVIEW_AHEAD_DAYS, f"Due in 61 to {REVIEW_AHEAD_DAYS} days"),
)
# What the audit trail calls a change of membership status, and how the dashboard names it.
MEMBERSHIP_CHANGES = {
    "membership.lapse_decision_lapse": "Lapsed",
    "membership.suspend": "Suspended",
    "membership.withdraw": "Withdrawn",
    "membership.reinstate": "Reinstated",
}
# Actions by where they stand: done, dropped, overdue (open and past due) and open.
DONE, DROPPED, OVERDUE, OPEN = 1, 2, 3, 4
ACTION_BUCKETS = {DONE: "Done", OPEN: "Open", OVERDUE: "Overdue", DROPPED: "Dropped"}


@dataclass
class Figures:
    """Every count the dashboard shows, as plain values (picklable, for the cache)."""

    # (state, region id or None): open cases
    pipeline: dict[tuple[str, int | None], int] = field(default_factory=dict)
    entered: dict[tuple[int, int], int] = field(default_factory=dict)  # (year, month)
    left: dict[tuple[int, int], int] = field(default_factory=dict)
    stuck: dict[str, int] = field(default_factory=dict)  # state: cases
    members: dict[int | None, int] = field(default_factory=dict)  # region id: members
    reviews: dict[int, int] = field(default_factory=dict)  # bucket: cycles
    chosen: dict[tuple[int, int], int] = field(default_factory=dict)  # (year, principle)
    met: dict[tuple[int, int], int] = field(default_factory=dict)
    changes: dict[tuple[str, int, int], int] = field(default_factory=dict)  # (label, y, m)
    policy_checks: dict[tuple[int, str], int] = field(default_factory=dict)  # (year, assessment)
    plans: dict[tuple[int, str, int], int] = field(default_factory=dict)  # (plan, title, bucket)
    parties: dict[tuple[int, str, int], int] = field(default_factory=dict)  # (plan, party, b)
    activities_overdue: int = 0
    # state: (steps taken, median days)
    step_days: dict[str, tuple[int, float]] = field(default_factory=dict)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _part(
    queryset: QuerySet,
    section: str,
    *,
    text: Any = None,
    first: Any = None,
    second: Any = None,
    count: Any = None,
) -> QuerySet:
    """One part of the union: `queryset` grouped by its keys, as the five shared columns."""
    return (
        queryset.order_by()
        .annotate(
            d_section=Value(section, output_field=CharField()),
            d_text=Cast(text, CharField()) if text is not None else Value("", CharField()),
            d_first=first if first is not None else Value(0, IntegerField()),
            d_second=second if second is not None else Value(0, IntegerField()),
        )
        .values("d_section", "d_text", "d_first", "d_second")
        .annotate(d_count=count if count is not None else Count("pk"))
        .values_list("d_section", "d_text", "d_first", "d_second", "d_count")
    )


def _action_bucket(today: datetime.date) -> Case:
    return Case(
        When(status=ActionStatus.DONE, then=Value(DONE)),
        When(status=ActionStatus.DROPPED, then=Value(DROPPED)),
        When(due_on__lt=today, then=Value(OVERDUE)),
        default=Value(OPEN),
        output_field=IntegerField(),
    )


def enrolments(scope: DashboardScope, filters: Filters) -> QuerySet[Enrolment]:
    """The cases in scope and in the chosen scheme and area (unloaded: a filter)."""
    return Enrolment.objects.filter(scope.q()).filter(filters.area_q())


def contexts(cases: QuerySet[Enrolment]) -> QuerySet:
    """The audit contexts ("enrolment:42") of `cases`, as a subquery."""
    return (
        cases.order_by()
        .annotate(d_context=Concat(Value("enrolment:"), Cast("pk", CharField())))
        .values("d_context")
    )


def compute(scope: DashboardScope, filters: Filters) -> Figures:
    """Every figure, in two queries."""
    figures = Figures()
    _read_union(figures, scope, filters)
    figures.step_days = _step_days(scope, filters)
    return figures


def _read_union(figures: Figures, scope: DashboardScope, filters: Filters) -> None:
    today = filters.today
    start, end = _aware(filters.period_start), _aware(filters.period_end + datetime.timedelta(1))
    cases = enrolments(scope, filters)
    members = Membership.objects.filter(scope.q()).filter(filters.area_q())
    listed = current_members().filter(scope.q()).filter(filters.area_q())
    cycles = Cycle.objects.filter(scope.q("enrolment__")).filter(filters.area_q("enrolment__"))
    parts = [
        _part(
            cases.filter(state__in=OPEN_STATES),
            "pipeline",
            text=F("state"),
            first=F("employer__association__region_id"),
        ),
        _part(
            cases.filter(created_at__gte=start, created_at__lt=end),
            "entered",
            first=ExtractYear("created_at"),
            second=ExtractMonth("created_at"),
        ),
        _part(
            cases.filter(
                state__in=LEFT_STATES, state_changed_at__gte=start, state_changed_at__lt=end
            ),
            "left",
            first=ExtractYear("state_changed_at"),
            second=ExtractMonth("state_changed_at"),
        ),
        _part(
            cases.filter(
                state__in=WAITING_STATES,
                # Whole days, so that a figure cached for the day holds all day.
                state_changed_at__lt=_aware(today - datetime.timedelta(days=filters.stuck_days)),
            ),
            "stuck",
            text=F("state"),
        ),
        _part(
            members.filter(status=MembershipStatus.ACTIVE),
            "members",
            first=F("employer__association__region_id"),
        ),
        _part(
            pending_reviews(current_cycles(listed)).filter(
                CONFIRMED, ends_on__lte=today + datetime.timedelta(days=REVIEW_AHEAD_DAYS)
            ),
            "reviews",
            first=Case(
                *(
                    When(ends_on__lt=today + datetime.timedelta(days=days), then=Value(days))
                    for days, _ in REVIEW_WINDOWS
                ),
                default=Value(REVIEW_AHEAD_DAYS),
                output_field=IntegerField(),
            ),
        ),
    ]
    in_period = cycles.filter(CONFIRMED, starts_on__gte=filters.period_start).filter(
        starts_on__lte=filters.period_end
    )
    principle = F("principle_version__principle__number")
    met = Exists(Review.objects.met().filter(cycle=OuterRef("pk")))
    parts += [
        _part(in_period, "chosen", first=ExtractYear("starts_on"), second=principle),
        _part(in_period.filter(met), "met", first=ExtractYear("starts_on"), second=principle),
        _part(
            AuditEvent.objects.filter(
                context__in=contexts(cases),
                action__in=list(MEMBERSHIP_CHANGES),
                created_at__gte=start,
                created_at__lt=end,
            ),
            "changes",
            text=F("action"),
            first=ExtractYear("created_at"),
            second=ExtractMonth("created_at"),
        ),
        _part(
            PolicyCheck.objects.filter(scope.q("membership__"))
            .filter(filters.area_q("membership__"))
            .filter(logged_at__gte=start, logged_at__lt=end),
            "policy_checks",
            text=F("assessment"),
            first=ExtractYear("logged_at"),
        ),
        _part(
            Action.objects.filter(scope.q("cycle__enrolment__"))
            .filter(filters.area_q("cycle__enrolment__"))
            .filter(status__in=[ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS])
            .filter(due_on__lt=today, cycle__enrolment__in=listed.values("pk")),
            "activities_overdue",
        ),
    ]
    plans = scope.plans_q("plan_id")
    if plans is not None:
        actions = Action.objects.filter(plans, plan__isnull=False)
        parts += [
            _part(
                actions,
                "plans",
                text=F("plan__title"),
                first=F("plan_id"),
                second=_action_bucket(today),
            ),
            _part(
                actions,
                "parties",
                text=F("owner_party__name"),
                first=F("plan_id"),
                second=_action_bucket(today),
            ),
        ]
    union = parts[0].union(*parts[1:], all=True)
    for section, text, first, second, count in union:
        _store(figures, section, text, first, second, count)


def _store(figures: Figures, section: str, text: str | None, a: Any, b: Any, n: int) -> None:
    match section:
        case "pipeline":
            figures.pipeline[(text or "", a)] = n
        case "entered":
            figures.entered[(a, b)] = n
        case "left":
            figures.left[(a, b)] = n
        case "stuck":
            figures.stuck[text or ""] = n
        case "members":
            figures.members[a] = n
        case "reviews":
            figures.reviews[a] = n
        case "chosen":
            figures.chosen[(a, b)] = n
        case "met":
            figures.met[(a, b)] = n
        case "changes":
            key = (MEMBERSHIP_CHANGES.get(text or "", text or ""), a, b)
            figures.changes[key] = figures.changes.get(key, 0) + n
        case "policy_checks":
            figures.policy_checks[(a, text or "")] = n
        case "activities_overdue":
            figures.activities_overdue = n
        case "plans":
            figures.plans[(a, text or "", b)] = n
        case "parties":
            figures.parties[(a, text or "", b)] = n


def _step_days(scope: DashboardScope, filters: Filters) -> dict[str, tuple[int, float]]:
    """For each state, the median days a case waited there before the step that moved it on,
    over the steps taken in the period: read from the enrolments' step history (the audit
    trail's state changes). Window functions rank the waits in each state, and only the one or
    two middle rows of each come back."""
    start = _aware(filters.period_start)
    end = _aware(filters.period_end + datetime.timedelta(1))
    moves = AuditEvent.objects.filter(
        context__in=contexts(enrolments(scope, filters)), changes__has_key="state"
    )
    previous = (
        AuditEvent.objects.filter(
            context=OuterRef("context"), pk__lt=OuterRef("pk"), changes__has_key="state"
        )
        .order_by("-pk")
        .values("created_at")[:1]
    )
    ranked = (
        moves.filter(created_at__gte=start, created_at__lt=end)
        .annotate(d_left=KT("changes__state__0"), d_since=Subquery(previous))
        .filter(d_since__isnull=False)
        .annotate(
            d_wait=ExpressionWrapper(F("created_at") - F("d_since"), output_field=DurationField())
        )
        .annotate(
            d_rank=Window(RowNumber(), partition_by=F("d_left"), order_by=F("d_wait").asc()),
            d_total=Window(Count("pk"), partition_by=F("d_left")),
        )
        .filter(d_rank__gte=(F("d_total") + 1) / 2, d_rank__lte=(F("d_total") + 2) / 2)
        .order_by()
        .values_list("d_left", "d_total", "d_wait")
    )
    waits: dict[str, list[datetime.timedelta]] = defaultdict(list)
    totals: dict[str, int] = {}
    for state, total, wait in ranked:
        waits[state].append(wait)
        totals[state] = total
    return {
        state: (totals[state], round(sum(w.total_seconds() for w in found) / len(found) / 86400, 1))
        for state, found in waits.items()
    }
