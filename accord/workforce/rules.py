"""Who may read and keep workforce figures: the people of a plan, or the people at an employer.

A plan's tables are read by whoever may see the plan, and kept up to date by those who manage
it and by its members (for their own party's tables). An employer's tables are kept by its
contacts and by the union roles that reach the employer in some scheme, and read by them, every
national officer and the auditor. Only a national officer marks a table public.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accord.accounts.models import Role
from accord.accounts.rules import (
    STAFF_ROLES,
    assignments,
    can_manage_plan,
    can_view_plan,
    covers,
    has_role,
    opens_page,
)
from accord.organisations.models import Employer
from accord.plans.models import Plan
from accord.schemes.models import Scheme

from .models import FigureTable

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser

# Who reads every employer's figures, as they read every plan.
READ_EVERYWHERE = (Role.NATIONAL_OFFICER, Role.AUDITOR)
# The union roles that keep an employer's figures where they reach it (the auditor reads only).
EMPLOYER_KEEPERS = STAFF_ROLES - {Role.AUDITOR}


def _schemes(user: AnyUser) -> list[Scheme]:
    """The schemes, with their unions, read once per request."""
    cached = getattr(user, "_accord_figure_schemes", None)
    if cached is None:
        cached = list(Scheme.objects.with_unions())
        user._accord_figure_schemes = cached
    return cached


def can_keep_employer_figures(
    user: AnyUser, employer: Employer, schemes: list[Scheme] | None = None
) -> bool:
    """The employer's contacts, and union roles that reach the employer in some scheme.
    `schemes`, with their unions, when the page has read them already."""
    found = assignments(user)
    if any(a.role == Role.EMPLOYER_CONTACT and a.employer_id == employer.pk for a in found):
        return True
    keepers = [a for a in found if a.role in EMPLOYER_KEEPERS]
    if not keepers:
        return False
    return any(covers(a, employer, s) for a in keepers for s in schemes or _schemes(user))


def can_read_employer_figures(
    user: AnyUser, employer: Employer, schemes: list[Scheme] | None = None
) -> bool:
    return has_role(user, *READ_EVERYWHERE) or can_keep_employer_figures(user, employer, schemes)


def can_read_plan_figures(user: AnyUser, plan: Plan) -> bool:
    return can_view_plan(user, plan)


def member_parties(user: AnyUser, plan: Plan) -> list[int]:
    """The parties of `plan` the user is a member for."""
    return [
        a.party_id
        for a in assignments(user)
        if a.role == Role.PLAN_MEMBER and a.plan_id == plan.pk and a.party_id is not None
    ]


def can_add_plan_figures(user: AnyUser, plan: Plan) -> bool:
    return can_manage_plan(user, plan) or bool(member_parties(user, plan))


@opens_page("workforce.FigureTable")
def can_read_table(user: AnyUser, table: FigureTable) -> bool:
    if table.plan_id is not None:
        return can_read_plan_figures(user, table.plan)
    return can_read_employer_figures(user, table.employer)


def can_edit_table(user: AnyUser, table: FigureTable) -> bool:
    """Enter, correct or import the counts, and change what the table says about itself."""
    if table.plan_id is not None:
        return can_manage_plan(user, table.plan) or (
            table.party_id is not None and table.party_id in member_parties(user, table.plan)
        )
    return can_keep_employer_figures(user, table.employer)


def can_mark_public(user: AnyUser) -> bool:
    """Publishing figures about people is the national officers' decision."""
    return has_role(user, Role.NATIONAL_OFFICER)
