"""Reads for the public register. Nothing here may carry personal data."""

from __future__ import annotations

from django.db.models import QuerySet

from accord.membership.models import Membership
from accord.organisations.models import LocalAuthority, Region


def register_entries(
    *, query: str = "", kind: str = "", local_authority: str = "", region: str = ""
) -> QuerySet[Membership]:
    entries = (
        Membership.objects.on_register()
        .select_related("scheme", "employer__local_authority__region")
        .only(
            "reference",
            "status",
            "member_since",
            "status_since",
            "scheme__name",
            "scheme__slug",
            "employer__name",
            "employer__kind",
            "employer__urn",
            "employer__postcode",
            "employer__local_authority__name",
            "employer__local_authority__region__name",
        )
        .order_by("employer__name", "id")
    )
    if query:
        entries = entries.filter(employer__name__icontains=query)
    if kind:
        entries = entries.filter(employer__kind=kind)
    if local_authority.isdigit():
        entries = entries.filter(employer__local_authority_id=int(local_authority))
    if region.isdigit():
        entries = entries.filter(employer__local_authority__region_id=int(region))
    return entries


def register_filters() -> dict[str, QuerySet]:
    """Only the authorities and regions that have members, for the filter lists."""
    on_register = Membership.objects.on_register()
    return {
        "authorities": LocalAuthority.objects.filter(employers__memberships__in=on_register)
        .distinct()
        .order_by("name"),
        "regions": Region.objects.filter(local_authorities__employers__memberships__in=on_register)
        .distinct()
        .order_by("name"),
    }
