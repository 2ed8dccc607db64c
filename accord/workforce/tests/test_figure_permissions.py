"""Who reads and who keeps workforce figures, persona by persona, written out by hand from the
brief: an employer's contacts and the union roles reaching it keep its figures; every national
officer and the auditor read them; anyone else, another employer's contact included, is told
the table does not exist (404). A plan's figures follow the plan: its owners and the officers
keep them, its members their own party's tables."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role, RoleAssignment
from accord.plans.models import Plan
from accord.workforce.models import FigureTable
from tests.world import World

from .helpers import client, make_table

# persona: (the table's page, its grid of counts)
EMPLOYER_TABLE = {
    "rep": (200, 200),
    "secretary": (200, 200),
    "nem": (200, 200),
    "gmb": (200, 200),
    "unison": (200, 200),
    "unite": (200, 200),
    "officer": (200, 200),
    "employer": (200, 200),
    "auditor": (200, 403),
    # A national officer of a union that leads no scheme reads every employer's figures, but
    # keeps none: no scheme brings the union to the employer.
    "other_officer": (200, 403),
    "other_rep": (404, 404),
    "other_secretary": (404, 404),
    "other_nem": (404, 404),
    "other_gmb": (404, 404),
    "other_employer": (404, 404),
    "outsider": (404, 404),
}

# A plan's table shared by the Trade Union side: unison is its member, the secretary the
# plan's owner. Nobody else holds a role in the plan.
PLAN_TABLE = {
    "officer": (200, 200),
    "other_officer": (200, 200),
    "secretary": (200, 200),
    "unison": (200, 200),
    "auditor": (200, 403),
    "rep": (404, 404),
    "nem": (404, 404),
    "gmb": (404, 404),
    "employer": (404, 404),
    "other_employer": (404, 404),
    "outsider": (404, 404),
}


@pytest.fixture
def plan(world: World) -> Plan:
    plan = world.plan()
    RoleAssignment.objects.create(
        user=world.users["unison"],
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    RoleAssignment.objects.create(user=world.users["secretary"], role=Role.PLAN_OWNER, plan=plan)
    return plan


def _statuses(persona: str, table: FigureTable) -> tuple[int, int]:
    c = client(persona)
    return (
        c.get(table.get_absolute_url()).status_code,
        c.get(reverse("figure-counts", args=[table.pk])).status_code,
    )


def test_an_employers_figures_are_read_and_kept_as_the_table_says(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer)
    found = {persona: _statuses(persona, table) for persona in EMPLOYER_TABLE}
    assert found == EMPLOYER_TABLE


def test_the_employer_page_links_to_its_figures_only_for_those_who_may_read_them(
    world: World,
) -> None:
    page = reverse("employer", args=[world.employer.pk])
    link = reverse("employer-figures", args=[world.employer.pk])
    assert link in client("secretary").get(page).content.decode()
    assert link in client("employer").get(page).content.decode()
    # The other association's secretary may browse employers, but not read these figures.
    other = client("other_secretary").get(page)
    assert other.status_code == 200 and link not in other.content.decode()
    assert client("other_secretary").get(link).status_code == 404
    assert client("other_employer").get(link).status_code == 404


def test_a_plans_figures_are_read_and_kept_as_the_table_says(world: World, plan: Plan) -> None:
    table = make_table(
        world.users["officer"], plan=plan, party=plan.parties.get(name="Trade Union side")
    )
    found = {persona: _statuses(persona, table) for persona in PLAN_TABLE}
    assert found == PLAN_TABLE
    assert reverse("plan-figures", args=[plan.pk]) in (
        client("unison").get(plan.get_absolute_url()).content.decode()
    )


def test_a_plan_member_keeps_only_their_own_partys_tables(world: World, plan: Plan) -> None:
    whole = make_table(world.users["officer"], plan=plan)
    other_side = make_table(
        world.users["officer"], plan=plan, party=plan.parties.exclude(name="Trade Union side")[0]
    )
    member = client("unison")
    for table in (whole, other_side):
        assert member.get(table.get_absolute_url()).status_code == 200
        assert member.get(reverse("figure-counts", args=[table.pk])).status_code == 403
    # Adding a table, the member shares it for their own side only.
    new = reverse("plan-figures-new", args=[plan.pk])
    form = {
        "measure": "Access to mentoring",
        "breakdown": "disability",
        "columns": "Staff\nMentored",
        "starts_on": "2025-04-01",
        "ends_on": "2026-03-31",
    }
    refused = member.post(new, form)
    assert refused.status_code == 400
    assert "A plan member keeps their own party" in refused.content.decode()
    side = plan.parties.get(name="Trade Union side")
    assert member.post(new, {**form, "party": side.pk}).status_code == 302
    assert FigureTable.objects.get(measure="Access to mentoring").party == side


def test_anonymous_visitors_are_sent_to_sign_in(world: World) -> None:
    table = make_table(world.users["employer"], employer=world.employer)
    response = Client().get(table.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
