"""The demo data for `make run` loads through the real services, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role, RoleAssignment, User
from accord.core.audit import verify_chain
from accord.core.models import AuditEvent
from accord.enrolments import documents
from accord.enrolments.models import Enrolment
from accord.enrolments.process import CLOSED_STATES, MAIN_PATH, State
from accord.membership.models import PolicyCheck
from accord.organisations.models import Employer
from accord.plans.models import Plan
from tests.world import World


def test_the_demo_has_a_dozen_employers_several_states_and_a_user_per_role(
    db: None, capsys
) -> None:  # type: ignore[no-untyped-def]
    call_command("load_demo")
    out = capsys.readouterr().out
    assert Employer.objects.count() == 12
    states = set(Enrolment.objects.values_list("state", flat=True))
    assert {
        State.PROPOSED,
        State.NEM_CLEARED,
        State.COMMITMENT_DRAFTED,
        State.LISTED,
        State.OBJECTED,
    } <= states
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role)
    assert "secretary@demo.accord" in out and "accord-demo" in out
    assert list(verify_chain()) == []
    assert PolicyCheck.objects.get().assessment == "consistent"
    plan = Plan.objects.get()
    assert sorted(plan.actions.values_list("number", flat=True)) == [1, 2, 3, 4]
    # People are named as they are greeted ("Dear Tom Bell,"): their party or role is in
    # their role's scope, never in their name.
    member = RoleAssignment.objects.select_related("user", "party").get(role=Role.PLAN_MEMBER)
    assert (member.user.full_name, member.party.name) == ("Tom Bell", "Trade Union side")
    assert not User.objects.filter(full_name__contains="(").exists()


def test_the_demo_letter_greets_the_colleges_principal_from_the_associations_address(
    db: None,
) -> None:
    call_command("load_demo")
    college = Enrolment.objects.get(employer__name="Manchester Technical College")
    letter = documents.letter(college)
    assert letter.salutation == "Dear Dr Shah,"
    assert letter.valediction == "Yours sincerely,"
    assert letter.sender == [
        "NASUWT Manchester Local Association",
        "Union House",
        "14 Whitworth Street",
        "Manchester",
        "M1 3AB",
        "manchester@demo.accord",
    ]
    assert letter.recipient == [
        "Dr Amina Shah",
        "Principal and Chief Executive",
        "Manchester Technical College",
        "45 Ashton Old Road",
        "Manchester",
        "M11 2WH",
    ]


def test_the_demo_employers_accept_the_logo_terms_before_they_join(db: None) -> None:
    call_command("load_demo")
    accepted = Enrolment.objects.exclude(logo_terms_accepted_at=None)
    assert accepted.exists()
    for enrolment in accepted:
        assert enrolment.joined_on is not None
        assert timezone.localtime(enrolment.logo_terms_accepted_at).date() < enrolment.joined_on


def test_loading_the_demo_twice_changes_nothing(db: None) -> None:
    call_command("load_demo")
    counts = (Employer.objects.count(), Enrolment.objects.count())
    call_command("load_demo")
    assert (Employer.objects.count(), Enrolment.objects.count()) == counts


def test_the_demo_journey_follows_the_declared_main_path_and_reaches_every_way_out(
    world: World,
) -> None:
    listed = world.enrolment(State.LISTED)
    moves = [
        e.changes["state"][1]
        for e in AuditEvent.objects.for_context(listed.audit_context)
        if "state" in e.changes
    ]
    assert moves == list(MAIN_PATH)
    for way_out in sorted(CLOSED_STATES):
        closed = world.enrolment(State(way_out), world.trust)
        assert closed.state == way_out


@pytest.mark.mfa_required
def test_demo_union_people_sign_in_with_the_demo_code_but_one_sets_up_an_app(
    db: None, capsys
) -> None:  # type: ignore[no-untyped-def]
    call_command("load_demo")
    assert "ACCORDDEMOACCORDDEMOACCORDDEMO22" in capsys.readouterr().out
    client = Client()
    response = client.post(
        reverse("login"), {"login": "secretary@demo.accord", "password": "accord-demo"}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    call_command("demo_code")
    code = capsys.readouterr().out.strip()
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == "/tasks/"
    assert client.get("/tasks/").status_code == 200

    first = Client()
    first.post(
        reverse("login"), {"login": "salford.secretary@demo.accord", "password": "accord-demo"}
    )
    assert first.get("/tasks/")["Location"] == reverse("mfa_activate_totp")
    # Employer contacts may choose to: the demo's have not.
    contact = Client()
    contact.post(reverse("login"), {"login": "employer@demo.accord", "password": "accord-demo"})
    assert contact.get("/tasks/").status_code == 200
