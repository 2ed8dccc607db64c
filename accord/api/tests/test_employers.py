"""The employers over the API: the directory for union staff with the page's search and
filters, an employer's page as its reader sees it, and the national officers' changes with the
pages' forms and services. Expected answers are written from the pages' behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.organisations.models import Association, Employer, EmployerKind
from tests.world import World, build_world

from .client import ApiClient

pytestmark = pytest.mark.django_db


@dataclass
class Directory:
    world: World
    member: Enrolment  # world.employer's, national union notified
    retired: Association


@pytest.fixture(scope="module")
def directory(django_db_setup: None, django_db_blocker: Any) -> Iterator[Directory]:
    """One world for the module, rolled back at the end; each test's writes are rolled back
    after it (the `db` fixture)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        world = build_world()
        member = world.enrolment(State.NATIONAL_NOTIFIED)
        for n in range(1, 21):
            Employer.objects.create(
                name=f"Counted School {n:02}", kind=EmployerKind.SCHOOL, urn=f"3000{n:02}"
            )
        retired = Association.objects.create(
            name="Old Town", region=world.association.region, retired_at=member.state_changed_at
        )
        yield Directory(world, member, retired)
        transaction.set_rollback(True)


def _as(directory: Directory, persona: str, **kwargs: Any) -> ApiClient:
    return ApiClient(directory.world.users[persona], **kwargs)


# --- the directory ----------------------------------------------------------------------------

DIRECTORY_ANSWERS = {
    "rep": 200,
    "secretary": 200,
    "nem": 200,
    "gmb": 200,
    "officer": 200,
    "auditor": 200,
    "other_officer": 200,
    "employer": 403,
    "other_employer": 403,
    "outsider": 403,
}


def test_the_directory_is_for_union_staff(directory: Directory) -> None:
    answers = {p: _as(directory, p).get("employers/").status_code for p in DIRECTORY_ANSWERS}
    assert answers == DIRECTORY_ANSWERS


def test_the_directory_lists_by_name_with_the_open_enrolment_staff_see(
    directory: Directory,
) -> None:
    body = _as(directory, "secretary").get("employers/", {"q": "Northtown High"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["name"] == "Northtown High School"
    assert row["association"]["name"] == "Northtown"
    assert row["local_authority"] == {
        "id": directory.world.employer.local_authority_id,
        "name": "Northtown",
        "code": "901",
    }
    assert row["enrolment"] == {
        "id": directory.member.pk,
        "state": "national_notified",
        "state_label": "National union notified",
    }
    # A rep at another school sees the directory, but not this school's enrolment.
    other = _as(directory, "other_rep").get("employers/", {"q": "Northtown High"}).json()
    assert other["results"][0]["enrolment"] is None


def test_the_directory_filters_as_the_page_does(directory: Directory) -> None:
    officer = _as(directory, "officer")
    world = directory.world

    def names(**params: Any) -> list[str]:
        response = officer.get("employers/", {"page_size": 200, **params})
        assert response.status_code == 200, response.json()
        return [row["name"] for row in response.json()["results"]]

    assert names(kind="academy_trust") == ["Northern Star Trust"]
    assert names(association=world.other_association.pk) == ["Southtown School"]
    assert names(la=world.employer.local_authority_id) == [
        "Northern Star Trust",
        "Northtown High School",
        "Star Academy",
    ]
    assert names(q="100002") == ["Star Academy"]
    assert names(q="nt1 1aa") == ["Northtown High School"]
    # Values nobody could have chosen are ignored, as the page ignores them.
    everyone = names()
    assert len(everyone) == 24
    assert everyone == sorted(everyone)
    assert names(kind="nonsense", la="abc", association="-1") == everyone
    assert names(q="\x00" * 500) == everyone


def test_a_closed_employer_is_listed_only_when_asked(directory: Directory) -> None:
    Employer.objects.filter(pk=directory.world.trust.pk).update(is_open=False)
    officer = _as(directory, "officer")
    assert officer.get("employers/", {"q": "Star Trust"}).json()["count"] == 0
    assert officer.get("employers/", {"q": "Star Trust", "closed": "1"}).json()["count"] == 1


@pytest.mark.parametrize("page", ["0", "abc", "-3", "1e9"])
def test_a_page_number_that_is_not_one_is_a_400_problem(directory: Directory, page: str) -> None:
    response = _as(directory, "officer").get("employers/", {"page": page})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"page"}


def test_a_page_past_the_end_is_a_404_problem(directory: Directory) -> None:
    response = _as(directory, "officer").get("employers/", {"page": "99999"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_directory_reads_as_many_queries_for_2_employers_as_for_20(
    directory: Directory,
) -> None:
    officer = _as(directory, "officer")
    officer.get("employers/")  # the token's first use is recorded once

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = officer.get("employers/", {"q": "Counted School", "page_size": size})
        assert len(response.json()["results"]) == size
        return len(captured)

    assert queries(2) == queries(20)


# --- one employer -----------------------------------------------------------------------------

# Staff read every employer's page; an employer contact only their own.
PAGE_ANSWERS = {
    "rep": 200,
    "other_rep": 200,
    "officer": 200,
    "auditor": 200,
    "employer": 200,
    "other_employer": 403,
    "outsider": 403,
}


def test_an_employer_page_is_for_staff_and_its_own_contacts(directory: Directory) -> None:
    url = f"employers/{directory.world.employer.pk}/"
    answers = {p: _as(directory, p).get(url).status_code for p in PAGE_ANSWERS}
    assert answers == PAGE_ANSWERS


def test_the_employer_reads_its_state_without_the_unions_deliberations(
    directory: Directory,
) -> None:
    url = f"employers/{directory.world.employer.pk}/"
    staff = _as(directory, "secretary").get(url).json()
    assert [e["state_label"] for e in staff["enrolments"]] == ["National union notified"]
    assert staff["may_manage"] is False
    own = _as(directory, "employer").get(url).json()
    assert [e["state_label"] for e in own["enrolments"]] == ["Joined; to be listed on the register"]
    assert own["enrolments"][0]["scheme"] == directory.world.scheme.slug
    assert own["name"] == "Northtown High School"
    assert own["identifiers"] == [{"label": "URN", "value": "100001"}]
    assert own["status"] == "Open"
    assert own["may_manage"] is False and own["may_propose"] is False


def test_a_trust_lists_its_schools(directory: Directory) -> None:
    body = _as(directory, "officer").get(f"employers/{directory.world.trust.pk}/").json()
    assert body["children"] == [{"id": directory.world.academy.pk, "name": "Star Academy"}]
    assert body["children_count"] == 1
    assert body["may_manage"] is True


@pytest.mark.parametrize("pk", ["0", "999999999", "abc", "99999999999999999999999"])
def test_an_unknown_employer_is_a_404_problem(directory: Directory, pk: str) -> None:
    response = _as(directory, "officer").get(f"employers/{pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


# --- the officers' changes --------------------------------------------------------------------


def _details(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Southtown Community School",
        "kind": "school",
        "urn": "200001",
        "postcode": "st1 2bb",
        "town": "Southtown",
    }
    data.update(changes)
    return data


def test_an_officer_edits_an_employer_and_others_may_not(directory: Directory) -> None:
    url = f"employers/{directory.world.other_employer.pk}/"
    for persona in ("secretary", "auditor", "employer", "other_officer"):
        assert _as(directory, persona).put(url, _details()).status_code == 403, persona
    assert _as(directory, "officer", read_only=True).put(url, _details()).status_code == 403
    response = _as(directory, "officer").put(url, _details())
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == "Southtown Community School"
    assert body["postcode"] == "ST1 2BB"
    assert Employer.objects.get(pk=directory.world.other_employer.pk).town == "Southtown"


def test_an_edit_is_checked_by_the_page_form(directory: Directory) -> None:
    url = f"employers/{directory.world.other_employer.pk}/"
    officer = _as(directory, "officer")
    response = officer.put(url, _details(postcode="nowhere", kind="castle"))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["postcode"] == ["Enter a UK postcode, like SW1A 1AA."]
    assert set(errors) == {"postcode", "kind"}
    # Wrong types: refused by the form's fields, never a server error.
    assert set(officer.put(url, _details(name=None)).json()["errors"]) == {"name"}
    wrong = officer.put(url, _details(local_authority={"a": 1}, kind=[]))
    assert set(wrong.json()["errors"]) == {"local_authority", "kind"}
    assert officer.put(url, _details(local_authority=[1, "x"])).status_code == 400
    assert officer.put(url, [1, 2]).status_code == 400
    # Part of itself: the service refuses it, on the field.
    school = directory.world.employer
    response = officer.put(
        f"employers/{school.pk}/",
        _details(name=school.name, urn="100001", parent_identifier="100001"),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "parent": ["An employer cannot be part of itself or of its own part."]
    }


def test_an_officer_sets_the_association_by_hand_and_back(directory: Directory) -> None:
    world = directory.world
    url = f"employers/{world.employer.pk}/association/"
    officer = _as(directory, "officer")
    assert _as(directory, "secretary").put(url, {"how": "follow"}).status_code == 403
    missing = officer.put(url, {"how": "hand"})
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"association": ["Choose the association."]}
    retired = officer.put(url, {"how": "hand", "association": directory.retired.pk})
    assert retired.status_code == 400
    assert set(retired.json()["errors"]) == {"association"}
    by_hand = officer.put(url, {"how": "hand", "association": world.other_association.pk})
    assert by_hand.status_code == 200, by_hand.json()
    assert by_hand.json()["association"]["name"] == "Southtown"
    assert by_hand.json()["association_overridden"] is True
    follow = officer.put(url, {"how": "follow"})
    assert follow.json()["association"]["name"] == "Northtown"
    assert follow.json()["association_overridden"] is False


def test_a_duplicate_is_merged_and_then_leads_to_the_employer_kept(
    directory: Directory,
) -> None:
    world = directory.world
    duplicate = Employer.objects.create(name="Northtown High (duplicate)", kind="school")
    officer = _as(directory, "officer")
    url = f"employers/{duplicate.pk}/merge/"
    assert _as(directory, "secretary").post(url, {"into": world.employer.pk}).status_code == 403
    preview = officer.get(url, {"into": world.employer.pk})
    assert preview.status_code == 200
    assert preview.json() == {
        "into": {"id": world.employer.pk, "name": "Northtown High School"},
        "lines": [],
        "refusal": "",
    }
    for wrong in ("abc", str(duplicate.pk), "0"):
        assert officer.get(url, {"into": wrong}).status_code == 400
    assert officer.post(url, {"into": "abc"}).status_code == 400
    response = officer.post(url, {"into": world.employer.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == world.employer.pk
    moved = officer.get(f"employers/{duplicate.pk}/")
    assert moved.status_code == 301
    assert moved["Location"] == f"/api/v1/employers/{world.employer.pk}/"
    again = officer.post(url, {"into": world.employer.pk})
    assert again.status_code == 422


def test_the_employers_no_association_covers(directory: Directory) -> None:
    Employer.objects.filter(pk=directory.world.trust.pk).update(association=directory.retired)
    answers = {
        p: _as(directory, p).get("employers/unassigned/").status_code
        for p in ("officer", "auditor", "secretary", "employer", "outsider")
    }
    assert answers == {
        "officer": 200,
        "auditor": 200,
        "secretary": 403,
        "employer": 403,
        "outsider": 403,
    }
    body = _as(directory, "auditor").get("employers/unassigned/").json()
    names = [row["name"] for row in body["results"]]
    assert "Northern Star Trust" in names and "Counted School 01" in names
    assert "Northtown High School" not in names
    with_cases = _as(directory, "auditor").get("employers/unassigned/", {"cases": "1"}).json()
    assert with_cases["count"] == 0


def test_odd_requests_are_answered_without_a_server_error(directory: Directory) -> None:
    officer = _as(directory, "officer")
    pk = directory.world.other_employer.pk
    for url in (f"employers/{pk}/", f"employers/{pk}/association/", f"employers/{pk}/merge/"):
        response = officer.client.options("/api/v1/" + url, headers=officer.headers)
        # OPTIONS is not part of the API (DEFAULT_METADATA_CLASS): a problem, never a 500.
        assert response.status_code == 405, url
        assert response["Content-Type"] == "application/problem+json"
    huge = "9" * 30
    assert officer.post(f"employers/{pk}/merge/", {"into": huge}).status_code == 400
    assert officer.get(f"employers/{pk}/merge/", {"into": huge}).status_code == 400
    edit = officer.put(f"employers/{pk}/", _details(local_authority=huge))
    assert set(edit.json()["errors"]) == {"local_authority"}
    association = officer.put(f"employers/{pk}/association/", {"how": "hand", "association": huge})
    assert set(association.json()["errors"]) == {"association"}
