"""The joining process, declared once.

Every step says which states it may be taken from, which states it can lead to, who may take
it and which form asks for its data. Views, forms, permission checks, task lists, e-mails and
the diagram all read this module; nothing else knows the order of the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models

from accord.accounts.models import Role

if TYPE_CHECKING:
    from accord.accounts.models import RoleAssignment

    from .models import Enrolment


class State(models.TextChoices):
    # The way in, in order.
    PROPOSED = "proposed", "Proposed"
    ENDORSED = "endorsed", "Endorsed by the local secretary"
    NEM_CLEARED = "nem_cleared", "No objection from the NEM"
    AGREED = "agreed", "Partner unions agreed"
    APPROACHED = "approached", "Employer approached"
    INTRODUCED = "introduced", "Scheme introduced"
    COMMITMENT_DRAFTED = "commitment_drafted", "Commitment drafted"
    COMMITTED = "committed", "Commitment confirmed"
    JOINED = "joined", "Joined; NEM informed"
    NATIONAL_NOTIFIED = "national_notified", "National union notified"
    LISTED = "listed", "Listed on the register"
    # Ways out.
    DECLINED = "declined", "Declined by the local secretary"
    OBJECTED = "objected", "Objection from the NEM"
    PARTNER_DISAGREED = "partner_disagreed", "A partner union disagreed"
    EMPLOYER_DECLINED = "employer_declined", "Employer declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


CLOSED_STATES = frozenset(
    {
        State.DECLINED,
        State.OBJECTED,
        State.PARTNER_DISAGREED,
        State.EMPLOYER_DECLINED,
        State.WITHDRAWN,
    }
)
# The way in, in order: every state that is not a way out.
MAIN_PATH: tuple[State, ...] = tuple(s for s in State if s not in CLOSED_STATES)
# An enrolment that is not closed blocks another for the same employer and scheme.
OPEN_STATES = frozenset(MAIN_PATH)
# A listed enrolment's only way out: when a national officer withdraws the membership
# (membership.services.change_status), the enrolment closes for good, so the employer may be
# proposed again and rejoin through a new enrolment.
CLOSED_BY_MEMBERSHIP_WITHDRAWAL = State.WITHDRAWN
# Closures that come from union deliberation: an employer contact sees only "Not proceeding".
INTERNAL_CLOSURES = frozenset({State.DECLINED, State.OBJECTED, State.PARTNER_DISAGREED})
NOT_PROCEEDING_LABEL = "Not proceeding"
# The states as an employer reads them: the unions' deliberations are one stage to them, and
# the union's internal roles (the NEM, the partner unions) are not named.
EMPLOYER_LABELS: dict[State, str] = {
    State.PROPOSED: "Proposed",
    State.ENDORSED: "The unions are considering it",
    State.NEM_CLEARED: "The unions are considering it",
    State.AGREED: "The unions are considering it",
    State.APPROACHED: "Approached by the unions",
    State.INTRODUCED: "Scheme introduced",
    State.COMMITMENT_DRAFTED: "Commitment drafted",
    State.COMMITTED: "Commitment confirmed",
    State.JOINED: "Joined",
    State.NATIONAL_NOTIFIED: "Joined; to be listed on the register",
    State.LISTED: "Listed on the register",
    State.EMPLOYER_DECLINED: "Declined by the employer",
    State.WITHDRAWN: "Withdrawn",
}

UNION_ROLES = frozenset(
    {Role.WORKPLACE_REP, Role.LOCAL_SECRETARY, Role.NEM, Role.PARTNER_REP, Role.NATIONAL_OFFICER}
)

Guard = Callable[["Enrolment", "RoleAssignment"], bool]


def _always(enrolment: Enrolment, assignment: RoleAssignment) -> bool:
    return True


def own_position_pending(enrolment: Enrolment, assignment: RoleAssignment) -> bool:
    """A partner rep records their own union's position, once."""
    return assignment.union_id in enrolment.pending_partner_union_ids()


def any_position_pending(enrolment: Enrolment, assignment: RoleAssignment) -> bool:
    return bool(enrolment.pending_partner_union_ids())


def union_confirmation_pending(enrolment: Enrolment, assignment: RoleAssignment) -> bool:
    cycle = enrolment.first_cycle
    return cycle is not None and cycle.union_confirmed_at is None


def employer_confirmation_pending(enrolment: Enrolment, assignment: RoleAssignment) -> bool:
    cycle = enrolment.first_cycle
    return cycle is not None and cycle.employer_confirmed_at is None


def own_signature_pending(enrolment: Enrolment, assignment: RoleAssignment) -> bool:
    """A partner rep co-signs the drafted commitment for their own union, once, when that union
    is represented locally (`Enrolment.cosigning_unions`). Asked with no union (whether the
    step still waits on anyone), it says whether any such union has yet to co-sign."""
    cycle = enrolment.first_cycle
    if cycle is None or cycle.partners_signed_at is not None:
        return False
    signed = {s.union_id for s in cycle.signatures.all()}
    pending = {u.pk for u in enrolment.cosigning_unions()} - signed
    if assignment.union_id is None:
        return bool(pending)
    return assignment.union_id in pending


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    done: str  # how the timeline says it: "<actor> endorsed the proposal"
    sources: frozenset[State | None]
    targets: tuple[State, ...]  # empty: the step records something without moving on
    roles: frozenset[Role]
    form: str  # the form class in accord.enrolments.forms
    # A task is something the process waits for: it goes on task lists and is e-mailed.
    task: bool = True
    # Internal steps are union deliberations, never shown to the employer.
    internal: bool = True
    guard: Guard = field(default=_always)
    help: str = ""
    # The enrolment field holding the date the step took effect, when its form asks for it:
    # that date, not the moment the step was recorded, is when the enrolment reached its state.
    date_field: str = ""
    # A task step still waiting this many days after the enrolment reached its state is
    # escalated, once, to the role `escalates_to` names (see ESCALATES_TO).
    escalate_after_days: int = 21

    def __str__(self) -> str:
        return self.label

    @property
    def moves(self) -> bool:
        """Whether the step can leave the state it was taken from."""
        return any(target not in self.sources for target in self.targets)

    @property
    def closes(self) -> bool:
        return any(target in CLOSED_STATES for target in self.targets)

    @property
    def escalates_to(self) -> Role | None:
        """Whom the step is escalated to when it waits too long (None: it is not)."""
        return escalation_role(self)

    @property
    def escalation(self) -> str:
        """What happens when the step waits too long, in words ("" for a step nothing waits
        for)."""
        if not self.task or not any(state is not None for state in self.sources):
            return ""
        if self.escalates_to is None:
            return "not escalated: nobody is above the national officers"
        return (
            f"after {self.escalate_after_days} days → {ESCALATION_TARGET_WORDS[self.escalates_to]}"
        )


# Whom a stalled step goes to, by the role that should have taken it: a rep's or secretary's
# step to the NEM, an NEM's to the national officers. A partner union's step goes to the
# national officers, who deal with the partner unions nationally (no one in the lead union's
# district can answer for another union); an employer's step to the local secretary, who
# keeps in touch with the employer. A national officer's step has nobody above it.
ESCALATES_TO: dict[Role, Role | None] = {
    Role.WORKPLACE_REP: Role.NEM,
    Role.LOCAL_SECRETARY: Role.NEM,
    Role.NEM: Role.NATIONAL_OFFICER,
    Role.PARTNER_REP: Role.NATIONAL_OFFICER,
    Role.EMPLOYER_CONTACT: Role.LOCAL_SECRETARY,
    Role.NATIONAL_OFFICER: None,
}
# Each target as an escalation names it: "escalated to the NEM".
ESCALATION_TARGET_WORDS: dict[Role, str] = {
    Role.LOCAL_SECRETARY: "the local secretary",
    Role.NEM: "the NEM",
    Role.NATIONAL_OFFICER: "the national officers",
}
# The most senior first: a step several roles may take escalates above the most senior.
SENIORITY = (
    Role.NATIONAL_OFFICER,
    Role.NEM,
    Role.PARTNER_REP,
    Role.LOCAL_SECRETARY,
    Role.WORKPLACE_REP,
    Role.EMPLOYER_CONTACT,
)


def escalation_role(step: Step) -> Role | None:
    """The role a stalled `step` is escalated to: only a task that waits in a state escalates."""
    if not step.task or not any(state is not None for state in step.sources):
        return None
    for role in SENIORITY:
        if role in step.roles:
            return ESCALATES_TO[role]
    return None


def _before(state: State) -> frozenset[State | None]:
    return frozenset(MAIN_PATH[: MAIN_PATH.index(state)])


STEPS: tuple[Step, ...] = (
    Step(
        name="propose",
        label="Propose the employer",
        done="proposed the employer",
        sources=frozenset({None}),
        targets=(State.PROPOSED,),
        roles=frozenset({Role.WORKPLACE_REP, Role.LOCAL_SECRETARY}),
        form="ProposeForm",
        help="Propose an employer for the scheme, or log that the employer asked to join.",
    ),
    Step(
        name="record_initial_meeting",
        label="Record an initial meeting",
        done="recorded an initial meeting with the employer",
        sources=_before(State.APPROACHED),
        targets=(),
        roles=frozenset({Role.WORKPLACE_REP, Role.LOCAL_SECRETARY}),
        form="InitialMeetingForm",
        task=False,
        internal=False,
    ),
    Step(
        name="endorse",
        label="Endorse the proposal",
        done="endorsed the proposal",
        sources=frozenset({State.PROPOSED}),
        targets=(State.ENDORSED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="NoteForm",
        help="Endorse the proposal and pass it to the National Executive Member.",
    ),
    Step(
        name="decline",
        label="Decline the proposal",
        done="declined the proposal",
        sources=frozenset({State.PROPOSED}),
        targets=(State.DECLINED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="ReasonForm",
        task=False,
    ),
    Step(
        name="record_no_objection",
        label="Record no objection",
        done="recorded no objection",
        sources=frozenset({State.ENDORSED}),
        targets=(State.NEM_CLEARED,),
        roles=frozenset({Role.NEM}),
        form="NoteForm",
        help="Confirm that you have no objection, so that the partner unions can be consulted.",
    ),
    Step(
        name="record_objection",
        label="Record an objection",
        done="recorded an objection",
        sources=frozenset({State.ENDORSED}),
        targets=(State.OBJECTED,),
        roles=frozenset({Role.NEM}),
        form="ReasonForm",
        task=False,
    ),
    Step(
        name="record_partner_position",
        label="Record a partner union's position",
        done="recorded a partner union's position",
        sources=frozenset({State.NEM_CLEARED}),
        targets=(State.AGREED, State.PARTNER_DISAGREED),
        # Only the union's own representative speaks for it (agree or disagree).
        roles=frozenset({Role.PARTNER_REP}),
        form="PartnerPositionForm",
        guard=own_position_pending,
        help="Agreement is reached when every partner union represented locally agrees.",
    ),
    Step(
        name="mark_not_represented",
        label="Mark a partner union not represented locally",
        done="marked a partner union as not represented locally",
        sources=frozenset({State.NEM_CLEARED}),
        # Marking the last union still to come completes the agreement.
        targets=(State.AGREED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="NotRepresentedForm",
        guard=any_position_pending,
        help="A union with no members or representative here takes no part in the agreement.",
    ),
    Step(
        name="reopen_discussion",
        label="Reopen discussion with the partner unions",
        done="reopened discussion with the partner unions",
        sources=frozenset({State.PARTNER_DISAGREED}),
        targets=(State.NEM_CLEARED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="ReasonForm",
        task=False,
    ),
    Step(
        name="record_approach",
        label="Record the approach to the employer",
        done="recorded the approach to the employer",
        sources=frozenset({State.AGREED}),
        targets=(State.APPROACHED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="ApproachForm",
        internal=False,
        help="An item on the agenda of the employer's JCC (or equivalent), or a joint letter.",
    ),
    Step(
        name="record_introduction",
        label="Record the introduction of the scheme",
        done="recorded that the scheme was introduced",
        sources=frozenset({State.APPROACHED}),
        targets=(State.INTRODUCED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="IntroductionForm",
        internal=False,
    ),
    Step(
        name="draft_commitment",
        label="Draft the commitment",
        done="drafted the commitment",
        sources=frozenset({State.INTRODUCED}),
        targets=(State.COMMITMENT_DRAFTED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="CommitmentForm",
        internal=False,
        help="The principle, objectives, activities, success criteria and period agreed with "
        "the employer, and the employer's priorities for the year ahead.",
    ),
    Step(
        name="revise_commitment",
        label="Revise the draft commitment",
        done="revised the draft commitment",
        sources=frozenset({State.COMMITMENT_DRAFTED}),
        targets=(State.COMMITMENT_DRAFTED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="CommitmentForm",
        task=False,
        internal=False,
        help="Any confirmation already given lapses: both sides confirm the revised draft.",
    ),
    Step(
        name="confirm_commitment_union",
        label="Confirm the commitment for the unions",
        done="confirmed the commitment for the unions",
        sources=frozenset({State.COMMITMENT_DRAFTED}),
        targets=(State.COMMITTED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="ConfirmCommitmentForm",
        internal=False,
        guard=union_confirmation_pending,
    ),
    Step(
        name="cosign_commitment",
        label="Co-sign the commitment for a partner union",
        done="co-signed the commitment for a partner union",
        sources=frozenset({State.COMMITMENT_DRAFTED}),
        targets=(State.COMMITTED,),
        # Each partner union represented locally co-signs through its own representative.
        roles=frozenset({Role.PARTNER_REP}),
        form="CosignCommitmentForm",
        guard=own_signature_pending,
        help="The commitment is confirmed for the unions once the local secretary and each "
        "partner union represented locally have confirmed it.",
    ),
    Step(
        name="confirm_commitment_employer",
        label="Confirm the commitment for the employer",
        done="confirmed the commitment for the employer",
        sources=frozenset({State.COMMITMENT_DRAFTED}),
        targets=(State.COMMITTED,),
        roles=frozenset({Role.EMPLOYER_CONTACT}),
        form="EmployerConfirmForm",
        internal=False,
        guard=employer_confirmation_pending,
        # An employer often takes the draft to its governors or board first.
        escalate_after_days=28,
    ),
    Step(
        name="request_changes",
        label="Ask for changes to the commitment",
        done="asked for changes to the commitment",
        sources=frozenset({State.COMMITMENT_DRAFTED}),
        targets=(State.INTRODUCED,),
        roles=frozenset({Role.EMPLOYER_CONTACT, Role.LOCAL_SECRETARY}),
        form="ReasonForm",
        task=False,
        internal=False,
    ),
    Step(
        name="record_employer_declined",
        label="Record that the employer declined",
        done="recorded that the employer declined to join",
        sources=frozenset({State.APPROACHED, State.INTRODUCED, State.COMMITMENT_DRAFTED}),
        targets=(State.EMPLOYER_DECLINED,),
        roles=frozenset({Role.LOCAL_SECRETARY, Role.EMPLOYER_CONTACT}),
        form="ReasonForm",
        task=False,
        internal=False,
    ),
    Step(
        name="record_joined",
        label="Record that the employer has joined",
        done="recorded that the employer has joined",
        sources=frozenset({State.COMMITTED}),
        targets=(State.JOINED,),
        roles=frozenset({Role.LOCAL_SECRETARY}),
        form="DatedNoteForm",
        internal=False,
        date_field="joined_on",
    ),
    Step(
        name="notify_national_union",
        label="Notify the national union",
        done="notified the national union",
        sources=frozenset({State.JOINED}),
        targets=(State.NATIONAL_NOTIFIED,),
        roles=frozenset({Role.NEM}),
        form="DatedNoteForm",
        internal=False,
        date_field="national_notified_on",
    ),
    Step(
        name="list_on_register",
        label="List on the register and send the logo",
        done="listed the employer on the register and sent the logo",
        sources=frozenset({State.NATIONAL_NOTIFIED}),
        targets=(State.LISTED,),
        roles=frozenset({Role.NATIONAL_OFFICER}),
        form="ListingForm",
        internal=False,
        date_field="listed_on",
    ),
    Step(
        name="withdraw",
        label="Withdraw the enrolment",
        done="withdrew the enrolment",
        sources=frozenset(MAIN_PATH[:-1]),
        targets=(State.WITHDRAWN,),
        roles=frozenset({Role.LOCAL_SECRETARY, Role.NATIONAL_OFFICER}),
        form="ReasonForm",
        task=False,
    ),
    Step(
        name="add_note",
        label="Add an internal note",
        done="added an internal note",
        sources=frozenset(State),
        targets=(),
        roles=UNION_ROLES,
        form="NoteRequiredForm",
        task=False,
    ),
)

STEPS_BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}


def step(name: str) -> Step:
    return STEPS_BY_NAME[name]


def steps_from(state: State | None) -> list[Step]:
    return [s for s in STEPS if state in s.sources]


def task_steps_from(state: State | None) -> list[Step]:
    return [s for s in steps_from(state) if s.task]


def task_states_for(role: Role) -> frozenset[State]:
    """States in which an enrolment may be waiting on someone holding `role`."""
    return frozenset(
        state
        for s in STEPS
        if s.task and role in s.roles
        for state in s.sources
        if state is not None
    )


def position_on_path(state: State) -> int | None:
    return MAIN_PATH.index(state) if state in OPEN_STATES else None
