"""Beside its timeline, the enrolment page says where the case is, what comes next and who it
waits on, and links to the full diagram; an employer reads it in its own words."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role, RoleAssignment
from accord.enrolments import services
from accord.enrolments.models import Initiator
from accord.enrolments.process import State
from tests.world import PASSWORD, World


def _where(persona: str, url: str) -> str:
    client = Client()
    assert client.login(username=f"{persona}@example.org", password=PASSWORD)
    page = client.get(url).content.decode()
    assert '<img class="diagram"' not in page
    return " ".join(re.search(r'data-testid="where-now">(.*?)</div>', page, re.S).group(1).split())


def test_the_unions_read_the_next_step_and_the_people_it_waits_on(world: World) -> None:
    enrolment = world.enrolment(State.ENDORSED)
    where = _where("secretary", enrolment.get_absolute_url())
    assert "Endorsed by the local secretary" in where
    assert "Record no objection" in where and "Record no objection: Nem" in where


def test_a_step_nobody_can_take_is_said_to_go_to_the_national_officers(world: World) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    RoleAssignment.objects.filter(role=Role.LOCAL_SECRETARY).delete()
    where = _where("officer", enrolment.get_absolute_url())
    assert "no local secretary covers this employer" in where


def test_an_employer_reads_where_its_membership_is_without_the_unions_inner_steps(
    world: World,
) -> None:
    asked = services.propose(
        scheme=world.scheme,
        employer=world.employer,
        actor=world.users["secretary"],
        data={"initiated_by": Initiator.EMPLOYER, "reason": "They asked."},
    )
    world.journey().take(asked, "endorse", "secretary")
    where = _where("employer", asked.get_absolute_url())
    assert "The unions are considering it" in where
    assert "The unions consider the proposal together." in where
    assert "NEM" not in where and "objection" not in where.lower()


def test_an_employer_waiting_on_the_secretary_is_told_so(world: World) -> None:
    enrolment = world.enrolment(State.APPROACHED)
    where = _where("employer", enrolment.get_absolute_url())
    assert "Approached by the unions" in where
    assert "Record the introduction of the scheme" in where
    assert "The local union secretary" in where
    page = Client()
    page.login(username="employer@example.org", password=PASSWORD)
    html = page.get(enrolment.get_absolute_url()).content.decode()
    assert reverse("enrolment-diagram", args=[enrolment.pk]) in html
