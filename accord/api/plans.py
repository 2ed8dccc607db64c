"""API: joint action plans, as their pages show and change them. Who sees a plan, who edits it
and who imports one are the pages' rules (`accounts.rules.plans_q`, `can_view_plan`,
`can_manage_plan`, `can_import_plans`); every change goes through the pages' forms and
`plans.services`. The plan import follows the page's preview: upload a file, read what it was
read as (rows, repairs and problems, each naming its row and column), correct cells, then
confirm, which is refused while a problem remains."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from accord.accounts import rules
from accord.actions import rules as action_rules
from accord.actions.models import Action, ActionStatus
from accord.core.params import MAX_ID, id_param
from accord.plans import selectors, services
from accord.plans.document import ParsedPlan
from accord.plans.forms import ActionForm, PlanForm, ReviewForm, UploadForm
from accord.plans.models import Commitment, Plan, PlanImport, PlanReview, Theme

from .forms import bind, form_request
from .idempotency import PARAMETER as IDEMPOTENCY_KEY
from .idempotency import idempotent
from .problems import NON_FIELD, Problem
from .views import accepts_files, act

TAGS = ["plans"]

# --- what is shown ---------------------------------------------------------------------------


class PlanPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PlanSummarySerializer(serializers.ModelSerializer):
    """A plan as the plans list shows it."""

    parties = PlanPartySerializer(many=True)

    class Meta:
        model = Plan
        fields = (
            "id",
            "title",
            "parties",
            "date_wording",
            "adopted_on",
            "status",
            "next_review_on",
        )


class PlanCommitmentSerializer(serializers.ModelSerializer):
    parties = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = ("id", "position", "text", "parties")


class PlanThemeSerializer(serializers.ModelSerializer):
    commitments = PlanCommitmentSerializer(many=True)

    class Meta:
        model = Theme
        fields = ("id", "position", "title", "commitments")


class PlanReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanReview
        fields = ("id", "held_on", "notes", "outcomes", "next_review_on", "recorded_at")


class PlanSerializer(serializers.ModelSerializer):
    """A plan as its overview shows it (the workplan is read a page at a time apart):
    parties, purposes, issues with their commitments, and reviews, newest first."""

    parties = PlanPartySerializer(many=True)
    purposes = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)
    themes = PlanThemeSerializer(many=True)
    reviews = PlanReviewSerializer(many=True)
    may_manage = serializers.SerializerMethodField(
        help_text="Whether the caller may edit the plan, its actions and record its reviews."
    )

    class Meta:
        model = Plan
        fields = (
            "id",
            "title",
            "status",
            "date_wording",
            "adopted_on",
            "introduction",
            "parties",
            "purposes",
            "themes",
            "review_every_months",
            "next_review_on",
            "reviews",
            "may_manage",
        )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_may_manage(self, plan: Plan) -> bool:
        return rules.can_manage_plan(self.context["request"].user, plan)


class PlanActionCommitmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class PlanActionSerializer(serializers.ModelSerializer):
    """A numbered action of the workplan."""

    owner_party = serializers.IntegerField(source="owner_party_id", allow_null=True)
    commitments = PlanActionCommitmentSerializer(
        many=True, help_text="The commitments it delivers."
    )
    overdue = serializers.BooleanField(source="is_overdue")
    may_update = serializers.SerializerMethodField(
        help_text="Whether the caller may post progress on it and change its status."
    )

    class Meta:
        model = Action
        fields = (
            "id",
            "number",
            "detail",
            "owner",
            "owner_party",
            "due_on",
            "due_wording",
            "status",
            "overdue",
            "commitments",
            "may_update",
        )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_may_update(self, action: Action) -> bool:
        return action_rules.can_update_action(self.context["request"].user, action)


# --- reading an import -----------------------------------------------------------------------


class PlanImportCorrectionSerializer(serializers.Serializer):
    """One cell's corrected value."""

    row = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The line of a document, the row of a table."
    )
    column = serializers.CharField(max_length=100, help_text="The column, as a problem names it.")
    value = serializers.CharField(
        max_length=10_000, allow_blank=True, help_text="What the cell should hold."
    )


class PlanImportNoteSerializer(serializers.Serializer):
    row = serializers.IntegerField(source="line")
    column = serializers.CharField()
    message = serializers.CharField()


class PlanImportProblemSerializer(PlanImportNoteSerializer):
    value = serializers.CharField(help_text="The cell as it now reads, with corrections so far.")


class PlanImportCommitmentSerializer(serializers.Serializer):
    text = serializers.CharField()
    parties = serializers.ListField(child=serializers.CharField())


class PlanImportThemeSerializer(serializers.Serializer):
    title = serializers.CharField()
    commitments = PlanImportCommitmentSerializer(many=True)


class PlanImportActionSerializer(serializers.Serializer):
    number = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField(allow_blank=True)
    owner = serializers.CharField(allow_null=True, allow_blank=True)
    due_wording = serializers.CharField(allow_blank=True)
    due_on = serializers.DateField(allow_null=True)


class PlanImportPlanSerializer(serializers.Serializer):
    """The plan as the upload reads, with the corrections so far."""

    title = serializers.CharField(allow_blank=True)
    date_wording = serializers.CharField(allow_blank=True)
    adopted_on = serializers.DateField(allow_null=True)
    parties = serializers.ListField(child=serializers.CharField())
    purposes = serializers.ListField(child=serializers.CharField())
    themes = PlanImportThemeSerializer(many=True)
    actions = PlanImportActionSerializer(many=True)


class PlanImportSerializer(serializers.Serializer):
    """An upload waiting for its preview to be confirmed, and what it reads as."""

    id = serializers.IntegerField()
    source_name = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    corrections = PlanImportCorrectionSerializer(many=True)
    ready = serializers.BooleanField(help_text="No problem remains: the import can be confirmed.")
    error = serializers.CharField(
        allow_null=True, help_text="Why the upload cannot be read with these corrections."
    )
    problems = PlanImportProblemSerializer(
        many=True, help_text="Cells to correct before confirming."
    )
    repairs = PlanImportNoteSerializer(many=True, help_text="What the reader changed by itself.")
    plan = PlanImportPlanSerializer(allow_null=True)


def _reading(upload: PlanImport) -> dict[str, Any]:
    """What the preview page shows of an upload, as data."""
    error: str | None = None
    parsed: ParsedPlan | None
    try:
        parsed = services.read_import(upload)
    except services.PlanImportError as refused:
        parsed, error = None, refused.message
    current = services.upload_cells(upload) | {
        (c["line"], c["column"]): c["value"] for c in upload.corrections
    }
    problems = parsed.problems if parsed else []
    return {
        "id": upload.pk,
        "source_name": upload.source_name,
        "kind": upload.kind,
        "title": upload.title,
        "created_at": upload.created_at,
        "corrections": [
            {"row": c["line"], "column": c["column"], "value": c["value"]}
            for c in upload.corrections
        ],
        "ready": parsed is not None and not problems,
        "error": error,
        "problems": [
            {
                "line": p.line,
                "column": p.column,
                "message": p.message,
                "value": str(current.get((p.line, p.column), "")),
            }
            for p in problems
        ],
        "repairs": parsed.repairs if parsed else [],
        "plan": parsed,
    }


def _import_data(upload: PlanImport) -> dict[str, Any]:
    return PlanImportSerializer(_reading(upload)).data


# --- finding things as the pages do ----------------------------------------------------------


def _plan_for(request: Request, pk: int) -> Plan:
    """The plan's overview: 404 when there is none, 403 when the caller may not see it."""
    try:
        plan = selectors.plan_overview(pk)
    except Plan.DoesNotExist:
        raise Http404("No such plan.") from None
    if not rules.can_view_plan(request.user, plan):
        raise PermissionDenied("You do not have access to this plan.")
    return plan


def _pending_import(request: Request, pk: int) -> PlanImport:
    """The caller's own upload, not yet confirmed: the preview page's one."""
    return get_object_or_404(PlanImport, pk=pk, uploaded_by=request.user, plan__isnull=True)


def _plan_data(request: Request, pk: int) -> dict[str, Any]:
    return PlanSerializer(selectors.plan_overview(pk), context={"request": request}).data


def _url(name: str, pk: int) -> str:
    return reverse(f"api:{name}", args=[pk])


# --- the workplan's filters ------------------------------------------------------------------

OVERDUE_VALUES = {"1": True, "true": True, "0": False, "false": False, "": False}

WORKPLAN_PARAMETERS = [
    OpenApiParameter(
        "owner",
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        description="Only the actions of this party (its id, from the plan's `parties`).",
    ),
    OpenApiParameter(
        "status",
        str,
        enum=list(ActionStatus.values),
        description="Only the actions with this status.",
    ),
    OpenApiParameter(
        "overdue", bool, description="Only open actions past their due date (`true` or `1`)."
    ),
]


def _bad_parameter(name: str, message: str) -> Problem:
    return Problem(400, f"Check {name}: {message}", errors={name: [message]})


def workplan_filters(request: Request) -> dict[str, Any]:
    """The workplan page's filters, read from the query string; a value no page could have
    offered is a 400 problem naming the parameter."""
    params = request.query_params
    owner_text = params.get("owner", "")
    owner = id_param(owner_text)
    if owner_text and owner is None:
        raise _bad_parameter("owner", "Give a party's id.")
    status = params.get("status", "")
    if status and status not in ActionStatus.values:
        raise _bad_parameter("status", "Choose one of " + ", ".join(ActionStatus.values) + ".")
    overdue = OVERDUE_VALUES.get(params.get("overdue", "").lower())
    if overdue is None:
        raise _bad_parameter("overdue", "Give true or false.")
    return {"owner": owner, "status": status, "overdue": overdue}


# --- the views -------------------------------------------------------------------------------


class PlanView(generics.GenericAPIView):
    """The views below find their objects themselves (OPTIONS answers 405 everywhere: see
    DEFAULT_METADATA_CLASS in the settings)."""


@extend_schema(tags=TAGS)
class PlanList(generics.ListAPIView):
    """The plans the caller may see, as the plans page lists them: newest agreed first."""

    serializer_class = PlanSummarySerializer

    @extend_schema(operation_id="list_plans")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Plan]:
        return selectors.visible_plans(self.request.user).order_by("-adopted_on", "title", "id")


@extend_schema(tags=TAGS)
class PlanDetail(PlanView):
    """A plan's overview; `PUT` sets its title, status and review schedule, as its edit page
    does (the plan's owners and national officers)."""

    serializer_class = PlanSerializer

    @extend_schema(operation_id="get_plan", responses=PlanSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(PlanSerializer(_plan_for(request, pk), context={"request": request}).data)

    @extend_schema(
        operation_id="edit_plan", request=form_request(PlanForm), responses=PlanSerializer
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = _plan_for(request, pk)
        if not rules.can_manage_plan(request.user, plan):
            raise PermissionDenied("Only the plan's owners edit it.")
        # The form fills in a copy: the service compares the plan before and after.
        form = bind(PlanForm, request, instance=Plan.objects.get(pk=plan.pk))
        return act(
            form,
            lambda data: services.update_plan(plan, actor=request.user, data=data),
            serialize=lambda result: _plan_data(request, result.pk),
        )


@extend_schema(tags=TAGS)
class Workplan(PlanView):
    """The plan's numbered workplan, in number order, with the overview's filters."""

    serializer_class = PlanActionSerializer

    @extend_schema(
        operation_id="list_plan_actions",
        parameters=WORKPLAN_PARAMETERS,
        responses=PlanActionSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan_for(request, pk)
        filters = workplan_filters(request)
        actions = selectors.workplan(plan, **filters, progress=False).order_by("number", "id")
        page = self.paginate_queryset(actions)
        data = PlanActionSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)


@extend_schema(tags=TAGS)
class ActionEdit(PlanView):
    """`PUT` edits a workplan action, as its edit page does: number, detail, owning party, due
    date as worded, and the commitments it delivers (the plan's owners and national
    officers)."""

    serializer_class = PlanActionSerializer

    @extend_schema(
        operation_id="edit_plan_action",
        request=form_request(ActionForm),
        responses=PlanActionSerializer,
    )
    def put(self, request: Request, pk: int) -> Response:
        action = get_object_or_404(
            Action.objects.select_related("plan", "owner_party"), pk=pk, plan__isnull=False
        )
        if not rules.can_manage_plan(request.user, action.plan):
            raise PermissionDenied("Only the plan's owners edit its actions.")
        form = bind(ActionForm, request, plan=action.plan)

        def saved(result: Action) -> dict[str, Any]:
            fresh = selectors.workplan(result.plan, progress=False).get(pk=result.pk)
            return PlanActionSerializer(fresh, context={"request": request}).data

        return act(
            form,
            lambda data: services.update_action(action, actor=request.user, data=data),
            serialize=saved,
        )


@extend_schema(tags=TAGS)
class Reviews(PlanView):
    """The plan's reviews, newest first; `POST` records one, as the review page does (the
    plan's owners and national officers), and sets the plan's next review."""

    serializer_class = PlanReviewSerializer

    @extend_schema(operation_id="list_plan_reviews", responses=PlanReviewSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan_for(request, pk)
        reviews = PlanReview.objects.filter(plan=plan).order_by("-held_on", "-id")
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(PlanReviewSerializer(page, many=True).data)

    @extend_schema(
        operation_id="record_plan_review",
        request=form_request(ReviewForm),
        responses={201: PlanReviewSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        plan = _plan_for(request, pk)
        if not rules.can_manage_plan(request.user, plan):
            raise PermissionDenied("Only the plan's owners record its reviews.")
        return act(
            bind(ReviewForm, request),
            lambda data: services.record_review(plan, actor=request.user, data=data),
            serialize=lambda review: PlanReviewSerializer(review).data,
            status=201,
            location=lambda review: _url("plan-reviews", plan.pk),
        )


@extend_schema(tags=TAGS)
class ImportUpload(PlanView):
    """`POST` uploads a plan to import (national officers), as the import page does: a plan
    document (.txt) or a workplan table (.csv or .xlsx, with a title), up to the page's size
    limit. Nothing is imported yet: the answer is what the file reads as, to correct and
    confirm. Each upload is a new preview of its own, so sending one twice is harmless."""

    serializer_class = PlanImportSerializer

    @extend_schema(
        operation_id="upload_plan_import",
        request=form_request(UploadForm),
        responses={201: PlanImportSerializer},
    )
    def post(self, request: Request) -> Response:
        if not rules.can_import_plans(request.user):
            raise PermissionDenied("Only national officers import plans.")
        return act(
            bind(UploadForm, request),
            lambda data: services.open_import(
                uploaded_by=request.user,
                source_name=data["file"].name,
                title=data["title"],
                data=data["file"].read(),
            ),
            serialize=_import_data,
            status=201,
            location=lambda upload: _url("plan-import", upload.pk),
        )


@extend_schema(tags=TAGS)
class ImportPreview(PlanView):
    """The caller's upload as it reads with the corrections so far: the rows read, what the
    reader repaired, and each problem by row and column with the cell's value."""

    serializer_class = PlanImportSerializer

    @extend_schema(operation_id="get_plan_import", responses=PlanImportSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_import_data(_pending_import(request, pk)))


@extend_schema(tags=TAGS)
class ImportCorrections(PlanView):
    """Corrects cells of the caller's upload, as the preview's inputs do: a JSON list of
    {row, column, value}. A cell corrected before takes the new value; the others are kept. A
    correction of a cell the upload does not have is refused (422) and nothing is kept."""

    serializer_class = PlanImportSerializer
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="correct_plan_import",
        request=PlanImportCorrectionSerializer(many=True),
        responses=PlanImportSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        upload = _pending_import(request, pk)
        if not isinstance(request.data, list):
            raise Problem(400, "Send a JSON list of {row, column, value}.")
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        sent = PlanImportCorrectionSerializer(data=request.data, many=True, max_length=limit)
        if not sent.is_valid():
            raise Problem(400, "Check the corrections.", errors=_list_errors(sent.errors))
        kept = {(c["line"], c["column"]): c["value"] for c in upload.corrections}
        cells = services.upload_cells(upload)
        for correction in sent.validated_data:
            cell = (correction["row"], correction["column"])
            if cell not in cells:
                # Columns are named as the problems name them: the confirmation keeps each
                # corrected cell's original beside it, found by that name.
                missing = f"There is no {cell[1]} cell on row {cell[0]} to correct."
                raise Problem(422, missing, errors={NON_FIELD: [missing]})
            kept[cell] = correction["value"]
        corrections = [
            {"line": line, "column": column, "value": value}
            for (line, column), value in sorted(kept.items())
        ]
        with transaction.atomic():
            services.record_corrections(upload, corrections)
            # Read once with them: a cell the upload does not have undoes the lot.
            services.read_import(upload)
        return Response(_import_data(upload))


def _list_errors(errors: Any) -> dict[str, list[str]]:
    """A list serializer's errors by item: `[2].row`, or the list's own under non_field."""
    if isinstance(errors, dict):
        return {NON_FIELD: [str(m) for messages in errors.values() for m in messages]}
    found: dict[str, list[str]] = {}
    for index, item in enumerate(errors):
        for name, messages in (item or {}).items():
            found[f"[{index}].{name}"] = [str(m) for m in messages]
    return found


@extend_schema(tags=TAGS)
class ImportConfirm(PlanView):
    """Imports the plan the preview shows: refused (422) while a problem remains."""

    serializer_class = PlanSerializer

    @extend_schema(
        operation_id="confirm_plan_import",
        request=None,
        responses={201: PlanSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        upload = _pending_import(request, pk)
        try:
            plan = services.confirm_import(upload, actor=request.user)
        except services.PlanImportError as refused:
            notes = [f"Row {n.line}, {n.column}: {n.message}" for n in refused.problems]
            errors = {NON_FIELD: [refused.message, *notes]}
            raise Problem(422, refused.message, errors=errors) from refused
        response = Response(_plan_data(request, plan.pk), status=201)
        response["Location"] = _url("plan", plan.pk)
        return response


urlpatterns = [
    path("plans/", PlanList.as_view(), name="plan-list"),
    path(
        "plans/imports/",
        accepts_files("PLAN_IMPORT_MAX_BYTES")(ImportUpload.as_view()),
        name="plan-imports",
    ),
    path("plans/imports/<int:pk>/", ImportPreview.as_view(), name="plan-import"),
    path(
        "plans/imports/<int:pk>/corrections/",
        ImportCorrections.as_view(),
        name="plan-import-corrections",
    ),
    path("plans/imports/<int:pk>/confirm/", ImportConfirm.as_view(), name="plan-import-confirm"),
    path("plans/actions/<int:pk>/", ActionEdit.as_view(), name="plan-action"),
    path("plans/<int:pk>/", PlanDetail.as_view(), name="plan"),
    path("plans/<int:pk>/actions/", Workplan.as_view(), name="plan-actions"),
    path("plans/<int:pk>/reviews/", Reviews.as_view(), name="plan-reviews"),
]
