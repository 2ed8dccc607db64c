"""The register as open data: CSV and JSON, streamed from the register's rows a chunk at a
time, so the whole register never sits in memory."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase

from accord.core import exports
from accord.membership.models import MembershipStatus
from accord.organisations.models import EmployerKind

from .models import RegisterEntry

# The register's own columns, read straight from its rows.
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


def table(url_for: str) -> exports.Table[dict[str, Any]]:
    """The open data's columns. `url_for`: the full verification address with the text
    REFERENCE where each row's reference goes (made once, not reversed per row)."""
    prefix, _, suffix = url_for.partition("REFERENCE")
    return exports.Table(
        "Register",
        [
            exports.Column("reference", itemgetter("reference")),
            exports.Column("employer", itemgetter("employer_name")),
            exports.Column(
                "kind", lambda row: _KINDS.get(row["employer_kind"], row["employer_kind"])
            ),
            exports.Column("urn", itemgetter("urn")),
            exports.Column("local_authority", itemgetter("local_authority_name")),
            exports.Column("region", itemgetter("region_name")),
            exports.Column("scheme", itemgetter("scheme_name")),
            exports.Column("status", lambda row: _STATUSES.get(row["status"], row["status"])),
            exports.Column("member_since", itemgetter("member_since")),
            exports.Column("status_since", itemgetter("status_since")),
            exports.Column("principles_met", itemgetter("met_principles")),
            exports.Column("verification_url", lambda row: f"{prefix}{row['reference']}{suffix}"),
        ],
    )


def _rows(entries: QuerySet[RegisterEntry]) -> Iterator[dict[str, Any]]:
    return entries.values(*_COLUMNS).iterator(chunk_size=CHUNK)


def csv_response(entries: QuerySet[RegisterEntry], url_for: str) -> HttpResponseBase:
    return table(url_for).csv_response(_rows(entries), filename="register", streaming=True)


def json_chunks(entries: QuerySet[RegisterEntry], url_for: str) -> Iterator[str]:
    described = table(url_for)
    fields = described.header
    yield '{"fields": ' + json.dumps(fields) + ', "members": ['
    first = True
    for values in described.rows(_rows(entries)):
        yield ("" if first else ",") + json.dumps(
            dict(zip(fields, values, strict=True)), ensure_ascii=False, default=_json_value
        )
        first = False
    yield "]}"


def _json_value(value: Any) -> str:
    """Dates as in the CSV: ISO 8601."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not written as open data")
