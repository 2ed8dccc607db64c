"""API: enrolments, the way an employer joins a scheme, and the steps of the joining process.

Each address does what its page does, through the same code: the list is the enrolment list
page's (`selectors.listed_enrolments`, filtered by its own `EnrolmentFilter`), an enrolment is
read and refused as its page reads and refuses it (`views.enrolment_for`), and what a caller
is told of it follows the same predicates (`rules.state_label`, `can_see_internal`,
`shown_note`, `shown_positions`, `can_see_closed_reason`): an employer contact never learns of
the unions' deliberations here either.

An employer's request to join is read, turned into a proposal or closed as its page does
(`join_views._join_request` decides who sees it and who handles it; the services do the rest).

Steps are not written out in this module. One view takes any step of the declaration
(`process.STEPS`) with the step's own form and service, and a schema hook writes one
operation per declared step, so a step added to the declaration is in the API and its schema
with no change here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.core.forms import AccordForm
from accord.core.params import MAX_ID, page_param
from accord.enrolments import join_requests, join_views, process, rules, selectors, services
from accord.enrolments import views as pages
from accord.enrolments.filters import NOT_PROCEEDING, STAGES, WAITING_DAYS, EnrolmentFilter
from accord.enrolments.forms import (
    JoinRequestCloseForm,
    JoinRequestProposeForm,
    ProposeForm,
    form_class,
)
from accord.enrolments.models import Enrolment, JoinRequest
from accord.membership import selectors as membership_selectors
from accord.organisations import selectors as organisation_selectors
from accord.schemes.models import Scheme

from . import idempotency, schema
from .forms import bind, check, form_request, form_schema
from .views import act

# --- what is shown --------------------------------------------------------------------------


class EmployerSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _url(request: Request, name: str, *args: Any) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", args=args))


class EnrolmentItemSerializer(serializers.Serializer):
    """An enrolment as the list shows it (the context carries the `request`)."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    employer = EmployerSummarySerializer()
    scheme = serializers.CharField(source="scheme.slug", help_text="The scheme's slug.")
    state = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    state_changed_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, enrolment: Enrolment) -> str:
        return _url(self.context["request"], "enrolment-detail", enrolment.pk)

    @extend_schema_field(
        serializers.CharField(
            help_text="The state's code, as the list's `state` filter offers it to the "
            "caller: to one who may not see the unions' deliberations, a stage's first state "
            "stands for the whole stage, and the unions' closures are `not_proceeding`."
        )
    )
    def get_state(self, enrolment: Enrolment) -> str:
        return shown_state(self.context["request"], enrolment)

    @extend_schema_field(
        serializers.CharField(help_text="The state in the caller's words, as the page says it.")
    )
    def get_state_label(self, enrolment: Enrolment) -> str:
        return rules.state_label(self.context["request"].user, enrolment)


# Each state as someone who may not see the unions' deliberations knows it: the code of its
# stage, the value the list's filter offers them for it (`filters.STAGES`).
STAGE_OF: dict[str, str] = {state: stage for stage, states in STAGES.items() for state in states}


def shown_state(request: Request, enrolment: Enrolment) -> str:
    """The state's code as the caller may know it, in the values the list's filter offers
    them: to those who may not see the unions' deliberations, the states of one stage are the
    stage's code, and the unions' closures are `not_proceeding`."""
    if rules.can_see_internal(request.user, enrolment):
        return enrolment.state
    return STAGE_OF.get(enrolment.state, NOT_PROCEEDING)


class StepLinkSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    task = serializers.BooleanField(
        help_text="Whether the process waits on this step (else it is there when needed)."
    )
    url = serializers.URLField(help_text="POST here to take the step.")


class HistoryEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    summary = serializers.CharField()
    internal = serializers.BooleanField(help_text="A union deliberation, for union roles only.")
    note = serializers.CharField(allow_blank=True)


class ProposalSerializer(serializers.Serializer):
    proposed_by = serializers.CharField()
    initiated_by = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    exception_reason = serializers.CharField(allow_blank=True)


class PartnerPositionSerializer(serializers.Serializer):
    union = serializers.CharField(help_text="The partner union's short name.")
    recorded = serializers.BooleanField()
    position = serializers.CharField(
        allow_null=True, help_text="Null when awaited, or when the caller may not read it."
    )
    reasons = serializers.CharField(allow_blank=True)
    recorded_by = serializers.CharField(allow_null=True)
    recorded_at = serializers.DateTimeField(allow_null=True)


class InitialMeetingSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    attendees = serializers.CharField()
    notes = serializers.CharField(allow_blank=True)


class EnrolmentDetailSerializer(serializers.Serializer):
    """An enrolment as its page shows it to the caller. `proposal`, `partner_positions` and
    `initial_meetings` are the unions' own (null or empty for anyone else)."""

    id = serializers.IntegerField()
    url = serializers.URLField()
    employer = EmployerSummarySerializer()
    scheme = serializers.CharField(help_text="The scheme's slug.")
    state = serializers.CharField()
    state_label = serializers.CharField()
    state_changed_at = serializers.DateTimeField()
    closed = serializers.BooleanField()
    closed_reason = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    proposal = ProposalSerializer(allow_null=True)
    approach_method = serializers.CharField(allow_blank=True)
    jcc_name = serializers.CharField(allow_blank=True)
    jcc_meeting_date = serializers.DateField(allow_null=True)
    letter_date = serializers.DateField(allow_null=True)
    introduced_on = serializers.DateField(allow_null=True)
    materials_sent = serializers.ListField(child=serializers.CharField())
    logo_terms_accepted_at = serializers.DateTimeField(allow_null=True)
    joined_on = serializers.DateField(allow_null=True)
    national_notified_on = serializers.DateField(allow_null=True)
    listed_on = serializers.DateField(allow_null=True)
    logo_sent_on = serializers.DateField(allow_null=True)
    partner_positions = PartnerPositionSerializer(many=True)
    initial_meetings = InitialMeetingSerializer(many=True)
    steps = StepLinkSerializer(many=True, help_text="The steps the caller may take now.")
    history = HistoryEventSerializer(
        many=True,
        help_text="The timeline, oldest first: the latest entries, or the window "
        "the `history` parameter asks for.",
    )
    history_has_earlier = serializers.BooleanField(
        help_text="Whether earlier entries exist (ask for `history` + 1)."
    )


def available_steps(request: Request, enrolment: Enrolment) -> list[dict[str, Any]]:
    """The steps of the declaration the caller may take on `enrolment` now, as the page
    offers them."""
    return [
        {
            "name": s.name,
            "label": s.label,
            "task": s.task,
            "url": _url(request, "enrolment-step", enrolment.pk, s.name),
        }
        for s in process.STEPS
        if rules.can_take_step(request.user, enrolment, s)
    ]


def _positions(request: Request, enrolment: Enrolment) -> list[dict[str, Any]]:
    rows = []
    for union, position, readable in rules.shown_positions(request.user, enrolment):
        shown = position is not None and readable
        rows.append(
            {
                "union": union.short_name,
                "recorded": position is not None,
                "position": position.position if shown else None,
                "reasons": position.reasons if shown else "",
                "recorded_by": position.recorded_by.get_full_name() if shown else None,
                "recorded_at": position.recorded_at if position is not None else None,
            }
        )
    return rows


def detail(request: Request, enrolment: Enrolment, *, window: int = 1) -> dict[str, Any]:
    """What the enrolment's page tells the caller of `enrolment` (as `enrolment_for` reads
    it), with window `window` of its timeline."""
    user = request.user
    internal = rules.can_see_internal(user, enrolment)
    timeline = selectors.timeline_window(enrolment, include_internal=internal, number=window)
    proposal = None
    if internal:
        proposal = {
            "proposed_by": enrolment.proposed_by.get_full_name(),
            "initiated_by": enrolment.initiated_by,
            "reason": enrolment.reason,
            "exception_reason": enrolment.exception_reason,
        }
    data = {
        "id": enrolment.pk,
        "url": _url(request, "enrolment-detail", enrolment.pk),
        "employer": enrolment.employer,
        "scheme": enrolment.scheme.slug,
        "state": shown_state(request, enrolment),
        "state_label": rules.state_label(user, enrolment),
        "state_changed_at": enrolment.state_changed_at,
        "closed": enrolment.is_closed,
        "closed_reason": enrolment.closed_reason
        if rules.can_see_closed_reason(user, enrolment)
        else "",
        "created_at": enrolment.created_at,
        "proposal": proposal,
        "materials_sent": selectors.materials_sent_titles(enrolment),
        "partner_positions": _positions(request, enrolment) if internal else [],
        "initial_meetings": selectors.initial_meetings(enrolment) if internal else [],
        "steps": available_steps(request, enrolment),
        "history": [
            {
                "at": event.created_at,
                "summary": event.summary,
                "internal": event.internal,
                "note": rules.shown_note(user, enrolment, event),
            }
            for event in timeline.events
        ],
        "history_has_earlier": timeline.has_earlier,
    }
    for name in (
        "approach_method",
        "jcc_name",
        "jcc_meeting_date",
        "letter_date",
        "introduced_on",
        "logo_terms_accepted_at",
        "joined_on",
        "national_notified_on",
        "listed_on",
        "logo_sent_on",
    ):
        data[name] = getattr(enrolment, name)
    return EnrolmentDetailSerializer(data).data


def enrolment_for(request: Request, pk: int) -> Enrolment:
    """The enrolment as its page reads it, or the page's 404 or 403."""
    if pk > MAX_ID:
        raise Http404("No such enrolment.")
    return pages.enrolment_for(request, pk, load=membership_selectors.enrolment_page)


def detail_response(request: Request, pk: int, *, status: int = 200) -> Response:
    enrolment = enrolment_for(request, pk)
    return Response(detail(request, enrolment), status=status)


# --- the list and proposing -----------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Part of the employer's name (as the page's search)."),
    OpenApiParameter(
        "state",
        str,
        description="A state's code, as the page's filter offers it to the caller: union "
        "roles choose any state; others choose the stages they know, and `not_proceeding` for "
        "the unions' closures. A value not offered to the caller is ignored, as on the page.",
    ),
    OpenApiParameter(
        "waiting",
        str,
        description="Cases in progress waiting at their step more than this many days: one of "
        + ", ".join(str(d) for d in WAITING_DAYS)
        + ". Offered to union roles; otherwise, and for any other value, ignored.",
    ),
]


class ProposeEmployerForm(AccordForm):
    """The employer a proposal is for: on the page, the address of its propose form."""

    employer = forms.IntegerField(min_value=1, max_value=MAX_ID, label="The employer's id")


def _propose_request() -> dict[str, Any]:
    body = form_schema(ProposeForm)
    employer = form_schema(ProposeEmployerForm)
    body["properties"] = {**employer["properties"], **body["properties"]}
    body["required"] = [*employer["required"], *body.get("required", [])]
    return {"application/json": body, "multipart/form-data": body}


class EnrolmentList(generics.ListAPIView):
    """The enrolments the caller may see, as the enrolment list page lists them: oldest change
    of state first."""

    serializer_class = EnrolmentItemSerializer

    def get_queryset(self) -> Any:
        user = self.request.user
        filters = EnrolmentFilter(self.request.query_params, user=user)
        return filters.apply(selectors.listed_enrolments(user).order_by("state_changed_at", "id"))

    @extend_schema(operation_id="enrolments_list", parameters=LIST_PARAMETERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="enrolments_propose",
        summary=process.step("propose").label,
        description=process.step("propose").help
        + " The same checks as the employer's propose page: the caller must be able to "
        "propose the employer (a workplace rep or the local secretary there).",
        request=_propose_request(),
        responses={201: EnrolmentDetailSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request) -> Response:
        the_employer = check(bind(ProposeEmployerForm, request))["employer"]
        employer_pk = int(the_employer)
        employers = organisation_selectors.employers().current()
        employer = employers.filter(pk=employer_pk).first()
        if employer is None:
            raise Http404("No such employer.")
        schemes = Scheme.objects.with_unions()
        if not any(rules.can_propose(request.user, employer, s) for s in schemes):
            raise PermissionDenied("You may not propose this employer.")
        form = bind(ProposeForm, request, enrolment=None, user=request.user)

        def propose_it(data: dict[str, Any]) -> Enrolment:
            data = form.step_data()
            return services.propose(
                scheme=data["scheme"], employer=employer, actor=request.user, data=data
            )

        return act(
            form,
            propose_it,
            serialize=lambda made: detail(request, enrolment_for(request, made.pk)),
            status=201,
            location=lambda made: _url(request, "enrolment-detail", made.pk),
        )


HISTORY_PARAMETER = OpenApiParameter(
    "history",
    int,
    description=f"Which window of {selectors.TIMELINE_WINDOW} timeline entries: 1 (the "
    "default) for the latest, 2 for those before them, and so on.",
)


class EnrolmentDetail(APIView):
    @extend_schema(
        operation_id="enrolments_retrieve",
        parameters=[HISTORY_PARAMETER],
        responses=EnrolmentDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        enrolment = enrolment_for(request, pk)
        window = page_param(request.query_params.get("history"))
        return Response(detail(request, enrolment, window=window))


# --- the steps ------------------------------------------------------------------------------


class TakeStep(APIView):
    """Any step of the declaration but `propose`, as the step's page takes it. The schema
    lists one operation per step (see `describe_steps`)."""

    @extend_schema(
        operation_id="enrolments_step",
        request={"application/json": {"type": "object"}},
        responses=EnrolmentDetailSerializer,
    )
    def post(self, request: Request, pk: int, step: str) -> Response:
        if step not in process.STEPS_BY_NAME or step == "propose":
            raise Http404("No such step.")
        the_step = process.step(step)
        enrolment = enrolment_for(request, pk)
        allowed = rules.step_assignments(request.user, enrolment, the_step)
        if not allowed:
            raise PermissionDenied(
                f"“{the_step.label}” is not yours to take on this enrolment now."
            )
        form = bind(
            form_class(the_step.form),
            request,
            enrolment=enrolment,
            user=request.user,
            assignment=allowed[0],
        )
        return act(
            form,
            lambda data: services.take_step(
                enrolment, the_step, actor=request.user, data=form.step_data()
            ),
            serialize=lambda taken: detail(request, enrolment_for(request, taken.pk)),
        )


STEP_PATH_END = "/steps/{step}/"
STEP_PATH = "/api/v1/enrolments/{id}" + STEP_PATH_END


def describe_steps(result: schema.Schema) -> None:
    """Replace the one operation that takes any step by one per step of the declaration:
    its label as summary, its help as description, its form as the request body."""
    paths = result.get("paths", {})
    generic = STEP_PATH
    if generic not in paths:
        return
    template = paths.pop(generic)["post"]
    for the_step in process.STEPS:
        if the_step.name == "propose":
            continue
        operation = copy.deepcopy(template)
        operation["operationId"] = f"enrolments_step_{the_step.name}"
        operation["summary"] = the_step.label
        operation["description"] = the_step.help or the_step.label + "."
        operation["parameters"] = [
            p for p in operation.get("parameters", []) if p.get("name") != "step"
        ]
        content = form_request(form_class(the_step.form))
        operation["requestBody"] = {
            "content": {kind: {"schema": body} for kind, body in content.items()},
            "required": True,
        }
        at = generic.removesuffix(STEP_PATH_END) + f"/steps/{the_step.name}/"
        paths[at] = {"post": operation}


schema.HOOKS.append(describe_steps)


# --- employers' requests to join ------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    urn = serializers.CharField(allow_blank=True)


class JoinRequestSerializer(serializers.Serializer):
    """An employer's request to join, as its page shows it to the local secretary of its area
    (and the scheme's national officers, and auditors). `employer_choices` are the employers
    it may be about, offered to whoever may turn it into a proposal."""

    id = serializers.IntegerField()
    url = serializers.URLField()
    scheme = serializers.CharField(help_text="The scheme's slug.")
    status = serializers.CharField()
    status_label = serializers.CharField()
    employer_name = serializers.CharField()
    kind = serializers.CharField()
    local_authority = NamedSerializer()
    urn = serializers.CharField(allow_blank=True)
    association = NamedSerializer(allow_null=True)
    contact_name = serializers.CharField()
    job_title = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField(allow_blank=True)
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    employer = NamedSerializer(allow_null=True, help_text="The employer it matches, if known.")
    enrolment = serializers.IntegerField(
        allow_null=True, help_text="The enrolment it was turned into."
    )
    handled_by = serializers.CharField(allow_null=True)
    handled_at = serializers.DateTimeField(allow_null=True)
    closed_reason = serializers.CharField(allow_blank=True)
    may_propose = serializers.BooleanField()
    may_close = serializers.BooleanField()
    employer_choices = CandidateSerializer(
        many=True,
        help_text="For `propose`: the `employer` to choose, by id (or `new` to add it).",
    )


def join_request_for(
    request: Request, pk: int, *, handle: Callable[..., bool] | None = None
) -> JoinRequest:
    """The request as its page reads it, with the page's 404 (to anyone who may not see it,
    it does not exist) and 403 (`handle` refuses, or it is handled already)."""
    if pk > MAX_ID:
        raise Http404("No such request.")
    return join_views._join_request(request, pk, handle=handle)


def join_request_detail(request: Request, join_request: JoinRequest) -> dict[str, Any]:
    user = request.user
    is_open = join_request.is_open
    may_propose = is_open and rules.can_propose_from_join_request(user, join_request)
    handled_by = join_request.handled_by
    return JoinRequestSerializer(
        {
            "id": join_request.pk,
            "url": _url(request, "join-request-detail", join_request.pk),
            "scheme": join_request.scheme.slug,
            "status": join_request.status,
            "status_label": join_request.get_status_display(),
            "employer_name": join_request.employer_name,
            "kind": join_request.kind,
            "local_authority": join_request.local_authority,
            "urn": join_request.urn,
            "association": join_request.association,
            "contact_name": join_request.contact_name,
            "job_title": join_request.job_title,
            "email": join_request.email,
            "phone": join_request.phone,
            "message": join_request.message,
            "created_at": join_request.created_at,
            "employer": join_request.employer,
            "enrolment": join_request.enrolment_id,
            "handled_by": handled_by.get_full_name() if handled_by is not None else None,
            "handled_at": join_request.handled_at,
            "closed_reason": join_request.closed_reason,
            "may_propose": may_propose,
            "may_close": is_open and rules.can_handle_join_request(user, join_request),
            "employer_choices": join_requests.employer_choices(join_request) if may_propose else [],
        }
    ).data


class JoinRequestDetail(APIView):
    @extend_schema(operation_id="join_requests_retrieve", responses=JoinRequestSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(join_request_detail(request, join_request_for(request, pk)))


class JoinRequestPropose(APIView):
    @extend_schema(
        operation_id="join_requests_propose",
        summary="Turn the request into a proposal",
        description="As the request's page: the local secretary of its area proposes the "
        "employer, recorded as the employer's own request to join.",
        request=form_request(JoinRequestProposeForm),
        responses={201: EnrolmentDetailSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, pk: int) -> Response:
        join_request = join_request_for(request, pk, handle=rules.can_propose_from_join_request)
        form = bind(
            JoinRequestProposeForm,
            request,
            candidates=join_requests.employer_choices(join_request),
            new_name=join_request.employer_name,
        )
        return act(
            form,
            lambda data: join_requests.propose(
                join_request,
                actor=request.user,
                employer=form.chosen_employer(),
                reason=data["reason"],
                exception_reason=data["exception_reason"],
            ),
            serialize=lambda made: detail(request, enrolment_for(request, made.pk)),
            status=201,
            location=lambda made: _url(request, "enrolment-detail", made.pk),
        )


class JoinRequestClose(APIView):
    @extend_schema(
        operation_id="join_requests_close",
        summary="Close the request",
        description="As the request's page: the local secretary of its area, or a national "
        "officer of the scheme, closes it with a reason.",
        request=form_request(JoinRequestCloseForm),
        responses=JoinRequestSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        join_request = join_request_for(request, pk, handle=rules.can_handle_join_request)
        form = bind(JoinRequestCloseForm, request)
        return act(
            form,
            lambda data: join_requests.close(join_request, actor=request.user, **data),
            serialize=lambda closed: join_request_detail(
                request, join_request_for(request, closed.pk)
            ),
        )


urlpatterns: list[URLPattern] = [
    path("enrolments/", EnrolmentList.as_view(), name="enrolment-list"),
    path("enrolments/<int:pk>/", EnrolmentDetail.as_view(), name="enrolment-detail"),
    path("enrolments/<int:pk>/steps/<str:step>/", TakeStep.as_view(), name="enrolment-step"),
    path("join-requests/<int:pk>/", JoinRequestDetail.as_view(), name="join-request-detail"),
    path(
        "join-requests/<int:pk>/propose/",
        JoinRequestPropose.as_view(),
        name="join-request-propose",
    ),
    path("join-requests/<int:pk>/close/", JoinRequestClose.as_view(), name="join-request-close"),
]
