"""Demo data for `make run`: areas, a dozen employers in several states, a user per role.

Enrolments are moved along through the real services, so their timelines are genuine.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from accord.accounts import rules as account_rules
from accord.accounts.models import Role, RoleAssignment, User
from accord.enrolments import join_requests, services
from accord.enrolments import rules as enrolment_rules
from accord.enrolments.models import ApproachMethod, Enrolment, Initiator, Position
from accord.enrolments.process import CLOSED_STATES, MAIN_PATH, STEPS, State, Step, step
from accord.membership import policy_checks
from accord.membership import services as membership_services
from accord.membership.models import Membership
from accord.organisations.models import (
    Association,
    District,
    Employer,
    EmployerKind,
    LocalAuthority,
    Region,
    Union,
)
from accord.plans import services as plans
from accord.schemes.loader import load_builtin_scheme
from accord.schemes.models import Scheme

DEMO_PASSWORD = "accord-demo"
# The demo's union people sign in with codes from an authenticator app on this published key
# (`manage.py demo_code` prints the current one), except DEMO_WITHOUT_APP, who is sent to set
# one up at sign-in. Never a real installation's.
DEMO_TOTP_SECRET = "ACCORDDEMOACCORDDEMOACCORDDEMO22"
DEMO_WITHOUT_APP = "salford.secretary@demo.accord"


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


PLAN_DATA = Path(__file__).resolve().parent.parent / "plans" / "data"


@dataclass
class DemoLogin:
    email: str
    role: str
    scope: str


def _user(email: str, name: str) -> User:
    user = User.objects.create_user(email, email=email, password=DEMO_PASSWORD, full_name=name)
    return user


def logins() -> list[DemoLogin]:
    rows = RoleAssignment.objects.filter(user__email__endswith="@demo.accord").select_related(
        "user", "union", "employer", "association", "district", "region"
    )
    return [DemoLogin(a.user.email, a.get_role_display(), a.scope_label) for a in rows]


def _schools(
    parent: Employer,
    la: LocalAuthority,
    association: Association,
    establishment_type: str,
    names: list[tuple[str, str, str, str]],
) -> list[Employer]:
    return [
        Employer.objects.create(
            kind=EmployerKind.SCHOOL,
            name=name,
            urn=urn,
            street=street,
            postcode=postcode,
            parent=parent,
            local_authority=la,
            association=association,
            establishment_type=establishment_type,
            town=la.name,
            status_name="Open",
        )
        for name, urn, street, postcode in names
    ]


@transaction.atomic
def load_demo() -> bool:
    """Create the demo data; returns False if it was already there."""
    if User.objects.filter(email="secretary@demo.accord").exists():
        return False
    scheme = load_builtin_scheme("vws")
    unions = {u.short_name: u for u in Union.objects.all()}
    nasuwt = scheme.lead_union

    north_west = Region.objects.create(name="North West")
    london = Region.objects.create(name="London")
    nw_district = District.objects.create(name="District 3 (Greater Manchester)")
    ldn_district = District.objects.create(name="District 22 (Inner London)")
    manchester = LocalAuthority.objects.create(code="352", name="Manchester", region=north_west)
    salford = LocalAuthority.objects.create(code="355", name="Salford", region=north_west)
    camden = LocalAuthority.objects.create(code="202", name="Camden", region=london)
    manchester_assoc = Association.objects.create(
        name="Manchester",
        region=north_west,
        district=nw_district,
        address="Union House\n14 Whitworth Street\nManchester\nM1 3AB",
        email="manchester@demo.accord",
    )
    manchester_assoc.local_authorities.set([manchester])
    salford_assoc = Association.objects.create(
        name="Salford",
        region=north_west,
        district=nw_district,
        address="2 Chapel Street\nSalford\nM3 5JZ",
    )
    salford_assoc.local_authorities.set([salford])
    camden_assoc = Association.objects.create(name="Camden", region=london, district=ldn_district)
    camden_assoc.local_authorities.set([camden])

    def employer(**values: Any) -> Employer:
        return Employer.objects.create(status_name="Open", **values)

    trust = employer(
        kind=EmployerKind.ACADEMY_TRUST,
        name="Irwell Valley Learning Trust",
        companies_house_number="08123456",
        gias_group_uid="16001",
        local_authority=manchester,
        association=manchester_assoc,
        street="3 Riverside Way",
        town="Manchester",
        postcode="M1 2AB",
    )
    mcc = employer(
        kind=EmployerKind.LOCAL_AUTHORITY,
        name="Manchester City Council",
        la_code="352",
        local_authority=manchester,
        association=manchester_assoc,
        street="Town Hall, Albert Square",
        town="Manchester",
        postcode="M60 2LA",
    )
    scc = employer(
        kind=EmployerKind.LOCAL_AUTHORITY,
        name="Salford City Council",
        la_code="355",
        local_authority=salford,
        association=salford_assoc,
        street="Civic Centre, Chorley Road",
        town="Swinton",
        postcode="M27 5AW",
    )
    ardwick, moss_side, _ = _schools(
        trust,
        manchester,
        manchester_assoc,
        "Academy converter",
        [
            ("Ardwick Green Academy", "140001", "21 Hyde Road", "M12 6BP"),
            ("Moss Side Primary Academy", "140002", "4 Quinney Crescent", "M14 4PX"),
            ("Hulme Park Academy", "140003", "60 Stretford Road", "M15 5AA"),
        ],
    )
    eccles, irlam, swinton, _ = _schools(
        scc,
        salford,
        salford_assoc,
        "Community school",
        [
            ("Eccles Community High School", "105901", "Barton Lane", "M30 0LX"),
            ("Irlam Community Primary School", "105902", "37 Liverpool Road", "M44 6GH"),
            ("Swinton Park Community School", "105903", "Chorley Road", "M27 4BS"),
            ("Walkden Community Primary School", "105904", "12 Bolton Road", "M28 3FB"),
        ],
    )
    college = employer(
        kind=EmployerKind.COLLEGE,
        name="Manchester Technical College",
        ukprn="10004112",
        local_authority=manchester,
        association=manchester_assoc,
        street="45 Ashton Old Road",
        town="Manchester",
        postcode="M11 2WH",
    )
    camden_school = employer(
        kind=EmployerKind.SCHOOL,
        name="Regent's Park Community Primary",
        urn="100001",
        local_authority=camden,
        association=camden_assoc,
        street="8 Albany Street",
        town="London",
        postcode="NW1 3PS",
        establishment_type="Community school",
    )

    people = {
        "rep": ("Rita Patel", Role.WORKPLACE_REP, {"union": nasuwt, "employer": ardwick}),
        "secretary": (
            "Sam Okafor",
            Role.LOCAL_SECRETARY,
            {"union": nasuwt, "association": manchester_assoc},
        ),
        "salford.secretary": (
            "Sally Burns",
            Role.LOCAL_SECRETARY,
            {"union": nasuwt, "association": salford_assoc},
        ),
        "nem": ("Nadia Evans", Role.NEM, {"union": nasuwt, "district": nw_district}),
        "gmb": ("Gary Marsh", Role.PARTNER_REP, {"union": unions["GMB"], "region": north_west}),
        "unison": (
            "Una Singh",
            Role.PARTNER_REP,
            {"union": unions["UNISON"], "region": north_west},
        ),
        "unite": ("Uri Teller", Role.PARTNER_REP, {"union": unions["Unite"], "region": north_west}),
        "officer": ("Olive Carter", Role.NATIONAL_OFFICER, {"union": nasuwt}),
        # A second officer: an appeal on a concern goes to an officer other than the decider.
        "officer2": ("Owen Price", Role.NATIONAL_OFFICER, {"union": nasuwt}),
        "employer": ("Ellen Hughes", Role.EMPLOYER_CONTACT, {"employer": trust}),
        "salford.employer": ("Emma Grant", Role.EMPLOYER_CONTACT, {"employer": scc}),
        "auditor": ("Arthur Dent", Role.AUDITOR, {}),
    }
    users: dict[str, User] = {}
    for key, (name, role, scope) in people.items():
        users[key] = _user(f"{key}@demo.accord", name)
        RoleAssignment.objects.create(user=users[key], role=role, **scope)
        if users[key].email != DEMO_WITHOUT_APP and account_rules.must_use_mfa(users[key]):
            TOTP.activate(users[key], DEMO_TOTP_SECRET)

    journey = Journey(scheme, users)
    salford_secretary = {"secretary": "salford.secretary"}
    enrolments = [
        journey.to(trust, State.LISTED, "rep"),
        journey.to(mcc, State.COMMITMENT_DRAFTED, "secretary"),
        journey.to(
            scc, State.NEM_CLEARED, "salford.secretary", partial_positions=True, **salford_secretary
        ),
        journey.to(college, State.AGREED, "secretary"),
        journey.to(
            eccles,
            State.ENDORSED,
            "salford.secretary",
            **salford_secretary,
        ),
        journey.to(
            irlam,
            State.PROPOSED,
            "salford.secretary",
            **salford_secretary,
        ),
        journey.to(
            swinton,
            State.OBJECTED,
            "salford.secretary",
            **salford_secretary,
        ),
        journey.to(
            moss_side,
            State.PROPOSED,
            "secretary",
            exception="The academy has its own staffing arrangements agreed with the trust.",
        ),
    ]
    # The college's joint letter, ready to print, goes to its principal by name.
    services.set_letter_addressee(
        next(e for e in enrolments if e.employer_id == college.pk),
        actor=users["secretary"],
        name="Dr Amina Shah",
        job_title="Principal and Chief Executive",
    )
    # The listed trust has logged a new policy, which the unions have found consistent.
    membership = Membership.objects.get(employer=trust)
    check = policy_checks.log_policy(
        membership,
        actor=users["employer"],
        data={
            "title": "Flexible working for all support staff",
            "description": "All support staff may ask for flexible working from day one.",
        },
    )
    policy_checks.assess_policy(
        check,
        actor=users["secretary"],
        data={
            "assessment": "consistent",
            "principles": [],
            "reasoning": "Supports wellbeing and dignity at work (principle 2).",
            "union_response": "Welcomed; the unions ask for a review of uptake after six months.",
        },
    )
    # A suspension while a complaint was looked into, lifted once it was resolved: the
    # dashboard's lapses, suspensions and withdrawals have something to show.
    membership = membership_services.change_status(
        membership,
        "suspend",
        actor=users["officer"],
        reason="A complaint about the trust's agency staff is being looked into.",
        logo_stop_requested_on=timezone.localdate(),
    )
    membership_services.change_status(
        membership,
        "reinstate",
        actor=users["officer"],
        reason="The trust brought its agency staff onto the same terms.",
    )
    # The 2008 Government Skills plan, imported through the importer: its action numbered 0
    # is reported, and corrected to 2 as a person would in the preview.
    seed = PLAN_DATA / "government-skills-2008.txt"
    plan = plans.create_plan(
        seed.read_text(encoding="utf-8"),
        actor=users["officer"],
        source_name=seed.name,
        corrections=[plans.Correction(31, "Action Number", "2")],
    )
    plans.update_plan(
        plan,
        actor=users["officer"],
        data={
            "status": "active",
            "next_review_on": timezone.localdate() + datetime.timedelta(days=10),
        },
    )
    owner = _user("plan.owner@demo.accord", "Priya Nair")
    RoleAssignment.objects.create(user=owner, role=Role.PLAN_OWNER, plan=plan)
    member = _user("plan.member@demo.accord", "Tom Bell")
    RoleAssignment.objects.create(
        user=member,
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    # Spread the demo cases out in time, so "oldest first" on the task lists shows.
    for days_ago, enrolment in zip(range(60, 0, -6), enrolments, strict=False):
        Enrolment.objects.filter(pk=enrolment.pk).update(
            state_changed_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    # A college that asked to join from the home page, waiting on the Manchester secretary.
    join_requests.submit(
        scheme=scheme,
        data={
            "employer_name": "Manchester Sixth Form College",
            "kind": EmployerKind.COLLEGE,
            "local_authority": manchester,
            "contact_name": "Dana Whitfield",
            "job_title": "Principal",
            "email": "principal@sixthform.example",
            "message": "Our staff council suggested we look at the scheme.",
        },
    )
    del camden_school  # in another district: out of every demo user's scope but the officer's
    return True


class Journey:
    """Takes enrolments along the process through the real services (demo data and tests).

    `users` holds a user per persona: rep, secretary, nem, gmb, unison, officer, employer. The
    order of the steps and who takes each come from the process declaration; the journey only
    knows what to fill in on each step's form.
    """

    # Who plays each role, in order of preference when a step allows several.
    PERSONAS = {
        Role.LOCAL_SECRETARY: "secretary",
        Role.NEM: "nem",
        Role.PARTNER_REP: "gmb",
        Role.NATIONAL_OFFICER: "officer",
        Role.EMPLOYER_CONTACT: "employer",
        Role.WORKPLACE_REP: "rep",
    }

    def __init__(self, scheme: Scheme, users: dict[str, User]) -> None:
        self.scheme = scheme
        self.users = users

    def take(self, enrolment: Enrolment, name: str, who: str, **data: Any) -> Enrolment:
        return services.take_step(enrolment, step(name), actor=self.users[who], data=data)

    def who(self, the_step: Step, secretary: str = "secretary") -> str:
        persona = next(p for role, p in self.PERSONAS.items() if role in the_step.roles)
        return secretary if persona == "secretary" else persona

    def to(
        self,
        employer: Employer,
        target: State,
        proposer: str,
        *,
        secretary: str = "secretary",
        exception: str = "",
        partial_positions: bool = False,
    ) -> Enrolment:
        enrolment = services.propose(
            scheme=self.scheme,
            employer=employer,
            actor=self.users[proposer],
            data={
                "initiated_by": Initiator.UNION,
                "exception_reason": exception,
                "reason": f"{employer.name} already consults its staff and the unions well.",
            },
        )
        if target in CLOSED_STATES:
            # The way out: its step, taken from the first state on the way in that allows it.
            closing = next(s for s in STEPS if target in s.targets and s.closes)
            before = next(state for state in MAIN_PATH if state in closing.sources)
            enrolment = self.to_state(enrolment, before, secretary)
            data: dict[str, Any] = {"reason": "Agreed at the local meeting."}
            if closing.name == "record_partner_position":
                data = {"position": Position.DISAGREE, "reason": "No GMB members are employed."}
            return self.take(enrolment, closing.name, self.who(closing, secretary), **data)
        enrolment = self.to_state(enrolment, target, secretary)
        if partial_positions:
            enrolment = self.take(
                enrolment, "record_partner_position", "gmb", position=Position.AGREE
            )
        return enrolment

    def to_state(self, enrolment: Enrolment, target: State, secretary: str) -> Enrolment:
        """Along the way in, one state at a time, by the step that the process declares."""
        while enrolment.state != target:
            here = MAIN_PATH.index(State(enrolment.state))
            following = MAIN_PATH[here + 1]
            the_step = next(
                s
                for s in STEPS
                if s.task and enrolment.state in s.sources and following in s.targets
            )
            enrolment = self.step_on(enrolment, the_step, secretary)
        return enrolment

    def step_on(self, enrolment: Enrolment, the_step: Step, secretary: str) -> Enrolment:
        """Take `the_step` (with whatever else its state waits for) with plausible data."""
        today = timezone.localdate()
        who = self.who(the_step, secretary)
        match the_step.name:
            case "endorse":
                return self.take(enrolment, "endorse", who, note="Good candidate.")
            case "record_partner_position":
                return self._positions(enrolment, secretary)
            case "record_approach":
                return self.take(
                    enrolment,
                    the_step.name,
                    who,
                    approach_method=ApproachMethod.JOINT_LETTER,
                    letter_date=today - datetime.timedelta(days=40),
                )
            case "record_introduction":
                return self.take(
                    enrolment,
                    the_step.name,
                    who,
                    introduced_on=today - datetime.timedelta(days=30),
                    materials_sent=list(self.scheme.materials.all()),
                )
            case "draft_commitment":
                return self._draft(enrolment, secretary)
            case "confirm_commitment_union":
                return self.confirm(enrolment, secretary)
            case "record_joined":
                return self.take(enrolment, the_step.name, who, date=today - _days(7))
            case "notify_national_union":
                return self.take(enrolment, the_step.name, who, date=today - _days(5))
            case "list_on_register":
                return self.take(
                    enrolment,
                    the_step.name,
                    who,
                    listed_on=today - _days(2),
                    logo_sent_on=today - _days(2),
                )
        return self.take(enrolment, the_step.name, who)

    def _positions(self, enrolment: Enrolment, secretary: str) -> Enrolment:
        enrolment = self.take(enrolment, "record_partner_position", "gmb", position=Position.AGREE)
        enrolment = self.take(
            enrolment, "record_partner_position", "unison", position=Position.AGREE
        )
        unite = Union.objects.get(short_name="Unite")
        return self.take(enrolment, "mark_not_represented", secretary, union=unite)

    def _draft(self, enrolment: Enrolment, secretary: str) -> Enrolment:
        principles = self.scheme.current_principles()
        start = timezone.localdate() - datetime.timedelta(days=20)
        return self.take(
            enrolment,
            "draft_commitment",
            secretary,
            principle_version=principles[4],
            objectives="Set up a joint consultation and negotiation committee with all "
            "recognised unions, meeting at least termly.",
            success_criteria="Terms of reference agreed; three meetings held with minutes "
            "published to staff.",
            starts_on=start,
            ends_on=start + datetime.timedelta(days=364),
            activities=[
                {
                    "detail": "Draft terms of reference with the unions",
                    "owner": "HR director",
                    "due_on": start + datetime.timedelta(days=60),
                },
                {
                    "detail": "Hold the first committee meeting",
                    "owner": "Chief executive",
                    "due_on": start + datetime.timedelta(days=120),
                },
            ],
            self_assessments=[
                {
                    "principle_version": v,
                    "readiness": "partly",
                    "priority": "high" if v.principle.number == 5 else "medium",
                    "narrative": "Some arrangements exist but are informal.",
                }
                for v in principles
            ],
        )

    def cosign(self, enrolment: Enrolment) -> Enrolment:
        """Each partner union represented locally co-signs the drafted commitment, through
        whichever persona represents it here."""
        cosign = step("cosign_commitment")
        for persona, user in self.users.items():
            if enrolment_rules.can_take_step(user, enrolment, cosign):
                enrolment = self.take(enrolment, cosign.name, persona, confirm=True)
        return enrolment

    def confirm(self, enrolment: Enrolment, secretary: str) -> Enrolment:
        enrolment = self.take(enrolment, "confirm_commitment_union", secretary, confirm=True)
        enrolment = self.cosign(enrolment)
        enrolment = self.take(
            enrolment,
            "confirm_commitment_employer",
            "employer",
            confirm=True,
            accept_logo_terms=True,
        )
        # The employer accepts the logo terms as it confirms the commitment: in the story a
        # week and a day before it joins (see "record_joined"), not when the demo is loaded.
        accepted = datetime.datetime.combine(
            timezone.localdate() - _days(8), datetime.time(10, 30), timezone.get_current_timezone()
        )
        Enrolment.objects.filter(pk=enrolment.pk).update(logo_terms_accepted_at=accepted)
        enrolment.logo_terms_accepted_at = accepted
        return enrolment
