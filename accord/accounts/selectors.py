"""What the people pages and the API read about people: the search and its filters, and the
roles shown with each person. The filters match only the roles the reader is shown
(`rules.shown_roles_q`): an employer contact filtering by a union role would otherwise learn
which colleagues hold one, which is union membership."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accord.core.params import choice_param, id_param, text_param

from . import rules
from .models import Role, RoleAssignment, User

ROLE_RELATED = ("union", "employer", "association", "district", "region", "plan", "party")
AREAS = ("association", "district", "region")


def current_roles(shown: Q) -> Prefetch:
    """Each person's roles that the reader is shown, as `current_roles`."""
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.filter(shown)
        .select_related(*ROLE_RELATED)
        .order_by("role", "id"),
        to_attr="current_roles",
    )


def area_q(prefix: str, area: str, pk: int) -> Q:
    """Roles held in an area: for it, for an area inside it, or at an employer in it."""
    paths = {
        "association": ["association", "employer__association"],
        "district": ["district", "association__district", "employer__association__district"],
        "region": ["region", "association__region", "employer__association__region"],
    }[area]
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{prefix}{path}_id": pk})
    return condition


def people_search(
    reader: rules.AnyUser, params: Mapping[str, Any], scope: Q
) -> tuple[QuerySet[User], dict[str, object]]:
    """The people in `scope` that the search and filters in `params` pick out, by name, and
    the filters in force (a value nobody could have chosen is left out)."""
    q = text_param(params.get("q"))
    role = choice_param(params.get("role"), Role.values)
    ids = {name: id_param(params.get(name)) for name in ("union", *AREAS)}
    people = User.objects.filter(scope)
    if q:
        people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    roles = RoleAssignment.objects.filter(rules.shown_roles_q(reader))
    filtered = False
    if role:
        roles, filtered = roles.filter(role=role), True
    if ids["union"]:
        roles, filtered = roles.filter(union_id=ids["union"]), True
    for area in AREAS:
        if ids[area]:
            roles, filtered = roles.filter(area_q("", area, ids[area])), True
    if filtered:
        people = people.filter(pk__in=roles.values("user_id"))
    values = {"q": q, "role": role, **{name: pk or "" for name, pk in ids.items()}}
    return people.order_by("full_name", "email", "id"), values


def role_to_change(reader: rules.AnyUser, person: User, pk: int) -> RoleAssignment:
    """`person`'s role `pk`, for `reader` to end or change. A role `reader` is not shown is
    "not found", like one that does not exist: a refusal would tell an employer contact that a
    colleague holds a union role."""
    assignment = get_object_or_404(
        RoleAssignment.objects.filter(rules.shown_roles_q(reader)).select_related(*ROLE_RELATED),
        pk=pk,
        user=person,
    )
    if not rules.can_end_role(reader, assignment):
        raise PermissionDenied("You may not end or change this role.")
    return assignment
