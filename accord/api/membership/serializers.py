"""What the membership API shows: memberships, cycles, reviews, the employer's view and
decisions on a lapse, each as the enrolment page shows it to the caller. A page's union-only
parts (the partner unions' co-signatures, a status's reasons) are null for the others."""

from __future__ import annotations

from typing import Any

from django.urls import resolve, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accord.accounts.models import User
from accord.enrolments.models import Enrolment
from accord.membership import cycles, services
from accord.membership.models import (
    Cycle,
    LapseDecision,
    Membership,
    MembershipStatus,
    Priority,
    Readiness,
    Review,
)

# --- what is shown --------------------------------------------------------------------------


def full_name(user: User | None) -> str | None:
    return user.get_full_name() if user is not None else None


class CyclePrincipleSerializer(serializers.Serializer):
    """A principle as worded in the version a cycle works on."""

    number = serializers.IntegerField(source="principle.number")
    short_title = serializers.CharField(source="principle.short_title")
    version = serializers.IntegerField()
    wording = serializers.CharField()


class CosignatureSerializer(serializers.Serializer):
    """A partner union represented locally and its co-signature (null while to come)."""

    union = serializers.CharField()
    signed_by = serializers.CharField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)


def _signatures(target: Cycle | Review, internal: bool) -> list[dict[str, Any]] | None:
    """Who co-signed for each partner union: union roles only, as on the enrolment page."""
    if not internal:
        return None
    return [
        {
            "union": union.short_name,
            "signed_by": full_name(signature.signed_by) if signature else None,
            "signed_at": signature.signed_at if signature else None,
        }
        for union, signature in target.cosignatures()
    ]


class CycleActivitySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    detail = serializers.CharField()
    owner = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()


class PrincipleAssessmentSerializer(serializers.Serializer):
    """The employer's priority and view of one principle."""

    principle = serializers.IntegerField(source="principle_version.principle.number")
    readiness = serializers.ChoiceField(choices=Readiness.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    narrative = serializers.CharField(allow_blank=True)


class ObjectiveOutcomeSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    objective = serializers.CharField()
    outcome = serializers.CharField()


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    held_on = serializers.DateField()
    outcome = serializers.CharField()
    objective_outcomes = serializers.SerializerMethodField()
    evidence = serializers.CharField()
    notes = serializers.CharField(allow_blank=True)
    decision = serializers.CharField()
    extended_to = serializers.DateField(allow_null=True)
    recorded_at = serializers.DateTimeField()
    partners_signed = serializers.SerializerMethodField()
    cosignatures = serializers.SerializerMethodField(
        help_text="The partner unions' co-signatures: for union roles only, else null."
    )
    employer_confirmed_at = serializers.DateTimeField(allow_null=True)
    employer_comment = serializers.CharField(allow_blank=True)

    @extend_schema_field(ObjectiveOutcomeSerializer(many=True))
    def get_objective_outcomes(self, review: Review) -> list[dict[str, Any]]:
        return ObjectiveOutcomeSerializer(review.objective_outcomes(), many=True).data

    @extend_schema_field(serializers.BooleanField())
    def get_partners_signed(self, review: Review) -> bool:
        return review.partners_signed_at is not None

    @extend_schema_field(CosignatureSerializer(many=True, allow_null=True))
    def get_cosignatures(self, review: Review) -> list[dict[str, Any]] | None:
        return _signatures(review, self.context["internal"])


class CycleSerializer(serializers.Serializer):
    """A cycle as the enrolment page shows it to the caller."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    principle = CyclePrincipleSerializer(source="principle_version")
    objectives = serializers.ListField(
        child=serializers.CharField(), source="objective_list", help_text="One per line agreed."
    )
    success_criteria = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    union_confirmed_at = serializers.DateTimeField(allow_null=True)
    union_confirmed_by = serializers.SerializerMethodField()
    partners_signed = serializers.SerializerMethodField()
    cosignatures = serializers.SerializerMethodField(
        help_text="The partner unions' co-signatures: for union roles only, else null."
    )
    employer_confirmed_at = serializers.DateTimeField(allow_null=True)
    employer_confirmed_by = serializers.SerializerMethodField()
    is_confirmed = serializers.BooleanField()
    activities = CycleActivitySerializer(many=True, source="actions.all")
    self_assessments = PrincipleAssessmentSerializer(many=True, source="self_assessments.all")
    reviews = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_union_confirmed_by(self, cycle: Cycle) -> str | None:
        return full_name(cycle.union_confirmed_by) if cycle.union_confirmed_at else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_employer_confirmed_by(self, cycle: Cycle) -> str | None:
        return full_name(cycle.employer_confirmed_by) if cycle.employer_confirmed_at else None

    @extend_schema_field(serializers.BooleanField())
    def get_partners_signed(self, cycle: Cycle) -> bool:
        return cycle.partners_signed_at is not None

    @extend_schema_field(CosignatureSerializer(many=True, allow_null=True))
    def get_cosignatures(self, cycle: Cycle) -> list[dict[str, Any]] | None:
        return _signatures(cycle, self.context["internal"])

    @extend_schema_field(ReviewSerializer(many=True))
    def get_reviews(self, cycle: Cycle) -> list[dict[str, Any]]:
        reviews = sorted(cycle.reviews.all(), key=lambda r: (r.held_on, r.pk))
        return ReviewSerializer(reviews, many=True, context=self.context).data


class MemberEmployerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    scheme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    employer = MemberEmployerSerializer()
    enrolment = serializers.PrimaryKeyRelatedField(read_only=True)
    # Its values in words, not as an enum: "StatusEnum" would be shared by every resource's
    # field named status, whatever its values.
    status = serializers.CharField(help_text=f"One of {', '.join(MembershipStatus.values)}.")

    class Meta:
        model = Membership
        fields = (
            "id",
            "reference",
            "scheme",
            "employer",
            "enrolment",
            "status",
            "status_since",
            "member_since",
            "logo_stop_requested_on",
        )


class CycleSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    principle = serializers.IntegerField(source="principle_version.principle.number")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    is_confirmed = serializers.BooleanField()


class LapseDecisionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    review_due_on = serializers.DateField()
    grace_ended_on = serializers.DateField()
    outcome = serializers.CharField(allow_blank=True, help_text="Empty while it waits.")
    extended_to = serializers.DateField(allow_null=True)


# The pages that `cycles.cycle_actions` offers, and the API operation that does the same.
API_ACTIONS = {
    "cycle-review": "api:review-record",
    "review-cosign": "api:review-cosign",
    "review-confirm": "api:review-confirm",
    "cycle-new": "api:cycle-list",
    "cycle-cosign": "api:cycle-cosign",
    "cycle-confirm": "api:cycle-confirm",
}


class CycleActionSerializer(serializers.Serializer):
    """Something the caller may do now about the member's cycles and reviews."""

    label = serializers.CharField()
    method = serializers.CharField()
    path = serializers.CharField()


def api_actions(user: User, enrolment: Enrolment) -> list[dict[str, str]]:
    """What the enrolment page offers `user` to do about the cycles (`cycles.cycle_actions`),
    each as the API's operation: the same rules decide both."""
    found = []
    for label, url in cycles.cycle_actions(user, enrolment):
        page = resolve(url)
        name = API_ACTIONS.get(page.url_name or "")
        if name is not None:  # a page with no operation in the API is not offered here
            path = reverse(name, kwargs=page.kwargs)
            found.append({"label": label, "method": "POST", "path": path})
    return found


class MembershipDetailSerializer(MembershipSerializer):
    """A membership as the enrolment page shows it; `status_reason` for union roles only,
    `lapse_decisions` and `status_changes` for the scheme's national officers only."""

    status_reason = serializers.SerializerMethodField()
    principles_met = serializers.SerializerMethodField()
    current_cycle = serializers.SerializerMethodField()
    cycles = serializers.SerializerMethodField()
    lapse_decisions = serializers.SerializerMethodField()
    status_changes = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(MembershipSerializer.Meta):
        fields = (
            *MembershipSerializer.Meta.fields,
            "status_reason",
            "principles_met",
            "current_cycle",
            "cycles",
            "lapse_decisions",
            "status_changes",
            "actions",
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_status_reason(self, membership: Membership) -> str | None:
        return membership.status_reason if self.context["internal"] else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_principles_met(self, membership: Membership) -> list[int]:
        return [p.number for p in cycles.principles_met(membership.enrolment)]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_cycle(self, membership: Membership) -> int | None:
        current = cycles.latest_cycle(membership.enrolment)
        return current.number if current else None

    @extend_schema_field(CycleSummarySerializer(many=True))
    def get_cycles(self, membership: Membership) -> list[dict[str, Any]]:
        found = sorted(membership.enrolment.cycles.all(), key=lambda c: c.number)
        return CycleSummarySerializer(found, many=True).data

    @extend_schema_field(LapseDecisionSummarySerializer(many=True, allow_null=True))
    def get_lapse_decisions(self, membership: Membership) -> list[dict[str, Any]] | None:
        if not self.context["manages"]:
            return None
        found = membership.lapse_decisions.order_by("-grace_ended_on", "-id")
        return LapseDecisionSummarySerializer(found, many=True).data

    @extend_schema_field(
        {"type": "array", "items": {"type": "string", "enum": list(services.STATUS_CHANGES)}}
    )
    def get_status_changes(self, membership: Membership) -> list[str]:
        if not self.context["manages"]:
            return []
        return [
            change
            for change, (sources, _, _) in services.STATUS_CHANGES.items()
            if membership.status in sources
        ]

    @extend_schema_field(CycleActionSerializer(many=True))
    def get_actions(self, membership: Membership) -> list[dict[str, str]]:
        return api_actions(self.context["user"], membership.enrolment)


class EmployerViewSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The cycle the view is for.")
    is_open = serializers.BooleanField(help_text="Whether it may be entered or changed now.")
    may_edit = serializers.BooleanField()
    priorities = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)
    assessments = PrincipleAssessmentSerializer(many=True)


class LapseDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    membership = serializers.IntegerField(source="membership_id")
    cycle = serializers.IntegerField(source="cycle.number")
    principle = serializers.IntegerField(source="cycle.principle_version.principle.number")
    review_due_on = serializers.DateField()
    grace_ended_on = serializers.DateField()
    grace_months = serializers.IntegerField(source="membership.scheme.lapse_grace_months")
    membership_status = serializers.CharField(source="membership.status")
    is_open = serializers.BooleanField()
    may_decide = serializers.SerializerMethodField()
    outcome = serializers.CharField(allow_blank=True, help_text="Empty while it waits.")
    reasons = serializers.CharField(allow_blank=True)
    extended_to = serializers.DateField(allow_null=True)
    logo_stop_requested_on = serializers.DateField(allow_null=True)
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.BooleanField())
    def get_may_decide(self, decision: LapseDecision) -> bool:
        return decision.is_open and decision.membership.status == MembershipStatus.ACTIVE

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decided_by(self, decision: LapseDecision) -> str | None:
        return full_name(decision.decided_by)
