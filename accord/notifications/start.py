"""The start page everyone lands on after signing in: for each role the user holds, what it is
for, what is waiting, and where to go next. Built on the task selectors (`selectors.py`); each
part reads a bounded number of rows, whatever the number of cases in scope.

School terms, for "reviews due this term", are the English school year's: autumn September to
December, spring January to March, summer April to August.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Prefetch, Subquery, Value
from django.urls import reverse
from django.utils import timezone

from accord.accounts import rules
from accord.accounts.models import Invitation, Role, RoleAssignment
from accord.actions.models import Action
from accord.core import outbox
from accord.enrolments import join_requests, process
from accord.enrolments import rules as enrolment_rules
from accord.enrolments.models import Enrolment, JoinRequest
from accord.enrolments.notifications import missing_roles
from accord.enrolments.process import OPEN_STATES, State, Step, task_steps_from
from accord.membership import cycles, employer_voice, lapse
from accord.membership.models import Cycle, EmployerView, LapseDecision
from accord.organisations.models import Association, District, Employer

from . import selectors

if TYPE_CHECKING:
    from accord.accounts.models import User

# How many rows each list on the start page shows; the full lists are a link away.
SHOWN = selectors.SHOWN
Shown = selectors.Shown


@dataclass(frozen=True)
class Term:
    name: str
    starts_on: datetime.date
    ends_on: datetime.date


def school_term(day: datetime.date) -> Term:
    """The school term `day` falls in: autumn Sep–Dec, spring Jan–Mar, summer Apr–Aug."""
    year = day.year
    if day.month >= 9:
        return Term("autumn", datetime.date(year, 9, 1), datetime.date(year, 12, 31))
    if day.month <= 3:
        return Term("spring", datetime.date(year, 1, 1), datetime.date(year, 3, 31))
    return Term("summer", datetime.date(year, 4, 1), datetime.date(year, 8, 31))


Row = tuple[Enrolment, list[Step], str]


@dataclass
class RepPart:
    employers: list[tuple[Employer, Enrolment | None]]  # each with its case, if any
    cases: Shown[tuple[Enrolment, str, str]]  # enrolment, state, who it waits on


@dataclass
class SecretaryPart:
    to_endorse: Shown[Row]
    join_requests: Shown[JoinRequest]
    stuck: Shown[tuple[Enrolment, str]]  # with who it waits on
    stuck_days: int
    term: Term
    reviews_due: Shown[Cycle]


@dataclass
class NemPart:
    objections: Shown[Row]
    notifications: Shown[Row]


@dataclass
class OfficerPart:
    listings: Shown[Row]
    join_requests: Shown[JoinRequest]
    failed_emails: int
    lapse_decisions: Shown[LapseDecision] = field(default_factory=lambda: Shown([]))
    vacancies: list[str] = field(default_factory=list)
    invitations_open: int = 0
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class EmployerPart:
    memberships: Shown[tuple[Enrolment, str, Cycle | None]]  # with its state and current cycle
    due_soon: Shown[tuple[Enrolment, Action]]
    # The employer's views open and not yet given: the enrolment, and the form's address.
    views_due: list[tuple[Enrolment, str]] = field(default_factory=list)


@dataclass
class StartPage:
    roles: list[str]
    rep: RepPart | None = None
    secretary: SecretaryPart | None = None
    nem: NemPart | None = None
    partner: Shown[Row] | None = None
    officer: OfficerPart | None = None
    employer: EmployerPart | None = None
    plan_member: bool = False
    auditor: bool = False
    other_rows: Shown[Row] = field(default_factory=lambda: Shown([]))


def _rows_for(rows: list[Row], step_name: str, full: set[str]) -> Shown[Row]:
    """The rows where `step_name` waits; `full` names the states with more rows than read."""
    found = [row for row in rows if any(s.name == step_name for s in row[1])]
    more = any(state in full for state in process.step(step_name).sources)
    return Shown(found[:SHOWN], more or len(found) > SHOWN)


def waits_on(enrolment: Enrolment) -> str:
    """Who the case waits on, in words, from the process declaration."""
    if enrolment.state == State.LISTED:
        return "Nobody: the employer is a member"
    steps = task_steps_from(enrolment.state_enum)
    if not steps:
        return "Nobody"
    return "; ".join(sorted({missing_roles(s).capitalize() for s in steps}))


def build(
    user: User, rows: list[Row], today: datetime.date | None = None, full: set[str] | None = None
) -> StartPage:
    """Each role's part. `rows` are the steps waiting on the user (`selectors.steps_waiting`),
    at most SHOWN + 1 in each state; `full` names the states where more wait."""
    today = today or timezone.localdate()
    full = full or set()
    held = {a.role for a in rules.assignments(user)}
    page = StartPage(roles=[Role(r).label for r in Role if r in held])
    shown_steps: set[str] = set()
    if Role.WORKPLACE_REP in held:
        page.rep = _rep(user, rows)
    if Role.LOCAL_SECRETARY in held:
        page.secretary = _secretary(user, rows, today, full)
        shown_steps.add("endorse")
    if Role.NEM in held:
        page.nem = NemPart(
            _rows_for(rows, "record_no_objection", full),
            _rows_for(rows, "notify_national_union", full),
        )
        shown_steps |= {"record_no_objection", "notify_national_union"}
    if Role.PARTNER_REP in held:
        page.partner = _rows_for(rows, "record_partner_position", full)
        shown_steps.add("record_partner_position")
    if Role.NATIONAL_OFFICER in held:
        page.officer = _officer(user, rows, full)
        shown_steps.add("list_on_register")
    if Role.EMPLOYER_CONTACT in held:
        page.employer = _employer(user, today)
    page.plan_member = bool(held & {Role.PLAN_MEMBER, Role.PLAN_OWNER})
    page.auditor = Role.AUDITOR in held
    other = [
        (e, [s for s in steps if s.name not in shown_steps], label)
        for e, steps, label in rows
        if any(s.name not in shown_steps for s in steps)
    ]
    # Rows are read oldest first, SHOWN + 1 in each state: the oldest SHOWN of all the states
    # are among them, and a state cut short may hold more.
    more = len(other) > SHOWN or any(e.state in full for e, _, _ in other)
    page.other_rows = Shown(other[:SHOWN], more)
    return page


def _rep(user: User, rows: list[Row]) -> RepPart:
    employers: dict[int, Employer] = {}
    for a in rules.assignments(user):
        if a.role == Role.WORKPLACE_REP and a.employer is not None:
            # A school inside a trust is not the employer: the trust is proposed.
            employer = a.employer if a.employer.is_employer_in_own_right else a.employer.parent
            employers.setdefault(employer.pk, employer)
    scope = rules.visible_enrolments_q(user, [Role.WORKPLACE_REP])
    found = list(
        Enrolment.objects.filter(scope)
        .filter(state__in=OPEN_STATES)
        .select_related("employer", "scheme")
        .order_by("state_changed_at", "id")[: SHOWN + 1]
    )
    open_cases = {e.employer_id: e for e in found}
    mine = {e.pk for e, _, _ in rows}
    cases = [
        (e, enrolment_rules.state_label(user, e), waits_on(e))
        for e in found[:SHOWN]
        if e.pk not in mine
    ]
    return RepPart(
        [(e, open_cases.get(pk)) for pk, e in employers.items()],
        Shown(cases, len(found) > SHOWN),
    )


def _secretary(user: User, rows: list[Row], today: datetime.date, full: set[str]) -> SecretaryPart:
    stuck_days = settings.ACCORD_STUCK_DAYS
    scope = rules.visible_enrolments_q(user, [Role.LOCAL_SECRETARY])
    before = timezone.now() - datetime.timedelta(days=stuck_days)
    stuck = list(
        Enrolment.objects.filter(scope)
        .filter(state__in=OPEN_STATES - {State.LISTED}, state_changed_at__lt=before)
        .select_related("employer", "scheme")
        .order_by("state_changed_at", "id")[: SHOWN + 1]
    )
    term = school_term(today)
    due = selectors.current_cycles(selectors.members_in_scope(user, [Role.LOCAL_SECRETARY])).filter(
        selectors.CONFIRMED, ends_on__range=(term.starts_on, term.ends_on)
    )
    reviews_due = (
        selectors.review_pending(due)
        .select_related("enrolment__employer")
        .order_by("ends_on", "pk")[: SHOWN + 1]
    )
    return SecretaryPart(
        to_endorse=_rows_for(rows, "endorse", full),
        join_requests=selectors.shown(list(join_requests.waiting_for_secretary(user)[: SHOWN + 1])),
        stuck=selectors.shown([(e, waits_on(e)) for e in stuck]),
        stuck_days=stuck_days,
        term=term,
        reviews_due=selectors.shown(list(reviews_due)),
    )


def _officer(user: User, rows: list[Row], full: set[str]) -> OfficerPart:
    links = [
        ("Import employers", reverse("employers-import")),
        ("Failed e-mails", reverse("outbox")),
        ("Invite a person", reverse("people-invite")),
    ]
    failed_emails, invitations_open = _counts()
    return OfficerPart(
        listings=_rows_for(rows, "list_on_register", full),
        join_requests=selectors.shown(list(join_requests.nobody_to_take(user)[: SHOWN + 1])),
        failed_emails=failed_emails,
        lapse_decisions=selectors.shown(list(lapse.waiting(user)[: SHOWN + 1])),
        vacancies=_vacancies(),
        invitations_open=invitations_open,
        links=links,
    )


def _counts() -> tuple[int, int]:
    """The failed e-mails and the invitations not yet accepted, counted in one query."""
    parts = [
        queryset.order_by().values("pk").query.sql_with_params()
        for queryset in (
            outbox.OutboxMessage.objects.needing_attention(),
            Invitation.objects.open(),
        )
    ]
    sql = ", ".join(f"(SELECT COUNT(*) FROM ({part}) counted)" for part, _ in parts)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", [value for _, values in parts for value in values])
        failed, invitations = cursor.fetchone()
    return failed, invitations


def _vacancies() -> list[str]:
    """The areas in use where nobody holds the role that acts there: people to invite. The
    associations and the districts are read in one query."""
    held = RoleAssignment.objects.filter(role=Role.LOCAL_SECRETARY, user__is_active=True).values(
        "association_id"
    )
    associations = (
        Association.objects.current().exclude(pk__in=held).order_by("name").values("pk")[:SHOWN]
    )
    held = RoleAssignment.objects.filter(role=Role.NEM, user__is_active=True).values("district_id")
    districts = (
        District.objects.current().exclude(pk__in=held).order_by("name").values("pk")[:SHOWN]
    )
    # The first few of each, in a query each within the one: a compound query may not slice.
    found = sorted(
        Association.objects.filter(pk__in=associations)
        .annotate(kind=Value(0))
        .order_by()
        .values_list("kind", "name")
        .union(
            District.objects.filter(pk__in=districts)
            .annotate(kind=Value(1))
            .order_by()
            .values_list("kind", "name"),
            all=True,
        )
    )
    return [
        f"{name}: no local secretary" if kind == 0 else f"{name}: no National Executive Member"
        for kind, name in found
    ]


def _employer(user: User, today: datetime.date) -> EmployerPart:
    scope = rules.visible_enrolments_q(user, [Role.EMPLOYER_CONTACT])
    newest_view = EmployerView.objects.filter(enrolment=OuterRef("pk")).order_by("-cycle_number")
    found = list(
        Enrolment.objects.filter(scope)
        .select_related("employer", "scheme")
        .prefetch_related(Prefetch("cycles", queryset=selectors.latest_cycles()))
        .annotate(newest_view=Subquery(newest_view.values("cycle_number")[:1]))
        .order_by("-created_at", "-id")[: SHOWN + 1]
    )
    memberships = [
        (e, enrolment_rules.state_label(user, e), cycles.latest_cycle(e)) for e in found[:SHOWN]
    ]
    views_due = []
    for enrolment in found[:SHOWN]:
        # A view is only ever given for the cycle open at the time, so the newest one given
        # tells whether the open one is.
        number = employer_voice.open_number(enrolment, today)
        if number is not None and enrolment.newest_view != number:
            views_due.append((enrolment, reverse("employer-view", args=[enrolment.pk, number])))
    members = selectors.members_in_scope(user, [Role.EMPLOYER_CONTACT])
    soon = (
        Action.objects.open()
        .filter(
            cycle__in=Cycle.objects.filter(selectors.CONFIRMED, enrolment__in=members),
            due_on__range=(today, today + cycles.REVIEW_WINDOW),
        )
        .select_related("cycle__enrolment__employer")
        .order_by("due_on", "number")[: SHOWN + 1]
    )
    return EmployerPart(
        Shown(memberships, len(found) > SHOWN),
        selectors.shown([(a.cycle.enrolment, a) for a in soon]),
        views_due,
    )
