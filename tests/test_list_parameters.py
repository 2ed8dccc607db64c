"""Whatever a query string holds, a list page answers it without a 500: a value it cannot use
is ignored (or refused with a 400), never passed on to the database."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.enrolments.process import State

# Every list page with filters, and who opens it (None: the public).
LIST_PAGES = [
    ("/register/", None),
    ("/register.csv", None),
    ("/register.json", None),
    ("/employers/", "officer"),
    ("/enrolments/", "officer"),
    ("/enrolments/", "employer"),
    ("/tasks/", "secretary"),
    ("/tasks/members/", "secretary"),
    ("/tasks/overdue/", "officer"),
    ("/enrolments/{enrolment}/", "officer"),
    ("/plans/", "officer"),
    ("/plans/{plan}/", "officer"),
    ("/plans/{plan}/workplan.csv", "officer"),
    ("/calendar/", "secretary"),
    ("/employers/unassigned/", "officer"),
    ("/areas/", "officer"),
    ("/people/", "officer"),
    ("/people/", "secretary"),
    ("/people/", "employer"),
    ("/schemes/", "officer"),
    ("/join/", None),
    ("/policy-checks/", "officer"),
    ("/policy-checks/", "employer"),
    # The lists' downloads read the same filters.
    ("/enrolments/export.csv", "officer"),
    ("/enrolments/export.xlsx", "employer"),
    ("/employers/export.csv", "officer"),
    ("/people/export.csv", "secretary"),
    ("/plans/export.xlsx", "officer"),
    ("/policy-checks/export.csv", "officer"),
]
PARAMETERS = [
    "q",
    "kind",
    "la",
    "region",
    "association",
    "closed",
    "state",
    "page",
    "owner",
    "status",
    "overdue",
    "cases",
    "role",
    "union",
    "district",
    "into",
    "to",
    "history",
    "after",
    "before",
    "waiting",
    "assessment",
]

hostile = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "²",
            "١٢",
            "𝟙",
            "99999999999999999999999",
            "-1",
            "0",
            "1e3",
            " 1",
            "\x00",
            "9223372036854775808",
            "9223372036854775807",
            "‮1",
        ]
    ),
    st.integers().map(str),
)
query_strings = st.lists(
    st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=8)), hostile), max_size=6
).map(lambda pairs: "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs))


@pytest.fixture
def pages(world) -> list[tuple[str, Client]]:
    enrolment = world.enrolment(State.LISTED)
    plan = world.plan()
    result = []
    for path, persona in LIST_PAGES:
        client = Client()
        if persona:
            client.force_login(world.users[persona])
        result.append((path.format(plan=plan.pk, enrolment=enrolment.pk), client))
    return result


@pytest.mark.parametrize(
    "query",
    [
        "la=²",
        "region=²",
        "la=99999999999999999999999",
        "association=²",
        "owner=²",
        "la=1&la=²&la=",
        "q=%00",
        "kind=%00&state=%00&status=%00",
        "page=9223372036854775807&history=9223372036854775807",
        "after=9223372036854775807&before=²",
    ],
)
def test_a_bad_id_in_a_filter_is_not_a_server_error(pages, query) -> None:
    for path, client in pages:
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 400), (path, query, response.status_code)
        _read(response)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=query_strings)
def test_no_query_string_makes_a_list_page_fail(pages, query) -> None:
    for path, client in pages:
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 400), (path, query, response.status_code)
        _read(response)


def _read(response) -> bytes:  # type: ignore[no-untyped-def]
    """The whole body: open data streams, so a bad filter fails only as it is read."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
