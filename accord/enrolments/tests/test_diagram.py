"""The process diagram is drawn from the declaration and shows where an enrolment stands."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accord.enrolments.diagram import render_svg
from accord.enrolments.process import STEPS, State
from tests.world import PASSWORD, World

SVG = "{http://www.w3.org/2000/svg}"


def _states(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-state"): g for g in root.iter(f"{SVG}g") if g.get("data-state")}


def test_every_state_has_a_box_and_every_move_an_arrow() -> None:
    svg = render_svg(None)
    assert set(_states(svg)) == {s.value for s in State}
    root = ET.fromstring(svg)
    arrow_titles = " / ".join(t.text or "" for t in root.iter(f"{SVG}title"))
    for s in STEPS:
        if s.moves and s.name != "propose":
            assert s.label in arrow_titles, s.name


def test_the_current_state_is_highlighted() -> None:
    boxes = _states(render_svg(State.NEM_CLEARED))
    assert "current" in boxes["nem_cleared"].get("class", "")
    assert all("current" not in g.get("class", "") for k, g in boxes.items() if k != "nem_cleared")


def test_the_enrolment_diagram_is_served_as_svg_to_those_who_may_see_it(world: World) -> None:
    enrolment = world.enrolment(State.ENDORSED)
    client = Client()
    client.login(username="nem@example.org", password=PASSWORD)
    response = client.get(reverse("enrolment-diagram", args=[enrolment.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert "current" in _states(response.content.decode())["endorsed"].get("class")
    client.login(username="other_nem@example.org", password=PASSWORD)
    assert client.get(reverse("enrolment-diagram", args=[enrolment.pk])).status_code == 403


def test_the_public_process_page_lists_every_step() -> None:
    page = Client().get(reverse("process")).content.decode()
    for s in STEPS:
        assert escape(s.label) in page


def test_the_diagram_shows_whom_each_waiting_step_is_escalated_to_and_when() -> None:
    root = ET.fromstring(render_svg(None))
    shown = {
        g.get("data-step"): (g.get("data-to"), g.get("data-after-days"), g.find(f"{SVG}title").text)
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "escalation"
    }
    # Written out from the brief: each task waiting in a state, whom it goes to, after how long.
    assert {k: v[:2] for k, v in shown.items()} == {
        "endorse": ("nem", "21"),
        "record_no_objection": ("national_officer", "21"),
        "record_partner_position": ("national_officer", "21"),
        "mark_not_represented": ("nem", "21"),
        "record_approach": ("nem", "21"),
        "record_introduction": ("nem", "21"),
        "draft_commitment": ("nem", "21"),
        "confirm_commitment_union": ("nem", "21"),
        "cosign_commitment": ("national_officer", "21"),
        "confirm_commitment_employer": ("local_secretary", "28"),
        "record_joined": ("nem", "21"),
        "notify_national_union": ("national_officer", "21"),
        "list_on_register": ("", ""),
    }
    assert shown["endorse"][2] == "Endorse the proposal: after 21 days → the NEM"
    assert shown["confirm_commitment_employer"][2] == (
        "Confirm the commitment for the employer: after 28 days → the local secretary"
    )
    assert "not escalated" in shown["list_on_register"][2]


def test_the_process_page_says_whom_each_step_is_escalated_to() -> None:
    page = Client().get(reverse("process")).content.decode()
    assert "after 21 days → the NEM" in page
    assert "after 21 days → the national officers" in page
    assert "after 28 days → the local secretary" in page
