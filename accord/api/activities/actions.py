"""API: an action (a cycle's activity, a plan's workplan action or a concern's remedy) with its
progress and evidence, posting progress with the page's own form, and evidence downloads. Who
may see and post is `actions.rules`, as on the action's page (`actions/views.py`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.accounts import rules as account_rules
from accord.actions import evidence, rules, services
from accord.actions.models import Action, ActionStatus, EvidenceFile, ProgressUpdate
from accord.actions.views import ProgressForm, action_for
from accord.core import uploads

from .. import idempotency
from ..forms import bind, form_request
from ..views import accepts_files, act
from .common import Download, files_are_input

# What an evidence download may be: the kinds the evidence rules accept.
EVIDENCE_TYPES = sorted({uploads.KINDS[e].content_type for e in evidence.EXTENSIONS})


class EvidenceFileSerializer(serializers.ModelSerializer):
    """A file given with an update. One deleted under the retention rules keeps its name and
    the date (`removed_on`), and has no download."""

    name = serializers.CharField(source="original_name")
    download = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = ("id", "name", "content_type", "size", "removed_on", "download")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download(self, file: EvidenceFile) -> str | None:
        if file.removed_on is not None:
            return None
        return reverse("api:evidence-file", args=[file.pk])


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name")
    status = serializers.SerializerMethodField()
    files = EvidenceFileSerializer(many=True)

    class Meta:
        model = ProgressUpdate
        fields = ("id", "created_at", "author", "text", "status", "files")

    @extend_schema_field(serializers.ChoiceField(choices=ActionStatus.choices, allow_null=True))
    def get_status(self, update: ProgressUpdate) -> str | None:
        """The action's status set with this update; null when it left it unchanged."""
        return update.status or None


class CycleRefSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField()
    number = serializers.IntegerField()
    principle = serializers.IntegerField()


class PlanRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ActionSerializer(serializers.ModelSerializer):
    """An action as its page shows it to the caller: what it belongs to, owner, due date,
    status and every update, with `may_post` (the caller may post progress) and `may_edit`
    (the caller manages the plan the action is in)."""

    kind = serializers.SerializerMethodField()
    employer = serializers.SerializerMethodField()
    cycle = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField()
    progress = serializers.SerializerMethodField()
    may_post = serializers.SerializerMethodField()
    may_edit = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = (
            "id",
            "kind",
            "number",
            "detail",
            "employer",
            "cycle",
            "plan",
            "concern",
            "owner",
            "due_on",
            "due_wording",
            "status",
            "is_overdue",
            "progress",
            "may_post",
            "may_edit",
        )

    @extend_schema_field(serializers.ChoiceField(choices=["activity", "plan_action", "remedy"]))
    def get_kind(self, action: Action) -> str:
        if action.plan_id is not None:
            return "plan_action"
        return "remedy" if action.concern_id is not None else "activity"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_employer(self, action: Action) -> str | None:
        if action.cycle_id is not None:
            return action.cycle.enrolment.employer.name
        if action.concern_id is not None:
            return action.concern.membership.employer.name
        return None

    @extend_schema_field(CycleRefSerializer(allow_null=True))
    def get_cycle(self, action: Action) -> dict[str, int] | None:
        if action.cycle_id is None:
            return None
        cycle = action.cycle
        return {
            "enrolment": cycle.enrolment_id,
            "number": cycle.number,
            "principle": cycle.principle_version.principle.number,
        }

    @extend_schema_field(PlanRefSerializer(allow_null=True))
    def get_plan(self, action: Action) -> dict[str, Any] | None:
        if action.plan_id is None:
            return None
        return {"id": action.plan_id, "title": action.plan.title}

    @extend_schema_field(serializers.CharField())
    def get_owner(self, action: Action) -> str:
        return action.owner_party.name if action.owner_party_id else action.owner

    @extend_schema_field(ProgressUpdateSerializer(many=True))
    def get_progress(self, action: Action) -> list[dict[str, Any]]:
        updates = action.progress.select_related("author").prefetch_related("files")
        return ProgressUpdateSerializer(updates, many=True).data

    def get_may_post(self, action: Action) -> bool:
        return rules.can_update_action(self.context["user"], action)

    def get_may_edit(self, action: Action) -> bool:
        return action.plan_id is not None and account_rules.can_manage_plan(
            self.context["user"], action.plan
        )


def _action(request: Request, pk: int) -> Action:
    """The action, if the caller may see it, as its page finds it."""
    return action_for(request.user, pk)


class ActionDetail(APIView):
    @extend_schema(operation_id="actions_retrieve", responses=ActionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        action = _action(request, pk)
        return Response(ActionSerializer(action, context={"user": request.user}).data)


class ActionProgress(APIView):
    """Post progress on an action, as its page does: text, perhaps a new status, perhaps one
    evidence file (multipart). A file refused by the evidence rules is a 400 on `file`."""

    @extend_schema(
        operation_id="actions_progress_create",
        request=form_request(ProgressForm),
        responses={201: ProgressUpdateSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, pk: int) -> Response:
        action = _action(request, pk)
        if not rules.can_update_action(request.user, action):
            raise PermissionDenied("You may not post progress on this action.")

        def post(data: dict[str, Any]) -> ProgressUpdate:
            with files_are_input():
                return services.post_progress(action, actor=request.user, **data)

        return act(
            bind(ProgressForm, request),
            post,
            serialize=lambda update: ProgressUpdateSerializer(update).data,
            status=201,
        )


class EvidenceDownload(Download):
    """An evidence file, as an attachment under the name it was uploaded with, for whoever may
    see its action; "not found" to anyone else, as a guessed address must reveal nothing."""

    @extend_schema(
        operation_id="evidence_retrieve",
        responses={(200, kind): OpenApiTypes.BINARY for kind in EVIDENCE_TYPES},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        file = get_object_or_404(
            EvidenceFile.objects.select_related(
                "update__action__cycle__enrolment__employer",
                "update__action__cycle__enrolment__scheme",
                "update__action__plan",
                "update__action__concern__membership__scheme",
            ),
            pk=pk,
        )
        if not rules.can_view_action(request.user, file.update.action):
            raise Http404("No such file.")
        return uploads.serve_evidence(file)


urlpatterns = [
    path("actions/<int:pk>/", ActionDetail.as_view(), name="action"),
    path(
        "actions/<int:pk>/progress/",
        accepts_files("EVIDENCE_MAX_BYTES")(ActionProgress.as_view()),
        name="action-progress",
    ),
    path("evidence/<int:pk>/", EvidenceDownload.as_view(), name="evidence-file"),
]

# Operations that take an evidence file: a larger body is refused with a 413 problem.
UPLOADS = ["actions_progress_create"]
