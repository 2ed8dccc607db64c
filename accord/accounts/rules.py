"""Who holds which role where: the scope helpers every app's permission predicates build on.

A role is held *for* something (a union, an area, an employer, a plan); `covers` says whether a
role assignment reaches a given employer in a given scheme. The predicates about an app's own
objects live beside them, in that app's `rules.py` (enrolments, actions, membership).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet

from accord.organisations.models import Employer, Union
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
    """The user's role assignments, read once per request. Each carries `leads_scheme`: whether
    its union leads a scheme (read in the same query, since every page's navigation asks)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_accord_assignments", None)
    if cached is None:
        cached = list(assignments_query().filter(user=user))
        user._accord_assignments = cached
    return cached


def assignments_query() -> QuerySet[RoleAssignment]:
    """Role assignments as `assignments` reads them (the sign-in backend reads a signed-in
    person's with the person, in one query)."""
    return (
        RoleAssignment.objects.select_related(
            "union", "employer__parent", "association", "district", "region", "plan", "party"
        )
        .annotate(leads_scheme=Exists(Scheme.objects.filter(lead_union_id=OuterRef("union_id"))))
        .order_by("id")
    )


def has_role(user: AnyUser, *roles: Role) -> bool:
    return any(a.role in roles for a in assignments(user))


def is_union_staff(user: AnyUser) -> bool:
    """Whether the user holds a union (or auditor) role: the people for whom an employer's way
    through the scheme is an "enrolment"; for an employer it is its membership."""
    return has_role(user, *STAFF_ROLES)


# --- scope: which employers a role assignment reaches, in which schemes ----------------------
# One table, read two ways: `covers` for one employer in Python, `enrolment_scope_q` as a filter.


class SchemeUnions(Enum):
    """Through which of a scheme's unions an assignment takes part in it."""

    LEAD = "lead"
    PARTNER = "partner"
    LEAD_OR_PARTNER = "lead_or_partner"
    ANY = "any"


# The employer's field (a dotted path) and the ids of the assignment it must be one of.
Reach = Callable[[RoleAssignment], tuple[str, list[int | None]]]


def _partner_area(a: RoleAssignment) -> tuple[str, list[int | None]]:
    # A partner rep is held for one association, or else for a whole region.
    if a.association_id is not None:
        return "association_id", [a.association_id]
    return "association.region_id", [a.region_id]


@dataclass(frozen=True)
class Scope:
    unions: SchemeUnions
    reach: Reach | None  # None: every employer


SCOPES: dict[str, Scope] = {
    # A rep at a school may also propose its trust or local authority.
    Role.WORKPLACE_REP: Scope(
        SchemeUnions.LEAD_OR_PARTNER,
        lambda a: ("pk", [a.employer_id, a.employer.parent_id if a.employer else None]),
    ),
    Role.LOCAL_SECRETARY: Scope(
        SchemeUnions.LEAD, lambda a: ("association_id", [a.association_id])
    ),
    Role.NEM: Scope(SchemeUnions.LEAD, lambda a: ("association.district_id", [a.district_id])),
    Role.PARTNER_REP: Scope(SchemeUnions.PARTNER, _partner_area),
    Role.NATIONAL_OFFICER: Scope(SchemeUnions.LEAD, None),
    Role.EMPLOYER_CONTACT: Scope(SchemeUnions.ANY, lambda a: ("pk", [a.employer_id])),
    Role.AUDITOR: Scope(SchemeUnions.ANY, None),
    # Plan roles reach plans, not employers: they are absent.
}


def _partner_ids(scheme: Scheme) -> set[int]:
    return {u.pk for u in scheme.partner_unions.all()}


def _takes_part(unions: SchemeUnions, union_id: int | None, scheme: Scheme) -> bool:
    lead = union_id == scheme.lead_union_id
    match unions:
        case SchemeUnions.LEAD:
            return lead
        case SchemeUnions.PARTNER:
            return union_id in _partner_ids(scheme)
        case SchemeUnions.LEAD_OR_PARTNER:
            return lead or union_id in _partner_ids(scheme)
    return True


def _follow(obj: object, path: str) -> object:
    for name in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def covers(assignment: RoleAssignment, employer: Employer, scheme: Scheme) -> bool:
    """Whether a role assignment reaches this employer in this scheme."""
    scope = SCOPES.get(assignment.role)
    if scope is None or not _takes_part(scope.unions, assignment.union_id, scheme):
        return False
    if scope.reach is None:
        return True
    path, ids = scope.reach(assignment)
    value = _follow(employer, path)
    return value is not None and value in ids


def _schemes_with(union_id: int | None, *, lead: bool = True) -> QuerySet:
    """Schemes the union takes part in, as a subquery (a join would duplicate rows)."""
    condition = Q(partner_unions=union_id)
    if lead:
        condition |= Q(lead_union_id=union_id)
    return Scheme.objects.filter(condition).values("pk")


def _takes_part_q(unions: SchemeUnions, union_id: int | None) -> Q:
    match unions:
        case SchemeUnions.LEAD:
            return Q(scheme__lead_union_id=union_id)
        case SchemeUnions.PARTNER:
            return Q(scheme_id__in=_schemes_with(union_id, lead=False))
        case SchemeUnions.LEAD_OR_PARTNER:
            return Q(scheme_id__in=_schemes_with(union_id))
    return Q()


def enrolment_scope_q(assignment: RoleAssignment) -> Q:
    """The enrolments an assignment reaches, as a filter: `covers` read as a query."""
    a = assignment
    scope = SCOPES.get(a.role)
    if scope is None:
        return Q(pk__in=[])
    condition = _takes_part_q(scope.unions, a.union_id)
    if scope.reach is not None:
        path, ids = scope.reach(a)
        lookup = "employer__" + path.replace(".", "__") + "__in"
        condition &= Q(**{lookup: [pk for pk in ids if pk is not None]})
    if a.role == Role.EMPLOYER_CONTACT:
        # Employers see their enrolment once they have been approached, or if they asked: the
        # filter's reading of enrolments.rules.can_view_enrolment ("employer" is
        # Initiator.EMPLOYER, from above); test_employer_visibility holds the two together.
        condition &= Q(initiated_by="employer") | ~Q(approach_method="")
    return condition


# --- enrolments -------------------------------------------------------------------------------


def visible_enrolments_q(user: AnyUser, roles: Iterable[Role] | None = None) -> Q | None:
    """A filter for the enrolments `user` may see (through one of `roles`, if given), or None
    when there are none."""
    filters = [enrolment_scope_q(a) for a in assignments(user) if roles is None or a.role in roles]
    if not filters:
        return None
    combined = filters[0]
    for condition in filters[1:]:
        combined |= condition
    return combined


# --- positions: what each union decided about a case, with its reasons ----------------------
# The lead union's officers who decide on a case (its local secretary, NEM and national
# officers) read every union's position, as the auditor reads everything; anyone else in a
# union role reads only their own union's, and the outcome (the enrolment's state).
ALL_POSITIONS_ROLES = frozenset(
    {Role.LOCAL_SECRETARY, Role.NEM, Role.NATIONAL_OFFICER, Role.AUDITOR}
)


def sees_position(user: AnyUser, employer: Employer, scheme: Scheme, union_id: int | None) -> bool:
    """Whether the user may read the position (with its reasons) of the union `union_id` on a
    case at `employer` in `scheme`. `union_id` None asks whether they read every union's."""
    for a in assignments(user):
        if a.role not in STAFF_ROLES or not covers(a, employer, scheme):
            continue
        if a.role in ALL_POSITIONS_ROLES:
            return True
        if union_id is not None and a.union_id == union_id:
            return True
    return False


def can_browse_employers(user: AnyUser) -> bool:
    """The employer directory (public GIAS data plus enrolment states in scope): staff only."""
    return any(a.role in STAFF_ROLES for a in assignments(user))


# Each linked model's page and the predicate its view checks first, read by the template filter
# `user|may_open:obj` so that no page shows a link its reader cannot open. Each app registers
# its own models' pages beside their predicates.
PAGE_RULES: dict[str, Callable[[Any, Any], bool]] = {}
Rule = TypeVar("Rule", bound=Callable[..., bool])


def opens_page(label: str) -> Callable[[Rule], Rule]:
    """Register `rule` as the check of the page of the model `label` ("app.Model")."""

    def register(rule: Rule) -> Rule:
        PAGE_RULES[label] = rule
        return rule

    return register


@opens_page("organisations.Employer")
def can_view_employer(user: AnyUser, employer: Employer) -> bool:
    if can_browse_employers(user):
        return True
    return any(
        a.role == Role.EMPLOYER_CONTACT and a.employer_id == employer.pk for a in assignments(user)
    )


def can_import_employers(user: AnyUser) -> bool:
    return has_role(user, Role.NATIONAL_OFFICER)


def is_lead_officer(user: AnyUser) -> bool:
    """A national officer of a union that leads a scheme: areas are the lead union's."""
    return any(
        a.role == Role.NATIONAL_OFFICER and a.union_id is not None and a.leads_scheme
        for a in assignments(user)
    )


def can_manage_places(user: AnyUser) -> bool:
    """Areas (regions, associations, NEM districts) and employers' details, associations and
    merges: the lead union's national officers, and superusers."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return is_lead_officer(user)


def can_view_places(user: AnyUser) -> bool:
    """The areas overview and the employers nobody can act on: managers, and auditors (read)."""
    return can_manage_places(user) or has_role(user, Role.AUDITOR)


def can_manage_outbox(user: AnyUser) -> bool:
    """Failed e-mails name their recipients and subjects: national officers see and retry them."""
    return has_role(user, Role.NATIONAL_OFFICER)


# --- joint action plans -------------------------------------------------------------------


# Who reads every plan; anyone else reads the plans they hold a plan role for.
PLAN_READERS = (Role.NATIONAL_OFFICER, Role.AUDITOR)


def plans_q(user: AnyUser) -> Q | None:
    """A filter for the plans `user` may see, or None when there are none."""
    found = assignments(user)
    if any(a.role in PLAN_READERS for a in found):
        return Q()
    plan_ids = [a.plan_id for a in found if a.plan_id]
    return Q(pk__in=plan_ids) if plan_ids else None


@opens_page("plans.Plan")
def can_view_plan(user: AnyUser, plan: Plan) -> bool:
    return any(a.role in PLAN_READERS or a.plan_id == plan.pk for a in assignments(user))


def can_manage_plan(user: AnyUser, plan: Plan) -> bool:
    """Plan owners (and national officers) edit the whole plan and every action in it."""
    return any(
        a.role == Role.NATIONAL_OFFICER or (a.role == Role.PLAN_OWNER and a.plan_id == plan.pk)
        for a in assignments(user)
    )


def can_import_plans(user: AnyUser) -> bool:
    return has_role(user, Role.NATIONAL_OFFICER)


# --- schemes ------------------------------------------------------------------------------
# National officers run the schemes their union leads (superusers any); every national
# officer and the auditor read them. Materials marked public, and the logo, are for anyone.


def is_superuser(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def can_read_schemes(user: AnyUser) -> bool:
    """The scheme pages: details, principles with every version, materials."""
    return is_superuser(user) or has_role(user, Role.NATIONAL_OFFICER, Role.AUDITOR)


def scheme_lead_union_ids(user: AnyUser) -> set[int] | None:
    """The unions whose schemes `user` may run: None for all (superusers)."""
    if is_superuser(user):
        return None
    return {
        a.union_id
        for a in assignments(user)
        if a.role == Role.NATIONAL_OFFICER and a.union_id is not None
    }


def can_create_scheme(user: AnyUser) -> bool:
    """Superusers create schemes. Leading a scheme makes a union's officers lead officers, who
    manage areas and give the partner unions' roles: an officer who could make a scheme, or
    choose its unions, could give themselves that reach."""
    return is_superuser(user)


def can_choose_scheme_unions(user: AnyUser) -> bool:
    """A scheme's lead and partner unions: set by superusers only, for the same reason."""
    return is_superuser(user)


def can_manage_scheme(user: AnyUser, scheme: Scheme) -> bool:
    unions = scheme_lead_union_ids(user)
    return unions is None or scheme.lead_union_id in unions


def can_manage_union(user: AnyUser, union: Union) -> bool:
    """A union's own page (its logo, shown in the joint letter's letterhead): the union's
    national officers, and superusers."""
    unions = scheme_lead_union_ids(user)
    return unions is None or union.pk in unions


# --- people: who may give, end or change which role, and who may see whom --------------------
# One predicate decides all of it: a person may end, change or see through a role exactly what
# they could have given. Superusers may do everything; auditors' oversight spans every union,
# wider than any officer's, so only a superuser gives the auditor role.


def _officer_reach(actor: AnyUser) -> dict[int | None, tuple[bool, set[int]]]:
    """For each union `actor` is a national officer of: whether it leads a scheme, and the
    unions whose roles the officer gives (their own, and the partners of the schemes it
    leads). Read once per request, however many roles a page asks about."""
    cached = getattr(actor, "_accord_officer_reach", None)
    if cached is None:
        unions = {a.union_id for a in assignments(actor) if a.role == Role.NATIONAL_OFFICER}
        leading = set(
            Scheme.objects.filter(lead_union_id__in=unions).values_list("lead_union_id", flat=True)
        )
        partners = Scheme.partner_unions.through.objects.filter(
            scheme__lead_union_id__in=leading
        ).values_list("scheme__lead_union_id", "union_id")
        cached = {u: (u in leading, {u} - {None}) for u in unions}
        for lead, partner in partners:
            cached[lead][1].add(partner)
        actor._accord_officer_reach = cached
    return cached


def may_grant(actor: AnyUser, assignment: RoleAssignment) -> bool:
    """Whether `actor` may give (or end, or change) the role `assignment` describes.

    - A national officer gives any role of their own union, nationwide, including national
      officer of that union; an officer of a union that leads a scheme also gives the roles of
      its partner unions, employer contacts and plan roles. Nobody but a superuser gives the
      auditor role.
    - A local secretary gives only workplace representative of their own union, at employers in
      their own association (whose parent, if any, is in it too).
    - Everyone else gives nothing.
    """
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    role = assignment.role
    if role == Role.AUDITOR:
        return False
    for held in assignments(actor):
        if held.role == Role.NATIONAL_OFFICER:
            leads, unions = _officer_reach(actor)[held.union_id]
            if assignment.union_id is None:
                if leads:
                    return True
            elif role == Role.NATIONAL_OFFICER:
                if assignment.union_id == held.union_id:
                    return True
            elif assignment.union_id in unions:
                return True
        elif held.role == Role.LOCAL_SECRETARY:
            employer = assignment.employer if assignment.employer_id else None
            if (
                role == Role.WORKPLACE_REP
                and assignment.union_id == held.union_id
                and employer is not None
                and employer.association_id == held.association_id
                # A rep also reaches their employer's trust or local authority (SCOPES): one
                # in another association would reach beyond the secretary's own.
                and (
                    employer.parent is None or employer.parent.association_id == held.association_id
                )
            ):
                return True
    return False


def grantable_roles(actor: AnyUser) -> list[Role]:
    """The roles `actor` may give somewhere: what the role form offers them."""
    if not actor.is_authenticated or not actor.is_active:
        return []
    if actor.is_superuser:
        return list(Role)
    held = {a.role for a in assignments(actor)}
    if Role.NATIONAL_OFFICER in held:
        return [r for r in Role if r != Role.AUDITOR]
    if Role.LOCAL_SECRETARY in held:
        return [Role.WORKPLACE_REP]
    return []


def secretary_areas(actor: AnyUser) -> list[tuple[int | None, int | None]] | None:
    """(union, association) of each local secretary role, when that is all `actor` gives
    through (None for officers and superusers, who give more)."""
    if not actor.is_authenticated or actor.is_superuser:
        return None
    found = assignments(actor)
    if any(a.role == Role.NATIONAL_OFFICER for a in found):
        return None
    areas = [(a.union_id, a.association_id) for a in found if a.role == Role.LOCAL_SECRETARY]
    return areas or None


def can_invite(actor: AnyUser) -> bool:
    return bool(grantable_roles(actor))


# Who sees every person: national officers and auditors (and superusers).
PEOPLE_READERS = (Role.NATIONAL_OFFICER, Role.AUDITOR)


def people_q(actor: AnyUser) -> Q | None:
    """A filter of users for the people `actor` may see, or None when they may see nobody.

    Officers and auditors see everyone; a local secretary the people who hold, or held, a role
    in their association (there, or at an employer in it); an employer contact the contacts of
    their own organisation. Roles are read with their history, so that whoever ended a role
    still finds the person."""
    if not actor.is_authenticated or not actor.is_active:
        return None
    if actor.is_superuser:
        return Q()
    found = assignments(actor)
    if any(a.role in PEOPLE_READERS for a in found):
        return Q()
    conditions = Q(pk__in=[])
    seen = False
    for a in found:
        if a.role == Role.LOCAL_SECRETARY:
            seen = True
            area = Q(association_id=a.association_id)
            area |= Q(employer__association_id=a.association_id)
            conditions |= Q(pk__in=RoleAssignment.history.filter(area).values("user_id"))
        elif a.role == Role.EMPLOYER_CONTACT:
            # Today's contacts only: a former one may work for another organisation now.
            seen = True
            conditions |= Q(
                pk__in=RoleAssignment.objects.filter(
                    role=Role.EMPLOYER_CONTACT, employer_id=a.employer_id
                ).values("user_id")
            )
    return conditions if seen else None


def shown_roles_q(actor: AnyUser) -> Q:
    """Which roles of the people `actor` sees are shown to them: every one to the unions'
    staff; to an employer contact only their own organisation's contact roles, since a
    colleague's union role is union membership (special-category data)."""
    if actor.is_authenticated and actor.is_superuser:
        return Q()
    found = assignments(actor)
    if any(a.role in PEOPLE_READERS or a.role == Role.LOCAL_SECRETARY for a in found):
        return Q()
    employers = [a.employer_id for a in found if a.role == Role.EMPLOYER_CONTACT]
    return Q(role=Role.EMPLOYER_CONTACT, employer_id__in=employers)


def can_see_people(actor: AnyUser) -> bool:
    return people_q(actor) is not None


def can_see_person(actor: AnyUser, person: User) -> bool:
    condition = people_q(actor)
    if condition is None:
        return False
    if actor.pk == person.pk:
        return True
    return User.objects.filter(condition, pk=person.pk).exists()


def can_manage_person(actor: AnyUser, person: User) -> bool:
    """Deactivate, reactivate, resend an invitation: only someone who could have given every
    role the person holds now (or, with none left, every role they held), never to themselves,
    and a superuser only by a superuser. A person who never held a role is managed by the lead
    union's officers."""
    if not actor.is_authenticated or actor.pk == person.pk:
        return False
    if person.is_superuser and not actor.is_superuser:
        return False
    if not can_see_person(actor, person):
        return False
    held = list(RoleAssignment.objects.filter(user=person).select_related("employer"))
    if not held:
        # Someone whose roles have all ended: those who could have given them all.
        held = list(RoleAssignment.history.filter(user=person).select_related("employer"))
    if not held:
        return actor.is_superuser or is_lead_officer(actor)
    return all(may_grant(actor, a) for a in held)


def can_end_role(actor: AnyUser, assignment: RoleAssignment) -> bool:
    """End or change a role: whoever may give it, except the holder themselves (an officer
    ending their own role could leave nobody to give it back)."""
    return assignment.user_id != actor.pk and may_grant(actor, assignment)


def answers_for_every_role(actor: AnyUser, person: User) -> bool:
    """Whether `actor` could have given every role `person` holds or ever held; a member of the
    staff (the admin's powers) is answered for by a superuser only."""
    if actor.is_superuser:
        return True
    if person.is_staff or person.is_superuser:
        return False
    held = RoleAssignment.history.filter(user=person).select_related("employer")
    return all(may_grant(actor, a) for a in held)


@dataclass(frozen=True)
class Powers:
    """What one person may do to another on the other's page."""

    manage: bool  # deactivate, reactivate, resend an invitation
    erase: bool  # erase their personal data (and download it for them)
    reset_mfa: bool  # reset their two-factor sign-in


def powers_over(actor: AnyUser, person: User) -> Powers:
    """`actor`'s powers over `person`, read once: erasing them and resetting their two-factor
    sign-in are a national officer's who may manage them and could have given every role they
    hold or ever held (`answers_for_every_role`), or a superuser's; never one's own."""
    manage = can_manage_person(actor, person)
    if not actor.is_authenticated or not actor.is_active or actor.pk == person.pk:
        return Powers(manage=manage, erase=False, reset_mfa=False)
    if actor.is_superuser:
        return Powers(manage=manage, erase=manage, reset_mfa=True)
    whole = (
        manage and has_role(actor, Role.NATIONAL_OFFICER) and answers_for_every_role(actor, person)
    )
    return Powers(manage=manage, erase=whole, reset_mfa=whole)


def can_erase_person(actor: AnyUser, person: User) -> bool:
    return powers_over(actor, person).erase


def can_export_person_data(actor: AnyUser, person: User) -> bool:
    """Download everything Accord holds about a person: the person themselves, or whoever may
    erase them (for a request made offline)."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    return actor.pk == person.pk or can_erase_person(actor, person)


# --- two-factor sign-in ------------------------------------------------------------------------


def must_use_mfa(user: AnyUser) -> bool:
    """Who must sign in with a second factor: every union role and auditor (they read
    special-category data about named people), and staff and superusers (they reach the admin).
    Employer contacts and action-plan people may choose to."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or is_union_staff(user)


def can_reset_mfa(actor: AnyUser, person: User) -> bool:
    return powers_over(actor, person).reset_mfa
