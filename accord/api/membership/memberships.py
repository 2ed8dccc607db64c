"""API: memberships, their status changes (`membership.views.change_status`) and the national
officers' decisions on an overdue review (`membership.views.lapse_decision`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.enrolments import selectors as enrolment_selectors
from accord.membership import lapse, rules, services
from accord.membership.forms import LapseDecisionForm, StatusChangeForm
from accord.membership.models import (
    LapseDecision,
    Membership,
    MembershipStatus,
)

from ..forms import bind, form_request
from ..problems import Problem
from ..views import act
from .reading import (
    membership_or_404,
    shown_membership,
)
from .serializers import (
    LapseDecisionSerializer,
    MembershipDetailSerializer,
    MembershipSerializer,
)

# --- memberships ----------------------------------------------------------------------------

STATUS_PARAMETER = OpenApiParameter(
    "status",
    str,
    enum=list(MembershipStatus.values),
    description="Only memberships with this status.",
)


class MembershipList(generics.ListAPIView):
    """The memberships of the enrolments the caller may see, by reference."""

    serializer_class = MembershipSerializer

    @extend_schema(operation_id="memberships_list", parameters=[STATUS_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Membership]:
        visible = enrolment_selectors.visible_enrolment_rows(self.request.user)
        found = Membership.objects.filter(enrolment__in=visible.values("pk"))
        status = self.request.query_params.get("status")
        if status is not None:
            if status not in MembershipStatus.values:
                raise Problem(
                    400,
                    "Check status.",
                    errors={"status": [f"Choose one of {', '.join(MembershipStatus.values)}."]},
                )
            found = found.filter(status=status)
        return found.select_related("scheme", "employer").order_by("reference", "id")


class MembershipDetail(APIView):
    @extend_schema(operation_id="memberships_retrieve", responses=MembershipDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(shown_membership(request, membership_or_404(pk)))


class MembershipStatusChange(APIView):
    """Suspend, withdraw or reinstate: the scheme's national officers, with reasons."""

    @extend_schema(
        operation_id="memberships_status_change",
        parameters=[
            OpenApiParameter(
                "change", str, OpenApiParameter.PATH, enum=list(services.STATUS_CHANGES)
            )
        ],
        request=form_request(StatusChangeForm),
        responses=MembershipDetailSerializer,
        description="`logo_stop_requested_on` is asked for when the membership is suspended "
        "or withdrawn, not when it is reinstated.",
    )
    def post(self, request: Request, pk: int, change: str) -> Response:
        if change not in services.STATUS_CHANGES:
            raise Http404("No such change.")
        membership = membership_or_404(pk)
        if not rules.can_manage_membership(request.user, membership):
            raise PermissionDenied("Only a national officer of the scheme may change a membership.")
        sources, target, _ = services.STATUS_CHANGES[change]
        if membership.status not in sources:
            raise Problem(
                422, f"The membership is {membership.get_status_display().lower()} already."
            )
        form = bind(StatusChangeForm, request, leaving=target != MembershipStatus.ACTIVE)
        return act(
            form,
            lambda data: services.change_status(membership, change, actor=request.user, **data),
            serialize=lambda result: shown_membership(request, membership_or_404(pk)),
        )


# --- decisions on a lapse -------------------------------------------------------------------


def _decision(request: Request, pk: int) -> LapseDecision:
    decision = get_object_or_404(
        LapseDecision.objects.select_related(
            "membership__scheme",
            "membership__employer",
            "membership__enrolment",
            "cycle__principle_version__principle",
            "decided_by",
        ),
        pk=pk,
    )
    if not rules.can_manage_membership(request.user, decision.membership):
        raise PermissionDenied("Only a national officer of the scheme decides on a lapse.")
    return decision


class LapseDecisionDetail(APIView):
    """A review overdue beyond the grace period: the scheme's national officer reads it and
    decides (`POST`) to extend the cycle or to lapse the membership, with reasons."""

    @extend_schema(operation_id="lapse_decisions_retrieve", responses=LapseDecisionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(LapseDecisionSerializer(_decision(request, pk)).data)

    @extend_schema(
        operation_id="lapse_decisions_decide",
        request=form_request(LapseDecisionForm),
        responses=LapseDecisionSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        decision = _decision(request, pk)
        return act(
            bind(LapseDecisionForm, request),
            lambda data: lapse.decide(decision, actor=request.user, **data),
            serialize=lambda result: LapseDecisionSerializer(_decision(request, pk)).data,
        )
