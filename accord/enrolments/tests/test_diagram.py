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
