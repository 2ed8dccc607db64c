"""API: employers. The directory with the page's search and filters, for union staff
(`accounts.rules.can_browse_employers`); an employer's page as its reader sees it
(`can_view_employer`: staff, and the employer's own contacts); and the national officers'
changes (`can_manage_places`): details, association and merging a duplicate, with the pages'
own forms and services. The GIAS import stays a page: a large file with its own preview."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.accounts import rules
from accord.core.params import choice_param, id_param, text_param
from accord.enrolments import rules as enrolment_rules
from accord.enrolments import selectors as enrolment_selectors
from accord.enrolments.process import OPEN_STATES
from accord.membership.employer_views import CHILDREN_SHOWN
from accord.organisations import selectors, services
from accord.organisations.forms import (
    EmployerAssociationForm,
    EmployerDetailsForm,
    EmployerMergeForm,
)
from accord.organisations.models import Employer, EmployerKind
from accord.schemes.models import Scheme

from .forms import bind, form_request
from .problems import Problem
from .views import act

# --- what is shown ----------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LocalAuthorityRefSerializer(OrganisationRefSerializer):
    code = serializers.CharField()


class DirectoryEnrolmentSerializer(serializers.Serializer):
    """The open enrolment the directory shows beside an employer (union staff only)."""

    id = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")


KIND_HELP = "One of: " + ", ".join(EmployerKind.values) + "."


class EmployerRowSerializer(serializers.ModelSerializer):
    """An employer as the directory lists it, with the open enrolment the reader may see."""

    kind = serializers.CharField(help_text=KIND_HELP)

    local_authority = LocalAuthorityRefSerializer(allow_null=True)
    association = OrganisationRefSerializer(allow_null=True)
    enrolment = serializers.SerializerMethodField()

    class Meta:
        model = Employer
        fields = (
            "id",
            "name",
            "kind",
            "urn",
            "postcode",
            "town",
            "is_open",
            "local_authority",
            "association",
            "enrolment",
        )

    @extend_schema_field(DirectoryEnrolmentSerializer(allow_null=True))
    def get_enrolment(self, employer: Employer) -> dict[str, Any] | None:
        found = self.context["enrolments"].get(employer.pk)
        return DirectoryEnrolmentSerializer(found).data if found is not None else None


class EmployerIdentifierSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class EmployerEnrolmentSerializer(serializers.Serializer):
    """An enrolment on the employer's page, its state as the reader may know it."""

    id = serializers.IntegerField()
    scheme = serializers.CharField(help_text="The scheme's slug.")
    scheme_name = serializers.CharField()
    state_label = serializers.CharField()
    state_since = serializers.DateField()


class EmployerPageSerializer(serializers.Serializer):
    """What the employer's page shows its reader."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_label = serializers.CharField()
    is_employer_in_own_right = serializers.BooleanField()
    identifiers = EmployerIdentifierSerializer(many=True)
    urn = serializers.CharField()
    companies_house_number = serializers.CharField()
    la_code = serializers.CharField()
    ukprn = serializers.CharField()
    gias_group_uid = serializers.CharField()
    establishment_type = serializers.CharField()
    parent = OrganisationRefSerializer(allow_null=True)
    street = serializers.CharField()
    town = serializers.CharField()
    postcode = serializers.CharField()
    local_authority = LocalAuthorityRefSerializer(allow_null=True)
    association = OrganisationRefSerializer(allow_null=True)
    association_overridden = serializers.BooleanField()
    region = OrganisationRefSerializer(allow_null=True)
    is_open = serializers.BooleanField()
    status = serializers.CharField()
    enrolments = EmployerEnrolmentSerializer(many=True)
    children = OrganisationRefSerializer(
        many=True, help_text=f"The first {CHILDREN_SHOWN}, by name."
    )
    children_count = serializers.IntegerField()
    may_propose = serializers.BooleanField()
    may_manage = serializers.BooleanField()


def _named(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _authority(employer: Employer) -> dict[str, Any] | None:
    la = employer.local_authority
    return {"id": la.pk, "name": la.name, "code": la.code} if la is not None else None


def employer_page(request: Request, employer: Employer) -> dict[str, Any]:
    """The employer's page for `request.user`, read as the page reads it (its progress
    pictures are the memberships' progress, read there)."""
    user = request.user
    schemes = list(Scheme.objects.with_unions())
    found = enrolment_selectors.with_schemes(
        enrolment_selectors.visible_enrolment_rows(user).filter(employer=employer).order_by("id"),
        schemes,
    )
    children = list(employer.children.order_by("name", "id")[: CHILDREN_SHOWN + 1])
    children_count = employer.children.count() if len(children) > CHILDREN_SHOWN else len(children)
    status = employer.status_name or ("Open" if employer.is_open else "Closed")
    data = {
        "id": employer.pk,
        "name": employer.name,
        "kind": employer.kind,
        "kind_label": employer.get_kind_display(),
        "is_employer_in_own_right": employer.is_employer_in_own_right,
        "identifiers": [{"label": label, "value": v} for label, v in employer.identifiers],
        "parent": _named(employer.parent),
        "local_authority": _authority(employer),
        "association": _named(employer.association),
        "association_overridden": employer.association_overridden,
        "region": _named(employer.region),
        "is_open": employer.is_open,
        "status": status,
        "enrolments": [
            {
                "id": e.pk,
                "scheme": e.scheme.slug,
                "scheme_name": e.scheme.name,
                "state_label": enrolment_rules.state_label(user, e),
                "state_since": e.state_since,
            }
            for e in found
        ],
        "children": [_named(child) for child in children[:CHILDREN_SHOWN]],
        "children_count": children_count,
        "may_propose": any(enrolment_rules.can_propose(user, employer, s) for s in schemes),
        "may_manage": rules.can_manage_places(user),
    }
    for name in (
        "urn",
        "companies_house_number",
        "la_code",
        "ukprn",
        "gias_group_uid",
        "establishment_type",
        "street",
        "town",
        "postcode",
    ):
        data[name] = getattr(employer, name)
    return EmployerPageSerializer(data).data


# --- the directory ----------------------------------------------------------------------------

DIRECTORY_PARAMETERS = [
    OpenApiParameter(
        "q", str, description="Part of the name, a postcode, or a URN, UKPRN or company number."
    ),
    OpenApiParameter("kind", str, enum=EmployerKind.values, description="The kind of employer."),
    OpenApiParameter("la", int, description="The local authority's id."),
    OpenApiParameter("association", int, description="The association's id."),
    OpenApiParameter(
        "closed", str, enum=["0", "1"], description="1: closed employers are listed too."
    ),
]


def _browse(request: Request) -> None:
    if not rules.can_browse_employers(request.user):
        raise PermissionDenied("The employer directory is for union staff.")


class EmployerList(generics.ListAPIView):
    """The employer directory, by name, with its search and filters; a value nobody could
    have chosen is ignored, as the page ignores it."""

    serializer_class = EmployerRowSerializer

    def get_queryset(self) -> QuerySet[Employer]:
        _browse(self.request)
        params = self.request.query_params
        return selectors.search_employers(
            query=text_param(params.get("q")),
            kind=choice_param(params.get("kind"), EmployerKind.values),
            local_authority=id_param(params.get("la")),
            association=id_param(params.get("association")),
            include_closed=params.get("closed") == "1",
        )

    @extend_schema(operation_id="employers_list", parameters=DIRECTORY_PARAMETERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # the API always pages its lists
        visible = {
            e.employer_id: e
            for e in enrolment_selectors.visible_enrolment_rows(request.user)
            .filter(employer_id__in=[employer.pk for employer in page])
            .open()
            .only("id", "employer_id", "state")
            .order_by("id")
        }
        serializer = EmployerRowSerializer(page, many=True, context={"enrolments": visible})
        return self.get_paginated_response(serializer.data)


class UnassignedEmployerSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    local_authority = LocalAuthorityRefSerializer(allow_null=True)
    association = OrganisationRefSerializer(
        allow_null=True, help_text="A retired association, or none at all."
    )
    open_cases = serializers.IntegerField()

    class Meta:
        model = Employer
        fields = ("id", "name", "kind", "urn", "local_authority", "association", "open_cases")


class UnassignedEmployers(generics.ListAPIView):
    """Employers no current association covers, so nobody in an area can act on their cases;
    those with the most open cases first."""

    serializer_class = UnassignedEmployerSerializer

    def get_queryset(self) -> QuerySet[Employer]:
        if not rules.can_view_places(self.request.user):
            raise PermissionDenied("This list is for national officers and auditors.")
        employers = (
            selectors.employers()
            .current()
            .filter(Q(association__isnull=True) | Q(association__retired_at__isnull=False))
            .annotate(
                open_cases=Count("enrolments", filter=Q(enrolments__state__in=sorted(OPEN_STATES)))
            )
            .order_by("-open_cases", "name", "pk")
        )
        if self.request.query_params.get("cases") == "1":
            employers = employers.filter(open_cases__gt=0)
        return employers

    @extend_schema(
        operation_id="employers_unassigned",
        parameters=[
            OpenApiParameter(
                "cases", str, enum=["0", "1"], description="1: only those with open cases."
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- one employer -----------------------------------------------------------------------------


def _managed(request: Request, pk: int) -> Employer:
    """The employer an officer changes. A merged duplicate is refused by the service, which
    names the record to change instead."""
    if not rules.can_manage_places(request.user):
        raise PermissionDenied("Employers' details are managed by national officers.")
    return get_object_or_404(selectors.employers().select_related("merged_into"), pk=pk)


def _detail_url(employer: Employer) -> str:
    return reverse("api:employer-detail", args=[employer.pk])


MOVED = OpenApiResponse(
    description="The employer was merged into another: `Location` is the one that carries on."
)


class EmployerDetail(APIView):
    @extend_schema(
        operation_id="employers_retrieve",
        responses={200: EmployerPageSerializer, 301: MOVED},
    )
    def get(self, request: Request, pk: int) -> Response:
        employer = get_object_or_404(selectors.employers().select_related("merged_into"), pk=pk)
        survivor = employer.merged_into
        if survivor is not None and rules.can_view_employer(request.user, survivor):
            # As the page: a duplicate kept for history leads to the record that carries on.
            return Response(status=301, headers={"Location": _detail_url(survivor)})
        if not rules.can_view_employer(request.user, employer):
            raise PermissionDenied("You do not have access to this employer.")
        return Response(employer_page(request, employer))

    @extend_schema(
        operation_id="employers_update",
        request=form_request(EmployerDetailsForm),
        responses=EmployerPageSerializer,
    )
    def put(self, request: Request, pk: int) -> Response:
        """Edit the employer's details: a new local authority brings its association along,
        unless that was set by hand."""
        employer = _managed(request, pk)
        form = bind(EmployerDetailsForm, request, instance=Employer.objects.get(pk=pk))
        return act(
            form,
            lambda data: services.edit_employer(employer, actor=request.user, data=form.details()),
            serialize=lambda saved: employer_page(request, _reread(saved)),
        )


def _reread(employer: Employer) -> Employer:
    return selectors.employers().get(pk=employer.pk)


class EmployerAssociation(APIView):
    @extend_schema(
        operation_id="employers_association_update",
        request=form_request(EmployerAssociationForm),
        responses=EmployerPageSerializer,
    )
    def put(self, request: Request, pk: int) -> Response:
        """Set the association by hand (`how`: hand), or let it follow the local authority's
        again (`how`: follow)."""
        employer = _managed(request, pk)
        return act(
            bind(EmployerAssociationForm, request),
            lambda data: services.set_association(
                employer,
                actor=request.user,
                association=data["association"],
                follow=data["how"] == "follow",
            ),
            serialize=lambda saved: employer_page(request, _reread(saved)),
        )


class EmployerMergeLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class EmployerMergePreviewSerializer(serializers.Serializer):
    into = OrganisationRefSerializer()
    lines = EmployerMergeLineSerializer(
        many=True, help_text="What would move to the employer kept."
    )
    refusal = serializers.CharField(help_text="Why the merge would be refused; empty if not.")


MERGE_REQUEST = {
    "application/json": {
        "type": "object",
        "properties": {
            "into": {"type": "integer", "description": "The id of the employer that carries on."}
        },
        "required": ["into"],
    }
}


class EmployerMerge(APIView):
    """Merging a duplicate (this employer) into the employer that carries on."""

    @extend_schema(
        operation_id="employers_merge_preview",
        parameters=[
            OpenApiParameter(
                "into", int, required=True, description="The id of the employer to keep."
            )
        ],
        responses=EmployerMergePreviewSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        """What the merge would move, and why it would be refused, as the page previews it."""
        duplicate = _managed(request, pk)
        into = id_param(request.query_params.get("into"))
        survivor = None
        if into is not None:
            survivor = (
                selectors.employers().current().exclude(pk=duplicate.pk).filter(pk=into).first()
            )
        if survivor is None:
            raise Problem(
                400,
                "Name the employer to keep: the id of another current employer.",
                errors={"into": ["Choose another current employer."]},
            )
        lines, refusal = services.merge_preview(duplicate, survivor)
        return Response(
            EmployerMergePreviewSerializer(
                {
                    "into": _named(survivor),
                    "lines": [{"label": line.label, "count": line.count} for line in lines],
                    "refusal": refusal,
                }
            ).data
        )

    @extend_schema(
        operation_id="employers_merge",
        request=MERGE_REQUEST,
        responses=EmployerPageSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        """Merge: everything recorded about the duplicate moves to the employer kept, and the
        duplicate stays as a record leading to it. Answers with the employer kept."""
        duplicate = _managed(request, pk)
        return act(
            bind(EmployerMergeForm, request, duplicate=duplicate),
            lambda data: services.merge_employers(duplicate, data["into"], actor=request.user),
            serialize=lambda survivor: employer_page(request, _reread(survivor)),
        )


urlpatterns = [
    path("employers/", EmployerList.as_view(), name="employer-list"),
    path("employers/unassigned/", UnassignedEmployers.as_view(), name="employer-unassigned"),
    path("employers/<int:pk>/", EmployerDetail.as_view(), name="employer-detail"),
    path(
        "employers/<int:pk>/association/",
        EmployerAssociation.as_view(),
        name="employer-association",
    ),
    path("employers/<int:pk>/merge/", EmployerMerge.as_view(), name="employer-merge"),
]
