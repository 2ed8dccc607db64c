"""What reminders are due today, and sending them: one digest per person, each reminder once.

Reviews: 30 days before a cycle ends and on the day, to the secretary, the employer's contacts
and the workplace reps; when overdue, escalated to the secretary and then to the NEM. Overdue
activities; confirmations waiting on the employer, and co-signatures on the partner unions;
joining steps waiting too long (to the national officers when nobody in scope can take them),
and, after the days each step declares, escalated once to the role above
(`enrolments.escalations`). Each run first opens the decisions "extend or lapse" for reviews
overdue beyond their scheme's grace period (`membership/lapse.py`) and tells the secretary and
the NEM of each, once. Concerns put to an employer: a week before the response is due, to the
employer's contacts; once it is overdue, escalated to the national officers. Public concerns
never confirmed are closed.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from accord.accounts import emails
from accord.accounts.models import EmailKind, Role, RoleAssignment, User
from accord.actions.models import Action
from accord.core import audit
from accord.core.text import shorten
from accord.enrolments import escalations
from accord.enrolments import notifications as step_notifications
from accord.enrolments import rules as enrolment_rules
from accord.enrolments import selectors as enrolment_selectors
from accord.enrolments.models import Enrolment
from accord.enrolments.process import OPEN_STATES, State, task_steps_from
from accord.membership import concerns, cycles, lapse
from accord.membership import services as membership_services
from accord.membership.models import (
    Concern,
    ConcernEvent,
    ConcernState,
    Cycle,
    LapseDecision,
    MembershipStatus,
    Review,
)
from accord.plans.models import Plan, PlanStatus

from . import selectors as task_selectors
from .models import ReminderKind, SentReminder

logger = logging.getLogger(__name__)

# Who a review is due for: the secretary who records it, and the employer's contact and the
# workplace reps who take part.
REVIEW_PARTIES = (Role.LOCAL_SECRETARY, Role.EMPLOYER_CONTACT, Role.WORKPLACE_REP)


@dataclass(frozen=True)
class Due:
    key: str
    kind: ReminderKind
    text: str
    url: str
    target: Any  # the record the reminder is logged on: an enrolment or a plan
    recipients: tuple[User, ...]

    @property
    def context(self) -> str:
        return self.target.audit_context

    @property
    def subject(self) -> str:
        """A subject line short by design: what and which employer (or plan). The detail, dates
        included, is in the body."""
        if isinstance(self.target, Enrolment):
            about = self.target.employer.name
        elif isinstance(self.target, Concern):
            # The outbox's list of failed e-mails shows subjects: a concern's never names
            # the employer.
            return ReminderKind(self.kind).label
        else:
            about = self.target.title
        return f"{ReminderKind(self.kind).label}: {about}"

    @property
    def link_text(self) -> str:
        """What the reminder's link opens, for its words in the e-mail."""
        if isinstance(self.target, Enrolment):
            return f"the case of {self.target.employer.name}"
        if isinstance(self.target, Concern):
            return self.target.title
        if "/actions/" in self.url:
            return f"the action in {self.target.title}"
        return f"the plan {self.target.title}"


def _days(name: str, default: int) -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, name, default))


# An occasion has "just passed" for this long after its day: the daily run sends it on the day,
# and a run missed over a weekend still sends it (worded as past) on the days just after.
JUST_PASSED = datetime.timedelta(days=3)


def is_current(since: datetime.date, until: datetime.date | None, today: datetime.date) -> bool:
    """Whether an occasion from `since` is reminded `today`: from its day until `until`
    (exclusive; None while the item stays late)."""
    return since <= today and (until is None or today < until)


def _url(enrolment: Enrolment) -> str:
    return f"{settings.SITE_URL}{enrolment.get_absolute_url()}"


@dataclass
class _Member:
    """What is due at one member today, read in the database."""

    enrolment: Enrolment
    review: Cycle | None = None  # its current cycle, when its review is pending
    late: list[Action] = field(default_factory=list)
    unconfirmed: Cycle | None = None  # its current cycle, when something waits for the employer


def _members(today: datetime.date) -> list[_Member]:
    """The current members with a reminder that may be due today, and what is due: each read
    of what is due selects it in the database, so that a run costs what is due rather than
    what exists. Each condition is the earliest any of the reminders below can fall due."""
    members = task_selectors.current_members()
    current = task_selectors.current_cycles(members)
    reviews = task_selectors.review_pending(
        current.filter(task_selectors.CONFIRMED, ends_on__lte=today + cycles.REVIEW_WINDOW)
    )
    late = (
        Action.objects.overdue(today)
        .filter(cycle__in=Cycle.objects.filter(task_selectors.CONFIRMED, enrolment__in=members))
        .select_related("cycle")
        .order_by("due_on", "cycle__number", "number")
    )
    confirmation_since = today - _days("ACCORD_CONFIRMATION_REMINDER_DAYS", 7)
    latest_review = Review.objects.filter(cycle=OuterRef("pk")).order_by("-held_on", "-pk")
    waiting = current.annotate(
        review_pk=Subquery(latest_review.values("pk")[:1]),
        review_recorded_at=Subquery(latest_review.values("recorded_at")[:1]),
        review_confirmed_at=Subquery(latest_review.values("employer_confirmed_at")[:1]),
        review_signed_at=Subquery(latest_review.values("partners_signed_at")[:1]),
    ).filter(
        Q(
            review_pk__isnull=False,
            review_confirmed_at__isnull=True,
            review_recorded_at__date__lte=confirmation_since,
        )
        | (
            Q(number__gt=1, created_at__date__lte=confirmation_since)
            & (Q(employer_confirmed_at__isnull=True) | Q(partners_signed_at__isnull=True))
        )
    )
    due: dict[int, _Member] = {}
    found = [
        *(("review", cycle) for cycle in reviews),
        *(("late", action) for action in late),
        *(("unconfirmed", cycle) for cycle in waiting),
    ]
    enrolments = (
        Enrolment.objects.select_related("scheme", "employer__parent", "employer__association")
        .prefetch_related("scheme__partner_unions")
        .in_bulk({_enrolment_id(item) for _, item in found})
    )
    for kind, item in found:
        member = due.setdefault(_enrolment_id(item), _Member(enrolments[_enrolment_id(item)]))
        if kind == "late":
            member.late.append(item)
        else:
            setattr(member, kind, item)
    return [due[pk] for pk in sorted(due)]


def _enrolment_id(item: Cycle | Action) -> int:
    return item.cycle.enrolment_id if isinstance(item, Action) else item.enrolment_id


def _review_reminders(member: _Member, today: datetime.date) -> Iterator[Due]:
    enrolment, cycle = member.enrolment, member.review
    if cycle is None:
        return
    due = cycle.ends_on
    name = enrolment.employer.name
    item = f"cycle:{cycle.pk}:{due.isoformat()}"
    on_the_day = f"is due today, {due:%-d %B %Y}" if today == due else f"was due on {due:%-d %B %Y}"
    # (from, until, kind, who, text): each occasion is reminded only while what it says is
    # true, so a review that is already late gets the escalations and nothing that calls it
    # due soon or due today. The people are looked up only for occasions that are current.
    occasions = [
        (
            due - cycles.REVIEW_WINDOW,
            due,
            ReminderKind.REVIEW_SOON,
            REVIEW_PARTIES,
            f"{name}: the review of cycle {cycle.number} is due on {due:%-d %B %Y}",
        ),
        (
            due,
            due + JUST_PASSED,
            ReminderKind.REVIEW_DUE,
            REVIEW_PARTIES,
            f"{name}: the review of cycle {cycle.number} {on_the_day}",
        ),
        (
            due + _days("ACCORD_ESCALATE_TO_SECRETARY_DAYS", 14),
            None,
            ReminderKind.REVIEW_ESCALATED_SECRETARY,
            (Role.LOCAL_SECRETARY,),
            f"Escalated: {name}'s review of cycle {cycle.number} is overdue since {due:%-d %B %Y}",
        ),
        (
            due + _days("ACCORD_ESCALATE_TO_NEM_DAYS", 42),
            None,
            ReminderKind.REVIEW_ESCALATED_NEM,
            (Role.NEM,),
            f"Escalated to you: {name}'s review of cycle {cycle.number} is overdue since "
            f"{due:%-d %B %Y}",
        ),
    ]
    for since, until, kind, roles, text in occasions:
        if is_current(since, until, today):
            people = tuple(enrolment_rules.role_holders(enrolment, roles))
            yield Due(f"{kind}:{item}", kind, text, _url(enrolment), enrolment, people)


def _activity_reminders(member: _Member, today: datetime.date) -> Iterator[Due]:
    enrolment, overdue = member.enrolment, member.late
    if not overdue:
        return
    people = tuple(
        enrolment_rules.role_holders(enrolment, [Role.LOCAL_SECRETARY, Role.EMPLOYER_CONTACT])
    )
    for action in overdue:
        yield Due(
            f"{ReminderKind.ACTIVITY_OVERDUE}:action:{action.pk}:{action.due_on.isoformat()}",
            ReminderKind.ACTIVITY_OVERDUE,
            f"{enrolment.employer.name}: activity {action.number} of cycle "
            f"{action.cycle.number} (“{shorten(action.detail, 80)}”, {action.owner}) was due on "
            f"{action.due_on:%-d %B %Y}",
            _url(enrolment),
            enrolment,
            people,
        )


def _confirmation_reminders(member: _Member, today: datetime.date) -> Iterator[Due]:
    """A review or a later cycle waiting a week: first for the partner unions' co-signatures
    (a review's come before the employer's confirmation), and for the employer's."""
    wait = _days("ACCORD_CONFIRMATION_REMINDER_DAYS", 7)
    enrolment, cycle = member.enrolment, member.unconfirmed
    if cycle is None:
        return
    name = enrolment.employer.name
    waiting: list[tuple[str, datetime.datetime, str, Cycle | Review | None]] = []
    if cycle.review_pk is not None and cycle.review_confirmed_at is None:
        what = f"the review of cycle {cycle.number}"
        # Until the partner unions have co-signed the review, they are the ones reminded.
        review = Review.objects.get(pk=cycle.review_pk) if cycle.review_signed_at is None else None
        waiting.append((f"review:{cycle.review_pk}", cycle.review_recorded_at, what, review))
    if cycle.number > 1 and cycle.partners_signed_at is None:
        waiting.append((f"cycle:{cycle.pk}", cycle.created_at, f"cycle {cycle.number}", cycle))
    if cycle.number > 1 and cycle.employer_confirmed_at is None:
        waiting.append((f"cycle:{cycle.pk}", cycle.created_at, f"cycle {cycle.number}", None))
    for item, since, what, unsigned in waiting:
        if today < timezone.localdate(since) + wait:
            continue
        if unsigned is None:
            yield Due(
                f"{ReminderKind.CONFIRMATION_WAITING}:{item}",
                ReminderKind.CONFIRMATION_WAITING,
                f"{name}: {what} waits for the employer's confirmation",
                _url(enrolment),
                enrolment,
                tuple(enrolment_rules.role_holders(enrolment, [Role.EMPLOYER_CONTACT])),
            )
            continue
        pending = {u.pk for u in membership_services.pending_unions(enrolment, unsigned)}
        yield Due(
            f"{ReminderKind.CONFIRMATION_WAITING}:{item}:cosign",
            ReminderKind.CONFIRMATION_WAITING,
            f"{name}: {what} waits for your union's co-signature",
            _url(enrolment),
            enrolment,
            tuple(
                enrolment_rules.role_holders(
                    enrolment, [Role.PARTNER_REP], lambda a, pending=pending: a.union_id in pending
                )
            ),
        )


def _step_reminders(today: datetime.date) -> Iterator[Due]:
    """Joining steps waiting too long go again to the people they wait for, or to the national
    officers when nobody in scope can take them."""
    wait = _days("ACCORD_STEP_REMINDER_DAYS", 14)
    # Loaded with what the steps' guards read (partner positions, cycles), not the history.
    waiting = enrolment_selectors.enrolments().filter(
        state__in=[s for s in OPEN_STATES if s != State.LISTED],
        state_changed_at__date__lte=today - wait,
    )
    for enrolment in waiting.iterator(chunk_size=500):
        since = timezone.localdate(enrolment.state_changed_at)
        item = f"enrolment:{enrolment.pk}"
        nobody = []
        for step in task_steps_from(enrolment.state_enum):
            people = tuple(enrolment_rules.recipients_for(step, enrolment))
            if people:
                yield Due(
                    f"{ReminderKind.STEP_WAITING}:{item}:{step.name}:{since.isoformat()}",
                    ReminderKind.STEP_WAITING,
                    f"{enrolment.employer.name}: “{step.label}” has waited since {since:%-d %B %Y}",
                    _url(enrolment),
                    enrolment,
                    people,
                )
            elif step_notifications.is_pending(step, enrolment):
                nobody.append(step)
        officers = (
            tuple(enrolment_rules.role_holders(enrolment, [Role.NATIONAL_OFFICER]))
            if nobody
            else ()
        )
        for step in nobody:
            yield Due(
                f"{ReminderKind.STEP_WAITING}:{item}:{step.name}:{since.isoformat()}:unattended",
                ReminderKind.STEP_WAITING,
                f"{enrolment.employer.name}: nobody in scope can take “{step.label}” (no "
                f"{step_notifications.missing_roles(step)}); it has waited since "
                f"{since:%-d %B %Y}",
                _url(enrolment),
                enrolment,
                officers,
            )


def escalate_stalled(today: datetime.date) -> int:
    """Escalate each joining step that has waited its `escalate_after_days` by `today`, once
    per stall; returns how many were escalated."""
    count = 0
    steps = task_selectors.escalating_steps()
    waiting = task_selectors.states_stalled(steps, today)
    for step in steps:
        if waiting.isdisjoint(s.value for s in step.sources if s is not None):
            continue
        for enrolment in task_selectors.stalled(step, today).iterator(chunk_size=500):
            if escalations.escalate(enrolment, step) is not None:
                count += 1
    return count


def _escalation_reminders(today: datetime.date) -> Iterator[Due]:
    """Each escalation whose step still waits, to the people it reaches: sent once each."""
    found = task_selectors.open_escalations().select_related(
        "enrolment__scheme", "enrolment__employer__parent", "enrolment__employer__association"
    )
    for escalation in found.order_by("escalated_at", "id").iterator(chunk_size=500):
        enrolment = escalation.enrolment
        _, people = escalations.targets(enrolment, Role(escalation.role))
        yield Due(
            f"{ReminderKind.STEP_ESCALATED}:escalation:{escalation.pk}",
            ReminderKind.STEP_ESCALATED,
            escalations.describe(escalation, enrolment),
            _url(enrolment),
            enrolment,
            tuple(people),
        )


def _plan_reminders(today: datetime.date) -> Iterator[Due]:
    """Plan actions a week before they are due and once overdue, to the owning party's members
    and the plan's owners; plan reviews two weeks before and on the day, to the owners."""
    roles = RoleAssignment.objects.filter(
        role__in=[Role.PLAN_OWNER, Role.PLAN_MEMBER],
        user__is_active=True,
        plan__status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE],
    ).select_related("user")
    owners: dict[int, list[User]] = defaultdict(list)
    members: dict[tuple[int, int], list[User]] = defaultdict(list)
    for a in roles:
        if a.role == Role.PLAN_OWNER:
            owners[a.plan_id].append(a.user)
        else:
            members[(a.plan_id, a.party_id)].append(a.user)
    week = datetime.timedelta(days=7)
    actions = (
        Action.objects.open()
        .filter(plan__status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE], due_on__lte=today + week)
        .select_related("plan")
    )
    for action in actions.iterator(chunk_size=1000):
        people = tuple(
            {
                u.pk: u
                for u in [
                    *owners[action.plan_id],
                    *members[(action.plan_id, action.owner_party_id)],
                ]
            }.values()
        )
        overdue = action.due_on < today
        kind = ReminderKind.PLAN_ACTION_OVERDUE if overdue else ReminderKind.PLAN_ACTION_DUE
        text = (
            f"{action.plan.title}: action {action.number} (“{shorten(action.detail, 80)}”, "
            f"{action.owner}) {'was' if overdue else 'is'} due on {action.due_on:%-d %B %Y}"
        )
        yield Due(
            f"{kind}:action:{action.pk}:{action.due_on.isoformat()}",
            kind,
            text,
            f"{settings.SITE_URL}{action.get_absolute_url()}",
            action.plan,
            people,
        )
    plans = Plan.objects.filter(
        status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE],
        next_review_on__isnull=False,
        next_review_on__lte=today + datetime.timedelta(days=14),
    )
    for plan in plans:
        when = plan.next_review_on
        # Worded for the day it goes out: a review first reminded late is called overdue.
        said = (
            f"is due on {when:%-d %B %Y}" if when >= today else f"is overdue since {when:%-d %B %Y}"
        )
        yield Due(
            f"{ReminderKind.PLAN_REVIEW_DUE}:plan:{plan.pk}:{when.isoformat()}",
            ReminderKind.PLAN_REVIEW_DUE,
            f"{plan.title}: the plan's review {said}",
            f"{settings.SITE_URL}{plan.get_absolute_url()}",
            plan,
            tuple(owners[plan.pk]),
        )


def _lapse_reminders(today: datetime.date) -> Iterator[Due]:
    """Each decision "extend or lapse" still open, to the secretary and the NEM: sent once, on
    the run that opened it (or, should that one fail, in the days just after)."""
    decisions = LapseDecision.objects.filter(
        outcome="",
        membership__status=MembershipStatus.ACTIVE,
        opened_on__range=(today - JUST_PASSED, today),
    ).select_related(
        "cycle",
        "membership__scheme",
        "membership__enrolment__scheme",
        "membership__enrolment__employer__parent",
        "membership__enrolment__employer__association",
    )
    for decision in decisions.iterator(chunk_size=500):
        enrolment = decision.membership.enrolment
        yield Due(
            f"{ReminderKind.LAPSE_DECISION}:decision:{decision.pk}",
            ReminderKind.LAPSE_DECISION,
            f"{enrolment.employer.name}: the review of cycle {decision.cycle.number} has been "
            f"overdue since {decision.review_due_on:%-d %B %Y}, beyond the "
            f"{decision.membership.scheme.lapse_grace_months}-month grace period. The national "
            "officers now decide whether to extend it or lapse the membership; a review recorded "
            "and confirmed settles it",
            _url(enrolment),
            enrolment,
            tuple(enrolment_rules.role_holders(enrolment, [Role.LOCAL_SECRETARY, Role.NEM])),
        )


# A concern's response is reminded to the employer this long before it is due.
CONCERN_RESPONSE_SOON = datetime.timedelta(days=7)


def _concern_reminders(today: datetime.date) -> Iterator[Due]:
    """Concerns put to an employer: the response soon due, to the employer's contacts; once
    overdue, escalated to the national officers, who may then decide without it."""
    waiting = Concern.objects.filter(
        state=ConcernState.PUT_TO_EMPLOYER,
        response_due_on__lte=today + CONCERN_RESPONSE_SOON,
    ).select_related(
        "membership__employer",
        "membership__enrolment__employer__association",
        "membership__enrolment__scheme",
    )
    for concern in waiting:
        due = concern.response_due_on
        name = concern.membership.employer.name
        url = f"{settings.SITE_URL}{concern.get_absolute_url()}"
        item = f"concern:{concern.pk}:{due.isoformat()}"
        if today <= due:
            yield Due(
                f"{ReminderKind.CONCERN_RESPONSE_SOON}:{item}",
                ReminderKind.CONCERN_RESPONSE_SOON,
                f"{name}: the response to a concern is due on {due:%-d %B %Y}",
                url,
                concern,
                tuple(concerns.employer_contacts(concern)),
            )
        else:
            yield Due(
                f"{ReminderKind.CONCERN_RESPONSE_OVERDUE}:{item}",
                ReminderKind.CONCERN_RESPONSE_OVERDUE,
                f"Escalated: {name} has not responded to a concern due on {due:%-d %B %Y}; "
                "decide it",
                url,
                concern,
                tuple(concerns.officers(concern)),
            )


def _remedy_reminders(today: datetime.date) -> Iterator[Due]:
    """Remedies agreed on a concern and not done by their deadline: to the employer's contacts,
    who carry them out, and to the national officers, who follow them up; once each."""
    late = (
        Action.objects.overdue(today)
        .filter(concern__isnull=False)
        .select_related(
            "concern__membership__employer",
            "concern__membership__enrolment__employer__association",
            "concern__membership__enrolment__scheme",
        )
        .order_by("due_on", "concern_id", "number")
    )
    for action in late:
        concern = action.concern
        yield Due(
            f"{ReminderKind.REMEDY_OVERDUE}:action:{action.pk}:{action.due_on.isoformat()}",
            ReminderKind.REMEDY_OVERDUE,
            f"{concern.membership.employer.name}: remedy {action.number} agreed on a concern "
            f"(“{shorten(action.detail, 80)}”, {action.owner}) was due on "
            f"{action.due_on:%-d %B %Y}",
            f"{settings.SITE_URL}{action.get_absolute_url()}",
            concern,
            (*concerns.employer_contacts(concern), *concerns.officers(concern)),
        )


def due_reminders(today: datetime.date) -> Iterator[Due]:
    yield from _lapse_reminders(today)
    for member in _members(today):
        yield from _review_reminders(member, today)
        yield from _activity_reminders(member, today)
        yield from _confirmation_reminders(member, today)
    yield from _step_reminders(today)
    yield from _escalation_reminders(today)
    yield from _plan_reminders(today)
    yield from _concern_reminders(today)
    yield from _remedy_reminders(today)


@dataclass
class RunSummary:
    people: int = 0
    reminders: int = 0


def send_reminders(today: datetime.date | None = None) -> RunSummary:
    """Send what is due and not yet sent: one e-mail per person, never an empty one."""
    today = today or timezone.localdate()
    # Nothing lapses by itself: an overdue review only goes to the national officers.
    lapse.open_due_decisions(today)
    # Recorded first, on the cases' timelines, so that today's digests carry them.
    escalate_stalled(today)
    concerns.expire_unconfirmed(today)
    per_user: dict[int, tuple[User, list[Due]]] = {}
    for due in due_reminders(today):
        for user in due.recipients:
            per_user.setdefault(user.pk, (user, []))[1].append(due)
    sent = defaultdict(set)
    keys = {d.key for _, items in per_user.values() for d in items}
    for user_id, key in SentReminder.objects.filter(key__in=keys).values_list("user_id", "key"):
        sent[user_id].add(key)
    summary = RunSummary()
    for user, items in per_user.values():
        fresh = [d for d in items if d.key not in sent[user.pk]]
        if fresh and _send_digest(user, fresh):
            summary.people += 1
            summary.reminders += len(fresh)
    return summary


def _send_digest(user: User, items: list[Due]) -> bool:
    try:
        with transaction.atomic():
            SentReminder.objects.bulk_create(
                SentReminder(
                    user=user,
                    kind=d.kind,
                    key=d.key,
                    text=shorten(d.text, 300),
                    context=d.context,
                )
                for d in items
            )
            audit.record(
                audit.Event(
                    action=f"reminder.{d.kind}",
                    summary=f"Reminder sent to {user}: {d.text}",
                    target=d.target,
                    context=d.context,
                    internal=True,
                )
                for d in items
            )
            # A concern's reminders are logged on the concern, where its officers read its steps.
            ConcernEvent.objects.bulk_create(
                ConcernEvent(
                    concern=d.target,
                    at=timezone.now(),
                    kind=f"reminder.{d.kind}",
                    text=f"Reminder sent to {user}: {d.text}",
                )
                for d in items
                if isinstance(d.target, Concern)
            )
            subject = (
                items[0].subject if len(items) == 1 else f"{len(items)} things need your attention"
            )
            # Queued with the record that it was sent: the worker delivers it after commit, so
            # a refused address costs that person's digest only, never the rest of the run.
            # Held instead, with the record, when the person takes reminders in a digest.
            emails.send(
                user,
                kind=EmailKind.REMINDERS,
                subject=subject,
                template="notifications/email/digest",
                context={"items": items},
                why=emails.reason(user),
            )
    except IntegrityError:
        # Another run sent these at the same moment: nothing more to do.
        logger.info("Reminders for %s were sent by another run", user.pk)
        return False
    return True
