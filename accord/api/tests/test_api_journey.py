"""The whole joining process through the API alone: from the rep's proposal to the listing on
the public register, each step taken by the persona the brief gives it ("The joining process"
in PRODUCT.md), each with its own token. Before each step the enrolment is read as the one who
takes it next: the step must be among those it offers them; after it, the state must be the
one the brief names. Nothing here calls a service or writes to the database directly.

The steps' input is the pages' own (the permission table's `valid_data`), sent as JSON."""

from __future__ import annotations

from typing import Any

import pytest

from accord.enrolments.tests.test_permission_matrix import Matrix, valid_data
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db

# (persona, step, what it sends beyond the pages' example, the state after it), by hand from
# the brief: proposed by the rep, endorsed by the local secretary, cleared by the NEM, agreed by
# the partner unions (the secretary marking the one not represented locally), approached,
# introduced, drafted and confirmed by both sides (co-signed by each partner union that agreed),
# joined, notified to the national union by the NEM, and listed by the national officer.
JOURNEY: list[tuple[str, str, dict[str, Any], str]] = [
    ("rep", "record_initial_meeting", {}, "proposed"),
    ("secretary", "endorse", {}, "endorsed"),
    ("nem", "record_no_objection", {}, "nem_cleared"),
    ("gmb", "record_partner_position", {"position": "agree", "reason": ""}, "nem_cleared"),
    ("unison", "record_partner_position", {"position": "agree", "reason": ""}, "nem_cleared"),
    ("secretary", "mark_not_represented", {}, "agreed"),
    ("secretary", "record_approach", {}, "approached"),
    ("secretary", "record_introduction", {}, "introduced"),
    ("secretary", "draft_commitment", {}, "commitment_drafted"),
    ("secretary", "confirm_commitment_union", {}, "commitment_drafted"),
    ("gmb", "cosign_commitment", {}, "commitment_drafted"),
    ("unison", "cosign_commitment", {}, "commitment_drafted"),
    ("employer", "confirm_commitment_employer", {}, "committed"),
    ("secretary", "record_joined", {}, "joined"),
    ("nem", "notify_national_union", {}, "national_notified"),
    ("officer", "list_on_register", {}, "listed"),
]


def _examples(world: World) -> Matrix:
    """What the pages' example input refers to: the scheme's principles and materials."""
    principles = world.scheme.current_principles()
    return Matrix(
        world,
        clients={},
        principle_pks={v.principle.number: v.pk for v in principles},
        material_pks=list(world.scheme.materials.values_list("pk", flat=True)),
    )


def _step_names(body: dict[str, Any]) -> set[str]:
    return {step["name"] for step in body["steps"]}


def test_an_employer_joins_from_proposal_to_listing_through_the_api_alone(world: World) -> None:
    examples = _examples(world)
    api = {persona: ApiClient(world.users[persona]) for persona in world.users}
    employer_name = world.employer.name

    # Not on the register before.
    register = ApiClient().get("register/", {"page_size": 200})
    assert register.status_code == 200, register.content
    assert employer_name not in register.content.decode()

    proposal = {"employer": world.employer.pk, **valid_data(examples, "propose", "rep")}
    created = api["rep"].post("enrolments/", proposal)
    assert created.status_code == 201, created.content
    enrolment_id = created.json()["id"]
    address = f"enrolments/{enrolment_id}/"
    assert created.json()["state"] == "proposed"

    for persona, name, extra, state in JOURNEY:
        before = api[persona].get(address)
        assert before.status_code == 200, (persona, name, before.content)
        assert name in _step_names(before.json()), (persona, name, before.json()["steps"])
        data = {**valid_data(examples, name, persona), **extra}
        taken = api[persona].post(f"{address}steps/{name}/", data)
        assert taken.status_code in (200, 201), (persona, name, taken.content)
        after = api["secretary"].get(address).json()
        assert after["state"] == state, (persona, name, after["state"])

    # Once listed, the national officer may only add a note (leaving is the membership's
    # withdrawal); the history holds the way there.
    listed = api["officer"].get(address).json()
    assert listed["state"] == "listed"
    assert _step_names(listed) == {"add_note"}
    assert isinstance(listed["history"], list) and listed["history"]

    register = ApiClient().get("register/", {"page_size": 200})
    assert register.status_code == 200
    assert employer_name in register.content.decode()
