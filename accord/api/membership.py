"""API: memberships, their cycles and reviews, the partner unions' co-signatures, the employer's
view, status changes and decisions on a lapse.

Each view mirrors its page in `accord/membership/views.py` and `cycle_views.py`: it reads with
the same selectors, asks the same rules (`membership.rules`, `enrolments.rules`), binds the same
form and calls the same service. What a page hides from a persona (the partner unions'
co-signatures and a status's reasons are for union roles, `can_see_internal`; decisions on a
lapse for the national officers) the API leaves out (`null`) the same way.

Forms that read many values (a cycle's activities, a self-assessment per principle, an outcome
per objective) take JSON lists here: each list is turned into the form's own fields, and the
form's errors are named by their place in the list (`activities.0.due_on`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accord.accounts.models import User
from accord.enrolments import rules as enrolment_rules
from accord.enrolments import selectors as enrolment_selectors
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.enrolments.views import enrolment_for
from accord.membership import cosigning, cycles, employer_voice, lapse, rules, services
from accord.membership.cycle_forms import (
    CommitmentForm,
    ConfirmForm,
    CosignForm,
    EmployerViewForm,
    ReviewConfirmForm,
    ReviewForm,
)
from accord.membership.forms import LapseDecisionForm, StatusChangeForm
from accord.membership.models import (
    Cycle,
    EmployerView,
    LapseDecision,
    Membership,
    MembershipStatus,
    NextCycleRule,
    Priority,
    Readiness,
    Review,
)
from accord.membership.selectors import member_detail, with_cycles

from . import idempotency
from .forms import bind, field_schema, form_errors, form_request
from .problems import NON_FIELD, Problem
from .views import act

# --- what is shown --------------------------------------------------------------------------


def _name(user: User | None) -> str | None:
    return user.get_full_name() if user is not None else None


class PrincipleShownSerializer(serializers.Serializer):
    """A principle as worded in the version a cycle works on."""

    number = serializers.IntegerField(source="principle.number")
    short_title = serializers.CharField(source="principle.short_title")
    version = serializers.IntegerField()
    wording = serializers.CharField()


class SignatureSerializer(serializers.Serializer):
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
            "signed_by": _name(signature.signed_by) if signature else None,
            "signed_at": signature.signed_at if signature else None,
        }
        for union, signature in target.cosignatures()
    ]


class ActivitySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    detail = serializers.CharField()
    owner = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()


class AssessmentShownSerializer(serializers.Serializer):
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

    @extend_schema_field(SignatureSerializer(many=True, allow_null=True))
    def get_cosignatures(self, review: Review) -> list[dict[str, Any]] | None:
        return _signatures(review, self.context["internal"])


class CycleSerializer(serializers.Serializer):
    """A cycle as the enrolment page shows it to the caller."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    principle = PrincipleShownSerializer(source="principle_version")
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
    activities = ActivitySerializer(many=True, source="actions.all")
    self_assessments = AssessmentShownSerializer(many=True, source="self_assessments.all")
    reviews = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_union_confirmed_by(self, cycle: Cycle) -> str | None:
        return _name(cycle.union_confirmed_by) if cycle.union_confirmed_at else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_employer_confirmed_by(self, cycle: Cycle) -> str | None:
        return _name(cycle.employer_confirmed_by) if cycle.employer_confirmed_at else None

    @extend_schema_field(serializers.BooleanField())
    def get_partners_signed(self, cycle: Cycle) -> bool:
        return cycle.partners_signed_at is not None

    @extend_schema_field(SignatureSerializer(many=True, allow_null=True))
    def get_cosignatures(self, cycle: Cycle) -> list[dict[str, Any]] | None:
        return _signatures(cycle, self.context["internal"])

    @extend_schema_field(ReviewSerializer(many=True))
    def get_reviews(self, cycle: Cycle) -> list[dict[str, Any]]:
        reviews = sorted(cycle.reviews.all(), key=lambda r: (r.held_on, r.pk))
        return ReviewSerializer(reviews, many=True, context=self.context).data


class EmployerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    scheme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    employer = EmployerRefSerializer()
    enrolment = serializers.PrimaryKeyRelatedField(read_only=True)
    status = serializers.ChoiceField(choices=MembershipStatus.choices)

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


class MembershipDetailSerializer(MembershipSerializer):
    """A membership as the enrolment page shows it; `status_reason` for union roles only,
    `lapse_decisions` and `status_changes` for the scheme's national officers only."""

    status_reason = serializers.SerializerMethodField()
    principles_met = serializers.SerializerMethodField()
    current_cycle = serializers.SerializerMethodField()
    cycles = serializers.SerializerMethodField()
    lapse_decisions = serializers.SerializerMethodField()
    status_changes = serializers.SerializerMethodField()

    class Meta(MembershipSerializer.Meta):
        fields = (
            *MembershipSerializer.Meta.fields,
            "status_reason",
            "principles_met",
            "current_cycle",
            "cycles",
            "lapse_decisions",
            "status_changes",
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
        serializers.ListField(child=serializers.ChoiceField(choices=list(services.STATUS_CHANGES)))
    )
    def get_status_changes(self, membership: Membership) -> list[str]:
        if not self.context["manages"]:
            return []
        return [
            change
            for change, (sources, _, _) in services.STATUS_CHANGES.items()
            if membership.status in sources
        ]


class EmployerViewSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The cycle the view is for.")
    is_open = serializers.BooleanField(help_text="Whether it may be entered or changed now.")
    may_edit = serializers.BooleanField()
    priorities = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)
    assessments = AssessmentShownSerializer(many=True)


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
        return _name(decision.decided_by)


# --- lists in a form's fields ---------------------------------------------------------------


def _text(value: Any, name: str) -> str:
    """A single JSON value as the text a form field reads; a list or object where one value
    belongs is a 400 problem naming `name`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, str | int | float):
        return str(value)
    raise Problem(400, f"Check {name}.", errors={name: ["Give a single value."]})


def _body(request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict) or hasattr(data, "getlist"):
        raise Problem(400, "The request body must be a JSON object of field names and values.")
    return data


def _list(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise Problem(400, f"Check {name}.", errors={name: ["Give a list."]})
    return value


def _objects(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = _list(data, name)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise Problem(400, f"Check {name}.", errors={f"{name}.{index}": ["Give an object."]})
    return items


def _assessment_fields(data: dict[str, Any], flat: dict[str, str]) -> dict[int, int]:
    """`self_assessments` [{principle, readiness, priority, narrative}] as the form's fields
    (readiness_N, …, N the principle's number); returns each principle's place in the list."""
    places: dict[int, int] = {}
    for index, item in enumerate(_objects(data, "self_assessments")):
        number = item.get("principle")
        if not isinstance(number, int) or isinstance(number, bool) or number in places:
            raise Problem(
                400,
                "Check self_assessments.",
                errors={
                    f"self_assessments.{index}.principle": ["Give each principle's number once."]
                },
            )
        places[number] = index
        for name in ("readiness", "priority", "narrative"):
            flat[f"{name}_{number}"] = _text(item.get(name), f"self_assessments.{index}.{name}")
    return places


def _assessment_errors(
    errors: dict[str, list[str]], places: dict[int, int]
) -> dict[str, list[str]]:
    """The form's errors on readiness_N… named by their place in `self_assessments`."""
    named: dict[str, list[str]] = {}
    for key, messages in errors.items():
        base, _, number = key.rpartition("_")
        if base in ("readiness", "priority", "narrative") and number.isdigit():
            place = places.get(int(number))
            if place is None:
                named.setdefault("self_assessments", []).extend(
                    f"Principle {number}: {base}: {m}" for m in messages
                )
                continue
            key = f"self_assessments.{place}.{base}"
        named.setdefault(key, []).extend(messages)
    return named


def _checked(
    form: forms.Form, rename: Callable[[dict[str, list[str]]], dict[str, list[str]]]
) -> None:
    """A 400 problem naming the body's own paths when the form is not valid."""
    if form.is_valid():
        return
    errors = form_errors(form)
    for index, row in enumerate(getattr(form, "activities", [])):
        for name, messages in form_errors(row).items():
            errors[f"activities.{index}.{name}"] = messages
    activities = getattr(form, "activities", None)
    if activities is not None and activities.non_form_errors():
        errors["activities"] = list(activities.non_form_errors())
    errors = rename(errors)
    names = [n for n in errors if n != NON_FIELD]
    detail = "Check " + ", ".join(names) + "." if names else " ".join(errors.get(NON_FIELD, []))
    raise Problem(400, detail or "The request is not valid.", errors=errors)


def _commitment_data(request: Request) -> tuple[MultiValueDict, dict[int, int]]:
    data = _body(request)
    flat = {
        name: _text(data.get(name), name)
        for name in ("principle", "success_criteria", "starts_on", "ends_on", "note")
    }
    objectives = data.get("objectives")
    flat["objectives"] = (
        "\n".join(_text(o, f"objectives.{n}") for n, o in enumerate(objectives))
        if isinstance(objectives, list)
        else _text(objectives, "objectives")
    )
    activities = _objects(data, "activities")
    flat["activities-TOTAL_FORMS"] = str(len(activities))
    flat["activities-INITIAL_FORMS"] = "0"
    for index, item in enumerate(activities):
        for name in ("detail", "owner", "due_on"):
            flat[f"activities-{index}-{name}"] = _text(item.get(name), f"activities.{index}.{name}")
    places = _assessment_fields(data, flat)
    return MultiValueDict({k: [v] for k, v in flat.items()}), places


# The request bodies, by hand where a list stands for several of a form's fields.
_ASSESSMENT = {
    "type": "object",
    "required": ["principle", "readiness", "priority"],
    "properties": {
        "principle": {"type": "integer", "description": "The principle's number."},
        "readiness": {"type": "string", "enum": list(Readiness.values)},
        "priority": {"type": "string", "enum": list(Priority.values)},
        "narrative": {"type": "string"},
    },
}
_ASSESSMENTS = {
    "type": "array",
    "items": _ASSESSMENT,
    "description": "One per principle of the scheme as now worded. Errors are named "
    "`self_assessments.<place in this list>.<field>`.",
}
_COMMITMENT_BODY = {
    "type": "object",
    "required": ["principle", "objectives", "success_criteria", "starts_on", "ends_on"],
    "properties": {
        "principle": {"type": "integer", "description": "The principle version's id."},
        "objectives": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Each objective, reviewed one by one.",
        },
        "success_criteria": {"type": "string"},
        "starts_on": {"type": "string", "format": "date"},
        "ends_on": {"type": "string", "format": "date"},
        "note": {"type": "string"},
        "activities": {
            "type": "array",
            "maxItems": 30,
            "description": "At least one: what will be done, by whom, by when. Errors are "
            "named `activities.<place>.<field>`.",
            "items": {
                "type": "object",
                "properties": {
                    "detail": {"type": "string", "maxLength": 1000},
                    "owner": {"type": "string", "maxLength": 200},
                    "due_on": {"type": "string", "format": "date"},
                },
            },
        },
        "self_assessments": _ASSESSMENTS,
    },
}
_REVIEW_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["held_on", "outcome", "objective_outcomes", "evidence", "decision"],
    "properties": {
        **{
            name: field_schema(field)
            for name, field in ReviewForm.base_fields.items()
            if name not in ("objective_outcomes",)
        },
        "objective_outcomes": {
            "type": "array",
            "items": field_schema(ReviewForm.base_fields["outcome"]),
            "description": "The outcome of each of the cycle's objectives, in order. Errors "
            "are named `objective_outcomes.<place>`.",
        },
    },
}
_EMPLOYER_VIEW_BODY = {
    "type": "object",
    "required": ["self_assessments"],
    "properties": {
        "priorities": field_schema(EmployerViewForm.base_fields["priorities"]),
        "self_assessments": _ASSESSMENTS,
    },
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": schema}


# --- reading members ------------------------------------------------------------------------


def _member_enrolment(request: Request, pk: int, *, by: str = "pk") -> Enrolment:
    """As the cycle pages: the member's enrolment (or the one whose cycle or review is `pk`),
    for listed members only."""
    load = member_detail if by == "pk" else (lambda key: member_detail(**{by: key}))
    enrolment = enrolment_for(request, pk, load=load)
    if enrolment.state != State.LISTED:
        raise PermissionDenied("Reviews and new cycles are for listed members.")
    return enrolment


def _cycle_numbered(enrolment: Enrolment, number: int) -> Cycle:
    for cycle in enrolment.cycles.all():
        if cycle.number == number:
            return cycle
    raise Http404("No such cycle.")


def _member_cycle(request: Request, pk: int) -> tuple[Enrolment, Cycle]:
    enrolment = _member_enrolment(request, pk, by="cycles__pk")
    return enrolment, next(c for c in enrolment.cycles.all() if c.pk == pk)


def _member_review(request: Request, pk: int) -> tuple[Enrolment, Review]:
    enrolment = _member_enrolment(request, pk, by="cycles__reviews__pk")
    review = next(r for c in enrolment.cycles.all() for r in c.reviews.all() if r.pk == pk)
    return enrolment, review


def _shown_cycle(request: Request, enrolment_id: int, number: int) -> dict[str, Any]:
    """Cycle `number` read afresh, as the enrolment page shows it to the caller."""
    enrolment = enrolment_for(request, enrolment_id, load=member_detail)
    cycle = _cycle_numbered(enrolment, number)
    context = {"internal": enrolment_rules.can_see_internal(request.user, enrolment)}
    return CycleSerializer(cycle, context=context).data


def _shown_membership(request: Request, membership: Membership) -> dict[str, Any]:
    enrolment = enrolment_for(request, membership.enrolment_id, load=member_detail)
    membership.enrolment = enrolment
    context = {
        "internal": enrolment_rules.can_see_internal(request.user, enrolment),
        "manages": rules.can_manage_membership(request.user, membership),
    }
    return MembershipDetailSerializer(membership, context=context).data


def _membership(pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("scheme__lead_union", "employer"), pk=pk
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


class MembershipDetail(generics.GenericAPIView):
    serializer_class = MembershipDetailSerializer

    @extend_schema(operation_id="memberships_retrieve", responses=MembershipDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_shown_membership(request, _membership(pk)))


class MembershipStatusChange(generics.GenericAPIView):
    """Suspend, withdraw or reinstate: the scheme's national officers, with reasons."""

    serializer_class = MembershipDetailSerializer

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
        membership = _membership(pk)
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
            serialize=lambda result: _shown_membership(request, _membership(pk)),
        )


# --- cycles ---------------------------------------------------------------------------------


class CycleList(generics.GenericAPIView):
    """The enrolment's cycles, as its page shows them; `POST` drafts the next cycle (the local
    secretary, once the current cycle's review is confirmed)."""

    serializer_class = CycleSerializer
    pagination_class = None

    @extend_schema(operation_id="cycles_list", responses=CycleSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        enrolment = enrolment_for(request, pk, load=member_detail)
        found = sorted(enrolment.cycles.all(), key=lambda c: c.number)
        context = {"internal": enrolment_rules.can_see_internal(request.user, enrolment)}
        return Response(CycleSerializer(found, many=True, context=context).data)

    @extend_schema(
        operation_id="cycles_create",
        request=_json(_COMMITMENT_BODY),
        responses={201: CycleSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, pk: int) -> Response:
        enrolment = _member_enrolment(request, pk)
        if not rules.can_record_review(request.user, enrolment):
            raise PermissionDenied("Only the local secretary drafts the next cycle.")
        previous = cycles.latest_cycle(enrolment)
        if previous is None or cycles.next_cycle_rule(previous)[0] == NextCycleRule.NONE:
            raise Problem(422, "The current cycle's review must be confirmed first.")
        data, places = _commitment_data(request)
        form = CommitmentForm(data, enrolment=enrolment, user=request.user, cycle=None)
        _checked(form, lambda errors: _assessment_errors(errors, places))
        return act(
            form,
            lambda _: cycles.start_next_cycle(enrolment, actor=request.user, data=form.step_data()),
            serialize=lambda cycle: _shown_cycle(request, pk, cycle.number),
            status=201,
            location=lambda cycle: f"/api/v1/enrolments/{pk}/cycles/{cycle.number}/",
        )


class CycleDetail(generics.GenericAPIView):
    serializer_class = CycleSerializer

    @extend_schema(operation_id="cycles_retrieve", responses=CycleSerializer)
    def get(self, request: Request, pk: int, number: int) -> Response:
        return Response(_shown_cycle(request, pk, number))


class CycleConfirmation(generics.GenericAPIView):
    """The employer's contact confirms a later cycle's terms for the employer."""

    serializer_class = CycleSerializer

    @extend_schema(
        operation_id="cycles_confirm", request=form_request(ConfirmForm), responses=CycleSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        enrolment, cycle = _member_cycle(request, pk)
        if not rules.can_confirm_for_employer(request.user, enrolment):
            raise PermissionDenied("Only the employer's contact confirms for the employer.")
        return act(
            bind(ConfirmForm, request),
            lambda data: cycles.confirm_cycle(cycle, actor=request.user),
            serialize=lambda result: _shown_cycle(request, enrolment.pk, cycle.number),
        )


class CycleCosignature(generics.GenericAPIView):
    """A partner union's representative co-signs a later cycle for their union."""

    serializer_class = CycleSerializer

    @extend_schema(
        operation_id="cycles_cosign", request=form_request(CosignForm), responses=CycleSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        enrolment, cycle = _member_cycle(request, pk)
        if cycle.number == 1 or not rules.unions_to_cosign(
            request.user, enrolment, services.pending_unions(enrolment, cycle)
        ):
            raise PermissionDenied("The cycle is not waiting for your union's co-signature.")
        return act(
            bind(CosignForm, request),
            lambda data: cosigning.cosign_cycle(cycle, actor=request.user),
            serialize=lambda result: _shown_cycle(request, enrolment.pk, cycle.number),
        )


# --- the employer's view --------------------------------------------------------------------


def _shown_view(
    enrolment: Enrolment, number: int, view: EmployerView | None, *, is_open: bool, editor: bool
) -> dict[str, Any]:
    return EmployerViewSerializer(
        {
            "number": number,
            "is_open": is_open,
            "may_edit": editor and is_open,
            "priorities": view.priorities if view else "",
            "updated_at": view.updated_at if view else None,
            "updated_by": _name(view.updated_by) if view else None,
            "assessments": view.loaded if view else [],
        }
    ).data


class EmployerViewDetail(generics.GenericAPIView):
    """The employer's priorities and self-assessment for cycle `number`: its contact enters
    and changes them while they are open (`PUT`); the unions' people at the employer read
    them."""

    serializer_class = EmployerViewSerializer

    def _read(self, request: Request, pk: int, number: int) -> tuple[Enrolment, Any, bool, bool]:
        enrolment = enrolment_for(request, pk, load=with_cycles)
        if not rules.can_read_employer_view(request.user, enrolment):
            raise PermissionDenied("The employer's view is for the employer and its unions.")
        editor = rules.can_edit_employer_view(request.user, enrolment)
        view = employer_voice.view_for(enrolment, number)
        is_open = employer_voice.open_number(enrolment) == number
        return enrolment, view, is_open, editor

    @extend_schema(operation_id="employer_view_retrieve", responses=EmployerViewSerializer)
    def get(self, request: Request, pk: int, number: int) -> Response:
        enrolment, view, is_open, editor = self._read(request, pk, number)
        if view is None and not is_open:
            raise Http404("No view of the employer for this cycle.")
        return Response(_shown_view(enrolment, number, view, is_open=is_open, editor=editor))

    @extend_schema(
        operation_id="employer_view_update",
        request=_json(_EMPLOYER_VIEW_BODY),
        responses=EmployerViewSerializer,
    )
    def put(self, request: Request, pk: int, number: int) -> Response:
        enrolment, view, is_open, editor = self._read(request, pk, number)
        if not editor:
            raise PermissionDenied("Only the employer's contact enters the employer's view.")
        if view is None and not is_open:
            raise Http404("No view of the employer for this cycle.")
        body = _body(request)
        flat = {"priorities": _text(body.get("priorities"), "priorities")}
        places = _assessment_fields(body, flat)
        principles = enrolment.scheme.current_principles()
        prior = {item.principle_version_id: item for item in view.loaded} if view else {}
        form = EmployerViewForm(
            MultiValueDict({k: [v] for k, v in flat.items()}), principles=principles, prior=prior
        )
        _checked(form, lambda errors: _assessment_errors(errors, places))

        def shown(result: EmployerView) -> dict[str, Any]:
            fresh = enrolment_for(request, pk, load=with_cycles)
            now_open = employer_voice.open_number(fresh) == number
            saved = employer_voice.view_for(fresh, number)
            return _shown_view(fresh, number, saved, is_open=now_open, editor=editor)

        return act(
            form,
            lambda data: employer_voice.save_view(
                enrolment, number, actor=request.user, data=form.view_data()
            ),
            serialize=shown,
        )


# --- reviews --------------------------------------------------------------------------------


class ReviewList(generics.GenericAPIView):
    """The reviews of cycle `number`, oldest first."""

    serializer_class = ReviewSerializer
    pagination_class = None

    @extend_schema(operation_id="reviews_list", responses=ReviewSerializer(many=True))
    def get(self, request: Request, pk: int, number: int) -> Response:
        return Response(_shown_cycle(request, pk, number)["reviews"])


class ReviewRecord(generics.GenericAPIView):
    """The local secretary records the review of cycle `number`, from 30 days before it ends."""

    serializer_class = ReviewSerializer

    @extend_schema(
        operation_id="reviews_create",
        request=_json(_REVIEW_BODY),
        responses={201: ReviewSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, pk: int, number: int) -> Response:
        enrolment = _member_enrolment(request, pk)
        if not rules.can_record_review(request.user, enrolment):
            raise PermissionDenied("Only the local secretary records the review.")
        cycle = _cycle_numbered(enrolment, number)
        body = _body(request)
        outcomes = _list(body, "objective_outcomes")
        objectives = cycle.objective_list()
        if len(outcomes) > len(objectives):
            raise Problem(
                400,
                "Check objective_outcomes.",
                errors={
                    "objective_outcomes": [
                        f"Give one outcome for each of the cycle's {len(objectives)} objectives."
                    ]
                },
            )
        flat = {name: _text(body[name], name) for name in ReviewForm.base_fields if name in body}
        for n, outcome in enumerate(outcomes, start=1):
            flat[f"objective_{n}"] = _text(outcome, f"objective_outcomes.{n - 1}")
        form = ReviewForm(MultiValueDict({k: [v] for k, v in flat.items()}), cycle=cycle)

        def rename(errors: dict[str, list[str]]) -> dict[str, list[str]]:
            named: dict[str, list[str]] = {}
            for key, messages in errors.items():
                base, _, n = key.rpartition("_")
                if base == "objective" and n.isdigit():
                    key = f"objective_outcomes.{int(n) - 1}"
                named[key] = messages
            return named

        _checked(form, rename)

        def shown(review: Review) -> dict[str, Any]:
            reviews = _shown_cycle(request, pk, number)["reviews"]
            return next(r for r in reviews if r["id"] == review.pk)

        return act(
            form,
            lambda data: cycles.record_review(cycle, actor=request.user, data=form.review_data()),
            serialize=shown,
            status=201,
            location=lambda review: f"/api/v1/enrolments/{pk}/cycles/{number}/reviews/",
        )


def _shown_review(request: Request, enrolment_id: int, review_id: int) -> dict[str, Any]:
    enrolment = enrolment_for(request, enrolment_id, load=member_detail)
    context = {"internal": enrolment_rules.can_see_internal(request.user, enrolment)}
    review = next(r for c in enrolment.cycles.all() for r in c.reviews.all() if r.pk == review_id)
    return ReviewSerializer(review, context=context).data


class ReviewConfirmation(generics.GenericAPIView):
    """The employer's contact confirms a review, once the partner unions have co-signed it."""

    serializer_class = ReviewSerializer

    @extend_schema(
        operation_id="reviews_confirm",
        request=form_request(ReviewConfirmForm),
        responses=ReviewSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        enrolment, review = _member_review(request, pk)
        if not rules.can_confirm_for_employer(request.user, enrolment):
            raise PermissionDenied("Only the employer's contact confirms for the employer.")
        return act(
            bind(ReviewConfirmForm, request),
            lambda data: cycles.confirm_review(
                review, actor=request.user, comment=data.get("comment", "")
            ),
            serialize=lambda result: _shown_review(request, enrolment.pk, pk),
        )


class ReviewCosignature(generics.GenericAPIView):
    """A partner union's representative co-signs a review for their union."""

    serializer_class = ReviewSerializer

    @extend_schema(
        operation_id="reviews_cosign", request=form_request(CosignForm), responses=ReviewSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        enrolment, review = _member_review(request, pk)
        if not rules.unions_to_cosign(
            request.user, enrolment, services.pending_unions(enrolment, review)
        ):
            raise PermissionDenied("The review is not waiting for your union's co-signature.")
        return act(
            bind(CosignForm, request),
            lambda data: cosigning.cosign_review(review, actor=request.user),
            serialize=lambda result: _shown_review(request, enrolment.pk, pk),
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


class LapseDecisionDetail(generics.GenericAPIView):
    """A review overdue beyond the grace period: the scheme's national officer reads it and
    decides (`POST`) to extend the cycle or to lapse the membership, with reasons."""

    serializer_class = LapseDecisionSerializer

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


urlpatterns = [
    path("memberships/", MembershipList.as_view(), name="membership-list"),
    path("memberships/<int:pk>/", MembershipDetail.as_view(), name="membership-detail"),
    path(
        "memberships/<int:pk>/status/<str:change>/",
        MembershipStatusChange.as_view(),
        name="membership-status",
    ),
    path("enrolments/<int:pk>/cycles/", CycleList.as_view(), name="cycle-list"),
    path("enrolments/<int:pk>/cycles/<int:number>/", CycleDetail.as_view(), name="cycle-detail"),
    path(
        "enrolments/<int:pk>/cycles/<int:number>/employer-view/",
        EmployerViewDetail.as_view(),
        name="employer-view",
    ),
    path(
        "enrolments/<int:pk>/cycles/<int:number>/reviews/",
        ReviewList.as_view(),
        name="review-list",
    ),
    path(
        "enrolments/<int:pk>/cycles/<int:number>/review/",
        ReviewRecord.as_view(),
        name="review-record",
    ),
    path("cycles/<int:pk>/confirmation/", CycleConfirmation.as_view(), name="cycle-confirm"),
    path("cycles/<int:pk>/co-signature/", CycleCosignature.as_view(), name="cycle-cosign"),
    path("reviews/<int:pk>/confirmation/", ReviewConfirmation.as_view(), name="review-confirm"),
    path("reviews/<int:pk>/co-signature/", ReviewCosignature.as_view(), name="review-cosign"),
    path("lapse-decisions/<int:pk>/", LapseDecisionDetail.as_view(), name="lapse-decision"),
]
