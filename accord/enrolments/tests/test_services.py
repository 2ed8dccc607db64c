"""The joining process through its services: the whole way in, and every way out."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from accord.core.models import AuditEvent
from accord.enrolments import services
from accord.enrolments.models import Enrolment, Initiator, Position
from accord.enrolments.process import State, step
from accord.membership.services import MembershipError
from tests.world import World


def _take(world: World, enrolment: Enrolment, name: str, who: str, **data) -> Enrolment:  # type: ignore[no-untyped-def]
    return services.take_step(enrolment, step(name), actor=world.users[who], data=data)


def test_an_enrolment_goes_from_proposed_to_listed(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    enrolment.refresh_from_db()
    assert enrolment.state == State.LISTED
    assert enrolment.listed_on is not None and enrolment.logo_sent_on is not None
    assert enrolment.logo_terms_accepted_by == world.users["employer"]
    cycle = enrolment.cycles.get()
    assert cycle.number == 1 and cycle.is_confirmed
    assert cycle.actions.count() == 2
    assert cycle.self_assessments.count() == 6
    actions = list(
        AuditEvent.objects.filter(context=enrolment.audit_context).values_list("action", flat=True)
    )
    assert actions[0] == "enrolment.propose"
    assert actions[-1] == "enrolment.list_on_register"


def test_a_second_open_enrolment_for_the_same_employer_is_refused(world: World) -> None:
    world.enrolment(State.PROPOSED)
    with pytest.raises(services.StepError, match="already has an open enrolment"):
        world.enrolment(State.PROPOSED)


def test_after_a_closure_the_employer_can_be_proposed_again(world: World) -> None:
    world.enrolment(State.DECLINED)
    assert world.enrolment(State.PROPOSED).state == State.PROPOSED


def test_a_school_in_a_trust_points_to_its_trust_unless_an_exception_is_given(
    world: World,
) -> None:
    data = {"initiated_by": Initiator.UNION, "reason": "Good employer"}
    with pytest.raises(services.StepError, match="Northern Star Trust") as error:
        services.propose(
            scheme=world.scheme, employer=world.academy, actor=world.users["secretary"], data=data
        )
    assert error.value.field == "exception_reason"
    enrolment = services.propose(
        scheme=world.scheme,
        employer=world.academy,
        actor=world.users["secretary"],
        data={**data, "exception_reason": "Own staffing arrangements"},
    )
    event = AuditEvent.objects.get(context=enrolment.audit_context)
    assert event.changes["exception_reason"] == [None, "Own staffing arrangements"]


def test_the_secretary_declines_with_reasons(world: World) -> None:
    enrolment = world.enrolment(State.DECLINED)
    assert enrolment.state == State.DECLINED
    assert enrolment.closed_reason == "Agreed at the local meeting."


def test_an_nem_objection_closes_the_enrolment(world: World) -> None:
    enrolment = world.enrolment(State.ENDORSED)
    enrolment = _take(world, enrolment, "record_objection", "nem", reason="Dispute ongoing")
    assert enrolment.state == State.OBJECTED
    assert AuditEvent.objects.filter(
        context=enrolment.audit_context,
        action="enrolment.record_objection",
        internal=True,
        note="Dispute ongoing",
    ).exists()


def test_agreement_needs_every_partner_union_represented_locally(world: World) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    enrolment = _take(world, enrolment, "record_partner_position", "gmb", position=Position.AGREE)
    assert enrolment.state == State.NEM_CLEARED
    enrolment = _take(
        world, enrolment, "record_partner_position", "unison", position=Position.AGREE
    )
    assert enrolment.state == State.NEM_CLEARED  # Unite still to come
    enrolment = _take(
        world,
        enrolment,
        "mark_not_represented",
        "secretary",
        union=world.unions["Unite"],
    )
    assert enrolment.state == State.AGREED
    assert [u.short_name for u in enrolment.signing_unions()] == ["NASUWT", "GMB", "UNISON"]


def test_a_partner_disagreement_closes_and_the_secretary_can_reopen(world: World) -> None:
    enrolment = world.enrolment(State.PARTNER_DISAGREED)
    assert enrolment.state == State.PARTNER_DISAGREED
    enrolment = _take(
        world, enrolment, "reopen_discussion", "secretary", reason="GMB has members after all"
    )
    assert enrolment.state == State.NEM_CLEARED
    assert not enrolment.partner_positions.filter(position=Position.DISAGREE).exists()
    enrolment = _take(world, enrolment, "record_partner_position", "gmb", position=Position.AGREE)
    assert enrolment.partner_positions.get(union=world.unions["GMB"]).position == Position.AGREE


def test_reopening_is_refused_when_another_enrolment_has_opened_since(world: World) -> None:
    closed = world.enrolment(State.PARTNER_DISAGREED)
    world.enrolment(State.PROPOSED)
    with pytest.raises(services.StepError, match="already has an open enrolment"):
        _take(world, closed, "reopen_discussion", "secretary", reason="Try again")


def test_a_partner_rep_cannot_mark_their_union_not_represented(world: World) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    with pytest.raises(services.StepError) as error:
        _take(world, enrolment, "record_partner_position", "gmb", position=Position.NOT_REPRESENTED)
    assert error.value.field == "position"
    with pytest.raises(services.StepNotPermitted):
        _take(world, enrolment, "mark_not_represented", "gmb", union=world.unions["GMB"])
    assert not enrolment.partner_positions.exists()


def test_a_disagreement_needs_reasons(world: World) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    with pytest.raises(services.StepError) as error:
        _take(
            world,
            enrolment,
            "record_partner_position",
            "gmb",
            position=Position.DISAGREE,
            reason=" ",
        )
    assert error.value.field == "reason"


def test_a_partner_union_records_its_position_once(world: World) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    _take(world, enrolment, "record_partner_position", "gmb", position=Position.AGREE)
    with pytest.raises(services.StepError, match="already recorded"):
        _take(world, enrolment, "record_partner_position", "gmb", position=Position.AGREE)


def test_the_employer_can_decline_after_the_approach(world: World) -> None:
    enrolment = world.enrolment(State.INTRODUCED)
    enrolment = _take(
        world, enrolment, "record_employer_declined", "employer", reason="Not this year"
    )
    assert enrolment.state == State.EMPLOYER_DECLINED


def test_asking_for_changes_sends_the_commitment_back_and_clears_confirmations(
    world: World,
) -> None:
    enrolment = world.enrolment(State.COMMITMENT_DRAFTED)
    enrolment = _take(world, enrolment, "confirm_commitment_union", "secretary", confirm=True)
    enrolment = _take(world, enrolment, "request_changes", "employer", reason="Later dates")
    assert enrolment.state == State.INTRODUCED
    cycle = enrolment.cycles.get()
    assert cycle.union_confirmed_at is None


def test_the_commitment_is_confirmed_only_when_both_sides_have(world: World) -> None:
    # GMB and UNISON agreed on the way (Unite is not represented locally): both co-sign.
    enrolment = world.enrolment(State.COMMITMENT_DRAFTED)
    enrolment = _take(
        world,
        enrolment,
        "confirm_commitment_employer",
        "employer",
        confirm=True,
        accept_logo_terms=True,
    )
    assert enrolment.state == State.COMMITMENT_DRAFTED
    enrolment = _take(world, enrolment, "confirm_commitment_union", "secretary", confirm=True)
    assert enrolment.state == State.COMMITMENT_DRAFTED
    enrolment = _take(world, enrolment, "cosign_commitment", "gmb", confirm=True)
    assert enrolment.state == State.COMMITMENT_DRAFTED
    enrolment = _take(world, enrolment, "cosign_commitment", "unison", confirm=True)
    assert enrolment.state == State.COMMITTED


def test_a_commitment_must_take_a_current_principle_and_cover_every_principle(
    world: World,
) -> None:
    enrolment = world.enrolment(State.INTRODUCED)
    principles = world.scheme.current_principles()
    start = datetime.date(2026, 9, 1)
    data = {
        "principle_version": principles[0],
        "objectives": "o",
        "success_criteria": "s",
        "starts_on": start,
        "ends_on": start + datetime.timedelta(days=365),
        "activities": [{"detail": "d", "owner": "HR", "due_on": start}],
        "self_assessments": [
            {"principle_version": v, "readiness": "partly", "priority": "high"}
            for v in principles[:5]
        ],
    }
    with pytest.raises(MembershipError) as error:
        _take(world, enrolment, "draft_commitment", "secretary", **data)
    assert error.value.field == "self_assessments"
    principles[0].principle.reword("enabling all employees, including outsourced workers, ...")
    data["self_assessments"] = [
        {"principle_version": v, "readiness": "partly", "priority": "high"} for v in principles
    ]
    with pytest.raises(MembershipError) as error:
        _take(world, enrolment, "draft_commitment", "secretary", **data)
    assert error.value.field == "principle"


def test_a_cycle_keeps_the_principle_wording_it_was_agreed_under(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    cycle = enrolment.cycles.get()
    agreed = cycle.principle_version.wording
    cycle.principle_version.principle.reword("reworded principle")
    cycle.refresh_from_db()
    assert cycle.principle_version.wording == agreed
    assert world.scheme.current_principles()[4].wording == "reworded principle"


def test_listing_needs_the_logo_terms_accepted(world: World) -> None:
    enrolment = world.enrolment(State.NATIONAL_NOTIFIED)
    type(enrolment).objects.filter(pk=enrolment.pk).update(logo_terms_accepted_at=None)
    today = datetime.date.today()
    with pytest.raises(services.StepError, match="logo terms"):
        _take(world, enrolment, "list_on_register", "officer", listed_on=today, logo_sent_on=today)


def test_a_step_not_in_the_current_state_is_refused_with_a_clear_message(world: World) -> None:
    enrolment = world.enrolment(State.ENDORSED)
    with pytest.raises(services.StepError, match="no longer waiting for “Endorse the proposal”"):
        _take(world, enrolment, "endorse", "secretary")


def test_a_user_out_of_scope_may_not_take_a_step(world: World) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    with pytest.raises(services.StepNotPermitted):
        _take(world, enrolment, "endorse", "other_secretary")
    enrolment.refresh_from_db()
    assert enrolment.state == State.PROPOSED


def test_each_handover_emails_the_people_it_now_waits_for(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    enrolment = world.enrolment(State.PROPOSED)
    deliver_outbox()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _take(world, enrolment, "endorse", "secretary", note="Private note")
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [["nem@example.org"]]
    assert "Record no objection" in mail.outbox[0].body
    assert "Private note" not in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _take(world, enrolment, "record_no_objection", "nem")
    deliver_outbox()
    recipients = sorted(m.to[0] for m in mail.outbox)
    # Every partner rep for the area, and the secretary (who may record for an absent union).
    assert recipients == [
        "gmb@example.org",
        "secretary@example.org",
        "unison@example.org",
        "unite@example.org",
    ]


def test_no_email_is_sent_if_the_step_fails(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    enrolment = world.enrolment(State.PROPOSED)
    deliver_outbox()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.StepError):
        _take(world, enrolment, "endorse", "other_secretary")
    deliver_outbox()
    assert mail.outbox == []


def test_someone_without_access_learns_nothing_of_the_enrolment(world: World) -> None:
    enrolment = world.enrolment(State.ENDORSED)
    with pytest.raises(services.StepNotPermitted, match="do not have access") as error:
        _take(world, enrolment, "endorse", "other_secretary")
    assert "Endorsed" not in error.value.message
