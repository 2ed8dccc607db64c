"""Every step's form: invalid input gives a message on the field and writes nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment, InitialMeeting, Note, PartnerPosition
from accord.enrolments.process import STEPS, State, Step
from accord.membership.models import Cycle, Signature
from tests.world import PASSWORD, World

FUTURE = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
TOO_LONG = "x" * 5001

# For each form: invalid input, and the field whose message must say what is wrong.
INVALID: dict[str, tuple[dict[str, str], str]] = {
    "ProposeForm": ({"initiated_by": "somebody", "reason": "ok"}, "initiated_by"),
    "NoteForm": ({"note": TOO_LONG}, "note"),
    "NoteRequiredForm": ({"note": "  "}, "note"),
    "ReasonForm": ({"reason": ""}, "reason"),
    "DatedNoteForm": ({"date": FUTURE}, "date"),
    "InitialMeetingForm": ({"held_on": "31/02/2026", "attendees": "Head"}, "held_on"),
    "PartnerPositionForm": ({"position": "not_represented"}, "position"),
    "NotRepresentedForm": ({"union": "999999"}, "union"),
    "ApproachForm": ({"approach_method": "jcc", "jcc_name": "JCC"}, "jcc_meeting_date"),
    "IntroductionForm": ({"introduced_on": FUTURE}, "introduced_on"),
    "CommitmentForm": (
        {
            "objectives": "o",
            "success_criteria": "s",
            "starts_on": "2026-09-01",
            "ends_on": "2026-08-01",
            "activities-TOTAL_FORMS": "5",
            "activities-INITIAL_FORMS": "0",
        },
        "ends_on",
    ),
    "ConfirmCommitmentForm": ({"note": "yes"}, "confirm"),
    "CosignCommitmentForm": ({"note": "yes"}, "confirm"),
    "EmployerConfirmForm": ({"confirm": "on"}, "accept_logo_terms"),
    "ListingForm": ({"listed_on": "2026-01-01", "logo_sent_on": "yesterday"}, "logo_sent_on"),
}
WHO = {"propose": "secretary", "record_partner_position": "gmb", "cosign_commitment": "gmb"}


def _who(s: Step) -> str:
    if s.name in WHO:
        return WHO[s.name]
    for persona, role in [
        ("secretary", "local_secretary"),
        ("nem", "nem"),
        ("officer", "national_officer"),
        ("employer", "employer_contact"),
        ("rep", "workplace_rep"),
    ]:
        if role in s.roles:
            return persona
    raise AssertionError(s.name)


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            AuditEvent,
            Enrolment,
            PartnerPosition,
            InitialMeeting,
            Note,
            Cycle,
            Signature,
        )
    )


def test_every_form_has_an_invalid_example() -> None:
    assert {s.form for s in STEPS} == set(INVALID)


@pytest.mark.parametrize("the_step", STEPS, ids=[s.name for s in STEPS])
def test_invalid_input_is_refused_on_the_field_and_nothing_is_written(
    world: World, the_step: Step
) -> None:
    client = Client()
    client.login(username=f"{_who(the_step)}@example.org", password=PASSWORD)
    if the_step.name == "propose":
        url = reverse("employer-propose", args=[world.employer.pk])
        enrolment = None
    else:
        state = next(state for state in State if state in the_step.sources)
        enrolment = world.enrolment(state)
        url = reverse("enrolment-step", args=[enrolment.pk, the_step.name])
    data, field = INVALID[the_step.form]
    before = _counts()
    response = client.post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    assert f'href="#id_{field}"' in response.content.decode()  # linked from the error summary
    assert _counts() == before
    if enrolment is not None:
        assert Enrolment.objects.get(pk=enrolment.pk).state == enrolment.state


def test_a_rule_broken_in_the_service_shows_on_its_field(world: World) -> None:
    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    url = reverse("employer-propose", args=[world.academy.pk])
    response = client.post(
        url, {"scheme": world.scheme.pk, "initiated_by": "union", "reason": "Good employer"}
    )
    assert response.status_code == 400
    assert "Northern Star Trust" in response.context["form"].errors["exception_reason"][0]
    assert not Enrolment.objects.exists()


def test_a_valid_form_takes_the_step_and_returns_to_the_enrolment(world: World) -> None:
    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    url = reverse("employer-propose", args=[world.employer.pk])
    response = client.post(
        url, {"scheme": world.scheme.pk, "initiated_by": "employer", "reason": "They asked us"}
    )
    enrolment = Enrolment.objects.get()
    assert response.status_code == 302 and response["Location"] == enrolment.get_absolute_url()
    assert enrolment.initiated_by == "employer"


def _refused_commitment(world: World, **activities: str) -> tuple[str, str]:
    """Post a commitment with these activity fields as the secretary; it must be refused with
    an error title: returns the page and its error summary."""
    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    enrolment = world.enrolment(State.INTRODUCED)
    data = {
        "principle": world.scheme.current_principles()[0].pk,
        "objectives": "Meet termly.",
        "success_criteria": "Three meetings.",
        "starts_on": "2026-09-01",
        "ends_on": "2027-08-31",
        "activities-TOTAL_FORMS": "5",
        "activities-INITIAL_FORMS": "0",
        **activities,
    }
    for version in world.scheme.current_principles():
        n = version.principle.number
        data.update({f"readiness_{n}": "partly", f"priority_{n}": "medium"})
    response = client.post(reverse("enrolment-step", args=[enrolment.pk, "draft_commitment"]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    start = html.index('class="error-summary"')
    return html, html[start : html.index("</ul>", start)]


def test_an_incomplete_activity_row_is_named_in_the_error_summary_and_the_title(
    world: World,
) -> None:
    # A detail with no owner and no due date.
    html, summary = _refused_commitment(world, **{"activities-0-detail": "Draft the terms"})
    assert 'href="#id_activities-0-owner"' in summary
    assert 'href="#id_activities-0-due_on"' in summary
    # Every id that an input says describes it exists on the page.
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        for one in described.split():
            assert f'id="{one}"' in html, one
    assert not Cycle.objects.exists()


def test_a_commitment_without_any_activity_says_so_in_the_error_summary(world: World) -> None:
    _, summary = _refused_commitment(world)
    assert "Add at least one activity" in summary
