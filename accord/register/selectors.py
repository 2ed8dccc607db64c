"""Reads for the public register. Nothing here may carry personal data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from accord.membership.models import Membership, Review
from accord.organisations.models import LocalAuthority, Region


def register_entries(
    *,
    query: str = "",
    kind: str = "",
    local_authority: int | None = None,
    region: int | None = None,
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
    if local_authority is not None:
        entries = entries.filter(employer__local_authority_id=local_authority)
    if region is not None:
        entries = entries.filter(employer__local_authority__region_id=region)
    return entries


def with_principles_met(entries: Iterable[Membership]) -> list[Membership]:
    """Attach `principles_met` (principle numbers, in order) to each entry, in one query."""
    entries = list(entries)
    employer_ids = {e.employer_id for e in entries}
    met: dict[tuple[int, int], set[int]] = defaultdict(set)
    rows = (
        Review.objects.met()
        .filter(cycle__enrolment__employer_id__in=employer_ids)
        .values_list(
            "cycle__enrolment__employer_id",
            "cycle__enrolment__scheme_id",
            "cycle__principle_version__principle__number",
        )
    )
    for employer_id, scheme_id, number in rows:
        met[(employer_id, scheme_id)].add(number)
    for entry in entries:
        entry.principles_met = sorted(met[(entry.employer_id, entry.scheme_id)])
    return entries


def in_chunks(entries: QuerySet[Membership], size: int = 2000) -> Iterator[Membership]:
    """Stream a register queryset with its principles met, a chunk at a time."""
    chunk: list[Membership] = []
    for entry in entries.iterator(chunk_size=size):
        chunk.append(entry)
        if len(chunk) == size:
            yield from with_principles_met(chunk)
            chunk = []
    yield from with_principles_met(chunk)


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
