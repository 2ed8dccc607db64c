"""Every step × every persona (each role in scope and out of scope), through the real HTTP stack.

The expected answer comes from the declaration: a persona may open and submit a step's form
exactly when its role is among the step's roles and its scope covers the employer. A new step
or role is covered here without a new test.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role
from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment
from accord.enrolments.process import STEPS, State, Step
from tests.world import PASSWORD, PERSONAS, World

from .test_step_forms import INVALID

ROLE_OF = {
    "rep": Role.WORKPLACE_REP,
    "secretary": Role.LOCAL_SECRETARY,
    "nem": Role.NEM,
    "gmb": Role.PARTNER_REP,
    "unison": Role.PARTNER_REP,
    "unite": Role.PARTNER_REP,
    "officer": Role.NATIONAL_OFFICER,
    "employer": Role.EMPLOYER_CONTACT,
    "auditor": Role.AUDITOR,
}


def _state_for(s: Step) -> State | None:
    """A state from which the step can be taken, preferring the first on the way in."""
    if None in s.sources:
        return None
    return next(state for state in State if state in s.sources)


def expected(persona: str, s: Step) -> bool:
    # Personas prefixed "other_" and the outsider are out of scope for `world.employer`.
    role = ROLE_OF.get(persona)
    return role is not None and role in s.roles


def _url(s: Step, world: World, enrolment: Enrolment | None) -> str:
    if enrolment is None:
        return reverse("employer-propose", args=[world.employer.pk])
    return reverse("enrolment-step", args=[enrolment.pk, s.name])


@pytest.mark.parametrize("the_step", STEPS, ids=[s.name for s in STEPS])
def test_who_may_open_and_submit_each_step(world: World, the_step: Step) -> None:
    state = _state_for(the_step)
    enrolment = None if state is None else world.enrolment(state)
    url = _url(the_step, world, enrolment)
    answers, wanted = {}, {}
    for persona in PERSONAS:
        client = Client()
        assert client.login(username=f"{persona}@example.org", password=PASSWORD)
        events = AuditEvent.objects.count()
        get = client.get(url).status_code
        # Invalid input: a form error if the step is theirs, else refused before validation.
        post = client.post(url, INVALID[the_step.form][0]).status_code
        answers[persona] = (get, post)
        wanted[persona] = (200, 400) if expected(persona, the_step) else (403, 403)
        assert AuditEvent.objects.count() == events, f"{persona} wrote something"
    assert answers == wanted


@pytest.mark.parametrize("the_step", STEPS, ids=[s.name for s in STEPS])
def test_anonymous_visitors_are_sent_to_sign_in(world: World, the_step: Step) -> None:
    enrolment = Enrolment.objects.create(
        scheme=world.scheme, employer=world.employer, proposed_by=world.users["rep"]
    )
    response = Client().get(
        _url(the_step, world, None if the_step.name == "propose" else enrolment)
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
