"""Who may give which role where, who may open the people pages and whom each sees: tables
written from the brief, not read from the rules."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts import rules
from accord.accounts.models import Role, RoleAssignment, User
from tests.world import World

# The roles someone might be given, each with where it would be held.
CANDIDATES = {
    "rep here": lambda w: RoleAssignment(
        role=Role.WORKPLACE_REP, union=w.unions["NASUWT"], employer=w.employer
    ),
    "rep at the academy here": lambda w: RoleAssignment(
        role=Role.WORKPLACE_REP, union=w.unions["NASUWT"], employer=w.academy
    ),
    "rep elsewhere": lambda w: RoleAssignment(
        role=Role.WORKPLACE_REP, union=w.unions["NASUWT"], employer=w.other_employer
    ),
    "GMB rep here": lambda w: RoleAssignment(
        role=Role.WORKPLACE_REP, union=w.unions["GMB"], employer=w.employer
    ),
    "secretary here": lambda w: RoleAssignment(
        role=Role.LOCAL_SECRETARY, union=w.unions["NASUWT"], association=w.association
    ),
    "NEM": lambda w: RoleAssignment(
        role=Role.NEM, union=w.unions["NASUWT"], district=w.association.district
    ),
    "GMB partner rep": lambda w: RoleAssignment(
        role=Role.PARTNER_REP, union=w.unions["GMB"], region=w.association.region
    ),
    "UNISON partner rep": lambda w: RoleAssignment(
        role=Role.PARTNER_REP, union=w.unions["UNISON"], association=w.association
    ),
    "NASUWT officer": lambda w: RoleAssignment(
        role=Role.NATIONAL_OFFICER, union=w.unions["NASUWT"]
    ),
    "GMB officer": lambda w: RoleAssignment(role=Role.NATIONAL_OFFICER, union=w.unions["GMB"]),
    "employer contact": lambda w: RoleAssignment(role=Role.EMPLOYER_CONTACT, employer=w.employer),
    "auditor": lambda w: RoleAssignment(role=Role.AUDITOR),
}
EVERYTHING = set(CANDIDATES)

# Who may give what, from the brief: the lead union's national officers give any role but the
# auditor's and another union's officer; a partner union's officer gives their own union's
# roles; a local secretary only reps of their union at employers in their association.
MAY_GIVE = {
    "officer": EVERYTHING - {"GMB officer", "auditor"},
    "other_officer": {"UNISON partner rep"},  # UNISON's officer: UNISON does not lead
    "secretary": {"rep here", "rep at the academy here"},
    "other_secretary": {"rep elsewhere"},
    "rep": set(),
    "nem": set(),
    "gmb": set(),
    "unison": set(),
    "employer": set(),
    "auditor": set(),
    "outsider": set(),
    "superuser": EVERYTHING,
}


@pytest.mark.parametrize("persona", list(MAY_GIVE))
def test_who_may_give_which_role_where(world: World, persona: str) -> None:
    if persona == "superuser":
        actor = User.objects.create_superuser("root@example.org", "root@example.org", "x")
    else:
        actor = world.users[persona]
    given = {name for name, make in CANDIDATES.items() if rules.may_grant(actor, make(world))}
    assert given == MAY_GIVE[persona]


def test_an_ended_role_gives_nothing_to_give(world: World) -> None:
    secretary = world.users["secretary"]
    RoleAssignment.objects.filter(user=secretary).update(ends_on=world.employer.created_at.date())
    secretary = User.objects.get(pk=secretary.pk)
    assert not rules.may_grant(secretary, CANDIDATES["rep here"](world))


# Who opens the list of people (a status for each).
LIST = {
    "officer": 200,
    "other_officer": 200,
    "auditor": 200,
    "secretary": 200,
    "employer": 200,
    "rep": 403,
    "nem": 403,
    "gmb": 403,
    "unison": 403,
    "outsider": 403,
}

# Whom each sees on a person's page: the rep here, the rep elsewhere, the employer contact
# here, the employer contact elsewhere, the officer.
SEES = {
    "officer": {"rep", "other_rep", "employer", "other_employer", "officer"},
    "auditor": {"rep", "other_rep", "employer", "other_employer", "officer"},
    "secretary": {"rep", "employer"},
    "employer": {"employer"},
    "other_employer": {"other_employer"},
    "rep": set(),  # not even their own: the people pages are for those who manage people
    "nem": set(),
}
PEOPLE = ["rep", "other_rep", "employer", "other_employer", "officer"]


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


@pytest.mark.parametrize(("persona", "status"), list(LIST.items()))
def test_who_opens_the_list_of_people(world: World, persona: str, status: int) -> None:
    assert _client(world, persona).get(reverse("people")).status_code == status


def test_the_list_asks_a_visitor_to_sign_in(world: World) -> None:
    response = Client().get(reverse("people"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("persona", "sees"), list(SEES.items()))
def test_whom_each_person_sees(world: World, persona: str, sees: set[str]) -> None:
    client = _client(world, persona)
    opened = {
        key
        for key in PEOPLE
        if client.get(reverse("person", args=[world.users[key].pk])).status_code == 200
    }
    assert opened == sees
    if persona in LIST and LIST[persona] == 200:
        listed = client.get(reverse("people")).content.decode()
        assert {k for k in PEOPLE if f"{k}@example.org" in listed} == sees


# Who opens the invitation page.
INVITE = {
    "officer": 200,
    "secretary": 200,
    "other_officer": 200,
    "auditor": 403,
    "employer": 403,
    "rep": 403,
    "nem": 403,
    "gmb": 403,
    "outsider": 403,
}


@pytest.mark.parametrize(("persona", "status"), list(INVITE.items()))
def test_who_opens_the_invitation_page(world: World, persona: str, status: int) -> None:
    assert _client(world, persona).get(reverse("people-invite")).status_code == status


def test_an_employer_contact_sees_their_colleagues_read_only(world: World) -> None:
    page = _client(world, "employer").get(reverse("person", args=[world.users["employer"].pk]))
    html = page.content.decode()
    assert "Give a role" not in html and "Deactivate" not in html and "/end/" not in html


def test_the_people_link_is_in_the_navigation_for_those_who_may_see_people(world: World) -> None:
    for persona, status in LIST.items():
        html = _client(world, persona).get(reverse("tasks")).content.decode()
        assert (f'href="{reverse("people")}"' in html) is (status == 200), persona


def test_a_secretary_gives_no_rep_whose_reach_leaves_their_association(world: World) -> None:
    """A rep at an academy also reaches its trust: with the trust in another association, the
    role would reach beyond the secretary's own."""
    secretary = world.users["secretary"]
    rep_at_academy = RoleAssignment(
        role=Role.WORKPLACE_REP, union=world.unions["NASUWT"], employer=world.academy
    )
    assert rules.may_grant(secretary, rep_at_academy)
    world.trust.association = world.other_association
    world.trust.save()
    world.academy.refresh_from_db()
    rep_at_academy.employer = world.academy
    assert not rules.may_grant(secretary, rep_at_academy)
    assert rules.may_grant(world.users["officer"], rep_at_academy)
