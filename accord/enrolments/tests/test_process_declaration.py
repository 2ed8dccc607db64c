"""The declaration itself hangs together: every step has a form and a handler, every state can
be reached, and the closures are where the brief says."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from accord.accounts.models import Role
from accord.enrolments import services
from accord.enrolments.forms import StepForm, form_class
from accord.enrolments.process import (
    CLOSED_STATES,
    MAIN_PATH,
    STEPS,
    State,
    step,
    steps_from,
    task_states_for,
)


def test_every_step_has_a_form_and_every_step_but_propose_a_handler() -> None:
    for s in STEPS:
        assert issubclass(form_class(s.form), StepForm), s.name
        if s.name != "propose":
            assert s.name in services.HANDLERS, s.name


def test_a_step_form_is_found_only_by_the_name_the_process_gives_it() -> None:
    for name in ("StepForm", "ActivityForm", "DateInput", "LONG_TEXT", "timezone"):
        with pytest.raises(LookupError):
            form_class(name)


def test_every_state_is_reached_by_some_step() -> None:
    reached = {target for s in STEPS for target in s.targets}
    assert reached == set(State)


def test_the_way_in_runs_from_proposed_to_listed_in_the_order_of_the_brief() -> None:
    assert MAIN_PATH[0] == State.PROPOSED
    assert MAIN_PATH[-1] == State.LISTED
    for before, after in pairwise(MAIN_PATH):
        assert any(after in s.targets for s in steps_from(before)), (before, after)


def test_only_a_local_secretary_endorses_or_declines() -> None:
    assert step("endorse").roles == {Role.LOCAL_SECRETARY}
    assert step("decline").targets == (State.DECLINED,)


def test_each_closing_branch_of_the_brief_exists() -> None:
    closing = {s.name: s.targets for s in STEPS if s.closes}
    assert closing["decline"] == (State.DECLINED,)
    assert closing["record_objection"] == (State.OBJECTED,)
    assert State.PARTNER_DISAGREED in closing["record_partner_position"]
    assert closing["record_employer_declined"] == (State.EMPLOYER_DECLINED,)
    assert closing["withdraw"] == (State.WITHDRAWN,)
    assert step("reopen_discussion").sources == {State.PARTNER_DISAGREED}


def test_a_listed_or_closed_enrolment_cannot_be_withdrawn() -> None:
    assert State.LISTED not in step("withdraw").sources
    assert not step("withdraw").sources & CLOSED_STATES


def test_the_employer_never_takes_an_internal_step() -> None:
    for s in STEPS:
        if Role.EMPLOYER_CONTACT in s.roles:
            assert not s.internal, s.name


def test_task_states_follow_the_steps() -> None:
    assert task_states_for(Role.NEM) == {State.ENDORSED, State.JOINED}
    assert task_states_for(Role.AUDITOR) == set()


def test_the_app_readme_describes_every_step() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for s in STEPS:
        assert f"`{s.name}` | {s.label} |" in readme, s.name
