"""A form submitted twice (a double click, a resend after a timeout) makes one record."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accord.enrolments.models import Note
from accord.enrolments.process import State
from accord.membership.models import Membership, PolicyCheck
from accord.plans.models import PlanImport
from tests.world import World

SEED = Path(__file__).resolve().parents[2] / "plans" / "data" / "government-skills-2008.txt"


def _token(html: str) -> str:
    match = re.search(r'name="submission_token" value="([^"]+)"', html)
    assert match, "The form carries no submission token."
    return match.group(1)


def test_the_same_policy_log_posted_three_times_makes_one_policy_check(world: World) -> None:
    membership = Membership.objects.get(enrolment=world.enrolment(State.LISTED))
    employer = Client()
    employer.force_login(world.users["employer"])
    url = f"/memberships/{membership.pk}/policy-checks/new/"
    token = _token(employer.get(url).content.decode())
    data = {
        "title": "Flexible working",
        "description": "From day one.",
        "submission_token": token,
    }
    responses = [employer.post(url, data) for _ in range(3)]
    check = PolicyCheck.objects.get()
    # Each repeat shows what the first made, rather than an error or a second record.
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert {r["Location"] for r in responses} == {check.get_absolute_url()}


def test_a_new_form_gets_a_new_token_and_makes_a_second_record(world: World) -> None:
    membership = Membership.objects.get(enrolment=world.enrolment(State.LISTED))
    employer = Client()
    employer.force_login(world.users["employer"])
    url = f"/memberships/{membership.pk}/policy-checks/new/"
    for _ in range(2):
        token = _token(employer.get(url).content.decode())
        employer.post(
            url, {"title": "Flexible working", "description": "x", "submission_token": token}
        )
    assert PolicyCheck.objects.count() == 2


def test_a_note_posted_twice_with_one_token_is_recorded_once(world: World) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    secretary = Client()
    secretary.force_login(world.users["secretary"])
    url = f"/enrolments/{enrolment.pk}/steps/add_note/"
    token = _token(secretary.get(url).content.decode())
    for _ in range(2):
        secretary.post(url, {"note": "Spoke to the head.", "submission_token": token})
    assert Note.objects.count() == 1


def test_a_plan_upload_sent_twice_with_one_token_waits_once_for_its_preview(
    world: World,
) -> None:
    officer = Client()
    officer.force_login(world.users["officer"])
    token = _token(officer.get("/plans/import/").content.decode())
    locations = []
    for _ in range(2):
        upload = SimpleUploadedFile("plan.txt", SEED.read_bytes(), "text/plain")
        response = officer.post("/plans/import/", {"file": upload, "submission_token": token})
        locations.append(response["Location"])
    pending = PlanImport.objects.get()
    assert locations == [pending.get_absolute_url()] * 2
