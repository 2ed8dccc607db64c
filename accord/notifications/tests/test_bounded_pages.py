"""Every page of what waits (My tasks for every role, the full lists behind it, the calendar
feeds) and the reminder run read a bounded number of rows: the same rows when the data grows
tenfold, and at most 12 queries a page.

The data is built once for the module, in three steps, and each reader is measured after each:
the site (a case at every step, members at each point of their cycles, a plan) with a few
members whose reviews and activities are due; then ten times the data with nothing due (members
with years of reviewed cycles, employers with no case, cases closed long ago); then ten times
the cases and late activities in an area none of the site's people but the national officer
and the partner rep reaches, so that their lists are longer than a page shows."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role, RoleAssignment, User
from accord.enrolments.process import State
from accord.notifications.models import CalendarFeed
from accord.notifications.reminders import due_reminders
from accord.notifications.scale import build_cases, build_employers, build_members
from accord.organisations.models import Association, District, LocalAuthority
from tests.fetched import rows_fetched
from tests.site import build_site
from tests.world import build_world

MAX_QUERIES = 12
# The quiet data at the start; ten times as much is added for the second measure.
QUIET = 15
# The cases and late members of the growing area at the start: more than two pages of the
# full lists show.
GROWING = 105

TASK_PAGES = [
    "officer",
    "secretary",
    "nem",
    "rep",
    "gmb",
    "unison",
    "employer",
    "drafted_contact",
    "trust_contact",
    "plan_member",
    "plan_owner",
    "auditor",
    "outsider",
    "superuser",
    "other_officer",
    "growing_secretary",
    "growing_nem",
]
# The growing area's people are left out: their due dates are what grows, and a calendar
# carries every one within its window.
CALENDARS = ["officer", "secretary", "rep", "employer", "plan_member"]
FULL_LISTS = [
    ("secretary", "members"),
    ("secretary", "overdue"),
    ("officer", "overdue"),
    ("growing_secretary", "members"),
    ("growing_secretary", "overdue"),
]


@dataclass(frozen=True)
class Cost:
    rows: int
    by_table: dict[str, int]
    queries: int


@dataclass
class Measures:
    before: dict[str, Cost]
    quiet: dict[str, Cost]  # after ten times the data with nothing due
    grown: dict[str, Cost]  # after ten times the cases and late activities of the growing area


def _cost(read: Callable[[], object]) -> Cost:
    with rows_fetched() as fetched, CaptureQueriesContext(connection) as queries:
        read()
    return Cost(fetched.rows, dict(fetched.by_table), len(queries))


def _getter(client: Client, url: str) -> Callable[[], object]:
    def get() -> object:
        response = client.get(url)
        assert response.status_code == 200, url
        return response.content

    return get


def _readers(users: dict[str, User], today: datetime.date) -> dict[str, Callable[[], object]]:
    readers: dict[str, Callable[[], object]] = {}
    clients = {}
    for persona in {*TASK_PAGES, *(p for p, _ in FULL_LISTS)}:
        clients[persona] = Client()
        clients[persona].force_login(users[persona])
    for persona in TASK_PAGES:
        readers[f"tasks: {persona}"] = _getter(clients[persona], reverse("tasks"))
    for persona, kind in FULL_LISTS:
        url = reverse(f"tasks-{kind}")
        readers[f"{kind}: {persona}"] = _getter(clients[persona], url)
        readers[f"{kind}, page 2: {persona}"] = _getter(clients[persona], f"{url}?page=2")
    for persona in CALENDARS:
        feed, _ = CalendarFeed.objects.get_or_create(user=users[persona])
        url = reverse("calendar-feed", args=[feed.token])
        readers[f"calendar: {persona}"] = _getter(Client(), url)
    readers["reminder run"] = lambda: list(due_reminders(today))
    return readers


def _measure(readers: dict[str, Callable[[], object]]) -> dict[str, Cost]:
    return {name: _cost(read) for name, read in readers.items()}


def _quiet(world: Any, count: int, today: datetime.date) -> None:
    """Data with nothing due for anyone: members whose current cycle starts next year after
    two reviewed ones, employers with no case, cases declined long ago."""
    build_members(
        world.scheme,
        count=count,
        association=world.association,
        local_authority=world.employer.local_authority,
        first_start=today + datetime.timedelta(days=400),
        past_cycles=2,
    )
    build_employers(
        3 * count, association=world.association, local_authority=world.employer.local_authority
    )
    declined = build_employers(
        count, association=world.association, local_authority=world.employer.local_authority
    )
    build_cases(
        world.scheme, declined, state=State.DECLINED, since=today - datetime.timedelta(days=500)
    )


def _growing(world: Any, area: Association, count: int, today: datetime.date) -> None:
    """In the growing area: members with late activities whose review is due within the month,
    proposals to endorse and to consider, proposals with no association (nobody can endorse
    them), the cases recent enough not to be reminded."""
    authority = area.local_authorities.get()
    build_members(
        world.scheme,
        count=count,
        association=area,
        local_authority=authority,
        first_start=today - datetime.timedelta(days=350),
        late_every=1,
    )
    yesterday = today - datetime.timedelta(days=1)
    proposals = build_employers(count, association=area, local_authority=authority)
    build_cases(world.scheme, proposals, state=State.PROPOSED, since=yesterday)
    endorsed = build_employers(count, association=area, local_authority=authority)
    build_cases(world.scheme, endorsed, state=State.ENDORSED, since=yesterday)
    nowhere = build_employers(count, association=None, local_authority=authority)
    build_cases(world.scheme, nowhere, state=State.PROPOSED, since=yesterday)


@pytest.fixture(scope="module")
def measures(django_db_setup: None, django_db_blocker: Any) -> Iterator[Measures]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        today = timezone.localdate()
        world = build_world()
        site = build_site(world)
        # A few members whose review is due within the month and whose activities are late.
        build_members(
            world.scheme,
            count=3,
            association=world.association,
            local_authority=world.employer.local_authority,
            first_start=today - datetime.timedelta(days=350),
            late_every=1,
        )
        north = world.association.region
        district = District.objects.create(name="Growing")
        area = Association.objects.create(name="Growing", region=north, district=district)
        area.local_authorities.set(
            [LocalAuthority.objects.create(code="903", name="Growing", region=north)]
        )
        users = dict(site.users)
        lead = world.scheme.lead_union
        for key, role, scope in (
            ("growing_secretary", Role.LOCAL_SECRETARY, {"association": area}),
            ("growing_nem", Role.NEM, {"district": district}),
        ):
            users[key] = User.objects.create_user(
                f"{key}@example.org", email=f"{key}@example.org", full_name=key
            )
            RoleAssignment.objects.create(user=users[key], role=role, union=lead, **scope)
        _quiet(world, QUIET, today)
        _growing(world, area, GROWING, today)
        readers = _readers(users, today)
        for read in readers.values():
            read()  # sessions and feeds made: only steady reads are compared
        before = _measure(readers)
        _quiet(world, 9 * QUIET, today)
        quiet = _measure(readers)
        _growing(world, area, 9 * GROWING, today)
        grown = _measure(readers)
        yield Measures(before, quiet, grown)
        transaction.set_rollback(True)


READERS = [
    *(f"tasks: {p}" for p in TASK_PAGES),
    *(f"{kind}{page}: {p}" for p, kind in FULL_LISTS for page in ("", ", page 2")),
    *(f"calendar: {p}" for p in CALENDARS),
]


@pytest.mark.parametrize("reader", READERS)
def test_a_page_reads_the_same_rows_for_ten_times_the_data(measures: Measures, reader: str) -> None:
    before = measures.before[reader]
    for after in (measures.quiet[reader], measures.grown[reader]):
        assert after.by_table == before.by_table
        assert (after.rows, after.queries) == (before.rows, before.queries)


@pytest.mark.parametrize("reader", READERS)
def test_a_page_runs_at_most_twelve_queries(measures: Measures, reader: str) -> None:
    assert measures.grown[reader].queries <= MAX_QUERIES


def test_the_reminder_run_reads_the_same_rows_when_only_what_is_not_due_grows(
    measures: Measures,
) -> None:
    assert measures.quiet["reminder run"] == measures.before["reminder run"]


def test_the_pages_read_what_is_due(measures: Measures) -> None:
    """The bounds hold with something to show: the late activities and the waiting cases are
    read, a page's worth."""
    officer = measures.grown["tasks: officer"].by_table
    assert officer["actions_action"] == 21  # a page of late activities, and one to say more
    assert officer["enrolments_enrolment"] >= 21  # cases nobody can act on
    growing = measures.grown["tasks: growing_secretary"].by_table
    assert growing["enrolments_enrolment"] >= 21  # proposals to endorse
    assert growing["membership_cycle"] >= 2 * 21  # reviews to record, reviews due this term
