"""API: schemes, their principles and every version of each principle's wording, and their
materials. National officers and auditors read them (`accounts.rules.can_read_schemes`); the
lead union's national officers change them (`can_manage_scheme`), with the pages' own forms and
services; a superuser creates them and chooses their unions (`can_create_scheme`,
`can_choose_scheme_unions`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.accounts import rules as account_rules
from accord.core.uploads import accepts_files
from accord.organisations.models import Union
from accord.schemes import services
from accord.schemes.forms import MaterialForm, PrincipleEditForm, PrincipleForm, SchemeForm
from accord.schemes.models import Material, Principle, PrincipleVersion, Scheme

from . import idempotency
from .forms import bind, form_request
from .views import act


class UnionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Union
        fields = ("id", "slug", "name")


class PrincipleVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrincipleVersion
        fields = ("version", "wording", "footnote", "reason", "introduced_at")


class PrincipleSerializer(serializers.ModelSerializer):
    """A principle with its wording in force (its `versions` prefetched, newest first)."""

    current = serializers.SerializerMethodField()

    class Meta:
        model = Principle
        fields = ("number", "short_title", "current")

    @extend_schema_field(PrincipleVersionSerializer)
    def get_current(self, principle: Principle) -> dict[str, Any]:
        return PrincipleVersionSerializer(principle.versions.all()[0]).data


class SchemeSerializer(serializers.ModelSerializer):
    lead_union = UnionSerializer()
    partner_unions = UnionSerializer(many=True)
    principles = PrincipleSerializer(many=True)

    class Meta:
        model = Scheme
        fields = (
            "slug",
            "name",
            "summary",
            "lead_union",
            "partner_unions",
            "principles_preamble",
            "principles",
            "default_cycle_months",
            "lapse_grace_months",
            "contact_email",
        )


def _schemes(request: Request) -> QuerySet[Scheme]:
    if not account_rules.can_read_schemes(request.user):
        raise PermissionDenied("Schemes are run by national officers.")
    newest_first = PrincipleVersion.objects.order_by("-version")
    principles = Principle.objects.order_by("number").prefetch_related(
        Prefetch("versions", queryset=newest_first)
    )
    return (
        Scheme.objects.with_unions()
        .prefetch_related(Prefetch("principles", queryset=principles))
        .order_by("name", "id")
    )


def _principle(request: Request, slug: str, number: int) -> Principle:
    scheme = get_object_or_404(_schemes(request), slug=slug)
    return get_object_or_404(scheme.principles.all(), number=number)


def _managed(request: Request, slug: str) -> Scheme:
    """A scheme the caller runs, as the pages decide: 403 for whoever may not read schemes,
    404 for a scheme that is not there, 403 for a reader who does not run it."""
    scheme = get_object_or_404(_schemes(request), slug=slug)
    if not account_rules.can_manage_scheme(request.user, scheme):
        raise PermissionDenied("Only national officers of the scheme's lead union change it.")
    return scheme


def _scheme_data(request: Request, scheme: Scheme) -> dict[str, Any]:
    return SchemeSerializer(_schemes(request).get(pk=scheme.pk)).data


def _scheme_url(scheme: Scheme) -> str:
    return reverse("api:scheme-detail", args=[scheme.slug])


class SchemeList(generics.ListAPIView):
    """The schemes, with their unions and the wording in force of each principle."""

    serializer_class = SchemeSerializer

    def get_queryset(self) -> QuerySet[Scheme]:
        return _schemes(self.request)

    @extend_schema(
        operation_id="schemes_create",
        request=form_request(SchemeForm),
        responses={201: SchemeSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request) -> Response:
        """A new scheme (a superuser's): its principles and materials are added afterwards."""
        if not account_rules.can_create_scheme(request.user):
            raise PermissionDenied("A superuser creates schemes.")
        return act(
            bind(SchemeForm, request),
            lambda data: services.create_scheme(actor=request.user, data=data),
            serialize=lambda scheme: _scheme_data(request, scheme),
            status=201,
            location=_scheme_url,
        )


class SchemeDetail(generics.RetrieveAPIView):
    serializer_class = SchemeSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Scheme]:
        return _schemes(self.request)

    @extend_schema(
        operation_id="schemes_update",
        request=form_request(SchemeForm),
        responses=SchemeSerializer,
    )
    def put(self, request: Request, slug: str) -> Response:
        """Edit the scheme's details. Its unions are a superuser's to choose: for anyone else
        `lead_union` and `partner_unions` stay as they are, whatever is sent."""
        scheme = _managed(request, slug)
        form = bind(
            SchemeForm,
            request,
            instance=scheme,
            unions_fixed=not account_rules.can_choose_scheme_unions(request.user),
        )
        return act(
            form,
            lambda data: services.edit_scheme(scheme, actor=request.user, data=data),
            serialize=lambda saved: _scheme_data(request, saved),
        )


class PrincipleList(APIView):
    @extend_schema(
        operation_id="schemes_principles_create",
        request=form_request(PrincipleForm),
        responses={201: PrincipleSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, slug: str) -> Response:
        """A new principle, numbered after the last, with its first version."""
        scheme = _managed(request, slug)
        return act(
            bind(PrincipleForm, request),
            lambda data: services.add_principle(scheme, actor=request.user, **data),
            serialize=lambda added: (
                PrincipleSerializer(_principle(request, slug, added.number)).data
            ),
            status=201,
            location=lambda added: reverse("api:scheme-principle", args=[slug, added.number]),
        )


class PrincipleVersions(APIView):
    """Every version of a principle's wording, oldest first; `PUT` retitles or rewords it, as
    the principle's page does (a rewording is a new version)."""

    @extend_schema(responses=PrincipleVersionSerializer(many=True))
    def get(self, request: Request, slug: str, number: int) -> Response:
        principle = _principle(request, slug, number)
        versions = principle.versions.order_by("version")
        return Response(PrincipleVersionSerializer(versions, many=True).data)

    @extend_schema(request=form_request(PrincipleEditForm), responses=PrincipleSerializer)
    def put(self, request: Request, slug: str, number: int) -> Response:
        principle = _principle(request, slug, number)
        if not account_rules.can_manage_scheme(request.user, principle.scheme):
            raise PermissionDenied("Only national officers of the scheme's lead union change it.")
        form = bind(PrincipleEditForm, request)

        def saved(result: Principle) -> dict[str, Any]:
            return PrincipleSerializer(_principle(request, slug, result.number)).data

        return act(
            form,
            lambda data: services.edit_principle(principle, actor=request.user, **data),
            serialize=saved,
        )


# --- materials ------------------------------------------------------------------------------


class SchemeMaterialSerializer(serializers.ModelSerializer):
    """A material: a link, or a file opened at `download` (the page that checks who asks)."""

    download = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = (
            "id",
            "title",
            "url",
            "file_name",
            "content_type",
            "size",
            "position",
            "public",
            "download",
        )

    @extend_schema_field(serializers.CharField())
    def get_download(self, material: Material) -> str:
        return reverse("scheme-material", args=[material.scheme.slug, material.pk])


def _materials(scheme: Scheme) -> QuerySet[Material]:
    return scheme.materials.current().select_related("scheme").order_by("position", "title", "id")


def _material(request: Request, slug: str, pk: int) -> Material:
    return get_object_or_404(_materials(_managed(request, slug)), pk=pk)


class MaterialList(APIView):
    """The scheme's materials, in the order they are offered (position, then title)."""

    @extend_schema(
        operation_id="schemes_materials_list", responses=SchemeMaterialSerializer(many=True)
    )
    def get(self, request: Request, slug: str) -> Response:
        scheme = get_object_or_404(_schemes(request), slug=slug)
        return Response(SchemeMaterialSerializer(_materials(scheme), many=True).data)

    @extend_schema(
        operation_id="schemes_materials_create",
        request=form_request(MaterialForm),
        responses={201: SchemeMaterialSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, slug: str) -> Response:
        """Add a material: a `url`, or a `file` (multipart)."""
        scheme = _managed(request, slug)
        return act(
            bind(MaterialForm, request),
            lambda data: services.add_material(scheme, actor=request.user, **data),
            serialize=lambda added: SchemeMaterialSerializer(added).data,
            status=201,
            location=lambda added: reverse("api:scheme-material", args=[slug, added.pk]),
        )


class MaterialDetail(APIView):
    @extend_schema(operation_id="schemes_materials_retrieve", responses=SchemeMaterialSerializer)
    def get(self, request: Request, slug: str, pk: int) -> Response:
        scheme = get_object_or_404(_schemes(request), slug=slug)
        return Response(SchemeMaterialSerializer(get_object_or_404(_materials(scheme), pk=pk)).data)

    @extend_schema(
        operation_id="schemes_materials_update",
        request=form_request(MaterialForm),
        responses=SchemeMaterialSerializer,
    )
    def put(self, request: Request, slug: str, pk: int) -> Response:
        """Change a material; a new file replaces the old one, and a link replaces a file."""
        material = _material(request, slug, pk)
        return act(
            bind(MaterialForm, request),
            lambda data: services.edit_material(material, actor=request.user, **data),
            serialize=lambda saved: SchemeMaterialSerializer(saved).data,
        )

    @extend_schema(
        operation_id="schemes_materials_destroy",
        request=None,
        responses={204: OpenApiResponse(description="Removed: no longer offered.")},
    )
    def delete(self, request: Request, slug: str, pk: int) -> Response:
        """Remove a material: it is no longer offered, and kept so that an enrolment still
        names what it was sent."""
        material = _material(request, slug, pk)
        services.remove_material(material, actor=request.user)
        return Response(status=204)


def _takes_materials(view: Any) -> Any:
    return accepts_files("SCHEME_MATERIAL_MAX_BYTES")(view)


urlpatterns = [
    path("schemes/", SchemeList.as_view(), name="scheme-list"),
    path("schemes/<slug:slug>/", SchemeDetail.as_view(), name="scheme-detail"),
    path("schemes/<slug:slug>/principles/", PrincipleList.as_view(), name="scheme-principles"),
    path(
        "schemes/<slug:slug>/principles/<int:number>/",
        PrincipleVersions.as_view(),
        name="scheme-principle",
    ),
    path(
        "schemes/<slug:slug>/materials/",
        _takes_materials(MaterialList.as_view()),
        name="scheme-materials",
    ),
    path(
        "schemes/<slug:slug>/materials/<int:pk>/",
        _takes_materials(MaterialDetail.as_view()),
        name="scheme-material",
    ),
]
