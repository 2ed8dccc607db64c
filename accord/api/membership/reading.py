"""Reading a member as the cycle pages do: its enrolment with its cycles in full, if the caller
may see it (`enrolments.views.enrolment_for`: 404, else 403), listed for the pages that act."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework.request import Request

from accord.enrolments import rules as enrolment_rules
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.enrolments.views import enrolment_for
from accord.membership import rules
from accord.membership.models import (
    Cycle,
    Membership,
    Review,
)
from accord.membership.selectors import member_detail

from .serializers import (
    CycleSerializer,
    MembershipDetailSerializer,
)


def member_enrolment(request: Request, pk: int, *, by: str = "pk") -> Enrolment:
    """As the cycle pages: the member's enrolment (or the one whose cycle or review is `pk`),
    for listed members only."""
    load = member_detail if by == "pk" else (lambda key: member_detail(**{by: key}))
    enrolment = enrolment_for(request, pk, load=load)
    if enrolment.state != State.LISTED:
        raise PermissionDenied("Reviews and new cycles are for listed members.")
    return enrolment


def cycle_numbered(enrolment: Enrolment, number: int) -> Cycle:
    for cycle in enrolment.cycles.all():
        if cycle.number == number:
            return cycle
    raise Http404("No such cycle.")


def member_cycle(request: Request, pk: int) -> tuple[Enrolment, Cycle]:
    enrolment = member_enrolment(request, pk, by="cycles__pk")
    return enrolment, next(c for c in enrolment.cycles.all() if c.pk == pk)


def member_review(request: Request, pk: int) -> tuple[Enrolment, Review]:
    enrolment = member_enrolment(request, pk, by="cycles__reviews__pk")
    review = next(r for c in enrolment.cycles.all() for r in c.reviews.all() if r.pk == pk)
    return enrolment, review


def shown_cycle(request: Request, enrolment_id: int, number: int) -> dict[str, Any]:
    """Cycle `number` read afresh, as the enrolment page shows it to the caller."""
    enrolment = enrolment_for(request, enrolment_id, load=member_detail)
    cycle = cycle_numbered(enrolment, number)
    context = {"internal": enrolment_rules.can_see_internal(request.user, enrolment)}
    return CycleSerializer(cycle, context=context).data


def shown_membership(request: Request, membership: Membership) -> dict[str, Any]:
    enrolment = enrolment_for(request, membership.enrolment_id, load=member_detail)
    membership.enrolment = enrolment
    context = {
        "internal": enrolment_rules.can_see_internal(request.user, enrolment),
        "manages": rules.can_manage_membership(request.user, membership),
        "user": request.user,
    }
    return MembershipDetailSerializer(membership, context=context).data


def membership_or_404(pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("scheme__lead_union", "employer"), pk=pk
    )
