"""Everyone lands on a start page with a part for each role they hold: what the role is for,
what waits, and where to go next. Expectations are written from the brief, by hand."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role, RoleAssignment
from accord.core.outbox import OutboxMessage, OutboxStatus
from accord.enrolments import join_requests
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership.models import Cycle
from accord.notifications.scale import build_members
from accord.notifications.start import school_term
from accord.organisations.models import Association, District, Employer, EmployerKind
from tests.world import PASSWORD, World

PARTS = {
    "part-rep",
    "part-secretary",
    "part-nem",
    "part-partner",
    "part-officer",
    "part-employer",
    "part-plan",
    "part-auditor",
    "no-role",
}
# Which parts each persona's start page shows: one per role held.
EXPECTED_PARTS = {
    "rep": {"part-rep"},
    "secretary": {"part-secretary"},
    "nem": {"part-nem"},
    "gmb": {"part-partner"},
    "unison": {"part-partner"},
    "officer": {"part-officer"},
    "employer": {"part-employer"},
    "auditor": {"part-auditor"},
    "outsider": {"no-role"},
}


def _client(persona: str) -> Client:
    client = Client()
    assert client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def _page(persona: str) -> str:
    response = _client(persona).get(reverse("tasks"))
    assert response.status_code == 200
    return response.content.decode()


def _parts(html: str) -> set[str]:
    return set(re.findall(r'data-testid="((?:part-[a-z]+)|no-role)"', html)) & PARTS


def _section(html: str, testid: str) -> str:
    """The HTML of the element marked `testid`, up to its end tag (no nesting of the same
    tag inside the marked ones) or, for a part, the next part."""
    at = html.index(f'data-testid="{testid}"')
    tag = html[html.rindex("<", 0, at) + 1 :].split()[0]
    end = html.find(f"</{tag}>", at)
    return html[at:end]


def _names(html: str, testid: str) -> list[str]:
    if f'data-testid="{testid}"' not in html:
        return []
    return re.findall(r'<a href="/enrolments/\d+/">([^<]+)</a>', _section(html, testid))


@pytest.mark.parametrize(("persona", "parts"), EXPECTED_PARTS.items())
def test_each_role_lands_on_its_own_part_of_the_start_page(
    world: World, persona: str, parts: set[str]
) -> None:
    html = _page(persona)
    assert _parts(html) == parts
    assert "Nothing is waiting for you" not in html


def test_someone_with_several_roles_sees_each_part(world: World) -> None:
    RoleAssignment.objects.create(
        user=world.users["secretary"],
        role=Role.NEM,
        union=world.scheme.lead_union,
        district=world.association.district,
    )
    plan = world.plan()
    RoleAssignment.objects.create(
        user=world.users["secretary"],
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    assert _parts(_page("secretary")) == {"part-secretary", "part-nem", "part-plan"}


def test_someone_with_no_role_is_told_how_to_get_one(world: World) -> None:
    html = _page("outsider")
    assert "You hold no role in Accord yet" in html
    assert reverse("process") in html


def test_a_superuser_with_no_role_is_pointed_to_inviting_the_first_national_officer(
    world: World,
) -> None:
    User = get_user_model()
    User.objects.create_superuser("root", email="root@example.org", password=PASSWORD)
    html = _page("root")
    assert _parts(html) == set()
    assert reverse("people-invite") in _section(html, "superuser")
    assert 'data-testid="superuser"' not in _page("outsider")


def test_a_rep_is_pointed_to_proposing_their_employer_then_follows_the_case(
    world: World,
) -> None:
    html = _page("rep")
    propose = reverse("employer-propose", args=[world.employer.pk])
    assert "Propose your employer" in html and propose in _section(html, "rep-propose")
    enrolment = world.enrolment(State.ENDORSED)
    html = _page("rep")
    assert propose not in html
    assert "its case is under way" in _section(html, "rep-propose")
    # The case waits on the NEM, not on the rep: it is among what waits on others.
    cases = _section(html, "rep-cases")
    assert enrolment.employer.name in cases and "National executive member" in cases
    assert _names(_page("other_rep"), "rep-cases") == []


def test_a_secretary_sees_proposals_to_endorse_in_their_association_only(world: World) -> None:
    world.enrolment(State.PROPOSED)
    assert _names(_page("secretary"), "to-endorse") == [world.employer.name]
    assert _names(_page("other_secretary"), "to-endorse") == []
    assert _names(_page("nem"), "objections") == []


def test_a_case_with_no_step_for_the_set_number_of_days_is_stuck(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    world.enrolment(State.LISTED)  # a member is never stuck
    school = Employer.objects.create(
        name="Quiet Primary",
        kind=EmployerKind.SCHOOL,
        association=world.association,
        local_authority=world.employer.local_authority,
    )
    world.enrolment(State.AGREED, employer=school)
    assert _names(_page("secretary"), "stuck") == []
    later = timezone.now() + datetime.timedelta(days=15)
    with time_machine.travel(later, tick=False):
        assert _names(_page("secretary"), "stuck") == ["Quiet Primary"]
        assert _names(_page("other_secretary"), "stuck") == []
        settings.ACCORD_STUCK_DAYS = 30
        assert _names(_page("secretary"), "stuck") == []


def test_a_secretary_sees_the_reviews_due_this_term(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    ends_on = Cycle.objects.get(enrolment=enrolment).ends_on
    term = school_term(ends_on)
    with time_machine.travel(datetime.datetime.combine(term.starts_on, datetime.time(9))):
        assert _names(_page("secretary"), "reviews-due") == [world.employer.name]
        assert _names(_page("other_secretary"), "reviews-due") == []
    before = term.starts_on - datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(before, datetime.time(9))):
        assert _names(_page("secretary"), "reviews-due") == []
    with time_machine.travel(datetime.datetime.combine(ends_on, datetime.time(9))):
        world.review(Cycle.objects.get(enrolment=enrolment))
        assert _names(_page("secretary"), "reviews-due") == []


def test_school_terms_are_autumn_spring_and_summer() -> None:
    assert school_term(datetime.date(2026, 9, 1)).name == "autumn"
    assert school_term(datetime.date(2026, 12, 31)).name == "autumn"
    assert school_term(datetime.date(2027, 1, 1)).name == "spring"
    assert school_term(datetime.date(2027, 3, 31)).name == "spring"
    assert school_term(datetime.date(2027, 4, 1)).name == "summer"
    summer = school_term(datetime.date(2027, 8, 31))
    assert (summer.name, summer.starts_on, summer.ends_on) == (
        "summer",
        datetime.date(2027, 4, 1),
        datetime.date(2027, 8, 31),
    )


def test_a_nem_sees_objections_to_consider_and_notifications_to_send(world: World) -> None:
    world.enrolment(State.ENDORSED)
    _contact(world, world.trust)
    world.enrolment(State.JOINED, employer=world.trust)
    html = _page("nem")
    assert _names(html, "objections") == [world.employer.name]
    assert _names(html, "notifications") == [world.trust.name]
    other = _page("other_nem")
    assert _names(other, "objections") == [] and _names(other, "notifications") == []


def test_an_officer_sees_listings_to_make_unattended_cases_and_failed_emails(
    world: World,
) -> None:
    world.enrolment(State.NATIONAL_NOTIFIED)
    OutboxMessage.objects.create(
        to="someone@example.org", subject="Hello", body="", status=OutboxStatus.FAILED
    )
    html = _page("officer")
    assert _names(html, "listings") == [world.employer.name]
    failed = _section(html, "failed-emails")
    assert "1 e-mail needs attention" in failed and reverse("outbox") in failed
    assert _names(_page("other_officer"), "listings") == []
    # People to invite: the invitation page is a click away.
    assert reverse("people-invite") in _section(html, "part-officer")


def test_an_officer_is_told_which_areas_have_nobody_to_act_and_whom_to_invite(
    world: World,
) -> None:
    assert "None: every local association has a local secretary" in _section(
        _page("officer"), "vacancies"
    )
    Association.objects.create(name="Easttown", region=world.association.region)
    District.objects.create(name="Eastern")
    world.users["other_secretary"].is_active = False  # Southtown's only secretary leaves
    world.users["other_secretary"].save()
    html = _page("officer")
    assert re.findall(r"<li>([^<]+)</li>", _section(html, "vacancies")) == [
        "Easttown: no local secretary",
        "Southtown: no local secretary",
        "Eastern: no National Executive Member",
    ]
    assert reverse("people-invite") in html


def test_an_employer_contact_sees_their_membership_the_next_review_and_actions_due(
    world: World,
) -> None:
    enrolment = world.enrolment(State.LISTED)
    cycle = Cycle.objects.get(enrolment=enrolment)
    html = _page("employer")
    assert "Your membership" in html
    memberships = _section(html, "memberships")
    assert world.employer.name in memberships and "Listed on the register" in memberships
    assert cycle.ends_on.strftime("%-d %B %Y") in memberships
    first = cycle.actions.order_by("due_on").first()
    with time_machine.travel(datetime.datetime.combine(first.due_on, datetime.time(9))):
        assert first.detail in _section(_page("employer"), "employer-actions")
    assert world.employer.name not in _page("other_employer")


def test_a_plan_member_sees_their_partys_actions(world: World) -> None:
    plan = world.plan()
    RoleAssignment.objects.create(
        user=world.users["outsider"],
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    html = _page("outsider")
    assert _parts(html) == {"part-plan"}
    shown = re.findall(r'href="/actions/\d+/">(\d+)\.', _section(html, "plan-actions"))
    assert shown == ["2", "4"]  # the union side's, all overdue since 2008


def _grant(world: World, persona: str, role: Role, **scope: object) -> None:
    user = world.users[persona]
    RoleAssignment.objects.create(user=user, role=role, **scope)
    user.__dict__.pop("_accord_assignments", None)  # read afresh


def _contact(world: World, employer: Employer) -> None:
    """The employer persona confirms for `employer` too, as the journeys need."""
    _grant(world, "employer", Role.EMPLOYER_CONTACT, employer=employer)


def _more(world: World, count: int) -> None:
    """`count` more of everything a start page lists, in the Northtown association."""
    for _ in range(count):
        n = Employer.objects.count()
        employer = Employer.objects.create(
            name=f"School {n}",
            kind=EmployerKind.SCHOOL,
            urn=f"9{n:05d}",
            association=world.association,
            local_authority=world.employer.local_authority,
        )
        _grant(world, "rep", Role.WORKPLACE_REP, union=world.scheme.lead_union, employer=employer)
        _contact(world, employer)
        for state in (State.PROPOSED, State.AGREED, State.NATIONAL_NOTIFIED):
            school = Employer.objects.create(
                name=f"{state} {n}",
                kind=EmployerKind.SCHOOL,
                association=world.association,
                local_authority=world.employer.local_authority,
            )
            _contact(world, school)
            world.journey().to(school, state, "secretary")
        world.journey().to(employer, State.COMMITMENT_DRAFTED, "rep")
        join_requests.submit(
            scheme=world.scheme,
            data={
                "employer_name": f"College {n}",
                "kind": EmployerKind.COLLEGE,
                "local_authority": world.employer.local_authority,
                "contact_name": "Pat",
                "job_title": "Principal",
                "email": "pat@example.org",
                "message": "Please.",
            },
        )
    build_members(
        world.scheme,
        count=count,
        association=world.association,
        local_authority=world.employer.local_authority,
        first_start=timezone.localdate() - datetime.timedelta(days=300),
        late_every=2,
    )
    Enrolment.objects.update(state_changed_at=timezone.now() - datetime.timedelta(days=30))


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("tasks"))
    assert response.status_code == 200
    return len(captured)


# The officer's page reads the most: listings, unattended cases and requests, failed e-mails,
# areas with nobody in their role and open invitations.
START_PAGE_QUERIES = 24


def test_the_start_page_runs_the_same_queries_for_two_of_everything_as_for_eight(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    personas = ("rep", "secretary", "nem", "officer", "employer", "gmb")
    clients = {p: _client(p) for p in personas}
    _more(world, 2)
    small = {p: _queries(c) for p, c in clients.items()}
    _more(world, 6)
    large = {p: _queries(c) for p, c in clients.items()}
    assert small == large, small
    for client in clients.values():
        with django_assert_max_num_queries(START_PAGE_QUERIES):
            client.get(reverse("tasks"))
    # Each list shows them all (within its bound).
    html = _page("secretary")
    assert len(_names(html, "to-endorse")) == 8
    assert len(re.findall(r"College \d+", _section(html, "join-requests"))) == 8
