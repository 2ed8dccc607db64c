"""The list of people: search by name or e-mail, filters by role, union and area, each person's
current roles and last sign-in, in pages of a bounded number of queries."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.accounts import services
from accord.accounts.models import Role, RoleAssignment, User
from tests.world import World


def _listed(world: World, persona: str = "officer", **params: object) -> set[str]:
    client = Client()
    client.force_login(world.users[persona])
    response = client.get(reverse("people"), params)
    assert response.status_code == 200
    return {p.email.split("@")[0] for p in response.context["page"].object_list}


def test_search_by_name_or_email(world: World) -> None:
    assert _listed(world, q="other sec") == {"other_secretary"}
    assert _listed(world, q="UNISON@EXAMPLE") == {"unison"}


def test_filters_by_role_union_and_area(world: World) -> None:
    assert _listed(world, role=Role.LOCAL_SECRETARY) == {"secretary", "other_secretary"}
    assert _listed(world, union=world.unions["GMB"].pk) == {"gmb", "other_gmb"}
    # An area holds the roles held for it, for an area inside it, or at an employer in it.
    north = world.association.region_id
    assert _listed(world, association=world.association.pk) == {
        "rep",
        "secretary",
        "unison",
        "employer",
    }
    assert _listed(world, region=north) == {
        "rep",
        "secretary",
        "unison",
        "employer",
        "gmb",
        "unite",
    }
    district = world.association.district_id
    assert _listed(world, district=district) == {"rep", "secretary", "unison", "employer", "nem"}
    assert _listed(world, role=Role.WORKPLACE_REP, association=world.association.pk) == {"rep"}


def test_an_ended_role_no_longer_lists_the_person_under_it(world: World) -> None:
    role = RoleAssignment.objects.get(user=world.users["unite"])
    services.end_role(role, actor=world.users["officer"])
    assert "unite" not in _listed(world, role=Role.PARTNER_REP)
    assert "unite" in _listed(world, q="unite")  # still a person, with no current role


def test_a_filter_value_nobody_could_choose_is_ignored(world: World) -> None:
    everyone = _listed(world)
    assert _listed(world, role="emperor", union="x", region="9" * 40, q="\x00") == everyone


def test_a_secretary_filters_only_within_their_association(world: World) -> None:
    assert _listed(world, "secretary", role=Role.WORKPLACE_REP) == {"rep"}


def test_the_list_shows_roles_and_last_sign_in(world: World) -> None:
    Client().login(username="rep@example.org", password="correct-horse-battery")
    client = Client()
    client.force_login(world.users["officer"])
    html = client.get(reverse("people"), {"q": "rep@"}).content.decode()
    assert "Workplace representative" in html and "Northtown High School" in html
    assert "<time datetime=" in html


def test_the_list_takes_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    for n in range(60):
        user = User.objects.create_user(f"p{n}@example.org", email=f"p{n}@example.org")
        RoleAssignment.objects.create(
            user=user, role=Role.WORKPLACE_REP, union=world.unions["NASUWT"], employer=world.academy
        )
        RoleAssignment.objects.create(user=user, role=Role.EMPLOYER_CONTACT, employer=world.trust)
    client = Client()
    client.force_login(world.users["officer"])
    client.get(reverse("people"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people"), {"role": Role.WORKPLACE_REP})
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(12):
        client.get(reverse("people"), {"page": 2})


def test_an_employer_contact_never_reads_a_colleagues_union_role(world: World) -> None:
    colleague = User.objects.create_user("x@example.org", email="x@example.org", full_name="X")
    RoleAssignment.objects.create(
        user=colleague, role=Role.EMPLOYER_CONTACT, employer=world.employer
    )
    RoleAssignment.objects.create(
        user=colleague,
        role=Role.WORKPLACE_REP,
        union=world.unions["NASUWT"],
        employer=world.employer,
    )
    client = Client()
    client.force_login(world.users["employer"])
    for url in (reverse("people"), reverse("person", args=[colleague.pk])):
        html = client.get(url).content.decode()
        assert "X" in html and "Employer contact" in html, url
        assert "Workplace representative" not in html and "NASUWT" not in html, url
    # Nor by trying to end or change it: such a role is not found, like one that does not exist.
    rep_role = RoleAssignment.objects.get(user=colleague, role=Role.WORKPLACE_REP)
    for name in ("person-role-end", "person-role-change"):
        hidden = client.get(reverse(name, args=[colleague.pk, rep_role.pk]))
        missing = client.get(reverse(name, args=[colleague.pk, 10**9]))
        assert hidden.status_code == missing.status_code == 404, name
    # Nor by filtering: a union role picks out nobody, as if nobody held one.
    for filters in ({"role": Role.WORKPLACE_REP}, {"union": world.unions["NASUWT"].pk}):
        assert _listed(world, "employer", **filters) == set(), filters
    assert "x" in _listed(world, "employer", role=Role.EMPLOYER_CONTACT)


def test_an_employer_contact_does_not_see_a_former_contact_now_elsewhere(world: World) -> None:
    mover = User.objects.create_user("m@example.org", email="m@example.org", full_name="Mover")
    role = RoleAssignment.objects.create(
        user=mover, role=Role.EMPLOYER_CONTACT, employer=world.employer
    )
    services.end_role(role, actor=world.users["officer"], reason="Moved on")
    RoleAssignment.objects.create(
        user=mover, role=Role.EMPLOYER_CONTACT, employer=world.other_employer
    )
    client = Client()
    client.force_login(world.users["employer"])
    assert client.get(reverse("person", args=[mover.pk])).status_code == 403
    assert "Mover" not in client.get(reverse("people")).content.decode()


def test_a_persons_page_reads_the_same_queries_for_one_role_as_for_thirty(
    world: World,
) -> None:
    person = world.users["rep"]
    client = Client()
    client.force_login(world.users["officer"])
    url = reverse("person", args=[person.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(29):
        RoleAssignment.objects.create(
            user=person, role=Role.WORKPLACE_REP, union=world.unions["GMB"], employer=world.employer
        )
    assert queries() == one
