"""The public register and verification through the API: anonymous, what the public pages show
and nothing more, 304 to a repeat with the ETag until the register changes, a fixed number of
queries whatever the register's size, and a 400 (never a 500) for a wrong parameter."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.enrolments.process import State
from accord.membership import services as membership_services
from accord.membership.models import Membership
from accord.register.models import RegisterEntry
from accord.register.scale import build_national_register
from accord.schemes.loader import load_builtin_scheme
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db

ENTRY_FIELDS = {
    "reference",
    "employer_name",
    "employer_kind",
    "employer_kind_label",
    "urn",
    "local_authority",
    "region",
    "scheme",
    "status",
    "status_label",
    "is_member",
    "member_since",
    "status_since",
    "principles_met",
    "url",
}


@pytest.fixture
def member(world: World) -> Membership:
    world.enrolment(State.LISTED)
    return Membership.objects.get()


def test_anyone_reads_the_register_without_a_token(member: Membership) -> None:
    response = ApiClient().get("register/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    entry = body["results"][0]
    assert set(entry) == ENTRY_FIELDS
    assert entry["reference"] == member.reference
    assert entry["employer_name"] == "Northtown High School"
    assert entry["status"] == "active" and entry["is_member"] is True
    assert entry["url"] == f"/api/v1/register/{member.reference}/"
    assert entry["scheme"] == {"slug": "vws", "name": "Valued Worker Scheme"}


def test_a_token_may_be_sent_and_a_bad_one_is_refused(world: World, member: Membership) -> None:
    assert ApiClient(world.users["rep"]).get("register/").status_code == 200
    bad = ApiClient().get("register/", **{"Authorization": "Bearer acc_unknown"})
    assert bad.status_code == 401


def test_verification_shows_the_member_and_404s_an_unknown_reference(
    member: Membership,
) -> None:
    public = ApiClient()
    response = public.get(f"register/{member.reference.lower()}/")
    assert response.status_code == 200
    assert response.json()["employer_name"] == "Northtown High School"
    assert set(response.json()) == ENTRY_FIELDS
    missing = public.get("register/VWS-NOPE00/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


def test_a_withdrawn_member_is_not_listed_and_its_verification_says_so(
    world: World, member: Membership
) -> None:
    membership_services.change_status(
        member,
        "withdraw",
        actor=world.users["officer"],
        reason="Asked to leave",
        logo_stop_requested_on=member.member_since,
    )
    public = ApiClient()
    assert public.get("register/").json()["count"] == 0
    # As on its verification page: whoever checks a reference learns it is no longer a member.
    verified = public.get(f"register/{member.reference}/").json()
    assert (verified["status"], verified["is_member"]) == ("withdrawn", False)


def test_a_repeat_with_the_etag_is_a_304_until_a_new_member_is_listed(world: World) -> None:
    public = ApiClient()
    first = public.get("register/")
    assert first.json()["count"] == 0
    etag = first["ETag"]
    with CaptureQueriesContext(connection) as queries:
        again = public.get("register/", **{"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag
    assert not again.content
    # The register's version row alone: no list, no count.
    assert len(queries) == 1, [q["sql"] for q in queries]
    # Another query has another tag.
    other = public.get("register/", {"q": "northtown"}, **{"If-None-Match": etag})
    assert other.status_code == 200 and other["ETag"] != etag
    world.enrolment(State.LISTED)
    changed = public.get("register/", **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["count"] == 1
    reference = changed.json()["results"][0]["reference"]
    verified = public.get(f"register/{reference}/")
    assert verified.status_code == 200
    repeat = public.get(f"register/{reference}/", **{"If-None-Match": verified["ETag"]})
    assert repeat.status_code == 304


def test_filters_and_search_match_the_register_page(member: Membership) -> None:
    entry = RegisterEntry.objects.get()
    public = ApiClient()

    def count(params: dict[str, Any]) -> int:
        response = public.get("register/", params)
        assert response.status_code == 200, response.json()
        return response.json()["count"]

    assert count({"q": "northtown"}) == 1
    assert count({"q": "nowhere at all"}) == 0
    assert count({"kind": entry.employer_kind}) == 1
    assert count({"kind": "college" if entry.employer_kind != "college" else "school"}) == 0
    if entry.local_authority_id is not None:
        assert count({"local_authority": entry.local_authority_id}) == 1
    assert count({"local_authority": 999_999}) == 0
    assert count({"region": 999_999}) == 0


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"kind": "castle"}, "kind"),
        ({"local_authority": "x"}, "local_authority"),
        ({"local_authority": "-1"}, "local_authority"),
        ({"region": "1.5"}, "region"),
        ({"region": "99999999999999999999999"}, "region"),
        ({"region": "²"}, "region"),
    ],
)
def test_a_wrong_filter_is_a_400_naming_it(db: None, params: dict, named: str) -> None:
    response = ApiClient().get("register/", params)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {named}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page": "0"}, 400),
        ({"page": "x"}, 400),
        ({"page": "999"}, 404),
        ({"q": "a\x00b"}, 200),
        ({"page_size": "-3"}, 400),
    ],
)
def test_other_odd_parameters_are_no_server_error(db: None, params: dict, status: int) -> None:
    response = ApiClient().get("register/", params)
    assert response.status_code == status
    for reference in ("x" * 300, "VWS-%00", "é"):
        assert ApiClient().get(f"register/{reference}/").status_code == 404


def _list_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        response = ApiClient().get("register/", {"page_size": "200"})
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_2_and_for_20_members(db: None) -> None:
    scheme = load_builtin_scheme("vws")
    build_national_register(scheme, employers=2, members=2)
    assert RegisterEntry.objects.filter(listed=True).count() == 2
    small = _list_queries()
    build_national_register(scheme, employers=18, members=18)
    assert RegisterEntry.objects.filter(listed=True).count() == 20
    large = _list_queries()
    # The version row, the count and the page of rows.
    assert small == large == 3
