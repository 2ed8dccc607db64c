"""The caller's task list through the API: what the tasks page lists for them, each item with
its kind, label, object, page and the API address that acts on it; nothing for someone out of
scope; the same number of queries for 2 waiting items as for 20."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.enrolments.process import State
from accord.membership.models import Cycle
from accord.notifications.scale import build_cases, build_employers, build_members
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db


def _tasks(client: ApiClient) -> list[dict]:
    response = client.get("tasks/")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_the_task_list_needs_a_token(db: None) -> None:
    assert ApiClient().get("tasks/").status_code == 401


@pytest.mark.urls("accord.api.tests.urls_stepped")
def test_a_step_waiting_names_the_api_address_that_takes_it(world: World) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    items = _tasks(ApiClient(world.users["secretary"]))
    endorse = [i for i in items if i["label"] == "Endorse the proposal"]
    assert endorse == [
        {
            "kind": "step",
            "label": "Endorse the proposal",
            "object": {"type": "enrolment", "id": enrolment.pk, "name": "Northtown High School"},
            "enrolment": enrolment.pk,
            "state_label": "Proposed",
            "date": timezone.localdate(enrolment.state_changed_at).isoformat(),
            "url": f"/api/v1/enrolments/{enrolment.pk}/steps/endorse/",
            "page_url": f"/enrolments/{enrolment.pk}/steps/endorse/",
        }
    ]
    # Another area's secretary and an outsider have nothing waiting.
    assert _tasks(ApiClient(world.users["other_secretary"])) == []
    assert _tasks(ApiClient(world.users["outsider"])) == []


def test_the_employer_gets_its_own_step_and_none_of_the_unions(world: World) -> None:
    world.enrolment(State.COMMITMENT_DRAFTED)
    labels = {i["label"] for i in _tasks(ApiClient(world.users["employer"]))}
    assert "Confirm the commitment for the employer" in labels
    assert "Confirm the commitment for the unions" not in labels
    secretary = {i["label"] for i in _tasks(ApiClient(world.users["secretary"]))}
    assert "Confirm the commitment for the unions" in secretary
    assert "Confirm the commitment for the employer" not in secretary


def test_reviews_and_overdue_activities_are_on_the_list(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    cycle = Cycle.objects.get(enrolment=enrolment)
    with time_machine.travel(cycle.ends_on, tick=False):
        items = _tasks(ApiClient(world.users["secretary"]))
    review = [i for i in items if i["kind"] == "member"]
    assert [(i["label"], i["page_url"]) for i in review] == [
        ("Record the review of cycle 1", f"/enrolments/{enrolment.pk}/cycles/1/review/")
    ]
    overdue = [i for i in items if i["kind"] == "activity_overdue"]
    assert len(overdue) == 2
    assert all(i["object"]["type"] == "action" and i["enrolment"] == enrolment.pk for i in overdue)
    assert all(i["page_url"] == f"/actions/{i['object']['id']}/" for i in overdue)


def _queries(client: ApiClient) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("tasks/")
    assert response.status_code == 200
    return len(captured), len(response.json()["results"])


def test_the_list_costs_the_same_queries_for_2_waiting_items_as_for_20(world: World) -> None:
    secretary = ApiClient(world.users["secretary"])
    # The token's first use of the day is recorded once; the counts below are of later uses.
    secretary.get("tasks/")
    authority = world.employer.local_authority
    today = timezone.localdate()

    def add(count: int) -> None:
        employers = build_employers(count, association=world.association, local_authority=authority)
        build_cases(world.scheme, employers, state=State.PROPOSED, since=today)
        build_members(
            world.scheme,
            count=count,
            association=world.association,
            local_authority=authority,
            first_start=today - datetime.timedelta(days=300),
            late_every=1,
            activities=1,
        )

    add(1)
    small, shown_small = _queries(secretary)
    add(9)
    large, shown_large = _queries(secretary)
    assert shown_small >= 2 and shown_large >= 20
    assert small == large
