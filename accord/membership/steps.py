"""Membership's part of the joining process: drafting the commitment (cycle 1), confirming it
(the secretary, each partner union represented locally, the employer) or asking for changes,
and listing the employer on the register, which starts its membership.

Enrolments sits below membership and never imports it. It declares where a step's work and form
are found (`services.handles`, `forms.STEP_FORMS`); this module fills in these steps when the app
is ready, so each runs inside `take_step`'s transaction like any other step.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accord.accounts.models import RoleAssignment, User
from accord.enrolments.forms import STEP_FORMS
from accord.enrolments.models import Enrolment
from accord.enrolments.services import HANDLERS, Handler, Outcome, StepError, handles, set_fields

from . import cosigning
from . import services as membership
from .cycle_forms import CommitmentForm
from .models import Side

STEP_FORMS["CommitmentForm"] = CommitmentForm


@handles("draft_commitment")
@handles("revise_commitment")
def _draft_commitment(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    cycle = membership.draft_first_cycle(enrolment, data=data)
    return Outcome(changes={"commitment": [None, cycle.summary()]})


def _confirm(side: Side) -> Handler:
    def handler(
        enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
    ) -> Outcome:
        cycle = enrolment.first_cycle
        now = timezone.now()
        setattr(cycle, f"{side}_confirmed_at", now)
        setattr(cycle, f"{side}_confirmed_by", actor)
        cycle.save(update_fields=[f"{side}_confirmed_at", f"{side}_confirmed_by", "updated_at"])
        changes: dict[str, Any] = {f"{side}_confirmed": [None, str(actor)]}
        if side == Side.EMPLOYER and data.get("accept_logo_terms"):
            changes.update(
                set_fields(
                    enrolment, {"logo_terms_accepted_at": now, "logo_terms_accepted_by": actor}
                )
            )
        # The commitment is confirmed once both sides have (the unions' side: the secretary and
        # each partner union represented locally); until then it waits for the others.
        return Outcome(changes=changes, stays=not cycle.is_confirmed)

    return handler


HANDLERS["confirm_commitment_union"] = _confirm(Side.UNION)
HANDLERS["confirm_commitment_employer"] = _confirm(Side.EMPLOYER)


@handles("cosign_commitment")
def _cosign_commitment(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    # The step's role and guard say that only a representative of a partner union still to
    # co-sign gets here, under that union's assignment.
    cycle = enrolment.first_cycle
    union = assignment.union
    cosigning.sign(enrolment, cycle, union=union, actor=actor)
    changes: dict[str, Any] = {f"signature:{union.short_name}": [None, str(actor)]}
    return Outcome(changes=changes, stays=not cycle.is_confirmed)


@handles("request_changes")
def _request_changes(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    membership.clear_confirmations(enrolment, enrolment.first_cycle)
    return Outcome(changes={"confirmations": ["given", None]})


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
    listed = membership.list_member(enrolment, actor=actor, listed_on=data["listed_on"])
    changes["register_reference"] = [None, listed.reference]
    return Outcome(changes=changes)
