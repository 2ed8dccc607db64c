"""The register's pages read about one page of rows, however large the register grows."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accord.register.models import RegisterEntry
from accord.register.scale import build_national_register
from accord.schemes.loader import load_builtin_scheme
from tests.fetched import rows_fetched

LOCMEM = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
    for alias in ("default", "register")
}
DUMMY = {
    alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    for alias in ("default", "register")
}
PAGE = 50


def _rows(url: str, params: dict[str, str]) -> int:
    client = Client()
    with rows_fetched() as fetched:
        response = client.get(url, params)
    assert response.status_code == 200
    return fetched.by_table.get(RegisterEntry._meta.db_table, 0)


def _pages(cursor: str) -> list[tuple[str, dict[str, str]]]:
    register = reverse("register")
    return [
        (register, {}),
        (register, {"page": "3"}),
        (register, {"after": cursor}),
        (register, {"before": cursor}),
        (register, {"q": "scale school 00"}),
        (register, {"region": "3"}),
    ]


@pytest.mark.parametrize("caches", [LOCMEM, DUMMY], ids=["filters cached", "nothing cached"])
def test_register_pages_read_one_page_of_rows_at_ten_times_the_data(db: None, caches) -> None:  # type: ignore[no-untyped-def]
    scheme = load_builtin_scheme("vws")
    build_national_register(scheme, employers=400, members=200)
    cursor = str(RegisterEntry.objects.order_by("employer_name", "membership_id")[120].pk)
    with override_settings(CACHES=caches):
        Client().get(reverse("register"))  # the filter lists, once per version when cached
        small = [_rows(url, params) for url, params in _pages(cursor)]
    build_national_register(scheme, employers=3_600, members=1_800)
    assert RegisterEntry.objects.count() == 2_000
    with override_settings(CACHES=caches):
        Client().get(reverse("register"))
        large = [_rows(url, params) for url, params in _pages(cursor)]
    # A page and the row after it, the row its cursor names and a count: never the rows
    # before a deep page. Without a cache, the filter lists too: one row per authority (150)
    # and region (9) with members, whatever the number of members.
    bound = PAGE + 4 + (0 if caches is LOCMEM else 150 + 9)
    assert max(small) <= bound and max(large) <= bound, (small, large)


def test_the_verification_page_reads_one_row(db: None) -> None:
    build_national_register(load_builtin_scheme("vws"), employers=300, members=100)
    entry = RegisterEntry.objects.order_by("pk").last()
    with override_settings(CACHES=DUMMY):
        assert _rows(reverse("verification", args=[entry.reference.lower()]), {}) == 1
