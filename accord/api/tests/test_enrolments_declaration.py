"""A step added to the process declaration is in the API and its schema with no API code
changed: this test declares one (with a form and a handler that already exist) and uses it."""

from __future__ import annotations

import pytest

from accord.accounts.models import Role
from accord.enrolments import process, services
from accord.enrolments.process import State, Step
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db

GOVERNORS = Step(
    name="record_governors_view",
    label="Record the governors' view",
    done="recorded the governors' view",
    sources=frozenset({State.PROPOSED}),
    targets=(),
    roles=frozenset({Role.LOCAL_SECRETARY}),
    form="NoteRequiredForm",
    task=False,
    help="What the governing body said when the proposal was put to it.",
)


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> Step:
    """The declaration with one more step; its work is only its note, like endorsing's."""
    monkeypatch.setattr(process, "STEPS", (*process.STEPS, GOVERNORS))
    monkeypatch.setitem(process.STEPS_BY_NAME, GOVERNORS.name, GOVERNORS)
    monkeypatch.setitem(services.HANDLERS, GOVERNORS.name, services.HANDLERS["endorse"])
    return GOVERNORS


def test_a_declared_step_is_in_the_schema_with_its_form(client, declared: Step) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/enrolments/{id}/steps/record_governors_view/"]["post"]
    assert operation["operationId"] == "enrolments_step_record_governors_view"
    assert operation["summary"] == "Record the governors' view"
    assert operation["description"] == (
        "What the governing body said when the proposal was put to it."
    )
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"note"}
    assert body["required"] == ["note"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/EnrolmentDetail"}


def test_a_declared_step_is_offered_and_taken_by_its_role_only(
    world: World, declared: Step
) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    path = f"enrolments/{enrolment.pk}/steps/record_governors_view/"
    secretary = ApiClient(world.users["secretary"])
    offered = secretary.get(f"enrolments/{enrolment.pk}/").json()["steps"]
    assert {
        "name": "record_governors_view",
        "label": "Record the governors' view",
        "task": False,
        "url": f"http://testserver/api/v1/{path}",
    } in offered
    rep = ApiClient(world.users["rep"])
    assert "record_governors_view" not in {
        s["name"] for s in rep.get(f"enrolments/{enrolment.pk}/").json()["steps"]
    }
    refused = rep.post(path, {"note": "They are keen."})
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "“Record the governors' view” is not yours to take on this enrolment now."
    )
    assert secretary.post(path, {"note": ""}).json()["errors"] == {
        "note": ["This field is required."]
    }
    taken = secretary.post(path, {"note": "They are keen."})
    assert taken.status_code == 200, taken.json()
    detail = taken.json()
    assert detail["state"] == "proposed"
    assert detail["history"][-1]["summary"] == "Secretary recorded the governors' view"
    assert detail["history"][-1]["note"] == "They are keen."
    assert detail["history"][-1]["internal"] is True
    # An internal step: the employer, who asked to join, never reads it.
    enrolment.initiated_by = "employer"
    enrolment.save(update_fields=["initiated_by"])
    employer = ApiClient(world.users["employer"]).get(f"enrolments/{enrolment.pk}/").json()
    assert "governors" not in str(employer["history"])
