"""Reads for the public register, from its own rows only. Nothing here may carry personal data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from . import search
from .models import RegisterEntry

PAGE_SIZE = 50


def register_entries(
    *,
    query: str = "",
    kind: str = "",
    local_authority: int | None = None,
    region: int | None = None,
) -> QuerySet[RegisterEntry]:
    """The listed members (members, suspended and lapsed members) matching the filters, by name."""
    entries = RegisterEntry.objects.filter(listed=True)
    if kind:
        entries = entries.filter(employer_kind=kind)
    if local_authority is not None:
        entries = entries.filter(local_authority_id=local_authority)
    if region is not None:
        entries = entries.filter(region_id=region)
    if query:
        entries = search.matching(entries, query)
    return entries.order_by("employer_name", "membership_id")


def verification_entry(reference: str) -> RegisterEntry | None:
    """The row of a reference, listed or not (a withdrawn member's page says so)."""
    return RegisterEntry.objects.filter(reference=reference.upper()).first()


def register_filters() -> dict[str, list[tuple[int, str]]]:
    """Only the authorities and regions that have listed members, for the filter lists."""
    listed = RegisterEntry.objects.filter(listed=True).order_by()
    return {
        "authorities": list(
            listed.filter(local_authority_id__isnull=False)
            .values_list("local_authority_id", "local_authority_name")
            .distinct()
            .order_by("local_authority_name", "local_authority_id")
        ),
        "regions": list(
            listed.filter(region_id__isnull=False)
            .values_list("region_id", "region_name")
            .distinct()
            .order_by("region_name", "region_id")
        ),
    }


@dataclass
class Page:
    """One page of the register, found by the key (name, id) of its neighbours rather than by
    counting rows from the start."""

    object_list: list[RegisterEntry]  # named as in Django's paginator
    count: int
    # None when the page was reached by a cursor whose position is not known.
    number: int | None
    has_previous: bool
    has_next: bool
    num_pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.num_pages = max(1, math.ceil(self.count / PAGE_SIZE))

    @property
    def first_id(self) -> int | None:
        return self.object_list[0].pk if self.object_list else None

    @property
    def last_id(self) -> int | None:
        return self.object_list[-1].pk if self.object_list else None

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def _after(entries: QuerySet, name: str, pk: int, *, inclusive: bool = False) -> QuerySet:
    later = Q(membership_id__gte=pk) if inclusive else Q(membership_id__gt=pk)
    return entries.filter(Q(employer_name__gte=name), Q(employer_name__gt=name) | later)


def _before(entries: QuerySet, name: str, pk: int) -> QuerySet:
    return entries.filter(
        Q(employer_name__lte=name), Q(employer_name__lt=name) | Q(membership_id__lt=pk)
    ).order_by("-employer_name", "-membership_id")


def _anchor(pk: int | None) -> str | None:
    if pk is None:
        return None
    return RegisterEntry.objects.filter(pk=pk).values_list("employer_name", flat=True).first()


def _clamp(number: int | None, count: int) -> int:
    last = max(1, math.ceil(count / PAGE_SIZE))
    return min(max(number or 1, 1), last)


def page_of(
    entries: QuerySet[RegisterEntry],
    *,
    count: int,
    number: int | None = None,
    after: int | None = None,
    before: int | None = None,
) -> Page:
    """The page after the row `after`, before the row `before`, or else page `number`.

    Next and previous pages follow a cursor (the id of the last or first row shown), so a deep
    page costs what the first does. A page number alone (a link typed or kept) starts from the
    key at that position, read from the index without fetching the rows before it. A cursor
    that names no row is ignored: the first page is shown."""
    rows = entries.defer("search_text")
    name = _anchor(after)
    if name is not None and after is not None:
        found = list(_after(rows, name, after)[: PAGE_SIZE + 1])
        return Page(
            found[:PAGE_SIZE],
            count,
            _clamp(number, count) if number else None,
            has_previous=True,
            has_next=len(found) > PAGE_SIZE,
        )
    name = _anchor(before)
    if name is not None and before is not None:
        found = list(_before(rows, name, before)[: PAGE_SIZE + 1])
        if found:
            shown = found[:PAGE_SIZE][::-1]
            return Page(
                shown,
                count,
                _clamp(number, count) if number else None,
                has_previous=len(found) > PAGE_SIZE,
                has_next=True,
            )
    number = _clamp(number, count)
    if number == 1:
        found = list(rows[: PAGE_SIZE + 1])
    else:
        start = entries.values_list("employer_name", "membership_id")[
            (number - 1) * PAGE_SIZE : (number - 1) * PAGE_SIZE + 1
        ]
        key = next(iter(start), None)
        if key is None:
            found = []
        else:
            found = list(_after(rows, key[0], key[1], inclusive=True)[: PAGE_SIZE + 1])
    return Page(
        found[:PAGE_SIZE],
        count,
        number,
        has_previous=number > 1,
        has_next=len(found) > PAGE_SIZE,
    )
