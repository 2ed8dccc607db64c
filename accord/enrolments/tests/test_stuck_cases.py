"""Stuck cases: the enrolment list filtered by how long a case in progress has waited at its
step, alone or with the step; any other value is ignored, never an error."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.organisations.models import Employer, EmployerKind
from tests.world import World

# employer name: (state, days since it reached it)
CASES = {
    "Proposed Forty Days": (State.PROPOSED, 40),
    "Endorsed Ten Days": (State.ENDORSED, 10),
    "Endorsed Two Days": (State.ENDORSED, 2),
    "Listed Long Ago": (State.LISTED, 100),  # a member: waits for nothing
    "Declined Long Ago": (State.DECLINED, 100),  # closed: waits for nothing
}


@pytest.fixture
def cases(world: World) -> World:
    now = timezone.now()
    for name, (state, days) in CASES.items():
        employer = Employer.objects.create(
            name=name,
            kind=EmployerKind.SCHOOL,
            local_authority=world.employer.local_authority,
            association=world.association,
        )
        Enrolment.objects.create(
            scheme=world.scheme,
            employer=employer,
            state=state,
            state_changed_at=now - datetime.timedelta(days=days, hours=1),
            proposed_by=world.users["secretary"],
        )
    return world


def _shown(client: Client, query: str) -> set[str]:
    response = client.get(f"/enrolments/{query}")
    assert response.status_code == 200, query
    page = response.content.decode()
    return {name for name in CASES if name in page}


def test_stuck_cases_are_found_by_days_waiting_and_by_step(cases: World) -> None:
    client = Client()
    client.force_login(cases.users["secretary"])
    everything = set(CASES)
    assert _shown(client, "") == everything
    assert _shown(client, "?waiting=30") == {"Proposed Forty Days"}
    assert _shown(client, "?waiting=7") == {"Proposed Forty Days", "Endorsed Ten Days"}
    assert _shown(client, "?waiting=7&state=endorsed") == {"Endorsed Ten Days"}
    assert _shown(client, "?waiting=90") == set()
    page = client.get("/enrolments/?waiting=7").content.decode()
    assert '<option value="7" selected>More than 7 days</option>' in page
    assert "waiting more than 7 days at their step" in page


@pytest.mark.parametrize(
    "junk",
    [
        "?waiting=abc",
        "?waiting=-5",
        "?waiting=8",  # not one of the choices
        "?waiting=99999999999999999999999",
        "?waiting=%00",
        "?waiting=7.5",
        "?waiting=&state=",
    ],
)
def test_a_waiting_value_not_offered_is_ignored(cases: World, junk: str) -> None:
    client = Client()
    client.force_login(cases.users["secretary"])
    assert _shown(client, junk) == set(CASES)


def test_a_bad_step_leaves_the_days_waiting_in_force_and_the_other_way_round(
    cases: World,
) -> None:
    client = Client()
    client.force_login(cases.users["secretary"])
    assert _shown(client, "?waiting=30&state=nonsense") == {"Proposed Forty Days"}
    assert _shown(client, "?waiting=nonsense&state=endorsed") == {
        "Endorsed Ten Days",
        "Endorsed Two Days",
    }
    # A value sent twice counts as its last, as a form field does.
    assert _shown(client, "?waiting=30&waiting=7&page=x") == {
        "Proposed Forty Days",
        "Endorsed Ten Days",
    }


def test_the_days_waiting_filter_is_for_union_staff(cases: World) -> None:
    """An employer contact is not offered the stuck cases, and a value sent is ignored."""
    Enrolment.objects.filter(employer=cases.employer).delete()
    own = Enrolment.objects.create(
        scheme=cases.scheme,
        employer=cases.employer,
        state=State.APPROACHED,
        approach_method="joint_letter",
        state_changed_at=timezone.now() - datetime.timedelta(days=3),
        proposed_by=cases.users["secretary"],
    )
    client = Client()
    client.force_login(cases.users["employer"])
    page = client.get("/enrolments/").content.decode()
    assert 'name="waiting"' not in page
    filtered = client.get("/enrolments/?waiting=30")
    assert filtered.status_code == 200
    assert own.get_absolute_url() in filtered.content.decode()
