"""API: a member's cycles, their reviews, the partner unions' co-signatures and the employer's
view, as the pages in `membership/cycle_views.py`: the same rules, forms and services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.enrolments import rules as enrolment_rules
from accord.enrolments.models import Enrolment
from accord.enrolments.views import enrolment_for
from accord.membership import cosigning, cycles, employer_voice, rules, services
from accord.membership.cycle_forms import (
    CommitmentForm,
    ConfirmForm,
    CosignForm,
    EmployerViewForm,
    ReviewConfirmForm,
    ReviewForm,
)
from accord.membership.models import (
    EmployerView,
    NextCycleRule,
    Review,
)
from accord.membership.selectors import member_detail, with_cycles

from .. import idempotency
from ..forms import bind, form_request
from ..problems import Problem
from ..views import act
from .bodies import (
    COMMITMENT_BODY,
    EMPLOYER_VIEW_BODY,
    REVIEW_BODY,
    assessment_errors,
    assessment_fields,
    checked,
    commitment_data,
    json_body,
    json_list,
    json_object,
    text,
)
from .reading import (
    cycle_numbered,
    member_cycle,
    member_enrolment,
    member_review,
    shown_cycle,
)
from .serializers import (
    CycleSerializer,
    EmployerViewSerializer,
    ReviewSerializer,
    full_name,
)

# --- cycles ---------------------------------------------------------------------------------


class CycleList(APIView):
    """The enrolment's cycles, as its page shows them; `POST` drafts the next cycle (the local
    secretary, once the current cycle's review is confirmed)."""

    @extend_schema(operation_id="cycles_list", responses=CycleSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        enrolment = enrolment_for(request, pk, load=member_detail)
        found = sorted(enrolment.cycles.all(), key=lambda c: c.number)
        context = {"internal": enrolment_rules.can_see_internal(request.user, enrolment)}
        return Response(CycleSerializer(found, many=True, context=context).data)

    @extend_schema(
        operation_id="cycles_create",
        request=json_body(COMMITMENT_BODY),
        responses={201: CycleSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, pk: int) -> Response:
        enrolment = member_enrolment(request, pk)
        if not rules.can_record_review(request.user, enrolment):
            raise PermissionDenied("Only the local secretary drafts the next cycle.")
        previous = cycles.latest_cycle(enrolment)
        if previous is None or cycles.next_cycle_rule(previous)[0] == NextCycleRule.NONE:
            raise Problem(422, "The current cycle's review must be confirmed first.")
        data, places = commitment_data(request)
        form = CommitmentForm(data, enrolment=enrolment, user=request.user, cycle=None)
        checked(form, lambda errors: assessment_errors(errors, places))
        return act(
            form,
            lambda _: cycles.start_next_cycle(enrolment, actor=request.user, data=form.step_data()),
            serialize=lambda cycle: shown_cycle(request, pk, cycle.number),
            status=201,
            location=lambda cycle: f"/api/v1/enrolments/{pk}/cycles/{cycle.number}/",
        )


class CycleDetail(APIView):
    @extend_schema(operation_id="cycles_retrieve", responses=CycleSerializer)
    def get(self, request: Request, pk: int, number: int) -> Response:
        return Response(shown_cycle(request, pk, number))


class CycleConfirmation(APIView):
    """The employer's contact confirms a later cycle's terms for the employer."""

    @extend_schema(
        operation_id="cycles_confirm", request=form_request(ConfirmForm), responses=CycleSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        enrolment, cycle = member_cycle(request, pk)
        if not rules.can_confirm_for_employer(request.user, enrolment):
            raise PermissionDenied("Only the employer's contact confirms for the employer.")
        return act(
            bind(ConfirmForm, request),
            lambda data: cycles.confirm_cycle(cycle, actor=request.user),
            serialize=lambda result: shown_cycle(request, enrolment.pk, cycle.number),
        )


class CycleCosignature(APIView):
    """A partner union's representative co-signs a later cycle for their union."""

    @extend_schema(
        operation_id="cycles_cosign", request=form_request(CosignForm), responses=CycleSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        enrolment, cycle = member_cycle(request, pk)
        if cycle.number == 1 or not rules.unions_to_cosign(
            request.user, enrolment, services.pending_unions(enrolment, cycle)
        ):
            raise PermissionDenied("The cycle is not waiting for your union's co-signature.")
        return act(
            bind(CosignForm, request),
            lambda data: cosigning.cosign_cycle(cycle, actor=request.user),
            serialize=lambda result: shown_cycle(request, enrolment.pk, cycle.number),
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
            "updated_by": full_name(view.updated_by) if view else None,
            "assessments": view.loaded if view else [],
        }
    ).data


class EmployerViewDetail(APIView):
    """The employer's priorities and self-assessment for cycle `number`: its contact enters
    and changes them while they are open (`PUT`); the unions' people at the employer read
    them."""

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
        request=json_body(EMPLOYER_VIEW_BODY),
        responses=EmployerViewSerializer,
    )
    def put(self, request: Request, pk: int, number: int) -> Response:
        enrolment, view, is_open, editor = self._read(request, pk, number)
        if not editor:
            raise PermissionDenied("Only the employer's contact enters the employer's view.")
        if view is None and not is_open:
            raise Http404("No view of the employer for this cycle.")
        body = json_object(request)
        flat = {"priorities": text(body.get("priorities"), "priorities")}
        places = assessment_fields(body, flat)
        principles = enrolment.scheme.current_principles()
        prior = {item.principle_version_id: item for item in view.loaded} if view else {}
        form = EmployerViewForm(
            MultiValueDict({k: [v] for k, v in flat.items()}), principles=principles, prior=prior
        )
        checked(form, lambda errors: assessment_errors(errors, places))

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


class ReviewList(APIView):
    """The reviews of cycle `number`, oldest first."""

    @extend_schema(operation_id="reviews_list", responses=ReviewSerializer(many=True))
    def get(self, request: Request, pk: int, number: int) -> Response:
        return Response(shown_cycle(request, pk, number)["reviews"])


class ReviewRecord(APIView):
    """The local secretary records the review of cycle `number`, from 30 days before it ends."""

    @extend_schema(
        operation_id="reviews_create",
        request=json_body(REVIEW_BODY),
        responses={201: ReviewSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, pk: int, number: int) -> Response:
        enrolment = member_enrolment(request, pk)
        if not rules.can_record_review(request.user, enrolment):
            raise PermissionDenied("Only the local secretary records the review.")
        cycle = cycle_numbered(enrolment, number)
        body = json_object(request)
        outcomes = json_list(body, "objective_outcomes")
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
        flat = {name: text(body[name], name) for name in ReviewForm.base_fields if name in body}
        for n, outcome in enumerate(outcomes, start=1):
            flat[f"objective_{n}"] = text(outcome, f"objective_outcomes.{n - 1}")
        form = ReviewForm(MultiValueDict({k: [v] for k, v in flat.items()}), cycle=cycle)

        def rename(errors: dict[str, list[str]]) -> dict[str, list[str]]:
            named: dict[str, list[str]] = {}
            for key, messages in errors.items():
                base, _, n = key.rpartition("_")
                if base == "objective" and n.isdigit():
                    key = f"objective_outcomes.{int(n) - 1}"
                named[key] = messages
            return named

        checked(form, rename)

        def shown(review: Review) -> dict[str, Any]:
            reviews = shown_cycle(request, pk, number)["reviews"]
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


class ReviewConfirmation(APIView):
    """The employer's contact confirms a review, once the partner unions have co-signed it."""

    @extend_schema(
        operation_id="reviews_confirm",
        request=form_request(ReviewConfirmForm),
        responses=ReviewSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        enrolment, review = member_review(request, pk)
        if not rules.can_confirm_for_employer(request.user, enrolment):
            raise PermissionDenied("Only the employer's contact confirms for the employer.")
        return act(
            bind(ReviewConfirmForm, request),
            lambda data: cycles.confirm_review(
                review, actor=request.user, comment=data.get("comment", "")
            ),
            serialize=lambda result: _shown_review(request, enrolment.pk, pk),
        )


class ReviewCosignature(APIView):
    """A partner union's representative co-signs a review for their union."""

    @extend_schema(
        operation_id="reviews_cosign", request=form_request(CosignForm), responses=ReviewSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        enrolment, review = member_review(request, pk)
        if not rules.unions_to_cosign(
            request.user, enrolment, services.pending_unions(enrolment, review)
        ):
            raise PermissionDenied("The review is not waiting for your union's co-signature.")
        return act(
            bind(CosignForm, request),
            lambda data: cosigning.cosign_review(review, actor=request.user),
            serialize=lambda result: _shown_review(request, enrolment.pk, pk),
        )
