"""A world with something on every page: enrolments at each step, members with cycles, reviews
and policy checks, a plan with its owner and member, and a plan import waiting for its preview;
workforce figures for the plan and the world's employer (published), and a file of counts
waiting for its preview."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import time_machine
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from accord.accounts.models import Role, RoleAssignment, User
from accord.demo.data import DEMO_TOTP_SECRET, PLAN_DATA, Journey
from accord.enrolments import join_requests
from accord.enrolments.models import Enrolment, JoinRequest
from accord.enrolments.process import MAIN_PATH, State
from accord.membership import concerns, cycles, employer_voice, policy_checks
from accord.membership.models import (
    AppealSide,
    Concern,
    Cycle,
    LapseDecision,
    Membership,
    PolicyCheck,
    Review,
)
from accord.organisations.models import Employer, EmployerKind
from accord.plans.models import ImportKind, Plan, PlanImport
from accord.workforce import services as figures
from accord.workforce.models import Breakdown, FigureImport, FigureTable
from tests.world import PASSWORD, World


@dataclass
class Site:
    world: World
    enrolments: list[Enrolment] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    policy_checks: list[PolicyCheck] = field(default_factory=list)
    lapse_decisions: list[LapseDecision] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    plan_imports: list[PlanImport] = field(default_factory=list)
    join_requests: list[JoinRequest] = field(default_factory=list)
    figure_tables: list[FigureTable] = field(default_factory=list)
    figure_imports: list[FigureImport] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)


def _user(key: str) -> User:
    return User.objects.create_user(
        f"{key}@example.org", email=f"{key}@example.org", password=PASSWORD, full_name=key
    )


def _school(world: World, name: str) -> Employer:
    return Employer.objects.create(
        name=name,
        kind=EmployerKind.SCHOOL,
        local_authority=world.employer.local_authority,
        association=world.association,
    )


def _contact(employer: Employer) -> User:
    contact, created = User.objects.get_or_create(
        username=f"contact{employer.pk}@example.org",
        defaults={"email": f"contact{employer.pk}@example.org", "full_name": "Contact"},
    )
    if created:
        RoleAssignment.objects.create(user=contact, role=Role.EMPLOYER_CONTACT, employer=employer)
    return contact


def _to(world: World, employer: Employer, state: State) -> Enrolment:
    """An enrolment of `employer` taken to `state`, its own contact confirming for it."""
    users = {**world.users, "employer": _contact(employer)}
    return Journey(world.scheme, users).to(employer, state, "secretary")


def _concerns(world: World, membership: Membership) -> list[Concern]:
    """Concerns about a member: new, put to the employer, and decided then appealed."""
    officer, contact = world.users["officer"], _contact(membership.employer)
    found = []
    for state in ("open", "put", "appealed"):
        concern = concerns.raise_concern(
            membership, actor=world.users["outsider"], data={"subject": f"A concern ({state})"}
        )
        if state != "open":
            concerns.put_to_employer(concern, actor=officer, data={"put_note": "Answer it."})
        if state == "appealed":
            concerns.respond(concern, actor=contact, data={"response": "Our answer."})
            concerns.decide(
                concern, actor=officer, data={"outcome": "no_action", "reasons": "Answered."}
            )
            concerns.appeal(
                concern, side=AppealSide.RAISER, actor=None, data={"grounds": "Not answered."}
            )
        found.append(Concern.objects.get(pk=concern.pk))
    return found


def _employer_view(world: World, enrolment: Enrolment, number: int, contact: User) -> None:
    employer_voice.save_view(
        enrolment,
        number,
        actor=contact,
        data={
            "priorities": "Wellbeing first.",
            "assessments": [
                {"principle_version": v, "readiness": "not_yet", "priority": "high"}
                for v in world.scheme.current_principles()
            ],
        },
    )


def build_site(world: World) -> Site:
    """Add to `world` an enrolment at every state of the main path and three members: one whose
    review waits for the employer, one ready for its next cycle, one whose next cycle waits."""
    site = Site(world, users=dict(world.users))
    # Who sets a service up: creates schemes and chooses their unions, gives the first roles.
    site.users["superuser"] = User.objects.create_superuser(
        "superuser@example.org", "superuser@example.org", PASSWORD, full_name="Superuser"
    )
    for state in (*MAIN_PATH[:-1], State.OBJECTED):
        school = _school(world, f"School at {state}")
        if state == State.COMMITMENT_DRAFTED:
            # The one whose contact has a form to fill: confirming the commitment. It gave the
            # employer's view before the commitment was drafted.
            site.users["drafted_contact"] = _contact(school)
            introduced = _to(world, school, State.INTRODUCED)
            _employer_view(world, introduced, 1, site.users["drafted_contact"])
            users = {**world.users, "employer": site.users["drafted_contact"]}
            journey = Journey(world.scheme, users)
            drafted = journey.to_state(introduced, state, "secretary")
            # Read afresh: the page crawls find its cycles through it.
            site.enrolments.append(Enrolment.objects.get(pk=drafted.pk))
            continue
        site.enrolments.append(_to(world, school, state))

    # The world's employer: reviewed and confirmed, its next cycle drafted and waiting.
    waiting = world.enrolment(State.LISTED)
    with time_machine.travel(waiting.first_cycle.ends_on, tick=False):
        world.review(waiting.first_cycle, confirm=True)
        # Its contact gave the employer's view before the unions drafted cycle 2 (below).
        _employer_view(world, waiting, 2, world.users["employer"])
    # The trust: its review waits for the employer's confirmation.
    reviewed = _to(world, world.trust, State.LISTED)
    site.users["trust_contact"] = _contact(world.trust)
    # Someone who chose two-factor sign-in, for its pages (the secret is the demo's).
    TOTP.activate(site.users["trust_contact"], DEMO_TOTP_SECRET)
    RecoveryCodes.activate(site.users["trust_contact"])
    with time_machine.travel(reviewed.first_cycle.ends_on, tick=False):
        site.reviews.append(world.review(reviewed.first_cycle))
    # A third member, reviewed and confirmed: ready for its next cycle.
    ready = _to(world, _school(world, "Ready Primary"), State.LISTED)
    with time_machine.travel(ready.first_cycle.ends_on, tick=False):
        review = world.review(ready.first_cycle)
        site.reviews.append(cycles.confirm_review(review, actor=_contact(ready.employer)))
    # A fourth member: its review waits for the partner unions' co-signatures.
    cosigning = _to(world, _school(world, "Signing Primary"), State.LISTED)
    with time_machine.travel(cosigning.first_cycle.ends_on, tick=False):
        site.reviews.append(world.review(cosigning.first_cycle, cosign=False))
    first = waiting.first_cycle
    principles = world.scheme.current_principles()
    other = next(p for p in principles if p.pk != first.principle_version_id)
    site.cycles.append(
        cycles.start_next_cycle(
            waiting,
            actor=world.users["secretary"],
            data={
                "principle_version": other,
                "objectives": "Termly meetings.",
                "success_criteria": "Three meetings held.",
                "starts_on": first.ends_on,
                "ends_on": first.ends_on.replace(year=first.ends_on.year + 1),
                "activities": [
                    {"detail": "Meet", "owner": "Head", "due_on": first.ends_on},
                ],
                "self_assessments": [
                    {
                        "principle_version": v,
                        "readiness": "partly",
                        "priority": "medium",
                        "narrative": "",
                    }
                    for v in principles
                ],
                "note": "",
            },
        )
    )
    for enrolment in (waiting, reviewed, ready):
        site.enrolments.append(enrolment)
        site.cycles.extend(enrolment.cycles.all())
        site.memberships.append(Membership.objects.get(enrolment=enrolment))
    # A decision "extend or lapse" waiting for the national officers, on the third member's
    # first cycle (as if its review had gone unrecorded past the grace period).
    site.lapse_decisions.append(
        LapseDecision.objects.create(
            membership=site.memberships[2],
            cycle=ready.first_cycle,
            review_due_on=ready.first_cycle.ends_on,
            grace_ended_on=ready.first_cycle.ends_on,
            opened_on=ready.first_cycle.ends_on,
        )
    )
    site.policy_checks.append(
        policy_checks.log_policy(
            site.memberships[0],
            actor=world.users["employer"],
            data={"title": "Flexible working", "description": "From day one."},
        )
    )
    site.concerns.extend(_concerns(world, site.memberships[0]))

    plan = world.plan()
    site.plans.append(plan)
    owner, member = _user("plan_owner"), _user("plan_member")
    RoleAssignment.objects.create(user=owner, role=Role.PLAN_OWNER, plan=plan)
    RoleAssignment.objects.create(
        user=member,
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    site.users.update(plan_owner=owner, plan_member=member)
    seed = PLAN_DATA / "government-skills-2008.txt"
    site.plan_imports.append(
        PlanImport.objects.create(
            uploaded_by=world.users["officer"],
            source_name=seed.name,
            kind=ImportKind.DOCUMENT,
            text=seed.read_text(encoding="utf-8"),
        )
    )
    _figures(site, plan)
    # An employer's request to join, waiting on the Northtown secretary.
    site.join_requests.append(
        join_requests.submit(
            scheme=world.scheme,
            data={
                "employer_name": "Northtown College",
                "kind": EmployerKind.COLLEGE,
                "local_authority": world.employer.local_authority,
                "contact_name": "Pat Principal",
                "job_title": "Principal",
                "email": "principal@northtown-college.example",
                "message": "We would like to join.",
            },
        )
    )
    return site


def _figures(site: Site, plan: Plan) -> None:
    """A plan's table shared by the member's side; the employer's, published by the officer (so
    its member's verification page shows it); a file of counts waiting for its preview."""
    world = site.world
    period = {"starts_on": datetime.date(2025, 4, 1), "ends_on": datetime.date(2026, 3, 31)}
    counts = {("female", 0): 40, ("female", 1): 9, ("male", 0): 30, ("male", 1): 3}
    for owner in ({"plan": plan}, {"employer": world.employer}):
        table = figures.create_table(
            actor=world.users["officer"],
            **owner,
            data={
                "measure": "Access to training",
                "breakdown": Breakdown.SEX,
                "columns": ["Staff", "Took part"],
                "party": plan.parties.get(name="Trade Union side") if "plan" in owner else None,
                "public": "employer" in owner,
                **period,
            },
        )
        site.figure_tables.append(
            figures.set_counts(table, actor=world.users["officer"], counts=counts)
        )
    site.figure_imports.append(
        figures.open_import(
            site.figure_tables[-1],
            uploaded_by=world.users["employer"],
            source_name="training.csv",
            data=b"Sex,Staff,Took part\nFemale,40,9\nMen,30,-3\n",
        )
    )
