"""Whom each joining step is escalated to when it waits too long, and after how many days:
written out by hand from the brief (a rep's or secretary's step to the NEM, an NEM's to the
national officers; a partner union's to the national officers, an employer's to the local
secretary; a national officer's step has nobody above it)."""

from __future__ import annotations

import dataclasses

from accord.accounts.models import Role
from accord.enrolments.process import STEPS, step

# step: (escalated to, after days); steps that are not tasks never escalate.
EXPECTED: dict[str, tuple[Role | None, int | None]] = {
    "propose": (None, None),  # nothing waits before a proposal
    "record_initial_meeting": (None, None),
    "endorse": (Role.NEM, 21),
    "decline": (None, None),
    "record_no_objection": (Role.NATIONAL_OFFICER, 21),
    "record_objection": (None, None),
    "record_partner_position": (Role.NATIONAL_OFFICER, 21),
    "mark_not_represented": (Role.NEM, 21),
    "reopen_discussion": (None, None),
    "record_approach": (Role.NEM, 21),
    "record_introduction": (Role.NEM, 21),
    "draft_commitment": (Role.NEM, 21),
    "revise_commitment": (None, None),
    "confirm_commitment_union": (Role.NEM, 21),
    # A partner union's co-signature: the national officers deal with the partner unions.
    "cosign_commitment": (Role.NATIONAL_OFFICER, 21),
    "confirm_commitment_employer": (Role.LOCAL_SECRETARY, 28),
    "request_changes": (None, None),
    "record_employer_declined": (None, None),
    "record_joined": (Role.NEM, 21),
    "notify_national_union": (Role.NATIONAL_OFFICER, 21),
    "list_on_register": (None, None),
    "withdraw": (None, None),
    "add_note": (None, None),
}


def test_every_step_escalates_to_the_role_the_brief_names() -> None:
    assert {s.name for s in STEPS} == set(EXPECTED)
    for s in STEPS:
        role, days = EXPECTED[s.name]
        assert s.escalates_to == role, s.name
        if role is not None:
            assert s.escalate_after_days == days, s.name


def test_a_step_several_roles_may_take_escalates_above_the_most_senior() -> None:
    # No task is shared so today; the rule is read on one that a rep, a secretary and an NEM
    # would share.
    shared = dataclasses.replace(
        step("endorse"), roles=frozenset({Role.WORKPLACE_REP, Role.LOCAL_SECRETARY, Role.NEM})
    )
    assert shared.escalates_to == Role.NATIONAL_OFFICER
