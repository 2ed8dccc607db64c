"""The enrolment page: its timeline, the actions offered, and what an employer may not see."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accord.enrolments import services
from accord.enrolments.models import Position
from accord.enrolments.process import State, step
from tests.world import PASSWORD, World


def _client(persona: str) -> Client:
    client = Client()
    assert client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def test_the_timeline_shows_who_did_what_and_when(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    page = _client("officer").get(enrolment.get_absolute_url()).content.decode()
    for text in [
        "Secretary proposed the employer",
        "Secretary endorsed the proposal",
        "Nem recorded no objection",
        "Gmb recorded a partner union&#x27;s position",
        "Good candidate.",
    ]:
        assert text in page


def test_only_the_actions_i_may_take_are_offered(world: World) -> None:
    enrolment = world.enrolment(State.ENDORSED)
    nem_page = _client("nem").get(enrolment.get_absolute_url()).content.decode()
    assert reverse("enrolment-step", args=[enrolment.pk, "record_no_objection"]) in nem_page
    assert reverse("enrolment-step", args=[enrolment.pk, "record_objection"]) in nem_page
    rep_page = _client("rep").get(enrolment.get_absolute_url()).content.decode()
    assert "record_no_objection" not in rep_page
    assert "steps/add_note" in rep_page


def test_the_employer_contact_never_sees_internal_deliberations(world: World) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    journey = world.journey()
    journey.take(enrolment, "add_note", "secretary", note="Head is difficult")
    journey.take(
        enrolment,
        "record_partner_position",
        "gmb",
        position=Position.AGREE,
        reason="GMB members support it",
    )
    journey.take(enrolment, "record_partner_position", "unison", position=Position.AGREE)
    enrolment = journey.take(
        enrolment,
        "mark_not_represented",
        "secretary",
        union=world.unions["Unite"],
    )
    enrolment = journey.take(
        enrolment,
        "record_approach",
        "secretary",
        approach_method="joint_letter",
        letter_date=enrolment.created_at.date(),
    )
    staff = _client("secretary").get(enrolment.get_absolute_url()).content.decode()
    employer = _client("employer").get(enrolment.get_absolute_url())
    assert employer.status_code == 200
    page = employer.content.decode()
    for internal in [
        "Head is difficult",
        "GMB members support it",
        "Good candidate.",
        "recorded no objection",
        "partner-positions",
        "Agrees",
        "(internal)",
        "Proposed by",
    ]:
        assert internal in staff
        assert internal not in page, internal
    assert "recorded the approach to the employer" in page
    assert (
        _client("employer").get(reverse("enrolment-letter", args=[enrolment.pk])).status_code == 403
    )


def test_the_employer_contact_cannot_see_an_enrolment_before_the_approach(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    assert _client("employer").get(enrolment.get_absolute_url()).status_code == 403
    employer_page = _client("employer").get(world.employer.get_absolute_url()).content.decode()
    assert enrolment.get_absolute_url() not in employer_page


def test_an_employer_who_asked_to_join_sees_only_not_proceeding_after_an_objection(
    world: World,
) -> None:
    enrolment = services.propose(
        scheme=world.scheme,
        employer=world.employer,
        actor=world.users["secretary"],
        data={"initiated_by": "employer", "reason": "They asked"},
    )
    journey = world.journey()
    journey.take(enrolment, "endorse", "secretary")
    journey.take(enrolment, "record_objection", "nem", reason="Ongoing dispute")
    page = _client("employer").get(enrolment.get_absolute_url()).content.decode()
    assert "Not proceeding" in page
    assert "Ongoing dispute" not in page and "Objection" not in page


def test_out_of_scope_users_cannot_open_the_enrolment(world: World) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    for persona in [
        "other_secretary",
        "other_nem",
        "other_gmb",
        "other_rep",
        "other_employer",
        "other_officer",
        "outsider",
    ]:
        assert _client(persona).get(enrolment.get_absolute_url()).status_code == 403, persona
    for persona in ["secretary", "nem", "gmb", "rep", "officer", "auditor"]:
        assert _client(persona).get(enrolment.get_absolute_url()).status_code == 200, persona


def test_my_tasks_lists_what_waits_on_me_oldest_first(world: World) -> None:
    first = world.enrolment(State.PROPOSED)
    second = world.enrolment(State.PROPOSED, employer=world.trust)
    response = _client("secretary").get(reverse("tasks"))
    rows = [enrolment.pk for enrolment, _, _ in response.context["rows"]]
    assert rows == [first.pk, second.pk]
    assert _client("nem").get(reverse("tasks")).context["rows"] == []
    assert _client("other_secretary").get(reverse("tasks")).context["rows"] == []


def test_the_partner_task_disappears_once_the_union_has_recorded(world: World) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    assert len(_client("gmb").get(reverse("tasks")).context["rows"]) == 1
    services.take_step(
        enrolment,
        step("record_partner_position"),
        actor=world.users["gmb"],
        data={"position": Position.AGREE},
    )
    assert _client("gmb").get(reverse("tasks")).context["rows"] == []
    assert len(_client("unison").get(reverse("tasks")).context["rows"]) == 1
