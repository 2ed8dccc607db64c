"""The task list, the calendar feed and the reminder run read only what is due: the rows they
fetch stay the same when the number of members with nothing due grows tenfold."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import time_machine
from django.db import connection
from django.db.models.signals import post_init
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.enrolments.process import State
from accord.membership.models import Cycle
from accord.notifications.models import CalendarFeed
from accord.notifications.reminders import due_reminders
from accord.notifications.scale import build_members
from tests.world import PASSWORD, World


@contextmanager
def objects_loaded() -> Iterator[Counter[str]]:
    """Counts the model instances made from database rows, by model."""
    counts: Counter[str] = Counter()

    def count(sender: type, **kwargs: object) -> None:
        counts[sender.__name__] += 1

    post_init.connect(count, weak=False)
    try:
        yield counts
    finally:
        post_init.disconnect(count)


def _cost(read: Callable[[], object]) -> tuple[Counter[str], int]:
    with objects_loaded() as loaded, CaptureQueriesContext(connection) as queries:
        read()
    return loaded, len(queries)


def _page(persona: str, name: str) -> Callable[[], object]:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)

    def get() -> object:
        response = client.get(reverse(name))
        assert response.status_code == 200
        return response.content

    return get


def _feed(world: World, persona: str) -> Callable[[], object]:
    feed, _ = CalendarFeed.objects.get_or_create(user=world.users[persona])

    def get() -> object:
        response = Client().get(reverse("calendar-feed", args=[feed.token]))
        assert response.status_code == 200
        return response.content

    return get


def _quiet_members(world: World, count: int, today: datetime.date) -> None:
    """Members in the secretary's association with nothing due within the coming year."""
    build_members(
        world.scheme,
        count=count,
        association=world.association,
        local_authority=world.employer.local_authority,
        first_start=today + datetime.timedelta(days=400),
    )


def test_tasks_calendar_and_reminders_fetch_the_same_rows_for_ten_times_the_members(
    world: World,
) -> None:
    enrolment = world.enrolment(State.LISTED)
    day = Cycle.objects.get(enrolment=enrolment).ends_on  # review due, two activities late
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(9)), tick=False):
        readers = {
            "officer's tasks": _page("officer", "tasks"),
            "secretary's tasks": _page("secretary", "tasks"),
            "employer's tasks": _page("employer", "tasks"),
            "officer's calendar": _feed(world, "officer"),
            "secretary's calendar": _feed(world, "secretary"),
            "reminder run": lambda: list(due_reminders(day)),
        }
        _quiet_members(world, 5, day)
        for read in readers.values():
            read()  # sessions and feeds made; only steady reads are compared
        before = {name: _cost(read) for name, read in readers.items()}
        _quiet_members(world, 45, day)
        after = {name: _cost(read) for name, read in readers.items()}
    for name in readers:
        assert after[name] == before[name], name
    # What is due is still found.
    assert before["officer's tasks"][0]["Action"] >= 2
