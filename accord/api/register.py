"""API: the public register and verification, for anyone, signed in or not (open-data users,
employers' own sites checking their listing).

They read what the public pages read (`register.selectors`: the register's own rows, which
carry nothing personal and nothing of the unions' deliberations) and show what those pages
show. Each answer carries an ETag made of the register's version (`register.caching`: a new
version in the same transaction as any change) and the request's query: a client that sends
it back with If-None-Match gets a 304 after one read of the version row, without the list
being read. An answer is kept in the register's cache under its version, so the same request
after no change reads the version row alone. Filters the page would ignore when wrong are
refused here with a 400 naming the parameter, so that a client learns of its mistake."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import Http404
from django.urls import path
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.core.params import MAX_ID, text_param
from accord.organisations.models import EmployerKind
from accord.register import caching, selectors
from accord.register.models import RegisterEntry

from .pagination import Pages
from .problems import Problem

PREFIX = "/api/v1/register/"


class AreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RegisterSchemeSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class RegisterEntrySerializer(serializers.ModelSerializer):
    """One member on the register: what the register and verification pages show."""

    employer_kind_label = serializers.CharField(source="get_employer_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    is_member = serializers.BooleanField(
        help_text="Whether the employer is a member today (not suspended or lapsed)."
    )
    local_authority = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    scheme = serializers.SerializerMethodField()
    principles_met = serializers.ListField(child=serializers.IntegerField())
    url = serializers.SerializerMethodField()

    class Meta:
        model = RegisterEntry
        fields = (
            "reference",
            "employer_name",
            "employer_kind",
            "employer_kind_label",
            "urn",
            "local_authority",
            "region",
            "scheme",
            "status",
            "status_label",
            "is_member",
            "member_since",
            "status_since",
            "principles_met",
            "url",
        )

    @extend_schema_field(AreaSerializer(allow_null=True))
    def get_local_authority(self, entry: RegisterEntry) -> dict[str, Any] | None:
        if entry.local_authority_id is None:
            return None
        return {"id": entry.local_authority_id, "name": entry.local_authority_name}

    @extend_schema_field(AreaSerializer(allow_null=True))
    def get_region(self, entry: RegisterEntry) -> dict[str, Any] | None:
        if entry.region_id is None:
            return None
        return {"id": entry.region_id, "name": entry.region_name}

    @extend_schema_field(RegisterSchemeSerializer)
    def get_scheme(self, entry: RegisterEntry) -> dict[str, Any]:
        return {"slug": entry.scheme_slug, "name": entry.scheme_name}

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, entry: RegisterEntry) -> str:
        """The API address of the member's verification."""
        return f"{PREFIX}{entry.reference}/"


class RegisterPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = RegisterEntrySerializer(many=True)


def _id(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise Problem(400, f"“{name}” must be an id.", errors={name: ["Enter an id."]})
    return int(value)


def _filters(request: Request) -> dict[str, Any]:
    """The register page's filters, from the query; a wrong value is a 400 naming it."""
    kind = request.query_params.get("kind") or ""
    if kind and kind not in EmployerKind.values:
        raise Problem(
            400,
            "“kind” is not a kind of employer.",
            errors={"kind": [f"Choose one of: {', '.join(EmployerKind.values)}."]},
        )
    return {
        "query": text_param(request.query_params.get("q")),
        "kind": kind,
        "local_authority": _id(request, "local_authority"),
        "region": _id(request, "region"),
    }


def _etag(version: caching.Version, request: Request) -> str:
    """The register's version and the request's own query (and path): any change to either
    is a new tag."""
    query = sorted(request.query_params.lists())
    digest = hashlib.sha256(repr((request.path, query)).encode()).hexdigest()[:16]
    return quote_etag(f"{version.stamp}-{digest}")


def _conditional(request: Request, make: Any) -> Response:
    """The answer `make(version)` gives, or a 304 when the client holds the current one.
    Answers are kept in the register's cache under the version and the query."""
    version = caching.current()
    etag = _etag(version, request)
    unchanged = request.headers.get("If-None-Match", "").strip() != "*" and (
        get_conditional_response(request._request, etag=etag)
    )
    if unchanged:
        response = Response(status=304)
    else:
        key = (request.path, sorted(request.query_params.lists()))
        data = caching.cached(version, "api", lambda: make(version), key)
        response = Response(data)
    response["ETag"] = etag
    response["Cache-Control"] = caching.SHARED
    patch_vary_headers(response, ["Authorization"])
    return response


ETAG_HEADER = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of an earlier answer: a 304, with no body, if nothing changed since.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag sent is still current.")


class Public(APIView):
    """Open to anyone: no token needed, though one may be sent (its rate then applies)."""

    permission_classes = [AllowAny]


class RegisterList(Public):
    @extend_schema(
        operation_id="register_list",
        summary="The public register",
        description="The listed members (members, suspended and lapsed members), by name, with "
        "the register page's search and filters. Anonymous; answers 304 to If-None-Match "
        "with the ETag of an unchanged register.",
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Words of the employer's name, or its URN."
            ),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=EmployerKind.values),
            OpenApiParameter(
                "local_authority", OpenApiTypes.INT, description="A local authority's id."
            ),
            OpenApiParameter("region", OpenApiTypes.INT, description="A region's id."),
            OpenApiParameter("page", OpenApiTypes.INT, description="The page, from 1."),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description="Members a page (at most 200)."
            ),
            ETAG_HEADER,
        ],
        responses={200: RegisterPageSerializer, 304: NOT_MODIFIED},
    )
    def get(self, request: Request) -> Response:
        filters = _filters(request)

        def make(version: caching.Version) -> dict[str, Any]:
            entries = selectors.register_entries(**filters).defer("search_text")
            pages = Pages()
            found = pages.paginate_queryset(entries, request, view=self)
            return pages.get_paginated_response(RegisterEntrySerializer(found, many=True).data).data

        return _conditional(request, make)


class Verification(Public):
    @extend_schema(
        operation_id="register_verify",
        summary="Verify a membership",
        description="The membership with this reference, as its verification page shows it: "
        "a withdrawn member too, so that whoever checks learns it is no longer a member; 404 "
        "for an unknown reference. Anonymous; answers 304 to If-None-Match with the ETag of "
        "an unchanged register.",
        parameters=[ETAG_HEADER],
        responses={200: RegisterEntrySerializer, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, reference: str) -> Response:
        def make(version: caching.Version) -> dict[str, Any]:
            entry = selectors.verification_entry(reference)
            if entry is None:
                raise Http404("No membership has this reference.")
            return RegisterEntrySerializer(entry).data

        return _conditional(request, make)


urlpatterns = [
    path("register/", RegisterList.as_view(), name="register-list"),
    path("register/<slug:reference>/", Verification.as_view(), name="register-verify"),
]
