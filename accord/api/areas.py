"""API: the areas overview, as its page shows it to national officers and auditors
(`accounts.rules.can_view_places`): regions, NEM districts and local associations, current and
retired, and the local authorities each association covers. Their ids are what the employer
and people filters take. Creating, editing, merging and retiring areas, and moving a local
authority, stay pages: each is confirmed after a preview of what it would change."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.accounts import rules
from accord.organisations.models import Association, District, LocalAuthority, Region


class AreaRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AreaSummarySerializer(serializers.Serializer):
    """A region or NEM district, with how many current associations it holds."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    retired_at = serializers.DateTimeField(allow_null=True)
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    association_count = serializers.IntegerField()


class AreaAuthoritySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class AreaAssociationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = AreaRefSerializer()
    district = AreaRefSerializer(allow_null=True)
    local_authorities = AreaAuthoritySerializer(many=True)
    employer_count = serializers.IntegerField(help_text="Current employers it covers.")
    address = serializers.CharField()
    email = serializers.CharField()
    retired_at = serializers.DateTimeField(allow_null=True)
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)


class AreaLocalAuthoritySerializer(AreaAuthoritySerializer):
    region = AreaRefSerializer(allow_null=True)
    associations = AreaRefSerializer(many=True, help_text="The current associations covering it.")


class AreasSerializer(serializers.Serializer):
    regions = AreaSummarySerializer(many=True)
    districts = AreaSummarySerializer(many=True)
    associations = AreaAssociationSerializer(many=True)
    local_authorities = AreaLocalAuthoritySerializer(many=True)


class Areas(APIView):
    """Every area, by name (then id), current and retired (`retired_at` set)."""

    @extend_schema(operation_id="areas_retrieve", responses=AreasSerializer)
    def get(self, request: Request) -> Response:
        if not rules.can_view_places(request.user):
            raise PermissionDenied("The areas are for national officers and auditors.")
        current_employers = Q(employers__merged_into__isnull=True)
        current_associations = Q(associations__retired_at__isnull=True)
        associations = (
            Association.objects.select_related("region", "district")
            .prefetch_related(
                Prefetch("local_authorities", LocalAuthority.objects.order_by("name", "id"))
            )
            .annotate(employer_count=Count("employers", filter=current_employers))
            .order_by("name", "id")
        )
        authorities = (
            LocalAuthority.objects.select_related("region")
            .prefetch_related(
                Prefetch("associations", Association.objects.current().order_by("name", "id"))
            )
            .order_by("name", "id")
        )
        data = {
            "regions": Region.objects.annotate(
                association_count=Count("associations", filter=current_associations)
            ).order_by("name", "id"),
            "districts": District.objects.annotate(
                association_count=Count("associations", filter=current_associations)
            ).order_by("name", "id"),
            "associations": associations,
            "local_authorities": authorities,
        }
        return Response(AreasSerializer(data).data)


urlpatterns = [path("areas/", Areas.as_view(), name="areas")]
