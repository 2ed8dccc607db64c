"""Who sees the scheme dashboard, and over which cases: national officers of a lead union and
auditors nationwide, a local secretary their association(s), an NEM their district(s).

The scope is read from the reader's role assignments (`accounts.rules.assignments`), as every
other permission is, and becomes filters on the models the dashboard counts. Employer contacts
are sent to their own progress picture instead; everyone else is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from accord.accounts import rules
from accord.accounts.context_processors import nav_link
from accord.accounts.models import Role

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser

# The roles a dashboard is for, and how far each reaches.
DASHBOARD_ROLES = frozenset({Role.NATIONAL_OFFICER, Role.AUDITOR, Role.LOCAL_SECRETARY, Role.NEM})


@dataclass(frozen=True, order=True)
class Reach:
    """One role's reach: cases in schemes led by `lead_union_id` (None: every scheme), at
    employers in `association_id` or in an association of `district_id` (both None:
    nationwide)."""

    lead_union_id: int | None
    association_id: int | None = None
    district_id: int | None = None

    @property
    def nationwide(self) -> bool:
        return self.association_id is None and self.district_id is None

    def q(self, prefix: str) -> Q:
        """The cases this reach covers, as a filter on a model whose `prefix` leads to
        `scheme` and `employer` (an enrolment or a membership: "" ; a cycle: "enrolment__")."""
        condition = Q()
        if self.lead_union_id is not None:
            condition &= Q(**{f"{prefix}scheme__lead_union_id": self.lead_union_id})
        if self.association_id is not None:
            condition &= Q(**{f"{prefix}employer__association_id": self.association_id})
        if self.district_id is not None:
            condition &= Q(**{f"{prefix}employer__association__district_id": self.district_id})
        return condition


@dataclass(frozen=True)
class DashboardScope:
    """What one reader's dashboard counts: the union of their reaches, and the plans they
    may read (None: none)."""

    reaches: tuple[Reach, ...]
    plan_ids: tuple[int, ...] | None  # () with `all_plans`: every plan
    all_plans: bool = False

    @property
    def nationwide(self) -> bool:
        return any(r.nationwide for r in self.reaches)

    @property
    def sees_plans(self) -> bool:
        return self.all_plans or bool(self.plan_ids)

    @property
    def association_ids(self) -> frozenset[int]:
        return frozenset(r.association_id for r in self.reaches if r.association_id is not None)

    @property
    def district_ids(self) -> frozenset[int]:
        return frozenset(r.district_id for r in self.reaches if r.district_id is not None)

    def q(self, prefix: str = "") -> Q:
        """The cases in scope, as a filter (see `Reach.q`)."""
        if not self.reaches:
            return Q(pk__in=[])
        if any(r.nationwide and r.lead_union_id is None for r in self.reaches):
            return Q()  # an auditor: everything
        condition = self.reaches[0].q(prefix)
        for reach in self.reaches[1:]:
            condition |= reach.q(prefix)
        return condition

    def plans_q(self, field: str = "pk") -> Q | None:
        """The plans in scope, as a filter on `field` (a plan's id), or None for none."""
        if self.all_plans:
            return Q()
        if self.plan_ids:
            return Q(**{f"{field}__in": self.plan_ids})
        return None

    @property
    def key(self) -> str:
        """The scope as text, for the cache: two readers with the same scope share figures."""
        reaches = ";".join(
            f"{r.lead_union_id}/{r.association_id}/{r.district_id}" for r in sorted(self.reaches)
        )
        plans = "all" if self.all_plans else ",".join(map(str, self.plan_ids or ()))
        return f"{reaches}|{plans}"


def _reach(assignment: rules.RoleAssignment) -> Reach | None:
    a = assignment
    match a.role:
        case Role.AUDITOR:
            return Reach(None)
        case Role.NATIONAL_OFFICER:
            # Only the officers of a union that leads a scheme run it nationally.
            return Reach(a.union_id) if a.union_id is not None and a.leads_scheme else None
        case Role.LOCAL_SECRETARY if a.association_id is not None:
            return Reach(a.union_id, association_id=a.association_id)
        case Role.NEM if a.district_id is not None:
            return Reach(a.union_id, district_id=a.district_id)
    return None


def dashboard_scope(user: AnyUser) -> DashboardScope:
    """The reader's dashboard scope (no reaches: they may not see it)."""
    found = rules.assignments(user)
    reaches = tuple(sorted({r for a in found if (r := _reach(a)) is not None}))
    plans = rules.plans_q(user)
    all_plans = plans is not None and not plans.children
    plan_ids = tuple(sorted({a.plan_id for a in found if a.plan_id})) if reaches else None
    return DashboardScope(reaches, plan_ids, all_plans=bool(reaches) and all_plans)


def can_see_dashboard(user: AnyUser) -> bool:
    return bool(dashboard_scope(user).reaches)


def progress_employer_id(user: AnyUser) -> int | None:
    """The employer whose progress picture an employer contact is sent to instead."""
    for a in rules.assignments(user):
        if a.role == Role.EMPLOYER_CONTACT and a.employer_id is not None:
            return a.employer_id
    return None


nav_link("Dashboard", "dashboard", can_see_dashboard)
