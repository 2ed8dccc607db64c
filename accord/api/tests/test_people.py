"""People over the API: who sees whom and which of their roles, inviting, giving, changing and
ending roles, deactivating and reactivating, with the people pages' forms, services and rules.
Expected answers are written by hand from the pages' behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from accord.accounts.models import Role, RoleAssignment, User
from tests.world import World, build_world

from .client import ApiClient

pytestmark = pytest.mark.django_db


@dataclass
class People:
    world: World
    colleague: User  # the school's second contact, who is also its NASUWT rep


@pytest.fixture(scope="module")
def people(django_db_setup: None, django_db_blocker: Any) -> Iterator[People]:
    """One world for the module, rolled back at the end; each test's writes are rolled back
    after it (the `db` fixture)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        world = build_world()
        colleague = User.objects.create_user(
            "colleague@example.org",
            email="colleague@example.org",
            password="x-" * 8,
            full_name="Colleague",
        )
        RoleAssignment.objects.create(
            user=colleague, role=Role.EMPLOYER_CONTACT, employer=world.employer
        )
        RoleAssignment.objects.create(
            user=colleague,
            role=Role.WORKPLACE_REP,
            union=world.unions["NASUWT"],
            employer=world.employer,
        )
        for n in range(1, 21):
            counted = User.objects.create_user(
                f"counted{n}@example.org",
                email=f"counted{n}@example.org",
                password=None,
                full_name=f"Counted Person {n:02}",
            )
            RoleAssignment.objects.create(
                user=counted,
                role=Role.WORKPLACE_REP,
                union=world.unions["NASUWT"],
                employer=world.other_employer,
            )
        yield People(world, colleague)
        transaction.set_rollback(True)


def _as(people: People, persona: str, **kwargs: Any) -> ApiClient:
    return ApiClient(people.world.users[persona], **kwargs)


def _names(client: ApiClient, **params: Any) -> list[str]:
    response = client.get("people/", {"page_size": 200, **params})
    assert response.status_code == 200, response.json()
    return [row["full_name"] for row in response.json()["results"]]


# --- who sees whom ----------------------------------------------------------------------------


def test_who_sees_the_list_of_people(people: People) -> None:
    everyone = 16 + 1 + 20
    answers = {
        persona: _as(people, persona).get("people/").status_code
        for persona in ("officer", "auditor", "secretary", "employer", "rep", "nem", "outsider")
    }
    assert answers == {
        "officer": 200,
        "auditor": 200,
        "secretary": 200,
        "employer": 200,
        "rep": 403,
        "nem": 403,
        "outsider": 403,
    }
    assert len(_names(_as(people, "officer"))) == everyone
    assert len(_names(_as(people, "auditor"))) == everyone
    # A local secretary: the people with a role in their association, or at an employer in it.
    assert _names(_as(people, "secretary")) == [
        "Colleague",
        "Employer",
        "Rep",
        "Secretary",
        "Unison",
    ]
    # An employer contact: their own organisation's contacts.
    assert _names(_as(people, "employer")) == ["Colleague", "Employer"]


def test_an_employer_contact_never_sees_a_colleagues_union_role(people: People) -> None:
    colleague = people.colleague
    as_employer = _as(people, "employer")
    row = next(r for r in as_employer.get("people/").json()["results"] if r["id"] == colleague.pk)
    assert [r["role"] for r in row["roles"]] == ["employer_contact"]
    page = as_employer.get(f"people/{colleague.pk}/").json()
    assert [r["role"] for r in page["current_roles"]] == ["employer_contact"]
    assert page["former_roles"] == []
    # The union's staff see both.
    officer_page = _as(people, "officer").get(f"people/{colleague.pk}/").json()
    assert sorted(r["role"] for r in officer_page["current_roles"]) == [
        "employer_contact",
        "workplace_rep",
    ]
    # Filtering by a union role finds nobody for the employer contact.
    assert _names(as_employer, role="workplace_rep") == []


def test_the_people_filters_are_the_pages(people: People) -> None:
    officer = _as(people, "officer")
    world = people.world
    assert _names(officer, q="secretary") == ["Other Secretary", "Secretary"]
    assert _names(officer, role="nem") == ["Nem", "Other Nem"]
    assert _names(officer, role="partner_rep", union=world.unions["GMB"].pk) == [
        "Gmb",
        "Other Gmb",
    ]
    assert _names(officer, association=world.association.pk) == [
        "Colleague",
        "Employer",
        "Rep",
        "Secretary",
        "Unison",
    ]
    assert _names(officer, region=world.association.region_id, role="partner_rep") == [
        "Gmb",
        "Unison",
        "Unite",
    ]
    everyone = _names(officer)
    assert everyone == sorted(everyone)
    assert _names(officer, role="king", union="x", region="-2", district="1.5") == everyone


def test_a_persons_page_is_for_those_who_see_them(people: People) -> None:
    rep = people.world.users["rep"]
    answers = {
        persona: _as(people, persona).get(f"people/{rep.pk}/").status_code
        for persona in ("officer", "auditor", "secretary", "other_secretary", "employer", "rep")
    }
    assert answers == {
        "officer": 200,
        "auditor": 200,
        "secretary": 200,
        "other_secretary": 403,
        "employer": 403,
        "rep": 403,
    }
    for pk in ("0", "999999", "x", "123456789012345678901234"):
        assert _as(people, "officer").get(f"people/{pk}/").status_code == 404


def test_a_persons_page_shows_nothing_about_signing_in(people: People) -> None:
    rep = people.world.users["rep"]
    page = _as(people, "secretary").get(f"people/{rep.pk}/").json()
    assert set(page) == {
        "id",
        "full_name",
        "email",
        "status",
        "last_login",
        "invitation",
        "current_roles",
        "former_roles",
        "may_grant",
        "may_manage",
    }
    assert page["status"] == "active"
    assert page["may_grant"] is True and page["may_manage"] is True
    [role] = page["current_roles"]
    assert role["role"] == "workplace_rep" and role["may_end"] is True
    assert role["scope_label"] == "NASUWT, Northtown High School"
    invited = _as(people, "officer").get("people/", {"q": "Counted Person 01"}).json()
    assert invited["results"][0]["status"] == "invited"


def test_the_list_reads_as_many_queries_for_2_people_as_for_20(people: People) -> None:
    officer = _as(people, "officer")
    officer.get("people/")  # the token's first use is recorded once

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = officer.get("people/", {"q": "Counted Person", "page_size": size})
        assert len(response.json()["results"]) == size
        return len(captured)

    assert queries(2) == queries(20)


# --- changes ----------------------------------------------------------------------------------


def test_a_local_secretary_invites_a_rep_at_a_school_of_their_association(
    people: People,
) -> None:
    world = people.world
    secretary = _as(people, "secretary")
    data = {
        "email": "New.Rep@Example.org",
        "full_name": "New Rep",
        "role": "workplace_rep",
        "union": world.unions["NASUWT"].pk,
        "employer": world.employer.pk,
    }
    assert _as(people, "rep").post("people/", data).status_code == 403
    assert _as(people, "secretary", read_only=True).post("people/", data).status_code == 403
    elsewhere = secretary.post("people/", {**data, "employer": world.other_employer.pk})
    assert elsewhere.status_code == 400
    assert set(elsewhere.json()["errors"]) == {"employer"}
    officer_role = secretary.post("people/", {**data, "role": "national_officer"})
    assert officer_role.status_code == 400
    assert set(officer_role.json()["errors"]) == {"role"}
    bad = secretary.post("people/", {**data, "email": "nobody", "full_name": None})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"email", "full_name"}
    listed = secretary.post("people/", {**data, "email": ["a@example.org", "b@example.org"]})
    assert listed.status_code == 400
    assert set(listed.json()["errors"]) == {"email"}
    response = secretary.post("people/", data)
    assert response.status_code == 201, response.json()
    page = response.json()
    assert (page["email"], page["status"]) == ("new.rep@example.org", "invited")
    assert [r["role"] for r in page["current_roles"]] == ["workplace_rep"]
    assert response["Location"] == f"/api/v1/people/{page['id']}/"
    assert page["invitation"]["state"] == "open"


def test_an_officer_gives_changes_and_ends_a_role(people: People) -> None:
    world = people.world
    outsider = world.users["outsider"]
    officer = _as(people, "officer")
    rep_role = {"role": "workplace_rep", "union": world.unions["NASUWT"].pk, "employer": "100001"}
    assert _as(people, "secretary").post(f"people/{outsider.pk}/roles/", rep_role).status_code == (
        403
    )
    given = officer.post(f"people/{outsider.pk}/roles/", rep_role)
    assert given.status_code == 201, given.json()
    [role] = given.json()["current_roles"]
    assert role["scope_label"] == "NASUWT, Northtown High School"
    twice = officer.post(f"people/{outsider.pk}/roles/", rep_role)
    assert twice.status_code == 422
    assert set(twice.json()["errors"]) == {"role"}
    unknown = officer.post(f"people/{outsider.pk}/roles/", {**rep_role, "employer": "999"})
    assert unknown.json()["errors"] == {
        "employer": ["No employer has that URN, group UID or name."]
    }

    changed = officer.put(
        f"people/{outsider.pk}/roles/{role['id']}/",
        {**rep_role, "employer": "200001", "reason": "Moved school"},
    )
    assert changed.status_code == 200, changed.json()
    [now] = changed.json()["current_roles"]
    assert now["scope_label"] == "NASUWT, Southtown School"
    assert changed.json()["former_roles"][0]["end_reason"] == "Moved school"
    # The old role is history now: it cannot be ended or changed again.
    assert officer.post(f"people/{outsider.pk}/roles/{role['id']}/end/").status_code == 404

    ended = officer.post(
        f"people/{outsider.pk}/roles/{now['id']}/end/", {"reason": "Left", "ends_on": "x"}
    )
    assert ended.status_code == 400
    assert set(ended.json()["errors"]) == {"ends_on"}
    ended = officer.post(f"people/{outsider.pk}/roles/{now['id']}/end/", {"reason": "Left"})
    assert ended.status_code == 200, ended.json()
    assert ended.json()["current_roles"] == []
    assert len(ended.json()["former_roles"]) == 2


def test_roles_are_ended_only_by_whoever_could_give_them(people: People) -> None:
    world = people.world
    rep = world.users["rep"]
    other_rep = world.users["other_rep"]
    rep_role = RoleAssignment.objects.get(user=rep)
    other_role = RoleAssignment.objects.get(user=other_rep)
    secretary = _as(people, "secretary")
    assert secretary.post(f"people/{other_rep.pk}/roles/{other_role.pk}/end/").status_code == 403
    assert _as(people, "auditor").post(f"people/{rep.pk}/roles/{rep_role.pk}/end/").status_code == (
        403
    )
    officer = world.users["officer"]
    own = RoleAssignment.objects.get(user=officer)
    assert _as(people, "officer").post(f"people/{officer.pk}/roles/{own.pk}/end/").status_code == (
        403
    )
    assert secretary.post(f"people/{rep.pk}/roles/{other_role.pk}/end/").status_code == 404
    assert secretary.post(f"people/{rep.pk}/roles/{rep_role.pk}/end/").status_code == 200


def test_deactivation_stops_the_persons_tokens_at_once(people: People) -> None:
    rep = people.world.users["rep"]
    reps_own = _as(people, "rep")
    assert reps_own.get("people/").status_code == 403  # signed in, but sees nobody
    assert _as(people, "other_secretary").post(f"people/{rep.pk}/deactivation/").status_code == (
        403
    )
    assert _as(people, "auditor").post(f"people/{rep.pk}/deactivation/").status_code == 403
    secretary = _as(people, "secretary")
    response = secretary.post(f"people/{rep.pk}/deactivation/", {"reason": "Left the school"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "deactivated"
    assert reps_own.get("people/").status_code == 401
    again = secretary.post(f"people/{rep.pk}/deactivation/")
    assert again.status_code == 422
    assert again.json()["detail"] == "This person is deactivated already."
    back = secretary.post(f"people/{rep.pk}/reactivation/", {"reason": "Back"})
    assert back.status_code == 200 and back.json()["status"] == "active"
    assert secretary.post(f"people/{rep.pk}/reactivation/").status_code == 422
    assert secretary.post(f"people/{rep.pk}/deactivation/", [1]).status_code == 400
