"""List pages and the enrolment page run a fixed number of queries, whatever the data size."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.accounts.models import Role, RoleAssignment
from accord.enrolments.process import State
from accord.organisations.models import Employer, EmployerKind
from tests.world import PASSWORD, World


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _more_enrolments(world: World, count: int, state: State) -> None:
    for _ in range(count):
        n = Employer.objects.count()
        employer = Employer.objects.create(
            name=f"School {n}",
            kind=EmployerKind.SCHOOL,
            urn=f"9{n:05d}",
            association=world.association,
            local_authority=world.employer.local_authority,
        )
        world.journey().to(employer, state, "secretary")


def test_list_pages_run_the_same_queries_for_two_rows_as_for_twelve(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _more_enrolments(world, 2, State.PROPOSED)
    _more_enrolments(world, 1, State.NEM_CLEARED)
    pages = [reverse("enrolments"), reverse("employers"), reverse("tasks")]
    clients = {p: Client() for p in ("secretary", "gmb", "officer")}
    for persona, client in clients.items():
        client.login(username=f"{persona}@example.org", password=PASSWORD)
    small = {(p, url): _queries(c, url) for p, c in clients.items() for url in pages}
    _more_enrolments(world, 8, State.PROPOSED)
    _more_enrolments(world, 2, State.NEM_CLEARED)
    large = {(p, url): _queries(c, url) for p, c in clients.items() for url in pages}
    assert small == large
    with django_assert_max_num_queries(16):
        clients["secretary"].get(reverse("tasks"))


def test_the_enrolment_page_runs_the_same_queries_however_long_its_history(
    world: World,
) -> None:
    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    # Same shape, different sizes: the second has a longer history, more notes and meetings.
    RoleAssignment.objects.create(
        user=world.users["employer"], role=Role.EMPLOYER_CONTACT, employer=world.trust
    )
    short = world.enrolment(State.LISTED, employer=world.trust)
    long = world.enrolment(State.LISTED)
    journey = world.journey()
    for n in range(5):
        journey.take(long, "add_note", "secretary", note=f"note {n}")
    assert _queries(client, short.get_absolute_url()) == _queries(client, long.get_absolute_url())


def test_the_enrolment_list_reads_no_cycles_or_partner_positions(world: World) -> None:
    # The list shows each enrolment's employer, scheme and state; the cycles (a member's
    # may number dozens) and the partner unions' positions are for the enrolment's own page.
    world.enrolment(State.LISTED)
    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("enrolments"))
    assert response.status_code == 200
    tables = ("membership_cycle", "enrolments_partnerposition")
    assert not [q["sql"] for q in captured if any(f'FROM "{t}"' in q["sql"] for t in tables)]
