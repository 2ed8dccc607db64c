"""The register as open data: CSV and JSON, streamed from the register's rows a chunk at a
time, so the whole register never sits in memory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from accord.core import exports
from accord.membership.models import MembershipStatus
from accord.organisations.models import EmployerKind

from .models import RegisterEntry

FIELDS = [
    "reference",
    "employer",
    "kind",
    "urn",
    "local_authority",
    "region",
    "scheme",
    "status",
    "member_since",
    "status_since",
    "principles_met",
    "verification_url",
]
# Read straight from the rows, in FIELDS order (the verification address is made from the
# reference, the last).
_COLUMNS = (
    "reference",
    "employer_name",
    "employer_kind",
    "urn",
    "local_authority_name",
    "region_name",
    "scheme_name",
    "status",
    "member_since",
    "status_since",
    "met_principles",
)
CHUNK = 2000
_KINDS = dict(EmployerKind.choices)
_STATUSES = dict(MembershipStatus.choices)


def rows(entries: QuerySet[RegisterEntry], url_for: str) -> Iterator[list[Any]]:
    """Each row's values in FIELDS order. `url_for`: the full verification address with the
    text REFERENCE where each row's reference goes (made once, not reversed per row)."""
    prefix, _, suffix = url_for.partition("REFERENCE")
    for values in entries.values_list(*_COLUMNS).iterator(chunk_size=CHUNK):
        reference, name, kind, urn, authority, region, scheme, status, since, changed, met = values
        yield [
            reference,
            name,
            _KINDS.get(kind, kind),
            urn,
            authority,
            region,
            scheme,
            _STATUSES.get(status, status),
            since.isoformat(),
            changed.isoformat(),
            met,
            f"{prefix}{reference}{suffix}",
        ]


def csv_lines(entries: QuerySet[RegisterEntry], url_for: str) -> Iterator[str]:
    return exports.csv_lines(FIELDS, rows(entries, url_for))


def json_chunks(entries: QuerySet[RegisterEntry], url_for: str) -> Iterator[str]:
    yield '{"fields": ' + json.dumps(FIELDS) + ', "members": ['
    first = True
    for values in rows(entries, url_for):
        yield ("" if first else ",") + json.dumps(
            dict(zip(FIELDS, values, strict=True)), ensure_ascii=False
        )
        first = False
    yield "]}"
