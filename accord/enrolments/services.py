"""Everything that changes an enrolment. Each public function is one transaction that checks
the rules, writes, records the audit event and queues the e-mails for after the commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.accounts.models import RoleAssignment, User
from accord.core import audit
from accord.core.errors import DomainError
from accord.organisations.models import Employer, Union
from accord.schemes.models import Scheme

from . import notifications, rules, selectors
from .models import Enrolment, InitialMeeting, Note, PartnerPosition, Position
from .process import CLOSED_STATES, State, Step, step


class StepError(DomainError):
    """A step cannot be taken."""


class StepNotPermitted(StepError):
    pass


class UndeclaredTransition(RuntimeError):
    """A handler led somewhere its step does not declare: a bug, never the user's doing."""


@dataclass
class Outcome:
    """What a step's handler did. A step reaches its one declared target by itself; the handler
    names the target only when the step declares several, or says it `stays` when the step is
    recorded but the enrolment waits for more (another partner union, the other side)."""

    state: State | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    stays: bool = False


Handler = Callable[[Enrolment, RoleAssignment, User, dict[str, Any]], Outcome]
# Each step's work, by step name. Membership, above, registers the steps whose work is its own
# (drafting, confirming and asking for changes to the commitment, listing): see
# membership/steps.py.
HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[name] = function
        return function

    return register


def _note(data: dict[str, Any]) -> str:
    return (data.get("reason") or data.get("note") or "").strip()


# --- the way in -------------------------------------------------------------------------------


def propose(*, scheme: Scheme, employer: Employer, actor: User, data: dict[str, Any]) -> Enrolment:
    """Start an enrolment (step 1). `data`: initiated_by, reason, exception_reason."""
    propose_step = step("propose")
    if not rules.can_propose(actor, employer, scheme):
        raise StepNotPermitted("You may not propose this employer for the scheme.")
    exception_reason = (data.get("exception_reason") or "").strip()
    if not employer.is_employer_in_own_right and not exception_reason:
        raise StepError(
            f"{employer.name} is part of {employer.parent.name}, which is the employer. "
            f"Propose the trust instead, or give the reason for an exception.",
            field="exception_reason",
        )
    existing = Enrolment.objects.open().filter(scheme=scheme, employer=employer).first()
    if existing is not None:
        raise StepError(_already_open_message(existing))
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                scheme=scheme,
                employer=employer,
                state=State.PROPOSED,
                initiated_by=data["initiated_by"],
                reason=data.get("reason", ""),
                exception_reason=exception_reason,
                proposed_by=actor,
            )
            changes = {"state": [None, State.PROPOSED.value]}
            if exception_reason:
                changes["exception_reason"] = [None, exception_reason]
            _record(enrolment, propose_step, actor, Outcome(State.PROPOSED, changes), data)
            notifications.step_taken(enrolment.pk, propose_step, actor.pk)
    except IntegrityError as exc:
        raise StepError(
            "Someone else has just proposed this employer: there is already an open enrolment."
        ) from exc
    return enrolment


def _already_open_message(existing: Enrolment) -> str:
    return (
        f"{existing.employer.name} already has an open enrolment in {existing.scheme.name} "
        f"({existing.get_state_display().lower()})."
    )


def take_step(enrolment: Enrolment, step_: Step, *, actor: User, data: dict[str, Any]) -> Enrolment:
    """Take a step on an existing enrolment, or raise StepError saying why not."""
    if step_.name == "propose":
        raise StepError("Use propose() to start an enrolment.")
    with transaction.atomic():
        current = selectors.enrolment_for_update(enrolment.pk)
        if not rules.can_view_enrolment(actor, current):
            raise StepNotPermitted("You do not have access to this enrolment.")
        if current.state not in step_.sources:
            raise StepError(
                f"This enrolment is no longer waiting for “{step_.label}”: it is now "
                f"“{current.get_state_display()}”. Someone else may have just taken this step."
            )
        allowed = rules.step_assignments(actor, current, step_)
        if not allowed:
            if rules.holds_step_role(actor, current, step_):
                raise StepError(f"“{step_.label}” is not waiting for you: it is already recorded.")
            raise StepNotPermitted(f"You may not “{step_.label.lower()}” for this enrolment.")
        outcome = HANDLERS[step_.name](current, allowed[0], actor, data)
        target = _target(step_, outcome)
        if target is not None and target != current.state:
            outcome.changes["state"] = [current.state, target.value]
            current.state = target
            current.state_changed_at = timezone.now()
            if target in CLOSED_STATES:
                current.closed_reason = _note(data)
        current.save()
        _record(current, step_, actor, outcome, data)
        # A step that set a state (even the same one, as a revised draft does) hands work on.
        # Its e-mails are queued in this transaction: they exist exactly when the step does.
        notifications.step_taken(current.pk, step_, actor.pk, moved=target is not None)
    return current


def _target(step_: Step, outcome: Outcome) -> State | None:
    """The state the step leads to, checked against its declaration (None: it stays)."""
    if outcome.state is None:
        if outcome.stays or not step_.targets:
            return None
        if len(step_.targets) == 1:
            return step_.targets[0]
    elif not outcome.stays and outcome.state in step_.targets:
        return outcome.state
    declared = ", ".join(t.value for t in step_.targets) or "none"
    raise UndeclaredTransition(
        f"The step {step_.name!r} led to {outcome.state!r}; it declares: {declared}."
    )


def _record(
    enrolment: Enrolment, step_: Step, actor: User, outcome: Outcome, data: dict[str, Any]
) -> None:
    audit.log_action(
        enrolment,
        f"enrolment.{step_.name}",
        actor=actor,
        summary=f"{actor} {step_.done}",
        context=enrolment.audit_context,
        changes=outcome.changes,
        note=_note(data),
        internal=step_.internal,
    )


def _nothing_to_write(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    """A step whose only effect is its move (and its note, which `_record` keeps)."""
    return Outcome()


for _name in (
    "endorse",
    "decline",
    "record_no_objection",
    "record_objection",
    "record_employer_declined",
    "withdraw",
):
    HANDLERS[_name] = _nothing_to_write


def set_letter_addressee(
    enrolment: Enrolment, *, actor: User, name: str, job_title: str
) -> Enrolment:
    """Name whom the joint letter is addressed to (the head teacher or chief executive), or
    leave both empty for "Dear Sir or Madam"."""
    with transaction.atomic():
        current = selectors.enrolment_for_update(enrolment.pk)
        if not rules.can_address_letter(actor, current):
            raise StepNotPermitted("You may not change whom this enrolment's letter is to.")
        name, job_title = " ".join(name.split()), " ".join(job_title.split())
        if job_title and not name:
            raise StepError(
                "Give the addressee's name as well as their job title, or neither.",
                field="addressee_name",
            )
        changes = set_fields(current, {"addressee_name": name, "addressee_job_title": job_title})
        if changes:
            current.save(update_fields=["addressee_name", "addressee_job_title", "updated_at"])
            audit.log_action(
                current,
                "enrolment.letter_addressee",
                actor=actor,
                summary=f"{actor} named whom the joint letter is addressed to",
                context=current.audit_context,
                changes=changes,
                internal=True,
            )
    return current


def set_fields(enrolment: Enrolment, values: dict[str, Any]) -> dict[str, Any]:
    before = audit.snapshot(enrolment, values)
    for name, value in values.items():
        setattr(enrolment, name, value)
    return audit.diff(before, values)


@handles("record_initial_meeting")
def _initial_meeting(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    meeting = InitialMeeting.objects.create(
        enrolment=enrolment,
        held_on=data["held_on"],
        attendees=data["attendees"],
        notes=data.get("notes", ""),
        recorded_by=actor,
    )
    return Outcome(changes={"meeting": [None, f"{meeting.held_on}: {meeting.attendees}"]})


@handles("record_partner_position")
def _partner_position(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    # The step's roles and guard say that only the union's own representative gets here.
    position = data["position"]
    if position not in (Position.AGREE, Position.DISAGREE):
        raise StepError("Say whether the union agrees or disagrees.", field="position")
    if position == Position.DISAGREE and not _note(data):
        raise StepError("Give the union's reasons for disagreeing.", field="reason")
    return _record_position(enrolment, assignment.union, position, actor, data)


@handles("mark_not_represented")
def _not_represented(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    union = data.get("union")
    if union is None or union.pk not in enrolment.pending_partner_union_ids():
        raise StepError("Choose a partner union whose position is still to come.", field="union")
    return _record_position(enrolment, union, Position.NOT_REPRESENTED, actor, data)


def _record_position(
    enrolment: Enrolment, union: Union, position: str, actor: User, data: dict[str, Any]
) -> Outcome:
    PartnerPosition.objects.create(
        enrolment=enrolment, union=union, position=position, reasons=_note(data), recorded_by=actor
    )
    changes = {f"position:{union.short_name}": [None, position]}
    enrolment.forget_positions()
    positions = [p.position for p in enrolment.positions_by_union.values()]
    if Position.DISAGREE in positions:
        return Outcome(State.PARTNER_DISAGREED, changes)
    if not enrolment.pending_partner_union_ids():
        return Outcome(State.AGREED, changes)
    return Outcome(changes=changes, stays=True)


@handles("reopen_discussion")
def _reopen(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    other = (
        Enrolment.objects.open()
        .filter(scheme=enrolment.scheme, employer=enrolment.employer)
        .exclude(pk=enrolment.pk)
        .first()
    )
    if other is not None:
        raise StepError(_already_open_message(other))
    disagreeing = enrolment.partner_positions.filter(position=Position.DISAGREE)
    changes = {f"position:{p.union.short_name}": [p.position, None] for p in disagreeing}
    disagreeing.delete()
    enrolment.forget_positions()
    enrolment.closed_reason = ""
    return Outcome(changes=changes)


@handles("record_approach")
def _approach(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    values = {
        "approach_method": data["approach_method"],
        "jcc_name": data.get("jcc_name", ""),
        "jcc_meeting_date": data.get("jcc_meeting_date"),
        "letter_date": data.get("letter_date"),
    }
    return Outcome(changes=set_fields(enrolment, values))


@handles("record_introduction")
def _introduction(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    materials = list(data.get("materials_sent") or [])
    foreign = [
        m for m in materials if m.scheme_id != enrolment.scheme_id or m.removed_at is not None
    ]
    if foreign:
        raise StepError("Choose materials of this scheme.", field="materials_sent")
    changes = set_fields(enrolment, {"introduced_on": data["introduced_on"]})
    enrolment.materials_sent.set(materials)
    changes["materials_sent"] = [None, [m.title for m in materials]]
    return Outcome(changes=changes)


def _dated(field_name: str) -> Handler:
    def handler(
        enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
    ) -> Outcome:
        return Outcome(changes=set_fields(enrolment, {field_name: data["date"]}))

    return handler


HANDLERS["record_joined"] = _dated("joined_on")
HANDLERS["notify_national_union"] = _dated("national_notified_on")


@handles("add_note")
def _add_note(
    enrolment: Enrolment, assignment: RoleAssignment, actor: User, data: dict[str, Any]
) -> Outcome:
    Note.objects.create(enrolment=enrolment, author=actor, text=data["note"])
    return Outcome()
