"""The register at national scale answers with a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.membership.models import Membership
from accord.register.scale import build_national_register
from accord.schemes.loader import load_builtin_scheme


def _count(url: str, params: dict[str, str] | None = None) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


def test_register_pages_run_the_same_queries_at_35000_employers_as_at_100(db: None) -> None:
    scheme = load_builtin_scheme("vws")
    build_national_register(scheme, employers=100, members=60)
    pages = [
        (reverse("register"), None),
        (reverse("register"), {"page": "2"}),
        (reverse("register"), {"q": "Scale School 0000"}),
        (reverse("register"), {"region": "1"}),
    ]
    small = [_count(url, params) for url, params in pages]
    reference = Membership.objects.first().reference
    small_verification = _count(reverse("verification", args=[reference]))

    build_national_register(scheme, employers=34_900, members=4_940)
    assert Membership.objects.count() == 5_000
    assert [_count(url, params) for url, params in pages] == small
    assert _count(reverse("verification", args=[reference])) == small_verification
    assert max(small) <= 6
    # Open data streams in chunks of 2,000 rows: a handful of queries, not one per member.
    assert _count(reverse("register-json")) <= 6
