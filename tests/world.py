"""The personas every test uses: one user per role in scope, and their out-of-scope twins.

In scope means "for the employer `world.employer`": a standalone school in the Northtown
association, Northern district, North region. Out of scope means the same role held for
somewhere else (Southtown, the Southern district, the South region, another employer, or a
union that does not lead the scheme).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accord.accounts.models import Role, RoleAssignment, User
from accord.demo.data import PLAN_DATA, Journey
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership import cosigning, cycles, services
from accord.membership import rules as membership_rules
from accord.membership.models import Cycle, Review
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
from accord.plans.models import Plan
from accord.schemes.loader import load_builtin_scheme
from accord.schemes.models import Scheme

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    scheme: Scheme
    unions: dict[str, Union]
    association: Association
    other_association: Association
    employer: Employer
    trust: Employer
    academy: Employer
    other_employer: Employer
    users: dict[str, User] = field(default_factory=dict)

    def journey(self) -> Journey:
        return Journey(self.scheme, self.users)

    def review(
        self,
        cycle: Cycle,
        outcome: str = "met",
        decision: str = "next_cycle",
        *,
        confirm: bool = False,
        cosign: bool = True,
        **extra: object,
    ) -> Review:
        """The secretary records a review of `cycle` on its last day; the partner unions
        represented locally co-sign it (unless `cosign` is False); the employer may confirm."""
        review = cycles.record_review(
            cycle,
            actor=self.users["secretary"],
            data={
                "held_on": cycle.ends_on,
                "outcome": outcome,
                "objective_outcomes": [outcome] * len(cycle.objective_list()),
                "evidence": "Minutes of three committee meetings.",
                "decision": decision,
                **extra,
            },
        )
        if cosign:
            self.cosign(review)
        if confirm:
            cycles.confirm_review(review, actor=self.users["employer"])
        return review

    def cosign(self, target: Cycle | Review) -> None:
        """Each partner union represented locally co-signs a later cycle or a review, through
        its representative among the personas."""
        enrolment = (target if isinstance(target, Cycle) else target.cycle).enrolment
        enrolment = Enrolment.objects.get(pk=enrolment.pk)
        for persona in ("gmb", "unison", "unite"):
            user = self.users[persona]
            fresh = type(target).objects.get(pk=target.pk)
            if membership_rules.unions_to_cosign(
                user, enrolment, services.pending_unions(enrolment, fresh)
            ):
                if isinstance(target, Cycle):
                    cosigning.cosign_cycle(fresh, actor=user)
                else:
                    cosigning.cosign_review(fresh, actor=user)
        target.refresh_from_db()

    def enrolment(
        self, state: State, employer: Employer | None = None, *, secretary: str = "secretary"
    ) -> Enrolment:
        """An enrolment proposed by `secretary` and taken to `state` through the services."""
        return self.journey().to(employer or self.employer, state, secretary, secretary=secretary)

    def plan(self) -> Plan:
        """The 2008 Government Skills plan, imported by the national officer with its action
        numbered 0 corrected to 2, as a person would in the preview."""
        seed = PLAN_DATA / "government-skills-2008.txt"
        return plans.create_plan(
            seed.read_text(encoding="utf-8"),
            actor=self.users["officer"],
            source_name=seed.name,
            corrections=[plans.Correction(31, "Action Number", "2")],
        )


# persona: (role, in scope?, scope)
PERSONAS = [
    "rep",
    "secretary",
    "nem",
    "gmb",
    "unison",
    "unite",
    "officer",
    "employer",
    "auditor",
    "other_rep",
    "other_secretary",
    "other_nem",
    "other_gmb",
    "other_officer",
    "other_employer",
    "outsider",
]


def _user(key: str) -> User:
    return User.objects.create_user(
        f"{key}@example.org",
        email=f"{key}@example.org",
        password=PASSWORD,
        full_name=key.replace("_", " ").title(),
    )


def build_world() -> World:
    scheme = load_builtin_scheme("vws")
    unions = {u.short_name: u for u in Union.objects.all()}
    north, south = Region.objects.create(name="North"), Region.objects.create(name="South")
    northern = District.objects.create(name="Northern")
    southern = District.objects.create(name="Southern")
    northtown_la = LocalAuthority.objects.create(code="901", name="Northtown", region=north)
    southtown_la = LocalAuthority.objects.create(code="902", name="Southtown", region=south)
    northtown = Association.objects.create(name="Northtown", region=north, district=northern)
    northtown.local_authorities.set([northtown_la])
    southtown = Association.objects.create(name="Southtown", region=south, district=southern)
    southtown.local_authorities.set([southtown_la])

    def employer(name: str, **values) -> Employer:  # type: ignore[no-untyped-def]
        values.setdefault("kind", EmployerKind.SCHOOL)
        values.setdefault("local_authority", northtown_la)
        values.setdefault("association", northtown)
        return Employer.objects.create(name=name, **values)

    school = employer(
        "Northtown High School",
        urn="100001",
        postcode="NT1 1AA",
        street="1 School Lane",
        town="Northtown",
    )
    trust = employer("Northern Star Trust", kind=EmployerKind.ACADEMY_TRUST, gias_group_uid="5001")
    academy = employer("Star Academy", urn="100002", parent=trust)
    other = employer(
        "Southtown School", urn="200001", local_authority=southtown_la, association=southtown
    )
    world = World(scheme, unions, northtown, southtown, school, trust, academy, other)

    nasuwt = unions["NASUWT"]
    scopes = {
        "rep": (Role.WORKPLACE_REP, {"union": nasuwt, "employer": school}),
        "secretary": (Role.LOCAL_SECRETARY, {"union": nasuwt, "association": northtown}),
        "nem": (Role.NEM, {"union": nasuwt, "district": northern}),
        "gmb": (Role.PARTNER_REP, {"union": unions["GMB"], "region": north}),
        "unison": (Role.PARTNER_REP, {"union": unions["UNISON"], "association": northtown}),
        "unite": (Role.PARTNER_REP, {"union": unions["Unite"], "region": north}),
        "officer": (Role.NATIONAL_OFFICER, {"union": nasuwt}),
        "employer": (Role.EMPLOYER_CONTACT, {"employer": school}),
        "auditor": (Role.AUDITOR, {}),
        "other_rep": (Role.WORKPLACE_REP, {"union": nasuwt, "employer": other}),
        "other_secretary": (Role.LOCAL_SECRETARY, {"union": nasuwt, "association": southtown}),
        "other_nem": (Role.NEM, {"union": nasuwt, "district": southern}),
        "other_gmb": (Role.PARTNER_REP, {"union": unions["GMB"], "region": south}),
        "other_officer": (Role.NATIONAL_OFFICER, {"union": unions["UNISON"]}),
        "other_employer": (Role.EMPLOYER_CONTACT, {"employer": other}),
    }
    for key in PERSONAS:
        world.users[key] = _user(key)
        if key in scopes:
            role, scope = scopes[key]
            RoleAssignment.objects.create(user=world.users[key], role=role, **scope)
    return world
