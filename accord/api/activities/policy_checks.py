"""API: a member's policy checks. Whoever may see the member's enrolment reads them; either
side logs one; the local secretary assesses it, once. The rules are `membership.rules`, the
forms and services those of the policy-check pages (`membership/policy_views.py`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.enrolments import rules as enrolment_rules
from accord.membership import policy_checks, rules
from accord.membership.forms import PolicyAssessForm, PolicyLogForm
from accord.membership.models import Assessment, Membership, PolicyCheck
from accord.schemes.models import PrincipleVersion

from .. import idempotency
from ..forms import bind, form_request
from ..views import act


class PrincipleChoiceSerializer(serializers.ModelSerializer):
    """A principle as now worded: `id` is what an assessment names in `principles`."""

    number = serializers.IntegerField(source="principle.number")
    short_title = serializers.CharField(source="principle.short_title")

    class Meta:
        model = PrincipleVersion
        fields = ("id", "number", "short_title", "wording")


class PolicyCheckSerializer(serializers.ModelSerializer):
    """A policy check as its page shows it. Until it is assessed, `assessment` and what goes
    with it are null; `may_assess` says whether the caller assesses it."""

    membership = serializers.IntegerField(source="membership_id")
    logged_by = serializers.CharField(source="logged_by.get_full_name")
    assessment = serializers.SerializerMethodField()
    principles = serializers.SerializerMethodField()
    reasoning = serializers.SerializerMethodField()
    union_response = serializers.SerializerMethodField()
    assessed_by = serializers.SerializerMethodField()
    may_assess = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = PolicyCheck
        fields = (
            "id",
            "url",
            "membership",
            "title",
            "description",
            "introduced_on",
            "logged_by",
            "logged_at",
            "assessment",
            "principles",
            "reasoning",
            "union_response",
            "assessed_by",
            "assessed_at",
            "may_assess",
        )

    def get_url(self, check: PolicyCheck) -> str:
        return reverse("api:policy-check", args=[check.pk])

    @extend_schema_field(serializers.ChoiceField(choices=Assessment.choices, allow_null=True))
    def get_assessment(self, check: PolicyCheck) -> str | None:
        return check.assessment or None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_principles(self, check: PolicyCheck) -> list[int]:
        """The numbers of the principles a detriment is against."""
        return sorted(v.principle.number for v in check.principles.all())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reasoning(self, check: PolicyCheck) -> str | None:
        return check.reasoning if check.is_assessed else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_union_response(self, check: PolicyCheck) -> str | None:
        return check.union_response if check.is_assessed else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assessed_by(self, check: PolicyCheck) -> str | None:
        return check.assessed_by.get_full_name() if check.assessed_by_id else None

    def get_may_assess(self, check: PolicyCheck) -> bool:
        return _may_assess(self.context["user"], check)


class PolicyCheckDetailSerializer(PolicyCheckSerializer):
    """A policy check, and when the caller may assess it, `principle_choices`: the principles
    as now worded, whose ids an assessment names in `principles` (as the page's form offers)."""

    principle_choices = serializers.SerializerMethodField()

    class Meta(PolicyCheckSerializer.Meta):
        fields = (*PolicyCheckSerializer.Meta.fields, "principle_choices")

    @extend_schema_field(PrincipleChoiceSerializer(many=True))
    def get_principle_choices(self, check: PolicyCheck) -> list[dict[str, Any]]:
        if not _may_assess(self.context["user"], check):
            return []
        form = PolicyAssessForm(membership=check.membership)
        return PrincipleChoiceSerializer(form.fields["principles"].queryset, many=True).data


def _may_assess(user: Any, check: PolicyCheck) -> bool:
    """As on the page: the local secretary, once."""
    return not check.is_assessed and rules.can_assess_policy(user, check.membership.enrolment)


def _user(request: Request) -> dict[str, Any]:
    return {"user": request.user}


def _checks() -> QuerySet[PolicyCheck]:
    principles = PrincipleVersion.objects.select_related("principle")
    return PolicyCheck.objects.select_related(
        "membership__enrolment__employer",
        "membership__enrolment__scheme",
        "membership__scheme",
        "logged_by",
        "assessed_by",
    ).prefetch_related(Prefetch("principles", queryset=principles))


def _membership(pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("enrolment__employer", "enrolment__scheme", "scheme"),
        pk=pk,
    )


def _check(request: Request, pk: int) -> PolicyCheck:
    check = get_object_or_404(_checks(), pk=pk)
    if not rules.can_view_policy_check(request.user, check):
        raise PermissionDenied("You do not have access to this member.")
    return check


class MembershipPolicyChecks(generics.GenericAPIView):
    """A member's policy checks, latest logged first; `POST` logs a new one, as either side
    may while it is a member."""

    serializer_class = PolicyCheckSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": self.request.user}

    @extend_schema(
        operation_id="memberships_policy_checks_list",
        responses=PolicyCheckSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        membership = _membership(pk)
        if not enrolment_rules.can_view_enrolment(request.user, membership.enrolment):
            raise PermissionDenied("You do not have access to this enrolment.")
        checks = _checks().filter(membership=membership).order_by("-logged_at", "-id")
        page = self.paginate_queryset(checks)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="memberships_policy_checks_create",
        request=form_request(PolicyLogForm),
        responses={201: PolicyCheckDetailSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, pk: int) -> Response:
        membership = _membership(pk)
        if not rules.can_log_policy(request.user, membership.enrolment):
            raise PermissionDenied("You may not log policies for this member.")
        return act(
            bind(PolicyLogForm, request),
            lambda data: policy_checks.log_policy(membership, actor=request.user, data=data),
            serialize=lambda check: self._shown(request, check.pk),
            status=201,
            location=lambda check: reverse("api:policy-check", args=[check.pk]),
        )

    def _shown(self, request: Request, pk: int) -> dict[str, Any]:
        return PolicyCheckDetailSerializer(_check(request, pk), context=_user(request)).data


class PolicyCheckDetail(APIView):
    @extend_schema(operation_id="policy_checks_retrieve", responses=PolicyCheckDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        check = _check(request, pk)
        return Response(PolicyCheckDetailSerializer(check, context=_user(request)).data)


class PolicyCheckAssessment(APIView):
    """The local secretary's assessment, with the unions' response: once, as on the page. A
    detriment names the principles (ids from `principle_choices`)."""

    @extend_schema(
        operation_id="policy_checks_assessment_create",
        request=form_request(PolicyAssessForm),
        responses=PolicyCheckDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        check = _check(request, pk)
        if not _may_assess(request.user, check):
            raise PermissionDenied("Only the local secretary assesses policies, once.")
        form = bind(PolicyAssessForm, request, membership=check.membership)
        return act(
            form,
            lambda data: policy_checks.assess_policy(check, actor=request.user, data=data),
            serialize=lambda result: (
                PolicyCheckDetailSerializer(_check(request, result.pk), context=_user(request)).data
            ),
        )


urlpatterns = [
    path(
        "memberships/<int:pk>/policy-checks/",
        MembershipPolicyChecks.as_view(),
        name="membership-policy-checks",
    ),
    path("policy-checks/<int:pk>/", PolicyCheckDetail.as_view(), name="policy-check"),
    path(
        "policy-checks/<int:pk>/assessment/",
        PolicyCheckAssessment.as_view(),
        name="policy-check-assessment",
    ),
]
