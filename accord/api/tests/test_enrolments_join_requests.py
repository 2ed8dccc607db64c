"""Employers' requests to join over the API: read, turned into a proposal or closed by the
people the request's page lets do so, and invisible to everyone else."""

from __future__ import annotations

import pytest

from accord.enrolments import join_requests
from accord.enrolments.models import Enrolment, JoinRequest
from accord.organisations.models import EmployerKind
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db


def _request(world: World, name: str = "Northtown Sixth Form College") -> JoinRequest:
    return join_requests.submit(
        scheme=world.scheme,
        data={
            "employer_name": name,
            "kind": EmployerKind.COLLEGE,
            "local_authority": world.employer.local_authority,
            "urn": "",
            "contact_name": "Pat Principal",
            "job_title": "Principal",
            "email": "pat@sixth-form.example",
            "phone": "",
            "message": "Our staff asked us to look at the scheme.",
        },
    )


def test_a_request_is_read_by_those_its_page_shows_it_to(world: World) -> None:
    join_request = _request(world)
    path = f"join-requests/{join_request.pk}/"
    body = ApiClient(world.users["secretary"]).get(path).json()
    assert body["employer_name"] == "Northtown Sixth Form College"
    assert body["status"] == "open"
    assert body["status_label"] == "Waiting for the local secretary"
    assert body["association"] == {"id": world.association.pk, "name": "Northtown"}
    assert body["email"] == "pat@sixth-form.example"
    assert body["may_propose"] is True and body["may_close"] is True
    assert body["employer_choices"] == []  # no employer of that name in the area yet
    officer = ApiClient(world.users["officer"]).get(path).json()
    assert (officer["may_propose"], officer["may_close"]) == (False, True)
    # The request holds personal details: to anyone else it does not exist.
    for persona in ("rep", "nem", "employer", "other_secretary", "gmb"):
        assert ApiClient(world.users[persona]).get(path).status_code == 404, persona
    assert ApiClient(world.users["secretary"]).get("join-requests/999999/").status_code == 404


def test_the_secretary_turns_a_request_into_a_proposal_once(world: World) -> None:
    join_request = _request(world)
    path = f"join-requests/{join_request.pk}/propose/"
    secretary = ApiClient(world.users["secretary"])
    refused = ApiClient(world.users["officer"]).post(path, {"employer": "new", "reason": "x"})
    assert refused.status_code == 403
    assert ApiClient(world.users["rep"]).post(path, {"employer": "new"}).status_code == 404
    invalid = secretary.post(path, {"employer": "someone", "reason": ""})
    assert invalid.status_code == 400
    assert set(invalid.json()["errors"]) == {"employer", "reason"}
    assert invalid.json()["errors"]["reason"] == ["This field is required."]

    made = secretary.post(path, {"employer": "new", "reason": "Their staff asked."})
    assert made.status_code == 201, made.json()
    enrolment = Enrolment.objects.get()
    assert made["Location"] == f"http://testserver/api/v1/enrolments/{enrolment.pk}/"
    assert made.json()["employer"]["name"] == "Northtown Sixth Form College"
    assert made.json()["proposal"]["initiated_by"] == "employer"
    after = secretary.get(f"join-requests/{join_request.pk}/").json()
    assert after["status"] == "proposed" and after["enrolment"] == enrolment.pk
    assert after["may_propose"] is False and after["handled_by"] == "Secretary"
    again = secretary.post(path, {"employer": "new", "reason": "Their staff asked."})
    assert again.status_code == 403
    assert again.json()["detail"] == "This request has already been handled."
    assert Enrolment.objects.count() == 1


def test_a_request_is_closed_with_a_reason(world: World) -> None:
    join_request = _request(world)
    path = f"join-requests/{join_request.pk}/close/"
    secretary = ApiClient(world.users["secretary"])
    assert secretary.post(path, {"reason": " "}).json()["errors"] == {
        "reason": ["This field is required."]
    }
    assert ApiClient(world.users["nem"]).post(path, {"reason": "Duplicate."}).status_code == 404
    closed = ApiClient(world.users["officer"]).post(path, {"reason": "A duplicate."})
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_reason"] == "A duplicate."
    assert closed.json()["may_close"] is False
    assert secretary.post(path, {"reason": "Again."}).status_code == 403
