"""Policy checks through the API: read by whoever may see the member's enrolment, logged by
either side, assessed once by the local secretary, with the page's forms and messages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.enrolments.process import State
from accord.membership import policy_checks
from accord.membership.models import Membership, PolicyCheck
from tests.world import PERSONAS, World, build_world

from .client import ApiClient

pytestmark = pytest.mark.django_db


@dataclass
class Data:
    world: World
    membership: Membership
    check: PolicyCheck


@pytest.fixture(scope="module")
def data(django_db_setup: None, django_db_blocker: Any) -> Iterator[Data]:
    """A listed member with one policy logged by the employer: made once, rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        world.enrolment(State.LISTED)
        membership = Membership.objects.get()
        check = policy_checks.log_policy(
            membership,
            actor=world.users["employer"],
            data={"title": "Flexible working", "description": "Requests from day one."},
        )
        yield Data(world, membership, check)
        transaction.set_rollback(True)


def _as(data: Data, persona: str, **kwargs: Any) -> ApiClient:
    return ApiClient(data.world.users[persona], **kwargs)


# Whoever may see the member's enrolment reads its policy checks; the local secretary alone
# assesses them.
READERS = {"rep", "secretary", "nem", "gmb", "unison", "unite", "officer", "employer", "auditor"}


def test_each_persona_reads_the_policy_checks_as_the_pages_allow(data: Data) -> None:
    list_path = f"memberships/{data.membership.pk}/policy-checks/"
    for persona in PERSONAS:
        client = _as(data, persona)
        expected = 200 if persona in READERS else 403
        listed = client.get(list_path)
        detail = client.get(f"policy-checks/{data.check.pk}/")
        assert (listed.status_code, detail.status_code) == (expected, expected), persona
        page = Client()
        page.force_login(data.world.users[persona])
        assert page.get(f"/policy-checks/{data.check.pk}/").status_code == expected, persona
        if expected == 200:
            [row] = listed.json()["results"]
            assert row["title"] == "Flexible working" and row["assessment"] is None
            assert detail.json()["may_assess"] is (persona == "secretary"), persona
            assert bool(detail.json()["principle_choices"]) is (persona == "secretary")
    assert _as(data, "rep").get("memberships/999999/policy-checks/").status_code == 404
    assert _as(data, "rep").get("policy-checks/999999/").status_code == 404


def test_either_side_logs_a_policy_and_others_may_not(data: Data) -> None:
    path = f"memberships/{data.membership.pk}/policy-checks/"
    body = {"title": "Hybrid working", "description": "Two days at home.", "introduced_on": None}
    for persona in ("nem", "officer", "auditor", "other_employer", "outsider"):
        assert _as(data, persona).post(path, body).status_code == 403, persona
    key = {"Idempotency-Key": "log-hybrid"}
    rep = _as(data, "rep")
    first = rep.post(path, body, **key)
    assert first.status_code == 201, first.json()
    logged = first.json()
    assert logged["logged_by"] == "Rep" and logged["assessment"] is None
    assert first["Location"] == f"/api/v1/policy-checks/{logged['id']}/"
    again = rep.post(path, body, **key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert PolicyCheck.objects.filter(title="Hybrid working").count() == 1


def test_a_policy_logged_wrongly_names_each_field(data: Data) -> None:
    path = f"memberships/{data.membership.pk}/policy-checks/"
    employer = _as(data, "employer")
    missing = employer.post(path, {"introduced_on": "2999-01-01"})
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"title", "description", "introduced_on"}
    wrong = employer.post(path, {"title": "T", "description": "x", "introduced_on": "soon"})
    assert wrong.status_code == 400 and set(wrong.json()["errors"]) == {"introduced_on"}
    shape = employer.post(path, {"title": {"a": 1}, "description": "x", "introduced_on": "soon"})
    assert shape.status_code == 400 and set(shape.json()["errors"]) == {"title"}
    assert PolicyCheck.objects.count() == 1


def test_the_secretary_assesses_a_policy_once(data: Data) -> None:
    path = f"policy-checks/{data.check.pk}/assessment/"
    assessment = {
        "assessment": "detriment",
        "reasoning": "It leaves out supply staff.",
        "union_response": "Include them.",
    }
    for persona in ("rep", "employer", "officer", "nem"):
        assert _as(data, persona).post(path, assessment).status_code == 403, persona
    secretary = _as(data, "secretary")
    choices = secretary.get(f"policy-checks/{data.check.pk}/").json()["principle_choices"]
    assert [c["number"] for c in choices] == [1, 2, 3, 4, 5, 6]
    unnamed = secretary.post(path, assessment)
    assert unnamed.status_code == 422
    assert unnamed.json()["errors"] == {
        "principles": ["Name the principles the detriment is against."]
    }
    unknown = secretary.post(path, {**assessment, "principles": [999999]})
    assert unknown.status_code == 400 and "principles" in unknown.json()["errors"]
    done = secretary.post(path, {**assessment, "principles": [choices[1]["id"]]})
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["assessment"] == "detriment" and body["principles"] == [2]
    assert body["assessed_by"] == "Secretary" and body["may_assess"] is False
    assert body["principle_choices"] == []
    again = secretary.post(path, {**assessment, "principles": [choices[1]["id"]]})
    assert again.status_code == 403


def test_the_list_reads_a_fixed_number_of_queries(data: Data) -> None:
    secretary = _as(data, "secretary")
    path = f"memberships/{data.membership.pk}/policy-checks/"
    secretary.get(path)  # the token's first use of the day is recorded once

    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = secretary.get(path)
        assert response.status_code == 200
        return response.json()["count"], len(queries)

    policy_checks.log_policy(
        data.membership,
        actor=data.world.users["rep"],
        data={"title": "Second", "description": "Another."},
    )
    two, few = counted()
    for n in range(18):
        PolicyCheck.objects.create(
            membership=data.membership,
            title=f"Policy {n}",
            description="More.",
            logged_by=data.world.users["employer"],
        )
    twenty, many = counted()
    assert (two, twenty) == (2, 20)
    assert few == many
