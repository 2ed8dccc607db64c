"""The progress picture on the employer page: principles worked on and met, and the employer's
own assessment, cycle by cycle."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import time_machine
from django.test import Client

from accord.enrolments.process import State
from accord.membership import cycles
from accord.membership.models import Cycle
from tests.world import PASSWORD, World


def test_the_employer_page_charts_two_cycles(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    first = Cycle.objects.get(enrolment=enrolment)
    principles = world.scheme.current_principles()
    start = first.ends_on + datetime.timedelta(days=1)
    with time_machine.travel(first.ends_on, tick=False):
        world.review(first, confirm=True)
        cycles.start_next_cycle(
            enrolment,
            actor=world.users["secretary"],
            data={
                "principle_version": principles[1],
                "objectives": "Wellbeing survey",
                "success_criteria": "Done",
                "starts_on": start,
                "ends_on": start + datetime.timedelta(days=364),
                "activities": [{"detail": "Survey", "owner": "HR", "due_on": start}],
                "self_assessments": [
                    {
                        "principle_version": v,
                        "priority": "medium",
                        "readiness": "in_place" if v.principle.number == 5 else "partly",
                    }
                    for v in principles
                ],
            },
        )
    client = Client()
    client.login(username="employer@example.org", password=PASSWORD)
    response = client.get(world.employer.get_absolute_url())
    [(scheme, pic, chart)] = response.context["pictures"]
    assert scheme == world.scheme
    assert pic.columns == [f"Cycle 1 ({first.starts_on:%Y})", f"Cycle 2 ({start:%Y})"]
    row_5 = pic.rows[4]
    assert (row_5[0].worked_on, row_5[0].met, row_5[0].readiness) == (True, True, "partly")
    assert (row_5[1].worked_on, row_5[1].readiness) == (False, "in_place")
    assert pic.rows[1][1].worked_on and not pic.rows[1][1].met
    svg = ET.fromstring(chart.svg)  # well-formed SVG, named by its title and description
    ids = svg.get("aria-labelledby").split()
    assert [e.get("id") for e in svg if e.tag.endswith(("title", "desc"))] == ids
    assert "✔ met" in chart.svg and "● worked on" in chart.svg
    # The chart's table says the same in words: principle 5, met in cycle 1, then in place.
    assert chart.header == ["Principle", f"Cycle 1 ({first.starts_on:%Y})", f"Cycle 2 ({start:%Y})"]
    assert chart.rows[4][1:] == ["Partly in place; worked on and met", "In place"]
    assert chart.rows[1][2] == "Partly in place; worked on"
    html = response.content.decode()
    assert "Partly in place; worked on and met" in html
    assert "In place" in html


def test_no_chart_before_the_employer_is_a_member(world: World) -> None:
    world.enrolment(State.COMMITMENT_DRAFTED)
    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    assert client.get(world.employer.get_absolute_url()).context["pictures"] == []
