"""API: concerns about a member. Confidential, as on the pages (`membership/concern_views.py`):
whoever may not see a concern gets "not found"; the national officers see it whole, the person
who raised it its state, what they wrote and the decision (never the response, the reasons or
the deadline), and the employer's contact, once it is put to the employer, what it is about,
its response, the decision and reasons and the remedies, never who raised it.

Raising one is open to anyone, signed in or not, through the public form's rules (a name and
an address to confirm by e-mail, the daily limits); its steps are the pages' `CONCERN_STEPS`,
each with its own form, so that a step declared there is an address here and in the schema."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.core import uploads
from accord.membership import concerns, rules, selectors
from accord.membership.concern_forms import ConcernRaiseForm
from accord.membership.concern_views import CONCERN_STEPS, _client_ip, concern_for
from accord.membership.models import (
    Concern,
    ConcernEvidence,
    Membership,
)
from accord.schemes.models import PrincipleVersion

from .. import idempotency
from ..forms import bound_data, form_schema
from ..permissions import TokenRights
from ..problems import Problem
from ..schema import Schema, problem_response
from ..views import accepts_files, act
from .actions import EVIDENCE_TYPES
from .common import Download, files_are_input
from .concern_shown import ConcernRowSerializer, ConcernSerializer, shown


def _concern(request: Request, pk: int) -> Concern:
    """The concern, if the caller may see it, as its pages find it, with its principles."""
    principles = PrincipleVersion.objects.select_related("principle")
    return concern_for(request.user, pk, Prefetch("principles", queryset=principles))


# --- the list and a concern ------------------------------------------------------------------


class ConcernList(generics.ListAPIView):
    """The concerns the caller may know of, newest raised first: as a national officer, the
    confirmed concerns about the members of the schemes their union leads; as an employer's
    contact, those put to the employer; and those the caller raised."""

    serializer_class = ConcernRowSerializer

    def get_queryset(self) -> QuerySet[Concern]:
        return selectors.concerns_for(self.request.user).order_by("-raised_at", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [
            {
                "id": c.pk,
                "url": reverse("api:concern", args=[c.pk]),
                "member": c.membership.employer.name,
                "scheme": c.membership.scheme.name,
                "state": c.state,
                "state_label": c.get_state_display(),
                "raised_at": c.raised_at,
                "response_due_on": None if rules.is_raiser(request.user, c) else c.response_due_on,
            }
            for c in page
        ]
        return self.get_paginated_response(ConcernRowSerializer(rows, many=True).data)

    @extend_schema(operation_id="concerns_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ConcernDetail(APIView):
    @extend_schema(operation_id="concerns_retrieve", responses=ConcernSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(shown(request, _concern(request, pk)))


class ConcernEvidenceDownload(Download):
    """A file given with a concern: the officers read every one, the employer's contact (once
    told) those given with its response; "not found" to anyone else."""

    @extend_schema(
        operation_id="concerns_evidence_retrieve",
        responses={(200, kind): OpenApiTypes.BINARY for kind in EVIDENCE_TYPES},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        file = get_object_or_404(
            ConcernEvidence.objects.select_related(
                "concern__membership__scheme", "concern__membership__enrolment__employer"
            ),
            pk=pk,
        )
        if not rules.can_open_concern_evidence(request.user, file):
            raise Http404("No such file.")
        return uploads.serve_evidence(file)


# --- raising a concern ----------------------------------------------------------------------

PUBLIC_FIELDS = ("raiser_name", "raiser_email")


def _raise_request() -> dict[str, Schema]:
    """The raise form in the schema: the raiser's name and address are asked of anonymous
    callers only; the form's trap for robots is not part of the API."""
    schema = form_schema(ConcernRaiseForm, skip=("website",))
    schema["required"] = [n for n in schema.get("required", []) if n not in PUBLIC_FIELDS]
    for name in PUBLIC_FIELDS:
        described = schema["properties"][name]
        told = described.get("description", "").rstrip(".")
        described["description"] = f"{told}. Required without a token (the public)."
    return {"multipart/form-data": schema}


class Accepted(serializers.Serializer):
    detail = serializers.CharField()


SENT = (
    "Check your e-mail: the concern goes to the national officers once you follow the link "
    "sent to the address you gave."
)


class ConcernRaise(APIView):
    """Raise a concern about a member on the register, as its verification page lets anyone
    do. With a token, it goes to the officers at once (201, the concern as you may see it);
    without one, as the public, it waits until the link e-mailed to `raiser_email` is followed
    (202), within the public form's daily limits per address and per client."""

    permission_classes = [TokenRights]

    @extend_schema(
        operation_id="register_concerns_create",
        request=_raise_request(),
        auth=[{"bearerToken": []}, {"session": []}, {}],
        responses={201: ConcernSerializer, 202: Accepted},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, reference: str) -> Response:
        membership = get_object_or_404(
            Membership.objects.on_register().select_related("employer", "scheme", "enrolment"),
            reference=reference.upper(),
        )
        public = not request.user.is_authenticated
        data, files = bound_data(request)
        form = ConcernRaiseForm(data, files, membership=membership, public=public)
        if public and form.is_valid() and form.is_robot:
            # As on the page: whoever fills the trap is answered as sent; nothing is kept.
            return Response({"detail": SENT}, status=202)

        def raised(data: dict[str, Any]) -> Concern:
            with files_are_input():
                return concerns.raise_concern(
                    membership,
                    actor=None if public else request.user,
                    data=data,
                    client_ip=_client_ip(request._request),
                )

        if public:
            return act(form, raised, serialize=lambda concern: {"detail": SENT}, status=202)
        return act(
            form,
            raised,
            serialize=lambda concern: shown(request, _concern(request, concern.pk)),
            status=201,
            location=lambda concern: reverse("api:concern", args=[concern.pk]),
        )


# --- a concern's steps ------------------------------------------------------------------------

STEP_PATH = "/api/v1/concerns/{id}/steps/{step}/"


class ConcernStep(APIView):
    """Take a step on a concern, with the step's own form (its fields, in the schema, under
    the step's own address); the answer is the concern as the caller now sees it."""

    @extend_schema(
        operation_id="concerns_steps_create",
        parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=list(CONCERN_STEPS))],
        request={"application/json": {"type": "object"}},
        responses=ConcernSerializer,
    )
    def post(self, request: Request, pk: int, step: str) -> Response:
        if step not in CONCERN_STEPS:
            raise Http404("No such step.")
        concern = _concern(request, pk)
        taken = CONCERN_STEPS[step]
        if not taken.allowed(request.user, concern):
            raise PermissionDenied("You may not take this step on the concern.")
        if concern.state not in concerns.STEPS[taken.name].sources:
            raise Problem(422, f"The concern is now “{concern.get_state_display().lower()}”.")
        data, files = bound_data(request)
        form = taken.form(data, files if taken.files else None, concern)

        def run(data: dict[str, Any]) -> Concern:
            with files_are_input():
                return taken.run(request, concern, data)  # type: ignore[arg-type]

        return act(form, run, serialize=lambda result: shown(request, _concern(request, result.pk)))


def step_paths(result: Schema) -> None:
    """A schema hook: the generic step address becomes one address per step declared in
    `CONCERN_STEPS`, each asking for that step's own form."""
    paths = result.get("paths", {})
    generic = paths.pop(STEP_PATH, None)
    if generic is None:
        return
    for slug, step in CONCERN_STEPS.items():
        operation = copy.deepcopy(generic["post"])
        operation["operationId"] = "concerns_steps_" + slug.replace("-", "_") + "_create"
        operation["summary"] = step.title
        operation["parameters"] = [
            p for p in operation.get("parameters", []) if p.get("name") != "step"
        ]
        body = {"schema": form_schema(step.form(None, None, Concern()))}
        media = ["multipart/form-data"]
        if not step.files:
            media.insert(0, "application/json")
        operation["requestBody"] = {"content": {m: body for m in media}, "required": True}
        if step.files:
            operation["responses"]["413"] = problem_response(
                "The body is larger than the file limit allows."
            )
        paths[STEP_PATH.replace("{step}", slug)] = {"post": operation}


urlpatterns = [
    path("concerns/", ConcernList.as_view(), name="concerns"),
    path("concerns/<int:pk>/", ConcernDetail.as_view(), name="concern"),
    path(
        "concerns/<int:pk>/steps/<slug:step>/",
        accepts_files("EVIDENCE_MAX_BYTES")(ConcernStep.as_view()),
        name="concern-step",
    ),
    path("concerns/evidence/<int:pk>/", ConcernEvidenceDownload.as_view(), name="concern-evidence"),
    path(
        "register/<slug:reference>/concerns/",
        accepts_files("EVIDENCE_MAX_BYTES")(ConcernRaise.as_view()),
        name="register-concern-raise",
    ),
]

UPLOADS = ["register_concerns_create"]
