"""Staff pages read a bounded window of rows, however much data there is: each page is opened
with the data at one size and again at ten times it, and must fetch the same number of rows
(tests/fetched.py counts every row a model query reads)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.test import Client

from accord.accounts.models import Role, RoleAssignment, User
from accord.actions.models import Action
from accord.core import audit
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.organisations.models import Employer, EmployerKind
from accord.plans.models import Commitment
from tests.fetched import rows_fetched
from tests.world import World

SIZE = 300  # the smaller size; the larger is ten times it


def _employers(world: World, count: int, start: int) -> list[Employer]:
    return Employer.objects.bulk_create(
        Employer(
            name=f"Bulk School {start + i:05d}",
            kind=EmployerKind.SCHOOL,
            urn=f"9{start + i:06d}",
            local_authority=world.employer.local_authority,
            association=world.association,
        )
        for i in range(count)
    )


def _enrolments(world: World, employers: list[Employer]) -> None:
    Enrolment.objects.bulk_create(
        Enrolment(
            scheme=world.scheme,
            employer=employer,
            state=State.PROPOSED,
            proposed_by=world.users["secretary"],
        )
        for employer in employers
    )


def _rows(client: Client, path: str) -> tuple[int, int]:
    """The rows fetched and queries run to open `path`, opened once before to warm up."""
    assert client.get(path).status_code == 200
    with rows_fetched() as fetched:
        assert client.get(path).status_code == 200
    return fetched.rows, fetched.queries


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bounded(grow: Callable[[int, int], None], client: Client, path: str) -> None:
    """Open `path` with the data grown to SIZE, then to ten times SIZE: the same rows."""
    grow(SIZE, 0)
    small = _rows(client, path)
    grow(9 * SIZE, SIZE)
    large = _rows(client, path)
    assert large == small, f"{path}: {small} rows and queries at 1×, {large} at 10×"


def test_the_employers_list_reads_one_page_of_employers(world) -> None:
    _bounded(
        lambda count, start: _enrolments(world, _employers(world, count, start)),
        _as(world.users["officer"]),
        "/employers/",
    )


def test_the_employers_list_searched_reads_one_page(world) -> None:
    _bounded(
        lambda count, start: _employers(world, count, start),
        _as(world.users["secretary"]),
        "/employers/?q=bulk+school&page=2",
    )


def test_the_enrolments_list_reads_one_page_of_enrolments(world) -> None:
    _bounded(
        lambda count, start: _enrolments(world, _employers(world, count, start)),
        _as(world.users["secretary"]),
        "/enrolments/",
    )


def test_an_enrolment_with_a_long_history_shows_a_window_of_it(world) -> None:
    enrolment = world.enrolment(State.ENDORSED)
    officer = world.users["officer"]

    def notes(count: int, start: int) -> None:
        for i in range(count // 10):  # 30 entries, then 300
            audit.log_action(
                enrolment,
                "note",
                actor=officer,
                summary=f"Note {start + i}",
                context=enrolment.audit_context,
            )

    client = _as(officer)
    _bounded(notes, client, enrolment.get_absolute_url())
    # The earlier entries are a link away, a window at a time.
    page = client.get(enrolment.get_absolute_url()).content.decode()
    assert "Earlier entries" in page
    older = client.get(enrolment.get_absolute_url() + "?history=2").content.decode()
    assert "Later entries" in older


def test_the_people_list_reads_one_page_of_people(world) -> None:
    def people(count: int, start: int) -> None:
        users = User.objects.bulk_create(
            User(username=f"p{start + i}@example.org", email=f"p{start + i}@example.org")
            for i in range(count // 3)
        )
        RoleAssignment.objects.bulk_create(
            RoleAssignment(
                user=user, role=Role.WORKPLACE_REP, union=world.scheme.lead_union, employer=e
            )
            for user, e in zip(users, _employers(world, len(users), start), strict=True)
        )

    _bounded(people, _as(world.users["officer"]), "/people/")


def test_the_areas_page_counts_employers_rather_than_reading_them(world) -> None:
    _bounded(
        lambda count, start: _employers(world, count, start),
        _as(world.users["officer"]),
        "/areas/",
    )


def test_an_area_s_pages_count_its_employers_rather_than_reading_them(world) -> None:
    association = world.association
    pages = [
        f"/areas/associations/{association.pk}/",
        f"/areas/associations/{association.pk}/retire/",
        f"/areas/associations/{association.pk}/merge/",
        f"/areas/regions/{association.region_id}/retire/",
        f"/areas/districts/{association.district_id}/retire/",
        f"/areas/local-authorities/{world.employer.local_authority_id}/move/",
    ]
    client = _as(world.users["officer"])
    before = {}
    _employers(world, SIZE, 0)
    for path in pages:
        before[path] = _rows(client, path)
    _employers(world, 9 * SIZE, SIZE)
    for path in pages:
        assert _rows(client, path) == before[path], path


def test_the_employers_nobody_can_act_on_are_read_a_page_at_a_time(world) -> None:
    def unassigned(count: int, start: int) -> None:
        Employer.objects.filter(pk__in=[e.pk for e in _employers(world, count, start)]).update(
            association=None
        )

    _bounded(unassigned, _as(world.users["officer"]), "/employers/unassigned/")


def test_the_schemes_list_does_not_read_the_members(world) -> None:
    _bounded(
        lambda count, start: _enrolments(world, _employers(world, count, start)),
        _as(world.users["officer"]),
        "/schemes/",
    )


def test_a_scheme_page_does_not_read_the_members(world) -> None:
    _bounded(
        lambda count, start: _enrolments(world, _employers(world, count, start)),
        _as(world.users["officer"]),
        f"/schemes/{world.scheme.slug}/",
    )


def test_a_plan_with_a_thousand_actions_shows_its_workplan_a_page_at_a_time(world) -> None:
    plan = world.plan()
    party = plan.parties.first()
    first = max(plan.actions.values_list("number", flat=True)) + 1
    commitment = Commitment.objects.filter(theme__plan=plan).first()

    def actions(count: int, start: int) -> None:
        made = Action.objects.bulk_create(
            Action(
                plan=plan,
                number=first + start // 3 + i,
                detail=f"Action {start + i}",
                owner=party.name,
                owner_party=party,
                due_on=datetime.date(2030, 1, 1) + datetime.timedelta(days=i),
                due_wording="In time",
            )
            for i in range(count // 3)  # 100 actions, then 1,000
        )
        Action.commitments.through.objects.bulk_create(
            Action.commitments.through(action_id=a.pk, commitment_id=commitment.pk) for a in made
        )

    client = _as(world.users["officer"])
    _bounded(actions, client, plan.get_absolute_url())
    assert client.get(plan.get_absolute_url() + "?page=3").status_code == 200
    assert 'rel="next"' in client.get(plan.get_absolute_url()).content.decode()


def test_a_history_window_beyond_the_history_is_empty_rather_than_an_error(world) -> None:
    enrolment = world.enrolment(State.ENDORSED)
    client = _as(world.users["officer"])
    for number in ("2", "999999999", str(2**63 - 1)):
        response = client.get(f"{enrolment.get_absolute_url()}?history={number}")
        assert response.status_code == 200
        assert "Nothing yet." in response.content.decode()
