"""My tasks after joining, and the calendar feed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from icalendar import Calendar

from accord.accounts.models import Role, RoleAssignment, User
from accord.enrolments.process import State
from accord.membership.models import Cycle
from accord.notifications.models import CalendarFeed
from accord.organisations.models import Employer, EmployerKind
from tests.world import PASSWORD, World


def _client(persona: str) -> Client:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def test_reviews_confirmations_and_overdue_activities_reach_my_tasks(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    cycle = Cycle.objects.get(enrolment=enrolment)
    with time_machine.travel(cycle.ends_on, tick=False):
        tasks = _client("secretary").get(reverse("tasks"))
        [task] = tasks.context["member_tasks"]
        assert task.actions == [
            ("Record the review of cycle 1", reverse("cycle-review", args=[enrolment.pk, 1]))
        ]
        overdue = [action.number for _, action in tasks.context["overdue"]]
        assert overdue == [1, 2]
        assert _client("other_secretary").get(reverse("tasks")).context["member_tasks"] == []
        assert _client("other_secretary").get(reverse("tasks")).context["overdue"] == []
        world.review(cycle)
        employer_tasks = _client("employer").get(reverse("tasks")).context["member_tasks"]
        assert [label for label, _ in employer_tasks[0].actions] == [
            "Confirm the review of cycle 1"
        ]
        assert _client("secretary").get(reverse("tasks")).context["member_tasks"] == []


def test_the_task_page_runs_the_same_queries_for_one_member_as_for_three(
    world: World,
) -> None:
    world.enrolment(State.LISTED)
    client = _client("secretary")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("tasks")).status_code == 200
        return len(captured)

    one = count()
    for n in range(2):
        employer = Employer.objects.create(
            name=f"Member {n}",
            kind=EmployerKind.SCHOOL,
            urn=f"55{n}",
            association=world.association,
            local_authority=world.employer.local_authority,
        )
        RoleAssignment.objects.create(
            user=world.users["employer"], role=Role.EMPLOYER_CONTACT, employer=employer
        )
        # Roles are read once per user object, as once per request: read them afresh.
        world.users["employer"] = User.objects.get(email="employer@example.org")
        world.enrolment(State.LISTED, employer=employer)
    assert count() == one


def test_the_calendar_feed_has_my_due_dates_and_can_be_replaced(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    cycle = Cycle.objects.get(enrolment=enrolment)
    client = _client("secretary")
    page = client.get(reverse("calendar"))
    feed = CalendarFeed.objects.get(user=world.users["secretary"])
    assert feed.token in page.content.decode()
    response = Client().get(reverse("calendar-feed", args=[feed.token]))
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    by_summary = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in events}
    assert by_summary["Review due: Northtown High School, cycle 1"] == cycle.ends_on
    dues = sorted(a.due_on for a in cycle.actions.all())
    assert sorted(v for k, v in by_summary.items() if k.startswith("Activity due")) == dues

    other, _ = CalendarFeed.objects.get_or_create(user=world.users["other_secretary"])
    other_feed = Client().get(reverse("calendar-feed", args=[other.token]))
    assert Calendar.from_ical(other_feed.content).walk("VEVENT") == []

    client.post(reverse("calendar"))
    assert Client().get(reverse("calendar-feed", args=[feed.token])).status_code == 404
    feed.refresh_from_db()
    assert Client().get(reverse("calendar-feed", args=[feed.token])).status_code == 200


@override_settings(SITE_URL="https://accord.example.org")
def test_a_long_activity_is_cut_at_a_word_and_each_event_carries_its_link(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    action = Cycle.objects.get(enrolment=enrolment).actions.order_by("due_on").first()
    action.detail = (
        "Agree with the Union Learning Reps a joint approach to skills within government "
        "departments and their agencies"
    )
    action.save()
    feed, _ = CalendarFeed.objects.get_or_create(user=world.users["secretary"])
    response = Client().get(reverse("calendar-feed", args=[feed.token]))
    events = Calendar.from_ical(response.content).walk("VEVENT")
    (activity,) = [e for e in events if str(e["UID"]).startswith(f"action-{action.pk}@")]
    assert str(activity["SUMMARY"]) == (
        "Activity due: Agree with the Union Learning Reps a joint approach to skills within "
        "government… "
        "(Northtown High School)"
    )
    assert str(activity["UID"]) == f"action-{action.pk}@accord.example.org"
    link = f"https://accord.example.org/enrolments/{enrolment.pk}/"
    assert str(activity["URL"]) == link
    assert link in str(activity["DESCRIPTION"])


def test_a_deactivated_user_has_no_feed(world: World) -> None:
    feed, _ = CalendarFeed.objects.get_or_create(user=world.users["secretary"])
    world.users["secretary"].is_active = False
    world.users["secretary"].save()
    assert Client().get(reverse("calendar-feed", args=[feed.token])).status_code == 404


def _feed_summaries(user: object) -> set[str]:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    response = Client().get(reverse("calendar-feed", args=[feed.token]))
    return {str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_the_calendar_carries_a_year_ahead_for_the_parties_and_not_every_member_for_officers(
    world: World,
) -> None:
    enrolment = world.enrolment(State.LISTED)
    cycle = Cycle.objects.get(enrolment=enrolment)
    review = "Review due: Northtown High School, cycle 1"
    assert review in _feed_summaries(world.users["secretary"])
    assert review in _feed_summaries(world.users["employer"])
    # A national officer follows every member on the task list, not in a calendar.
    assert _feed_summaries(world.users["officer"]) == set()
    # Beyond a year ahead, a due date waits for a later refresh of the feed.
    with time_machine.travel(cycle.ends_on - datetime.timedelta(days=400), tick=False):
        assert review not in _feed_summaries(world.users["secretary"])


@pytest.mark.parametrize("token", ["%00", "a%00b", "%E2%80%AE", "..%2F"])
def test_a_malformed_calendar_address_is_not_found(db: None, token: str) -> None:
    """Anyone may try an address: one that cannot be a token never reaches the database."""
    assert Client().get(f"/calendar/{token}.ics").status_code == 404
