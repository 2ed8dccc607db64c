"""Who holds which role where: the scope helpers every app's permission predicates build on.

A role is held *for* something (a union, an area, an employer, a plan); `covers` says whether a
role assignment reaches a given employer in a given scheme. The predicates about an app's own
objects live beside them, in that app's `rules.py` (enrolments, actions, membership).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accord.organisations.models import Employer
from accord.schemes.models import Scheme

from .models import Role, RoleAssignment, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accord.plans.models import Plan

    AnyUser = User | AnonymousUser

STAFF_ROLES = frozenset(
    {
        Role.WORKPLACE_REP,
        Role.LOCAL_SECRETARY,
        Role.NEM,
        Role.PARTNER_REP,
        Role.NATIONAL_OFFICER,
        Role.AUDITOR,
    }
)


def assignments(user: AnyUser) -> list[RoleAssignment]:
    """The user's role assignments, read once per request."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_accord_assignments", None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user=user)
            .select_related(
                "union", "employer__parent", "association", "district", "region", "plan", "party"
            )
            .order_by("id")
        )
        user._accord_assignments = cached
    return cached


def has_role(user: AnyUser, *roles: Role) -> bool:
    return any(a.role in roles for a in assignments(user))


def _partner_ids(scheme: Scheme) -> set[int]:
    return {u.pk for u in scheme.partner_unions.all()}


def covers(assignment: RoleAssignment, employer: Employer, scheme: Scheme) -> bool:
    """Whether a role assignment reaches this employer in this scheme."""
    a = assignment
    association = employer.association
    match a.role:
        case Role.WORKPLACE_REP:
            in_scheme = a.union_id == scheme.lead_union_id or a.union_id in _partner_ids(scheme)
            # A rep at a school may also propose its trust or local authority.
            return in_scheme and employer.pk in (a.employer_id, a.employer.parent_id)
        case Role.LOCAL_SECRETARY:
            return (
                a.union_id == scheme.lead_union_id and employer.association_id == a.association_id
            )
        case Role.NEM:
            return (
                a.union_id == scheme.lead_union_id
                and association is not None
                and association.district_id == a.district_id
            )
        case Role.PARTNER_REP:
            if a.union_id not in _partner_ids(scheme) or association is None:
                return False
            if a.association_id is not None:
                return association.pk == a.association_id
            return association.region_id == a.region_id
        case Role.NATIONAL_OFFICER:
            return a.union_id == scheme.lead_union_id
        case Role.EMPLOYER_CONTACT:
            return employer.pk == a.employer_id
        case Role.AUDITOR:
            return True
    # Plan roles reach plans, not employers.
    return False


def _schemes_with(union_id: int | None, *, lead: bool = True) -> QuerySet:
    """Schemes the union takes part in, as a subquery (a join would duplicate rows)."""
    condition = Q(partner_unions=union_id)
    if lead:
        condition |= Q(lead_union_id=union_id)
    return Scheme.objects.filter(condition).values("pk")


def enrolment_scope_q(assignment: RoleAssignment) -> Q:
    """The enrolments an assignment reaches, as a filter: the queryset twin of `covers`."""
    a = assignment
    match a.role:
        case Role.WORKPLACE_REP:
            employers = [pk for pk in (a.employer_id, a.employer.parent_id) if pk]
            return Q(employer_id__in=employers, scheme_id__in=_schemes_with(a.union_id))
        case Role.LOCAL_SECRETARY:
            return Q(scheme__lead_union_id=a.union_id, employer__association_id=a.association_id)
        case Role.NEM:
            return Q(
                scheme__lead_union_id=a.union_id,
                employer__association__district_id=a.district_id,
            )
        case Role.PARTNER_REP:
            area = (
                Q(employer__association_id=a.association_id)
                if a.association_id
                else Q(employer__association__region_id=a.region_id)
            )
            return Q(scheme_id__in=_schemes_with(a.union_id, lead=False)) & area
        case Role.NATIONAL_OFFICER:
            return Q(scheme__lead_union_id=a.union_id)
        case Role.EMPLOYER_CONTACT:
            # Employers see their enrolment once they have been approached, or if they asked.
            return Q(employer_id=a.employer_id) & (
                Q(initiated_by="employer") | ~Q(approach_method="")
            )
        case Role.AUDITOR:
            return Q()
    # Plan roles reach plans, not enrolments.
    return Q(pk__in=[])


def visible_enrolments_q(user: AnyUser) -> Q | None:
    """A filter for the enrolments `user` may see, or None when there are none."""
    filters = [enrolment_scope_q(a) for a in assignments(user)]
    if not filters:
        return None
    combined = filters[0]
    for condition in filters[1:]:
        combined |= condition
    return combined


def can_browse_employers(user: AnyUser) -> bool:
    """The employer directory (public GIAS data plus enrolment states in scope): staff only."""
    return any(a.role in STAFF_ROLES for a in assignments(user))


def can_view_employer(user: AnyUser, employer: Employer) -> bool:
    if can_browse_employers(user):
        return True
    return any(
        a.role == Role.EMPLOYER_CONTACT and a.employer_id == employer.pk for a in assignments(user)
    )


def can_import_employers(user: AnyUser) -> bool:
    return has_role(user, Role.NATIONAL_OFFICER)


def can_manage_outbox(user: AnyUser) -> bool:
    """Failed e-mails name their recipients and subjects: national officers see and retry them."""
    return has_role(user, Role.NATIONAL_OFFICER)


# --- joint action plans -------------------------------------------------------------------


def plans_q(user: AnyUser) -> Q | None:
    """A filter for the plans `user` may see, or None when there are none."""
    found = assignments(user)
    if any(a.role in (Role.NATIONAL_OFFICER, Role.AUDITOR) for a in found):
        return Q()
    plan_ids = [a.plan_id for a in found if a.plan_id]
    return Q(pk__in=plan_ids) if plan_ids else None


def can_view_plan(user: AnyUser, plan: Plan) -> bool:
    return any(
        a.role in (Role.NATIONAL_OFFICER, Role.AUDITOR) or a.plan_id == plan.pk
        for a in assignments(user)
    )


def can_manage_plan(user: AnyUser, plan: Plan) -> bool:
    """Plan owners (and national officers) edit the whole plan and every action in it."""
    return any(
        a.role == Role.NATIONAL_OFFICER or (a.role == Role.PLAN_OWNER and a.plan_id == plan.pk)
        for a in assignments(user)
    )


def can_import_plans(user: AnyUser) -> bool:
    return has_role(user, Role.NATIONAL_OFFICER)
