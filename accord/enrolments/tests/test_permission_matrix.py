"""Who may take each step of joining, in every state, as every persona, through the HTTP stack.

The expected answers are written out by hand from the product brief (PRODUCT.md, "Who uses it"
and "The joining process") and the scheme's own documents (shared/seeds/000 and 001), never
read from `process.py`: a change to the declaration that the brief does not allow turns a test
red here. The personas are those of `tests/world.py`, each in scope and out of scope.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterator, Set
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role
from accord.core.models import AuditEvent
from accord.enrolments.models import (
    ApproachMethod,
    Enrolment,
    InitialMeeting,
    Initiator,
    Note,
    PartnerPosition,
    Position,
)
from accord.enrolments.process import STEPS, State
from accord.membership import services as membership
from accord.membership.models import Cycle, Membership
from tests.world import PERSONAS, World, build_world

TODAY = timezone.localdate()
PROPOSE = "propose"

# --- the expected answers, by hand ------------------------------------------------------------

REP = Role.WORKPLACE_REP
SECRETARY = Role.LOCAL_SECRETARY
NEM = Role.NEM
PARTNER = Role.PARTNER_REP
OFFICER = Role.NATIONAL_OFFICER
EMPLOYER = Role.EMPLOYER_CONTACT
AUDITOR = Role.AUDITOR

# The personas of tests/world.py whose role reaches `world.employer`; every other persona
# ("other_…", "outsider") holds its role somewhere else, or none, and may take no step here.
IN_SCOPE: dict[str, Role] = {
    "rep": REP,
    "secretary": SECRETARY,
    "nem": NEM,
    "gmb": PARTNER,
    "unison": PARTNER,
    "unite": PARTNER,
    "officer": OFFICER,
    "employer": EMPLOYER,
    "auditor": AUDITOR,
}
# The partner reps, in scope and (with "other_") out of scope: they send their own union's
# position, where the secretary names a union.
PARTNER_REPS = ("gmb", "unison", "unite")
# Union roles (the brief's "union roles" of step 4); the auditor only reads.
UNION = frozenset({REP, SECRETARY, NEM, PARTNER, OFFICER})

# The way in, steps 1 to 9 of "The joining process", and the ways out of it.
WAY_IN = (
    State.PROPOSED,
    State.ENDORSED,
    State.NEM_CLEARED,
    State.AGREED,
    State.APPROACHED,
    State.INTRODUCED,
    State.COMMITMENT_DRAFTED,
    State.COMMITTED,
    State.JOINED,
    State.NATIONAL_NOTIFIED,
    State.LISTED,
)
# Each way out, and the state on the way in that it closes.
CLOSED_FROM = {
    State.DECLINED: State.PROPOSED,
    State.OBJECTED: State.ENDORSED,
    State.PARTNER_DISAGREED: State.NEM_CLEARED,
    State.EMPLOYER_DECLINED: State.APPROACHED,
    State.WITHDRAWN: State.PROPOSED,
}
EVERY_STATE = frozenset(WAY_IN) | frozenset(CLOSED_FROM)
BEFORE_APPROACH = frozenset({State.PROPOSED, State.ENDORSED, State.NEM_CLEARED, State.AGREED})
NOT_YET_LISTED = frozenset(WAY_IN) - {State.LISTED}
# Proposing: no enrolment yet, or only closed ones ("One open enrolment per employer").
NO_OPEN_ENROLMENT = frozenset({None, *CLOSED_FROM})


@dataclass(frozen=True)
class Row:
    roles: frozenset[Role]
    states: frozenset[State | None]
    # The state after a successful step; None: the step records something and stays put.
    reaches: State | None


def _row(roles: Set[Role], states: Set[State | None], reaches: State | None) -> Row:
    return Row(frozenset(roles), frozenset(states), reaches)


WHO_MAY: dict[str, Row] = {
    # "Proposed — by a workplace rep or local secretary" (joining process, 1); rep: "propose
    # their employer"; secretary: "propose ..." (Who uses it). One open enrolment at a time.
    "propose": _row({REP, SECRETARY}, NO_OPEN_ENROLMENT, State.PROPOSED),
    # "An initial meeting with the employer ... can be recorded at any point before the
    # approach" (1); rep: "add notes, meetings"; the secretary runs the case locally.
    "record_initial_meeting": _row({REP, SECRETARY}, BEFORE_APPROACH, None),
    # "Local secretary endorses it (→ 3) or declines it (closed, with reasons)" (2).
    "endorse": _row({SECRETARY}, {State.PROPOSED}, State.ENDORSED),
    "decline": _row({SECRETARY}, {State.PROPOSED}, State.DECLINED),
    # "NEM records no objection (→ 4) or an objection (closed, with reasons)" (3).
    "record_no_objection": _row({NEM}, {State.ENDORSED}, State.NEM_CLEARED),
    "record_objection": _row({NEM}, {State.ENDORSED}, State.OBJECTED),
    # "Partner unions each record a position" (4); partner rep: "record their union's
    # position (agree / disagree)"; secretary: "mark partner unions not represented locally".
    # A partner rep's disagreement closes the enrolment; only the partner rep may agree or
    # disagree (see the item-4 test below). The secretary's mark leaves the other unions'
    # positions to come.
    "record_partner_position": _row({PARTNER}, {State.NEM_CLEARED}, None),
    "mark_not_represented": _row({SECRETARY}, {State.NEM_CLEARED}, None),
    # "a disagreement closes the enrolment with reasons, or the secretary may reopen
    # discussion" (4).
    "reopen_discussion": _row({SECRETARY}, {State.PARTNER_DISAGREED}, State.NEM_CLEARED),
    # "If agreement is reached ... JCC agenda or joint letter" (seed 000); secretary: "choose
    # the approach (JCC agenda or joint letter)". Not the workplace rep.
    "record_approach": _row({SECRETARY}, {State.AGREED}, State.APPROACHED),
    # Secretary: "record the introduction" (Who uses it; joining process, 6).
    "record_introduction": _row({SECRETARY}, {State.APPROACHED}, State.INTRODUCED),
    # Secretary: "draft the commitment" (Who uses it; joining process, 7).
    "draft_commitment": _row({SECRETARY}, {State.INTRODUCED}, State.COMMITMENT_DRAFTED),
    "revise_commitment": _row({SECRETARY}, {State.COMMITMENT_DRAFTED}, State.COMMITMENT_DRAFTED),
    # "Both sides confirm" (7): the secretary for the unions, the employer contact ("confirm
    # the commitment"). One side alone leaves it waiting for the other.
    "confirm_commitment_union": _row({SECRETARY}, {State.COMMITMENT_DRAFTED}, None),
    "confirm_commitment_employer": _row({EMPLOYER}, {State.COMMITMENT_DRAFTED}, None),
    # Partner rep: "co-sign commitments and reviews" (Who uses it): each partner union
    # represented locally (here all three agreed) co-signs for itself; until each has, the
    # commitment waits.
    "cosign_commitment": _row({PARTNER}, {State.COMMITMENT_DRAFTED}, None),
    # The commitment is agreed between the two sides (7): either may send the draft back.
    "request_changes": _row({SECRETARY, EMPLOYER}, {State.COMMITMENT_DRAFTED}, State.INTRODUCED),
    # Once approached (5) and until it has committed, the employer may say no; its contact or
    # the secretary who approached it records that.
    "record_employer_declined": _row(
        {SECRETARY, EMPLOYER},
        {State.APPROACHED, State.INTRODUCED, State.COMMITMENT_DRAFTED},
        State.EMPLOYER_DECLINED,
    ),
    # Secretary: "record that the employer has joined" (Who uses it; joining process, 8).
    "record_joined": _row({SECRETARY}, {State.COMMITTED}, State.JOINED),
    # NEM: "notify the national union once the employer has joined" (8).
    "notify_national_union": _row({NEM}, {State.JOINED}, State.NATIONAL_NOTIFIED),
    # National officer: "list the employer on the public register and record the logo sent"
    # (9).
    "list_on_register": _row({OFFICER}, {State.NATIONAL_NOTIFIED}, State.LISTED),
    # National officer: "suspend, withdraw"; the secretary, who runs the case locally, may also
    # stop it. Any time on the way in; once listed, leaving is the membership's withdrawal.
    "withdraw": _row({SECRETARY, OFFICER}, NOT_YET_LISTED, State.WITHDRAWN),
    # Rep: "add notes"; notes are "internal union deliberations" (Employer contact), so any
    # union role adds them, in any state. Never the employer; never the read-only auditor.
    "add_note": _row(UNION, EVERY_STATE, None),
}

# What a step's form accepts, written out per form; a few steps need one of their own.
MEETING_DAY = (TODAY - datetime.timedelta(days=10)).isoformat()


def _commitment_data(matrix: Matrix) -> dict[str, Any]:
    data: dict[str, Any] = {
        "principle": matrix.principle_pks[4],
        "objectives": "Set up a joint consultative committee.\nAgree a facilities policy.",
        "success_criteria": "The committee has met three times.",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=364)).isoformat(),
        "activities-TOTAL_FORMS": "5",
        "activities-INITIAL_FORMS": "0",
        "activities-0-detail": "Draft the committee's terms of reference",
        "activities-0-owner": "Head teacher",
        "activities-0-due_on": (TODAY + datetime.timedelta(days=60)).isoformat(),
    }
    for number in range(1, 7):
        data[f"readiness_{number}"] = "partly"
        data[f"priority_{number}"] = "medium"
    return data


def valid_data(matrix: Matrix, step_name: str, persona: str) -> dict[str, Any]:
    """Input that the step's form accepts from someone who may take the step."""
    match step_name:
        case "propose":
            return {
                "scheme": matrix.world.scheme.pk,
                "initiated_by": "union",
                "reason": "They consult the unions well.",
            }
        case "record_initial_meeting":
            return {"held_on": MEETING_DAY, "attendees": "Head teacher\nNASUWT rep"}
        case "endorse" | "record_no_objection":
            return {"note": "A good candidate."}
        case "add_note":
            return {"note": "Spoke to the head on Tuesday."}
        case "record_partner_position":
            return {"position": "disagree", "reason": "No members employed there."}
        case "mark_not_represented":
            # The secretary's part: a union that is not represented locally.
            return {"union": matrix.world.unions["Unite"].pk}
        case "record_approach":
            return {"approach_method": "joint_letter", "letter_date": TODAY.isoformat()}
        case "record_introduction":
            return {"introduced_on": TODAY.isoformat(), "materials_sent": matrix.material_pks}
        case "draft_commitment" | "revise_commitment":
            return _commitment_data(matrix)
        case "confirm_commitment_union" | "cosign_commitment":
            return {"confirm": "on"}
        case "confirm_commitment_employer":
            return {"confirm": "on", "accept_logo_terms": "on"}
        case "record_joined" | "notify_national_union":
            return {"date": TODAY.isoformat()}
        case "list_on_register":
            return {"listed_on": TODAY.isoformat(), "logo_sent_on": TODAY.isoformat()}
        case "decline" | "record_objection" | "reopen_discussion" | "request_changes":
            return {"reason": "Agreed at the local meeting."}
        case "record_employer_declined" | "withdraw":
            return {"reason": "Agreed at the local meeting."}
    raise AssertionError(f"no example for {step_name}")


def may_take(persona: str, step_name: str, state: State | None) -> bool:
    row = WHO_MAY[step_name]
    return IN_SCOPE.get(persona) in row.roles and state in row.states


def may_view(persona: str, state: State) -> bool:
    """Union roles and the auditor ("read everything") in scope see the case; the employer
    contact once the unions have approached it (before that it is internal deliberation)."""
    role = IN_SCOPE.get(persona)
    if role == EMPLOYER:
        return state in WAY_IN[WAY_IN.index(State.APPROACHED) :] or state == (
            State.EMPLOYER_DECLINED
        )
    return role in UNION or role == AUDITOR


def reaches(persona: str, step_name: str, state: State | None) -> State | None:
    if step_name == "record_partner_position" and IN_SCOPE.get(persona) == PARTNER:
        return State.PARTNER_DISAGREED  # the valid example disagrees
    return WHO_MAY[step_name].reaches or state


# --- the data: built once for the module, one enrolment per test by direct writes -------------


@dataclass
class Matrix:
    world: World
    clients: dict[str, Client]
    principle_pks: dict[int, int]
    material_pks: list[int]


@pytest.fixture(scope="module")
def matrix(django_db_setup: None, django_db_blocker: Any) -> Iterator[Matrix]:
    """The world and a signed-in client per persona, made once and rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        # Fast hashes, and sessions in cookies: the matrix makes thousands of requests.
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        ),
        transaction.atomic(),
    ):
        world = build_world()
        clients = {}
        for persona in PERSONAS:
            clients[persona] = Client()
            clients[persona].force_login(world.users[persona])
        principles = world.scheme.current_principles()
        yield Matrix(
            world,
            clients,
            {v.principle.number: v.pk for v in principles},
            list(world.scheme.materials.values_list("pk", flat=True)),
        )
        transaction.set_rollback(True)


def enrolment_in(matrix: Matrix, state: State) -> Enrolment:
    """An enrolment of `world.employer` in `state`, with what the way there would have left."""
    world, users = matrix.world, matrix.world.users
    through = WAY_IN.index(CLOSED_FROM.get(state, state))

    def reached(milestone: State) -> bool:
        return through >= WAY_IN.index(milestone)

    enrolment = Enrolment.objects.create(
        scheme=world.scheme,
        employer=world.employer,
        state=state,
        initiated_by=Initiator.UNION,
        proposed_by=users["rep"],
        reason="They consult the unions well.",
        closed_reason="Agreed at the local meeting." if state in CLOSED_FROM else "",
    )
    if reached(State.AGREED):
        for persona, name in [("gmb", "GMB"), ("unison", "UNISON"), ("unite", "Unite")]:
            PartnerPosition.objects.create(
                enrolment=enrolment,
                union=world.unions[name],
                position=Position.AGREE,
                recorded_by=users[persona],
            )
    if state == State.PARTNER_DISAGREED:
        PartnerPosition.objects.create(
            enrolment=enrolment,
            union=world.unions["GMB"],
            position=Position.DISAGREE,
            reasons="No members employed there.",
            recorded_by=users["gmb"],
        )
    if reached(State.APPROACHED):
        enrolment.approach_method = ApproachMethod.JOINT_LETTER
        enrolment.letter_date = TODAY - datetime.timedelta(days=40)
    if reached(State.INTRODUCED):
        enrolment.introduced_on = TODAY - datetime.timedelta(days=30)
    if reached(State.COMMITMENT_DRAFTED):
        now = timezone.now()
        confirmed = reached(State.COMMITTED)
        Cycle.objects.create(
            enrolment=enrolment,
            number=1,
            principle_version_id=matrix.principle_pks[5],
            objectives="Set up a joint consultative committee.",
            success_criteria="The committee has met three times.",
            starts_on=TODAY,
            ends_on=TODAY + datetime.timedelta(days=364),
            union_confirmed_at=now if confirmed else None,
            union_confirmed_by=users["secretary"] if confirmed else None,
            employer_confirmed_at=now if confirmed else None,
            employer_confirmed_by=users["employer"] if confirmed else None,
            partners_signed_at=now if confirmed else None,
        )
        if confirmed:
            enrolment.logo_terms_accepted_at = now
            enrolment.logo_terms_accepted_by = users["employer"]
    if reached(State.JOINED):
        enrolment.joined_on = TODAY - datetime.timedelta(days=7)
    if reached(State.NATIONAL_NOTIFIED):
        enrolment.national_notified_on = TODAY - datetime.timedelta(days=5)
    if reached(State.LISTED):
        enrolment.listed_on = enrolment.logo_sent_on = TODAY - datetime.timedelta(days=2)
        membership.list_member(enrolment, actor=users["officer"], listed_on=enrolment.listed_on)
    enrolment.save()
    return enrolment


WRITTEN_BY_STEPS = (AuditEvent, Enrolment, PartnerPosition, InitialMeeting, Note, Cycle)
# One query (the matrix makes thousands of requests): how many rows each model has, and the
# newest change to any enrolment or cycle.
WRITTEN_SQL = "SELECT {}".format(
    ", ".join(
        [f"(SELECT COUNT(*) FROM {m._meta.db_table})" for m in WRITTEN_BY_STEPS]
        + [
            f"(SELECT MAX(updated_at) FROM {m._meta.db_table})"
            for m in (Enrolment, Cycle, Membership)
        ]
    )
)


def _written() -> tuple[Any, ...]:
    """Everything a step could write, to show that a refused one wrote nothing."""
    with connection.cursor() as cursor:
        cursor.execute(WRITTEN_SQL)
        return tuple(cursor.fetchone())


@dataclass(frozen=True)
class Answer:
    get: int
    post: int
    wrote: str  # "nothing", or the state reached and the event recorded


def _submit(client: Client, url: str, data: dict[str, Any], enrolment: Enrolment | None) -> Answer:
    """GET then POST `url`; whatever the POST did is rolled back before the next persona."""
    get = client.get(url).status_code
    before = _written()
    with transaction.atomic():
        response = client.post(url, data)
        if _written() == before:
            wrote = "nothing"
        else:
            event = AuditEvent.objects.order_by("-id").first()
            if enrolment is None:
                state = Enrolment.objects.order_by("-id").first().state  # type: ignore[union-attr]
            else:
                state = Enrolment.objects.get(pk=enrolment.pk).state
            wrote = f"{state} {event.action if event else 'without an event'}"
        transaction.set_rollback(True)
    client.cookies.pop("messages", None)
    return Answer(get, response.status_code, wrote)


def _expected(persona: str, step_name: str, state: State | None) -> Answer:
    if not may_take(persona, step_name, state):
        return Answer(403, 403, "nothing")
    return Answer(200, 302, f"{reaches(persona, step_name, state)} enrolment.{step_name}")


# --- the table is the brief's, and covers every step and state --------------------------------


def test_the_table_has_a_row_for_every_declared_step() -> None:
    assert set(WHO_MAY) == {s.name for s in STEPS}


def test_every_state_can_be_built() -> None:
    assert frozenset(State) == EVERY_STATE


def test_the_declaration_gives_each_step_to_the_roles_the_brief_names() -> None:
    declared = {s.name: (set(s.roles), set(s.sources)) for s in STEPS}
    written = {name: (set(row.roles), set(row.states)) for name, row in WHO_MAY.items()}
    # Proposing is declared from "no enrolment"; the closed states are the service's concern.
    written[PROPOSE] = (written[PROPOSE][0], {None})
    assert declared == written


# --- every step, every state, every persona, through the pages --------------------------------

NAMES = [s.name for s in STEPS if s.name != PROPOSE]
STATES = list(State)


# Every persona is tried on every step in every state through the enrolment page below, which
# offers exactly the steps its viewer may take. The step pages themselves are tried wherever a
# refusal has a single reason: a role that may take the step, in every state (only the state
# can refuse it), and everyone else wherever the step is open (only role or scope can refuse
# it). Set ACCORD_FULL_MATRIX=1 to try every persona on every step page in every state too.
FULL_MATRIX = os.environ.get("ACCORD_FULL_MATRIX") == "1"


def asked(persona: str, step_name: str, state: State | None) -> bool:
    row = WHO_MAY[step_name]
    return FULL_MATRIX or IN_SCOPE.get(persona) in row.roles or state in row.states


@pytest.mark.parametrize("state", STATES, ids=[s.value for s in STATES])
def test_each_step_opens_and_takes_valid_input_exactly_for_who_may_take_it_now(
    matrix: Matrix, db: None, state: State
) -> None:
    enrolment = enrolment_in(matrix, state)
    answers, wanted = {}, {}
    for step_name in NAMES:
        url = reverse("enrolment-step", args=[enrolment.pk, step_name])
        for persona in PERSONAS:
            if asked(persona, step_name, state):
                data = valid_data(matrix, step_name, persona)
                client = matrix.clients[persona]
                answers[step_name, persona] = _submit(client, url, data, enrolment)
                wanted[step_name, persona] = _expected(persona, step_name, state)
    assert answers == wanted


@pytest.mark.parametrize("state", [None, *STATES], ids=["none", *[s.value for s in STATES]])
def test_proposing_succeeds_for_rep_and_secretary_only_without_an_open_enrolment(
    matrix: Matrix, db: None, state: State | None
) -> None:
    if state is not None:
        enrolment_in(matrix, state)
    url = reverse("employer-propose", args=[matrix.world.employer.pk])
    answers, wanted = {}, {}
    for persona in PERSONAS:
        if not asked(persona, PROPOSE, state):
            continue
        data = valid_data(matrix, PROPOSE, persona)
        answers[persona] = _submit(matrix.clients[persona], url, data, None)
        if IN_SCOPE.get(persona) not in WHO_MAY[PROPOSE].roles:
            wanted[persona] = Answer(403, 403, "nothing")
        elif state in WHO_MAY[PROPOSE].states:
            wanted[persona] = Answer(200, 302, "proposed enrolment.propose")
        else:
            # Theirs to propose, but an open enrolment exists: a message, nothing written.
            wanted[persona] = Answer(200, 400, "nothing")
    assert answers == wanted


STEP_LINK = re.compile(r'href="/enrolments/\d+/steps/([a-z_]+)/"')


@pytest.mark.parametrize("state", STATES, ids=[s.value for s in STATES])
def test_the_enrolment_page_offers_exactly_the_steps_the_viewer_may_take_now(
    matrix: Matrix, db: None, state: State
) -> None:
    enrolment = enrolment_in(matrix, state)
    url = reverse("enrolment", args=[enrolment.pk])
    answers, wanted = {}, {}
    for persona in PERSONAS:
        response = matrix.clients[persona].get(url)
        links = set(STEP_LINK.findall(response.content.decode()))
        answers[persona] = (response.status_code, links)
        if may_view(persona, state):
            offered = {name for name in NAMES if may_take(persona, name, state)}
            wanted[persona] = (200, offered)
        else:
            wanted[persona] = (403, set())
    assert answers == wanted


def test_the_employer_page_offers_a_proposal_to_those_who_may_propose(
    matrix: Matrix, db: None
) -> None:
    url = reverse("employer", args=[matrix.world.employer.pk])
    link = reverse("employer-propose", args=[matrix.world.employer.pk])
    offered = {
        persona
        for persona in PERSONAS
        if matrix.clients[persona].get(url).status_code == 200
        and link in matrix.clients[persona].get(url).content.decode()
    }
    assert offered == {"rep", "secretary"}


def test_an_unknown_step_is_not_found(matrix: Matrix, db: None) -> None:
    enrolment = enrolment_in(matrix, State.PROPOSED)
    for name in ("propose", "approve_everything"):
        url = reverse("enrolment-step", args=[enrolment.pk, name])
        assert matrix.clients["secretary"].get(url).status_code == 404


# --- item 4: the secretary marks absence; only a union's own rep speaks for it ----------------


@pytest.mark.parametrize("position", [Position.AGREE, Position.DISAGREE])
def test_only_a_partner_unions_own_rep_records_its_agreement_or_disagreement(
    matrix: Matrix, db: None, position: Position
) -> None:
    enrolment = enrolment_in(matrix, State.NEM_CLEARED)
    url = reverse("enrolment-step", args=[enrolment.pk, "record_partner_position"])
    data = {
        "union": matrix.world.unions["GMB"].pk,
        "position": position.value,
        "reason": "Discussed with the branch.",
    }
    answer = _submit(matrix.clients["secretary"], url, data, enrolment)
    assert answer.post in (400, 403)
    assert answer.wrote == "nothing"


# --- nobody signed in -------------------------------------------------------------------------


@pytest.mark.parametrize("step_name", [PROPOSE, *NAMES])
def test_anonymous_visitors_are_sent_to_sign_in(matrix: Matrix, db: None, step_name: str) -> None:
    if step_name == PROPOSE:
        url = reverse("employer-propose", args=[matrix.world.employer.pk])
    else:
        url = reverse("enrolment-step", args=[enrolment_in(matrix, State.PROPOSED).pk, step_name])
    for response in (Client().get(url), Client().post(url, valid_data(matrix, step_name, ""))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
