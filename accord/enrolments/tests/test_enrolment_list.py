"""The enrolment list's filter offers and accepts only what the viewer may know."""

from __future__ import annotations

import re

from django.test import Client

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from tests.world import World


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _objected_by_the_nem(world: World) -> Enrolment:
    enrolment = world.enrolment(State.OBJECTED)
    # The employer asked to join, so its contact follows the case from the start.
    Enrolment.objects.filter(pk=enrolment.pk).update(initiated_by="employer")
    return enrolment


def _options(html: str) -> list[str]:
    select = html[html.index('<select id="state"') : html.index("</select>")]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_employers_filter_offers_one_not_proceeding_for_every_internal_closure(
    world: World,
) -> None:
    _objected_by_the_nem(world)
    html = _client(world, "employer").get("/enrolments/").content.decode()
    options = _options(html)
    assert options.count("Not proceeding") == 1
    for internal in (
        "Objection from the NEM",
        "Declined by the local secretary",
        "A partner union disagreed",
    ):
        assert internal not in options


def test_an_employer_cannot_pick_out_an_nem_objection_by_its_state(world: World) -> None:
    objected = _objected_by_the_nem(world)
    employer = _client(world, "employer")
    assert [e for e, _ in employer.get("/enrolments/").context["rows"]] == [objected]
    for state in ("objected", "declined", "partner_disagreed"):
        response = employer.get(f"/enrolments/?state={state}")
        # The value was never offered: it is ignored, and the page is the unfiltered one.
        assert response.status_code == 200
        assert "selected>" not in response.content.decode()
        assert [label for _, label in response.context["rows"]] == ["Not proceeding"]
    not_proceeding = employer.get("/enrolments/?state=not_proceeding")
    assert [e for e, _ in not_proceeding.context["rows"]] == [objected]
    assert employer.get("/enrolments/?state=listed").context["rows"] == []


def test_union_staff_still_filter_by_the_nems_objection(world: World) -> None:
    objected = _objected_by_the_nem(world)
    world.enrolment(State.PROPOSED, world.trust)
    response = _client(world, "secretary").get("/enrolments/?state=objected")
    assert [e for e, _ in response.context["rows"]] == [objected]
    assert "Objection from the NEM" in _options(response.content.decode())


def test_the_employers_list_and_filter_speak_of_its_membership_not_an_enrolment(
    world: World,
) -> None:
    world.enrolment(State.LISTED)
    html = _client(world, "employer").get("/enrolments/").content.decode()
    main = html[html.index("<main") :]
    assert "<h1>Memberships</h1>" in main
    assert 'aria-label="Filter memberships"' in main and "1 membership," in main
    assert "nrolment" not in re.sub(r'href="[^"]*"', "", main)  # addresses aside
    assert ">Memberships</a>" in html  # the navigation too
    staff = _client(world, "secretary").get("/enrolments/").content.decode()
    assert "<h1>Enrolments</h1>" in staff and ">Enrolments</a>" in staff
