"""Membership's part of the joining process: drafting the commitment (cycle 1), asking for
changes to it, and listing the employer on the register, which starts its membership.

Enrolments sits below membership and never imports it. It declares where a step's work and form
are found (`services.handles`, `forms.STEP_FORMS`); this module fills in these steps when the app
is ready, so each runs inside `take_step`'s transaction like any other step.
"""

from __future__ import annotations

from typing import Any

from accord.accounts.models import RoleAssignment, User
from accord.enrolments.forms import STEP_FORMS
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.enrolments.services import Outcome, StepError, handles, set_fields

from . import services as membership
from .cycle_forms import CommitmentForm

STEP_FORMS["CommitmentForm"] = CommitmentForm


@handles("draft_commitment")
@handles("revise_commitment")
def _draft_commitment(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    cycle = membership.draft_first_cycle(enrolment, data=data)
    return Outcome(State.COMMITMENT_DRAFTED, {"commitment": [None, cycle.summary()]})


@handles("request_changes")
def _request_changes(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    membership.clear_confirmations(enrolment.first_cycle)
    return Outcome(State.INTRODUCED, {"confirmations": ["given", None]})


@handles("list_on_register")
def _list(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    if enrolment.logo_terms_accepted_at is None:
        raise StepError(
            "The employer has not accepted the logo terms yet, so the logo cannot be sent."
        )
    if data["logo_sent_on"] < data["listed_on"]:
        raise StepError("The logo cannot be sent before the listing.", field="logo_sent_on")
    values = {"listed_on": data["listed_on"], "logo_sent_on": data["logo_sent_on"]}
    changes = set_fields(enrolment, values)
    listed = membership.list_member(enrolment, listed_on=data["listed_on"])
    changes["register_reference"] = [None, listed.reference]
    return Outcome(State.LISTED, changes)
