"""Reads of employers that pages share."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Employer


def employers() -> QuerySet[Employer]:
    return Employer.objects.with_places()


def search_employers(
    *,
    query: str = "",
    kind: str = "",
    local_authority: int | None = None,
    association: int | None = None,
    include_closed: bool = False,
) -> QuerySet[Employer]:
    queryset = employers().current()
    if query:
        condition = Q(name__icontains=query) | Q(postcode__iexact=query.upper())
        if query.isascii() and query.isdigit():
            condition |= Q(urn=query) | Q(ukprn=query) | Q(companies_house_number=query)
        queryset = queryset.filter(condition)
    if kind:
        queryset = queryset.filter(kind=kind)
    if local_authority is not None:
        queryset = queryset.filter(local_authority_id=local_authority)
    if association is not None:
        queryset = queryset.filter(association_id=association)
    if not include_closed:
        queryset = queryset.filter(is_open=True)
    return queryset.order_by("name", "id")
