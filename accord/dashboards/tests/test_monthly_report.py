"""The monthly report, from the issue: a person who may see a dashboard turns it on, and each
calendar month the daily command e-mails them the dashboard's key figures for their scope, as
they stand that day, once, through the outbox; someone whose role ended gets nothing.

The world: one member (Northtown High School, in the Northtown association) listed on
10 February 2027, and a case for Southtown School proposed the same day and left waiting; the
reports go out on 1 March 2027, 19 days later. So, counted by hand: nationwide, 1 member, 1 case
in progress, waiting more than 14 days; in Northtown, 1 member and no case in progress."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.conf import settings
from django.core import mail as django_mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags

from accord.accounts import services as account_services
from accord.accounts.models import RoleAssignment
from accord.core.models import AuditEvent
from accord.core.outbox import OutboxMessage, OutboxStatus
from accord.dashboards import report
from accord.dashboards.models import ReportSubscription, SentReport
from accord.enrolments.process import State
from tests.world import PASSWORD, World

LISTED_ON = datetime.date(2027, 2, 10)
FIRST_OF_MARCH = datetime.date(2027, 3, 1)


def _at(day: datetime.date, hour: int = 7) -> time_machine.travel:
    moment = datetime.datetime.combine(day, datetime.time(hour), timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def _run(day: datetime.date) -> str:
    out = io.StringIO()
    with _at(day):
        call_command("send_monthly_reports", stdout=out)
    return out.getvalue()


@pytest.fixture
def member_and_case(world: World) -> World:
    with _at(LISTED_ON, 10):
        world.enrolment(State.LISTED)
        world.enrolment(State.PROPOSED, world.other_employer, secretary="other_secretary")
    return world


def _subscribe(world: World, *personas: str) -> None:
    with _at(LISTED_ON, 12):
        for persona in personas:
            user = world.users[persona]
            report.set_subscription(user, subscribed=True, actor=user)


def _reports_to(persona: str) -> list[OutboxMessage]:
    found = OutboxMessage.objects.filter(to=f"{persona}@example.org", subject__contains="report")
    return list(found.order_by("pk"))


def test_the_first_run_of_a_month_sends_the_report_and_later_runs_that_month_send_nothing(
    member_and_case: World,
) -> None:
    _subscribe(member_and_case, "officer")

    assert "Sent 1 monthly report(s)" in _run(FIRST_OF_MARCH)
    assert "Sent 0 monthly report(s)" in _run(FIRST_OF_MARCH)
    assert "Sent 0 monthly report(s)" in _run(datetime.date(2027, 3, 2))
    assert "Sent 0 monthly report(s)" in _run(datetime.date(2027, 3, 31))
    assert [m.subject for m in _reports_to("officer")] == [
        "Accord: Your monthly report for March 2027"
    ]
    # April's first run sends April's.
    assert "Sent 1 monthly report(s)" in _run(datetime.date(2027, 4, 1))
    assert [m.subject for m in _reports_to("officer")] == [
        "Accord: Your monthly report for March 2027",
        "Accord: Your monthly report for April 2027",
    ]
    sent = SentReport.objects.filter(user=member_and_case.users["officer"]).order_by("month")
    assert [s.month for s in sent] == [FIRST_OF_MARCH, datetime.date(2027, 4, 1)]


def test_a_month_missed_is_sent_by_the_first_run_after_it_starts(member_and_case: World) -> None:
    _subscribe(member_and_case, "officer")

    _run(datetime.date(2027, 3, 9))

    assert [m.subject for m in _reports_to("officer")] == [
        "Accord: Your monthly report for March 2027"
    ]


def test_the_report_holds_the_key_figures_of_the_readers_scope_on_the_day_it_is_sent(
    member_and_case: World,
) -> None:
    _subscribe(member_and_case, "officer", "secretary")

    _run(FIRST_OF_MARCH)

    (officer,) = _reports_to("officer")
    assert officer.body.startswith("Dear Officer,\n")
    assert "key figures nationwide, as they stood on 1 March 2027" in officer.body
    assert "- Members: 1\n" in officer.body
    assert "- Cases in progress: 1\n" in officer.body
    assert "- Cases waiting more than 14 days: 1\n" in officer.body
    assert f"{settings.SITE_URL}/dashboard/\n" in officer.body
    assert f"{settings.SITE_URL}/dashboard/report/" in officer.body
    assert "you turned on the monthly report (you are a national officer for NASUWT)" in (
        officer.body
    )
    assert "Members: 1" in strip_tags(officer.html)
    assert "Cases in progress: 1" in strip_tags(officer.html)
    assert f'href="{settings.SITE_URL}/dashboard/' in officer.html

    (secretary,) = _reports_to("secretary")
    assert "key figures in Northtown, as they stood on 1 March 2027" in secretary.body
    assert "- Members: 1\n" in secretary.body
    assert "- Cases in progress: 0\n" in secretary.body
    assert "- Cases waiting more than 14 days: 0\n" in secretary.body


def test_someone_whose_role_ended_or_who_was_deactivated_gets_no_report(
    member_and_case: World,
) -> None:
    world = member_and_case
    _subscribe(world, "officer", "secretary", "nem")
    with _at(datetime.date(2027, 2, 20), 9):
        role = RoleAssignment.objects.get(user=world.users["secretary"])
        account_services.end_role(role, actor=world.users["officer"])
        account_services.deactivate(world.users["nem"], actor=world.users["officer"])

    out = _run(FIRST_OF_MARCH)

    assert "Sent 1 monthly report(s); 1 subscriber(s) may no longer see a dashboard" in out
    assert len(_reports_to("officer")) == 1
    assert _reports_to("secretary") == []
    assert _reports_to("nem") == []


def test_the_report_goes_through_the_outbox_and_the_worker_delivers_it(
    member_and_case: World, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    _subscribe(member_and_case, "auditor")
    _run(FIRST_OF_MARCH)
    (message,) = _reports_to("auditor")
    assert message.status == OutboxStatus.PENDING

    with _at(FIRST_OF_MARCH, 8):
        deliver_outbox()

    (delivered,) = [m for m in django_mail.outbox if m.to == ["auditor@example.org"]]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert delivered.to == ["auditor@example.org"]
    assert delivered.subject == "Accord: Your monthly report for March 2027"
    assert "- Members: 1\n" in delivered.body
    assert delivered.alternatives[0].mimetype == "text/html"
    sent = SentReport.objects.get(user=member_and_case.users["auditor"])
    assert sent.message_id == message.pk
    assert {"label": "Members", "value": 1} in sent.figures
    event = AuditEvent.objects.get(action="report.sent")
    assert event.context == f"user:{member_and_case.users['auditor'].pk}"


def test_a_report_already_recorded_for_the_month_is_not_sent_again(
    member_and_case: World,
) -> None:
    _subscribe(member_and_case, "officer")
    SentReport.objects.create(user=member_and_case.users["officer"], month=FIRST_OF_MARCH)

    assert "Sent 0 monthly report(s)" in _run(datetime.date(2027, 3, 15))
    assert _reports_to("officer") == []


# The page


def _client(world: World, persona: str) -> Client:
    client = Client()
    assert client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def test_the_report_page_turns_the_report_on_and_off_and_each_change_is_audited(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "officer")
    with django_assert_max_num_queries(12):
        page = client.get("/dashboard/report/")
    assert page.status_code == 200
    assert "Your monthly report is <strong>off</strong>" in page.content.decode()

    on = client.post("/dashboard/report/", {"subscribed": "yes"}, follow=True)
    assert "Your monthly report is on" in on.content.decode()
    assert ReportSubscription.objects.filter(user=world.users["officer"]).exists()
    again = client.post("/dashboard/report/", {"subscribed": "yes"}, follow=True)
    assert "Nothing to change" in again.content.decode()
    client.post("/dashboard/report/", {"subscribed": "no"})
    assert not ReportSubscription.objects.exists()

    events = AuditEvent.objects.filter(action="person.monthly_report").order_by("pk")
    assert [e.changes for e in events] == [
        {"Monthly report of the dashboard's key figures": ["Off", "On"]},
        {"Monthly report of the dashboard's key figures": ["On", "Off"]},
    ]
    assert {e.actor_id for e in events} == {world.users["officer"].pk}


def test_a_bad_answer_on_the_report_page_names_the_question_and_changes_nothing(
    world: World,
) -> None:
    client = _client(world, "secretary")

    page = client.post("/dashboard/report/", {"subscribed": "maybe"})

    assert page.status_code == 400
    text = page.content.decode()
    assert "Choose yes or no for the monthly report." in text
    assert 'href="#id_subscribed' in text
    assert not ReportSubscription.objects.exists()


@pytest.mark.parametrize("persona", ["rep", "employer", "gmb", "outsider"])
def test_only_people_who_may_see_a_dashboard_open_the_report_page(
    world: World, persona: str
) -> None:
    client = _client(world, persona)

    assert client.get("/dashboard/report/").status_code == 403
    assert client.post("/dashboard/report/", {"subscribed": "yes"}).status_code == 403
    assert not ReportSubscription.objects.exists()


def test_the_report_page_asks_an_anonymous_visitor_to_sign_in(world: World) -> None:
    page = Client().get("/dashboard/report/")

    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")


def test_people_turn_only_their_own_report_on_and_only_with_a_dashboard(world: World) -> None:
    users = world.users
    with pytest.raises(report.ReportError):
        report.set_subscription(users["secretary"], subscribed=True, actor=users["officer"])
    with pytest.raises(report.ReportError):
        report.set_subscription(users["rep"], subscribed=True, actor=users["rep"])
    assert not ReportSubscription.objects.exists()
