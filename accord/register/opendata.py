"""The register as open data: CSV and JSON, streamed so the whole register never sits in memory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings

from accord.core import exports
from accord.membership.models import Membership

from .selectors import in_chunks

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


def row(entry: Membership) -> dict[str, Any]:
    employer = entry.employer
    authority = employer.local_authority
    return {
        "reference": entry.reference,
        "employer": employer.name,
        "kind": employer.get_kind_display(),
        "urn": employer.urn,
        "local_authority": authority.name if authority else "",
        "region": authority.region.name if authority and authority.region else "",
        "scheme": entry.scheme.name,
        "status": entry.get_status_display(),
        "member_since": entry.member_since.isoformat(),
        "status_since": entry.status_since.isoformat(),
        "principles_met": " ".join(str(n) for n in entry.principles_met),
        "verification_url": f"{settings.SITE_URL}{entry.get_absolute_url()}",
    }


def csv_lines(entries: Any) -> Iterator[str]:
    values = ([row(entry)[f] for f in FIELDS] for entry in in_chunks(entries))
    return exports.csv_lines(FIELDS, values)


def json_chunks(entries: Any) -> Iterator[str]:
    yield '{"fields": ' + json.dumps(FIELDS) + ', "members": ['
    first = True
    for entry in in_chunks(entries):
        yield ("" if first else ",") + json.dumps(row(entry), ensure_ascii=False)
        first = False
    yield "]}"
