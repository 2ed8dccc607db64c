"""The permission table of the joining process, over the API: the same hand-written answers as
over the pages (accord/enrolments/tests/test_permission_matrix.py, whose table, personas, data
and example input this module imports, never deriving anything from `process.py`).

Where the page's step form takes valid input (a redirect), the API takes the step (2xx) and
writes the same thing; where the page refuses with a 403, so does the API, writing nothing;
where the page shows a message (400), the API answers with a problem (400 or 422). The
enrolment read through the API offers exactly the steps its page links to, and refuses whom
the page refuses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction

from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.enrolments.tests import test_permission_matrix as table
from accord.enrolments.tests.test_permission_matrix import (
    IN_SCOPE,
    NAMES,
    PROPOSE,
    STATES,
    WHO_MAY,
    Matrix,
    asked,
    enrolment_in,
    may_take,
    may_view,
    reaches,
    valid_data,
)
from tests.world import PERSONAS

from .client import ApiClient

# The table's data, built once for the module as the pages' table builds it (a fixture).
matrix = table.matrix

# How the pages' answers read over the API.
OK, FORBIDDEN, REFUSED = "ok", "forbidden", "refused"


def _kind(status: int) -> str:
    if 200 <= status < 300:
        return OK
    if status == 403:
        return FORBIDDEN
    if status in (400, 422):
        return REFUSED
    return str(status)


@dataclass(frozen=True)
class Answer:
    post: str
    wrote: str  # "nothing", or the state reached and the event recorded


@pytest.fixture(scope="module")
def api(matrix: Matrix, django_db_blocker: Any) -> Iterator[dict[str, ApiClient]]:
    """A token and an API client per persona, in the matrix's data (rolled back with it)."""
    with django_db_blocker.unblock():
        yield {persona: ApiClient(matrix.world.users[persona]) for persona in PERSONAS}


# Everything a step could write, as the pages' table counts it, but for the audit events of
# the tokens' own use (a token's first use each minute is recorded): those are the API's.
WRITTEN_SQL = table.WRITTEN_SQL.replace(
    f"FROM {AuditEvent._meta.db_table})",
    f"FROM {AuditEvent._meta.db_table} WHERE action NOT LIKE 'api_token.%')",
    1,
)
TOKEN_EVENTS = "api_token."


def _written() -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(WRITTEN_SQL)
        return tuple(cursor.fetchone())


def _post(
    client: ApiClient, path: str, data: dict[str, Any], enrolment: Enrolment | None
) -> Answer:
    """POST `path`; whatever it did is rolled back before the next persona."""
    before = _written()
    with transaction.atomic():
        response = client.post(path, data)
        if _written() == before:
            wrote = "nothing"
        else:
            event = (
                AuditEvent.objects.exclude(action__startswith=TOKEN_EVENTS).order_by("-id").first()
            )
            if enrolment is None:
                state = Enrolment.objects.order_by("-id").first().state  # type: ignore[union-attr]
            else:
                state = Enrolment.objects.get(pk=enrolment.pk).state
            wrote = f"{state} {event.action if event else 'without an event'}"
        transaction.set_rollback(True)
    return Answer(_kind(response.status_code), wrote)


def _expected(persona: str, step_name: str, state: State | None) -> Answer:
    if not may_take(persona, step_name, state):
        return Answer(FORBIDDEN, "nothing")
    return Answer(OK, f"{reaches(persona, step_name, state)} enrolment.{step_name}")


@pytest.mark.parametrize("state", STATES, ids=[s.value for s in STATES])
def test_each_step_is_taken_over_the_api_exactly_by_who_may_take_it_now(
    matrix: Matrix, api: dict[str, ApiClient], db: None, state: State
) -> None:
    enrolment = enrolment_in(matrix, state)
    answers, wanted = {}, {}
    for step_name in NAMES:
        path = f"enrolments/{enrolment.pk}/steps/{step_name}/"
        for persona in PERSONAS:
            if asked(persona, step_name, state):
                data = valid_data(matrix, step_name, persona)
                answers[step_name, persona] = _post(api[persona], path, data, enrolment)
                wanted[step_name, persona] = _expected(persona, step_name, state)
    assert answers == wanted


@pytest.mark.parametrize("state", [None, *STATES], ids=["none", *[s.value for s in STATES]])
def test_proposing_over_the_api_succeeds_for_rep_and_secretary_only_without_an_open_enrolment(
    matrix: Matrix, api: dict[str, ApiClient], db: None, state: State | None
) -> None:
    if state is not None:
        enrolment_in(matrix, state)
    answers, wanted = {}, {}
    for persona in PERSONAS:
        if not asked(persona, PROPOSE, state):
            continue
        data = {"employer": matrix.world.employer.pk, **valid_data(matrix, PROPOSE, persona)}
        answers[persona] = _post(api[persona], "enrolments/", data, None)
        if IN_SCOPE.get(persona) not in WHO_MAY[PROPOSE].roles:
            wanted[persona] = Answer(FORBIDDEN, "nothing")
        elif state in WHO_MAY[PROPOSE].states:
            wanted[persona] = Answer(OK, "proposed enrolment.propose")
        else:
            # Theirs to propose, but an open enrolment exists: refused, nothing written.
            wanted[persona] = Answer(REFUSED, "nothing")
    assert answers == wanted


@pytest.mark.parametrize("state", STATES, ids=[s.value for s in STATES])
def test_the_enrolment_offers_exactly_the_steps_the_caller_may_take_now(
    matrix: Matrix, api: dict[str, ApiClient], db: None, state: State
) -> None:
    enrolment = enrolment_in(matrix, state)
    answers, wanted = {}, {}
    for persona in PERSONAS:
        response = api[persona].get(f"enrolments/{enrolment.pk}/")
        offered = (
            {step["name"] for step in response.json()["steps"]}
            if response.status_code == 200
            else set()
        )
        answers[persona] = (response.status_code, offered)
        if may_view(persona, state):
            wanted[persona] = (200, {n for n in NAMES if may_take(persona, n, state)})
        else:
            wanted[persona] = (403, set())
    assert answers == wanted


def test_an_unknown_step_is_not_found(matrix: Matrix, api: dict[str, ApiClient], db: None) -> None:
    enrolment = enrolment_in(matrix, State.PROPOSED)
    for name in ("propose", "approve_everything"):
        response = api["secretary"].post(f"enrolments/{enrolment.pk}/steps/{name}/", {})
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_nobody_signed_in_takes_no_step(matrix: Matrix, db: None) -> None:
    enrolment = enrolment_in(matrix, State.PROPOSED)
    nobody = ApiClient()
    response = nobody.post(f"enrolments/{enrolment.pk}/steps/endorse/", {"note": "Yes."})
    assert response.status_code == 401
    assert Enrolment.objects.get(pk=enrolment.pk).state == State.PROPOSED
    assert nobody.post("enrolments/", {"employer": matrix.world.employer.pk}).status_code == 401
