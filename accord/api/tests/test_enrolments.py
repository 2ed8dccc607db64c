"""Enrolments over the API: the list and an enrolment as their pages show them to each caller,
proposing, and taking steps with the steps' own forms, rules and services.

Expected answers are written by hand from the brief and the pages' behaviour."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.enrolments.tests.test_employer_never_sees_deliberations import (
    INTERNAL_STEPS,
    _every_internal_step,
    _marker,
)
from accord.organisations.models import Employer, EmployerKind
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db


def _more_enrolments(world: World, count: int) -> None:
    """`count` more employers in the secretary's association, each with a proposal (the rows
    alone: the list reads nothing else)."""
    for _ in range(count):
        n = Employer.objects.count()
        employer = Employer.objects.create(
            name=f"School {n}",
            kind=EmployerKind.SCHOOL,
            urn=f"9{n:05d}",
            association=world.association,
            local_authority=world.employer.local_authority,
        )
        Enrolment.objects.create(
            scheme=world.scheme,
            employer=employer,
            state=State.PROPOSED,
            initiated_by="union",
            proposed_by=world.users["secretary"],
        )


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def _queries(api: ApiClient, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200, response.json()
    return len(captured)


def test_the_list_reads_the_same_queries_for_two_enrolments_as_for_twenty(world: World) -> None:
    world.enrolment(State.NEM_CLEARED)
    _more_enrolments(world, 1)
    secretary, gmb = ApiClient(world.users["secretary"]), ApiClient(world.users["gmb"])
    # A token's first use is recorded once (its `last_used_at`): count the calls after it.
    _queries(secretary, "enrolments/"), _queries(gmb, "enrolments/")
    small = (_queries(secretary, "enrolments/"), _queries(gmb, "enrolments/"))
    assert secretary.get("enrolments/").json()["count"] == 2
    _more_enrolments(world, 18)
    assert secretary.get("enrolments/").json()["count"] == 20
    assert (_queries(secretary, "enrolments/"), _queries(gmb, "enrolments/")) == small


def test_the_list_shows_each_enrolment_in_the_callers_words_with_the_pages_filters(
    world: World,
) -> None:
    cleared = world.enrolment(State.NEM_CLEARED)
    objected = world.enrolment(State.OBJECTED, world.trust)
    # The employer asked to join, so its contact follows the case from the start.
    Enrolment.objects.filter(pk=cleared.pk).update(initiated_by="employer")
    secretary = ApiClient(world.users["secretary"])
    body = secretary.get("enrolments/").json()
    # Oldest change of state first, as on the page.
    assert [item["id"] for item in body["results"]] == [cleared.pk, objected.pk]
    first = body["results"][0]
    assert first["employer"] == {"id": world.employer.pk, "name": "Northtown High School"}
    assert first["scheme"] == world.scheme.slug
    assert first["state"] == "nem_cleared"
    assert first["state_label"] == "No objection from the NEM"
    assert first["url"] == f"http://testserver/api/v1/enrolments/{cleared.pk}/"
    assert body["results"][1]["state_label"] == "Objection from the NEM"

    assert [i["id"] for i in secretary.get("enrolments/", {"q": "star"}).json()["results"]] == [
        objected.pk
    ]
    objections = secretary.get("enrolments/", {"state": "objected"}).json()["results"]
    assert [i["id"] for i in objections] == [objected.pk]
    # Nothing has waited more than a week yet.
    assert secretary.get("enrolments/", {"waiting": "7"}).json()["count"] == 0
    # A value the page never offers is ignored, as on the page; bad types never break it.
    for params in ({"waiting": "5"}, {"state": "nonsense"}, {"q": "\x00" * 3}):
        assert secretary.get("enrolments/", params).json()["count"] == 2, params
    assert secretary.get("enrolments/", {"page": "99"}).status_code == 404

    # The employer knows its own case in its own words, and no state beyond them.
    employer = ApiClient(world.users["employer"])
    [item] = employer.get("enrolments/").json()["results"]
    assert item["id"] == cleared.pk
    assert item["state"] == "endorsed"
    assert item["state_label"] == "The unions are considering it"
    assert employer.get("enrolments/", {"state": "nem_cleared"}).json()["count"] == 1  # ignored
    assert employer.get("enrolments/", {"state": "approached"}).json()["count"] == 0
    assert ApiClient(world.users["other_secretary"]).get("enrolments/").json()["count"] == 0


def test_the_employer_reads_no_deliberation_through_the_api(world: World) -> None:
    enrolments = _every_internal_step(world)
    employer = ApiClient(world.users["employer"])
    bodies = [employer.get("enrolments/").content.decode()]
    for enrolment in enrolments:
        response = employer.get(f"enrolments/{enrolment.pk}/")
        assert response.status_code == 200
        bodies.append(response.content.decode())
        detail = response.json()
        assert detail["proposal"] is None
        assert detail["partner_positions"] == [] and detail["initial_meetings"] == []
        assert all(not event["internal"] for event in detail["history"])
    events = AuditEvent.objects.filter(context__startswith="enrolment:")
    for name in INTERNAL_STEPS:
        said = {_marker(name)} | {e.summary for e in events if e.action == f"enrolment.{name}"}
        leaked = [text for text in said for body in bodies if json.dumps(text)[1:-1] in body]
        assert leaked == [], name
    declined, objected, withdrawn, approached = (
        employer.get(f"enrolments/{e.pk}/").json() for e in enrolments
    )
    assert (declined["state"], declined["state_label"]) == ("not_proceeding", "Not proceeding")
    assert (objected["state"], objected["state_label"]) == ("not_proceeding", "Not proceeding")
    assert withdrawn["state_label"] == "Withdrawn" and withdrawn["closed_reason"] == ""
    # Not simply empty: the approach made to the employer is in its history.
    approach = events.get(action="enrolment.record_approach")
    assert approach.summary in [event["summary"] for event in approached["history"]]
    # The secretary, who sees the deliberations, reads them in the same places.
    secretary = ApiClient(world.users["secretary"]).get(f"enrolments/{objected['id']}/").json()
    assert secretary["state"] == "objected"
    assert secretary["closed_reason"] == _marker("record_objection")
    assert secretary["proposal"]["reason"] == _marker("propose")


def test_an_enrolment_shows_the_steps_its_caller_may_take_and_each_takes_it(
    world: World,
) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    secretary = ApiClient(world.users["secretary"])
    detail = secretary.get(f"enrolments/{enrolment.pk}/").json()
    assert detail["state"] == "proposed" and detail["state_label"] == "Proposed"
    steps = {s["name"]: s for s in detail["steps"]}
    assert set(steps) == {"record_initial_meeting", "endorse", "decline", "withdraw", "add_note"}
    assert steps["endorse"] == {
        "name": "endorse",
        "label": "Endorse the proposal",
        "task": True,
        "url": f"http://testserver/api/v1/enrolments/{enrolment.pk}/steps/endorse/",
    }
    # The rep only proposes, notes and records meetings; the NEM has nothing to do yet.
    rep_steps = ApiClient(world.users["rep"]).get(f"enrolments/{enrolment.pk}/").json()["steps"]
    assert {s["name"] for s in rep_steps} == {"record_initial_meeting", "add_note"}
    nem = ApiClient(world.users["nem"])
    nem_steps = nem.get(f"enrolments/{enrolment.pk}/").json()["steps"]
    assert [s["name"] for s in nem_steps] == ["add_note"]

    taken = secretary.post(_path(steps["endorse"]["url"]), {"note": "A good employer."})
    assert taken.status_code == 200, taken.json()
    assert taken.json()["state"] == "endorsed"
    assert taken.json()["history"][-1]["summary"] == "Secretary endorsed the proposal"
    assert taken.json()["history"][-1]["note"] == "A good employer."
    nem_steps = nem.get(f"enrolments/{enrolment.pk}/").json()["steps"]
    assert [s["name"] for s in nem_steps] == ["record_no_objection", "record_objection", "add_note"]
    # The history comes a window at a time, as on the page; a bad window number is the first.
    path = f"enrolments/{enrolment.pk}/"
    for window in ("abc", "-1", "1"):
        latest = secretary.get(path, {"history": window}).json()
        assert [e["summary"] for e in latest["history"]] == [
            "Secretary proposed the employer",
            "Secretary endorsed the proposal",
        ], window
        assert latest["history_has_earlier"] is False
    assert secretary.get(path, {"history": "2"}).json()["history"] == []


def test_unknown_and_refused_enrolments_and_steps(world: World) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    secretary = ApiClient(world.users["secretary"])
    for path in ("enrolments/999999/", "enrolments/99999999999999999999999/"):
        response = secretary.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"
    assert secretary.get("enrolments/abc/").status_code == 404
    # Out of the caller's scope: the page's 403.
    other = ApiClient(world.users["other_secretary"])
    assert other.get(f"enrolments/{enrolment.pk}/").status_code == 403
    assert other.post(f"enrolments/{enrolment.pk}/steps/endorse/", {}).status_code == 403
    # No such step, and propose is not taken on an enrolment.
    for name in ("no_such_step", "propose"):
        response = secretary.post(f"enrolments/{enrolment.pk}/steps/{name}/", {"note": "x"})
        assert response.status_code == 404, name
    assert secretary.post("enrolments/999999/steps/endorse/", {}).status_code == 404
    # A step that is not the caller's to take: the rep may not endorse, the NEM not yet.
    refused = ApiClient(world.users["rep"]).post(f"enrolments/{enrolment.pk}/steps/endorse/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "“Endorse the proposal” is not yours to take on this enrolment now."
    )
    nem = ApiClient(world.users["nem"])
    assert nem.post(f"enrolments/{enrolment.pk}/steps/record_no_objection/").status_code == 403
    # A read-only token changes nothing.
    reader = ApiClient(world.users["secretary"], read_only=True)
    response = reader.post(f"enrolments/{enrolment.pk}/steps/endorse/", {"note": "x"})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert reader.post("enrolments/", {"employer": world.trust.pk}).status_code == 403
    assert Enrolment.objects.get(pk=enrolment.pk).state == State.PROPOSED


def test_a_steps_form_refuses_as_on_the_page_by_field_name(world: World) -> None:
    secretary = ApiClient(world.users["secretary"])
    primary = Employer.objects.create(
        name="Northtown Primary",
        kind=EmployerKind.SCHOOL,
        association=world.association,
        local_authority=world.employer.local_authority,
    )
    proposed = world.enrolment(State.PROPOSED, primary)
    decline = f"enrolments/{proposed.pk}/steps/decline/"
    response = secretary.post(decline, {"reason": ""})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {"reason": ["This field is required."]}
    # Nothing where a text belongs is refused on its field, never a server error.
    for value in ([], None):
        response = secretary.post(decline, {"reason": value})
        assert response.status_code == 400, value
        assert set(response.json()["errors"]) == {"reason"}, value
    for body in ([1, 2], "text", 3):
        assert secretary.post(decline, body).status_code == 400, body
    agreed = world.enrolment(State.AGREED, world.trust)
    approach = secretary.post(
        f"enrolments/{agreed.pk}/steps/record_approach/",
        {"approach_method": "jcc", "jcc_name": "Staff JCC"},
    )
    assert approach.status_code == 400
    assert approach.json()["errors"] == {
        "jcc_meeting_date": ["Required for an approach through the JCC."]
    }
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    committed = world.enrolment(State.COMMITTED)
    response = secretary.post(f"enrolments/{committed.pk}/steps/record_joined/", {"date": future})
    assert response.json()["errors"] == {"date": ["The date cannot be in the future."]}
    assert Enrolment.objects.get(pk=proposed.pk).state == State.PROPOSED
    assert Enrolment.objects.get(pk=committed.pk).state == State.COMMITTED


def test_proposing_checks_as_the_page_and_a_refused_rule_is_a_422(world: World) -> None:
    secretary = ApiClient(world.users["secretary"])
    body = {"scheme": world.scheme.pk, "initiated_by": "union", "reason": "Good employer"}
    made = secretary.post("enrolments/", {**body, "employer": world.employer.pk})
    assert made.status_code == 201, made.json()
    enrolment = Enrolment.objects.get()
    assert made["Location"] == f"http://testserver/api/v1/enrolments/{enrolment.pk}/"
    assert made.json()["id"] == enrolment.pk and made.json()["state"] == "proposed"
    again = secretary.post("enrolments/", {**body, "employer": world.employer.pk})
    assert again.status_code == 422
    assert again.json()["errors"] == {
        "non_field_errors": [
            "Northtown High School already has an open enrolment in "
            f"{world.scheme.name} (proposed)."
        ]
    }
    academy = secretary.post("enrolments/", {**body, "employer": world.academy.pk})
    assert academy.status_code == 422
    assert "Northern Star Trust" in academy.json()["errors"]["exception_reason"][0]
    assert secretary.post("enrolments/", body).json()["errors"] == {
        "employer": ["This field is required."]
    }
    assert secretary.post("enrolments/", {**body, "employer": "x"}).status_code == 400
    assert secretary.post("enrolments/", {**body, "employer": 999999}).status_code == 404
    for huge in ({"employer": 10**20}, {"employer": world.trust.pk, "scheme": 10**20}):
        assert secretary.post("enrolments/", {**body, **huge}).status_code == 400, huge
    missing = secretary.post("enrolments/", {"employer": world.trust.pk})
    assert set(missing.json()["errors"]) == {"scheme", "initiated_by", "reason"}
    # The employer outside the secretary's association, and an employer contact: the 403.
    other = secretary.post("enrolments/", {**body, "employer": world.other_employer.pk})
    assert other.status_code == 403
    contact = ApiClient(world.users["employer"])
    assert contact.post("enrolments/", {**body, "employer": world.trust.pk}).status_code == 403
    assert Enrolment.objects.count() == 1


KEY = {"Idempotency-Key": "propose-1"}


def test_proposing_twice_with_one_idempotency_key_makes_one_enrolment(world: World) -> None:
    secretary = ApiClient(world.users["secretary"])
    body = {
        "employer": world.employer.pk,
        "scheme": world.scheme.pk,
        "initiated_by": "employer",
        "reason": "They asked us.",
    }
    first = secretary.post("enrolments/", body, **KEY)
    second = secretary.post("enrolments/", body, **KEY)
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert second["Location"] == first["Location"]
    assert Enrolment.objects.count() == 1
    other = secretary.post("enrolments/", {**body, "reason": "Another reason."}, **KEY)
    assert other.status_code == 422
    assert Enrolment.objects.count() == 1


def test_the_schema_has_one_operation_per_step_with_its_form(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "/api/v1/enrolments/{id}/steps/{step}/" not in paths
    assert "/api/v1/enrolments/{id}/steps/propose/" not in paths
    endorse = paths["/api/v1/enrolments/{id}/steps/endorse/"]["post"]
    assert endorse["operationId"] == "enrolments_step_endorse"
    assert endorse["summary"] == "Endorse the proposal"
    assert endorse["description"] == (
        "Endorse the proposal and pass it to the National Executive Member."
    )
    assert [p["name"] for p in endorse["parameters"]] == ["id"]
    approach = paths["/api/v1/enrolments/{id}/steps/record_approach/"]["post"]
    body = approach["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {
        "approach_method",
        "jcc_name",
        "jcc_meeting_date",
        "letter_date",
        "note",
    }
    assert body["required"] == ["approach_method"]
    assert body["properties"]["approach_method"]["enum"] == ["jcc", "joint_letter"]
    ok = approach["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/EnrolmentDetail"}
    assert {"400", "403", "404", "422"} <= set(approach["responses"])
    propose = paths["/api/v1/enrolments/"]["post"]
    assert propose["operationId"] == "enrolments_propose"
    assert "Idempotency-Key" in [p["name"] for p in propose["parameters"]]
