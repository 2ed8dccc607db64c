"""Partner unions' positions: each union's representative records its own; the local secretary
may only mark a union as not represented locally; a disagreement keeps its reasons."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.core.models import AuditEvent
from accord.enrolments import rules, services
from accord.enrolments.models import Enrolment, Position
from accord.enrolments.process import State, step
from tests.world import PASSWORD, World


def _client(world: World, who: str) -> Client:
    client = Client()
    assert client.login(username=f"{who}@example.org", password=PASSWORD)
    return client


def _step_url(enrolment: Enrolment, name: str) -> str:
    return reverse("enrolment-step", args=[enrolment.pk, name])


@pytest.mark.parametrize("position", [Position.AGREE, Position.DISAGREE])
def test_the_local_secretary_cannot_record_a_partner_unions_agreement_or_disagreement(
    world: World, position: Position
) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    with pytest.raises(services.StepNotPermitted):
        services.take_step(
            enrolment,
            step("record_partner_position"),
            actor=world.users["secretary"],
            data={"union": world.unions["GMB"], "position": position, "reason": "They said so"},
        )
    assert not enrolment.partner_positions.exists()
    assert Enrolment.objects.get(pk=enrolment.pk).state == State.NEM_CLEARED


def test_the_local_secretary_is_offered_no_form_or_button_for_a_partner_unions_position(
    world: World,
) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    assert not rules.can_take_step(
        world.users["secretary"], enrolment, step("record_partner_position")
    )
    client = _client(world, "secretary")
    page = client.get(reverse("enrolment", args=[enrolment.pk])).content.decode()
    assert _step_url(enrolment, "record_partner_position") not in page
    assert client.get(_step_url(enrolment, "record_partner_position")).status_code == 403
    posted = client.post(
        _step_url(enrolment, "record_partner_position"),
        {"union": world.unions["GMB"].pk, "position": "agree"},
    )
    assert posted.status_code == 403
    assert not enrolment.partner_positions.exists()


def test_the_local_secretary_marks_a_union_not_represented_locally_and_nothing_else(
    world: World,
) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    client = _client(world, "secretary")
    url = _step_url(enrolment, "mark_not_represented")
    page = client.get(reverse("enrolment", args=[enrolment.pk])).content.decode()
    assert url in page
    form = client.get(url).content.decode()
    assert 'value="agree"' not in form and 'value="disagree"' not in form
    response = client.post(url, {"union": world.unions["Unite"].pk})
    assert response.status_code == 302
    position = enrolment.partner_positions.get()
    assert (position.union, position.position) == (world.unions["Unite"], "not_represented")


def test_a_partner_rep_records_their_own_unions_position_but_not_its_absence(
    world: World,
) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    assert rules.can_take_step(world.users["gmb"], enrolment, step("record_partner_position"))
    assert not rules.can_take_step(world.users["gmb"], enrolment, step("mark_not_represented"))


def test_the_secretarys_task_list_does_not_ask_them_to_record_a_partner_position(
    world: World,
) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    page = _client(world, "secretary").get(reverse("tasks")).content.decode()
    assert _step_url(enrolment, "record_partner_position") not in page


def test_a_partner_disagreement_posted_through_the_form_keeps_its_reasons(world: World) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    response = _client(world, "gmb").post(
        _step_url(enrolment, "record_partner_position"),
        {"position": "disagree", "reason": "No GMB members are employed there."},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.state == State.PARTNER_DISAGREED
    assert enrolment.closed_reason == "No GMB members are employed there."
    event = AuditEvent.objects.get(action="enrolment.record_partner_position")
    assert event.note == "No GMB members are employed there."
    position = enrolment.partner_positions.get()
    assert position.reasons == "No GMB members are employed there."
