"""API: schemes, their principles and every version of each principle's wording. National
officers and auditors read them (`accounts.rules.can_read_schemes`); the lead union's national
officers change them (`can_manage_scheme`), with the pages' own forms and services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accord.accounts import rules as account_rules
from accord.organisations.models import Union
from accord.schemes import services
from accord.schemes.forms import PrincipleEditForm
from accord.schemes.models import Principle, PrincipleVersion, Scheme

from .forms import bind, form_request
from .views import act


class UnionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Union
        fields = ("slug", "name")


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


class SchemeList(generics.ListAPIView):
    """The schemes, with their unions and the wording in force of each principle."""

    serializer_class = SchemeSerializer

    def get_queryset(self) -> QuerySet[Scheme]:
        return _schemes(self.request)


class SchemeDetail(generics.RetrieveAPIView):
    serializer_class = SchemeSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Scheme]:
        return _schemes(self.request)


class PrincipleVersions(generics.GenericAPIView):
    """Every version of a principle's wording, oldest first; `PUT` retitles or rewords it, as
    the principle's page does (a rewording is a new version)."""

    serializer_class = PrincipleVersionSerializer
    pagination_class = None

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


urlpatterns = [
    path("schemes/", SchemeList.as_view(), name="scheme-list"),
    path("schemes/<slug:slug>/", SchemeDetail.as_view(), name="scheme-detail"),
    path(
        "schemes/<slug:slug>/principles/<int:number>/",
        PrincipleVersions.as_view(),
        name="scheme-principle",
    ),
]
