"""E-mails a person chose to receive in a digest are held, then bundled by the daily run into
one e-mail per person per day (or week), each e-mail in exactly one digest."""

from __future__ import annotations

import datetime
import email
import email.policy
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command

from accord.accounts import emails
from accord.accounts.models import HeldEmail
from accord.core.outbox import OutboxMessage, deliver_due
from accord.enrolments.process import State
from accord.membership.models import Cycle
from accord.notifications.models import SentReminder
from tests.world import World

# 30 November 2026 is a Monday, the weekly digest's day.
MONDAY = datetime.date(2026, 11, 30)


def _at(day: datetime.date, hour: int = 7) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, 0)), tick=False)


def _day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def _run(day: datetime.date) -> str:
    """The daily job as cron runs it, then the outbox worker."""
    out = StringIO()
    mail.outbox.clear()
    with _at(day):
        call_command("send_reminders", stdout=out)
        deliver_due()
    return out.getvalue()


def _to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [address]]


def _two_cases_waiting_on_the_nem(world: World, day: datetime.date) -> None:
    with _at(day, 10):
        world.enrolment(State.ENDORSED)
        world.enrolment(State.ENDORSED, world.trust)


def test_steps_chosen_daily_come_in_one_digest_the_next_morning_and_once(world: World) -> None:
    nem = world.users["nem"]
    emails.set_preferences(nem, {"steps": "daily"}, actor=nem)
    _two_cases_waiting_on_the_nem(world, _day(1))
    assert not OutboxMessage.objects.filter(to="nem@example.org").exists()
    assert HeldEmail.objects.filter(user=nem).count() == 2

    output = _run(_day(2))
    assert "Sent 1 digest(s) bundling 2 e-mail(s)." in output
    [digest] = _to("nem@example.org")
    parsed = email.message_from_bytes(digest.message().as_bytes(), policy=email.policy.default)
    assert all(not part.defects for part in parsed.walk())
    assert parsed["Subject"] == "Accord: Your daily digest: 2 e-mails"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert text.startswith("Dear Nem,\n")
    for employer in ("Northtown High School", "Northern Star Trust"):
        assert (
            f"== Waiting for you: Record no objection — {employer} ==\n1 December 2026, 10:00\n"
            in text
        )
        assert f"Record no objection — {employer}</h2>" in html
    assert (
        "You receive this digest because you chose daily digests for joining steps waiting on "
        "you.\n" in text
    )
    assert "digest:\nhttp://127.0.0.1:8000/accounts/email-preferences/\n" in text
    # One reason, in the footer: none per held e-mail.
    assert text.count("You receive ") == 1 and "Sent to you because" not in text
    assert "held for your digest" not in text
    assert HeldEmail.objects.waiting().count() == 0
    assert set(HeldEmail.objects.values_list("digest__to", flat=True)) == {"nem@example.org"}

    # The next runs find nothing more to send.
    assert "Sent 0 digest(s)" in _run(_day(2))
    assert "Sent 0 digest(s)" in _run(_day(3))
    assert _to("nem@example.org") == []


def test_steps_chosen_weekly_wait_for_the_weekly_day(world: World) -> None:
    nem = world.users["nem"]
    emails.set_preferences(nem, {"steps": "weekly"}, actor=nem)
    _two_cases_waiting_on_the_nem(world, _day(1))  # a Tuesday
    for day in range(2, 7):  # Wednesday to Sunday: nothing
        _run(_day(day))
        assert _to("nem@example.org") == [], _day(day)
    _run(_day(7))  # Monday
    [digest] = _to("nem@example.org")
    assert digest.subject == "Accord: Your weekly digest: 2 e-mails"
    _run(_day(7))
    _run(_day(8))
    assert _to("nem@example.org") == []


def test_a_missed_weekly_day_is_made_up_by_the_next_run(world: World) -> None:
    nem = world.users["nem"]
    emails.set_preferences(nem, {"steps": "weekly"}, actor=nem)
    _two_cases_waiting_on_the_nem(world, _day(1))
    _run(_day(6))  # Sunday; no run on Monday
    assert _to("nem@example.org") == []
    _run(_day(8))  # Tuesday, the day after the Monday missed
    assert [m.subject for m in _to("nem@example.org")] == ["Accord: Your weekly digest: 2 e-mails"]


def test_choosing_at_once_again_sends_what_was_held_with_the_next_daily_run(world: World) -> None:
    nem = world.users["nem"]
    emails.set_preferences(nem, {"steps": "weekly"}, actor=nem)
    _two_cases_waiting_on_the_nem(world, _day(1))
    emails.set_preferences(nem, {"steps": "at_once"}, actor=nem)
    _run(_day(2))
    assert [m.subject for m in _to("nem@example.org")] == ["Accord: Your daily digest: 2 e-mails"]
    assert HeldEmail.objects.waiting().count() == 0


def test_reminders_chosen_weekly_are_logged_as_sent_and_go_in_the_weekly_digest(
    world: World,
) -> None:
    employer = world.users["employer"]
    with _at(_day(-400)):
        enrolment = world.enrolment(State.LISTED)
        deliver_due()  # the joining steps' own e-mails
    emails.set_preferences(employer, {"reminders": "weekly"}, actor=employer)
    # A Tuesday on which the review falls due.
    due = Cycle.objects.get(enrolment=enrolment).ends_on
    due = due + datetime.timedelta(days=(1 - due.weekday()) % 7)
    Cycle.objects.filter(enrolment=enrolment).update(ends_on=due)
    _run(due)
    assert _to("employer@example.org") == []
    assert SentReminder.objects.filter(user=employer).exists()
    _run(due + datetime.timedelta(days=6))  # the Monday after
    [digest] = _to("employer@example.org")
    assert digest.subject.startswith("Accord: Your weekly digest")
    assert "Northtown High School: the review of cycle 1" in digest.body
    # One heading, the held e-mail a section under its own heading, one reason in the footer.
    parsed = email.message_from_bytes(digest.message().as_bytes(), policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert digest.subject == "Accord: Your weekly digest: 1 e-mail"
    assert html.count("<h1") == 1 and html.count("<h2") == 1 and html.count("<section>") == 1
    assert "== 3 things need your attention ==\n" in text
    assert ">3 things need your attention</h2>" in html
    for wrapper in ("held for your digest", "need your attention:", "Sent to you because"):
        assert wrapper not in text and wrapper not in html
    assert text.count("You receive ") == 1
    assert (
        "You receive this digest because you chose weekly digests for reminders of work due "
        "or overdue.\n" in text
    )
    assert '<a href="http://127.0.0.1:8000/accounts/email-preferences/"' in html
    assert ">Change which e-mails you receive</a>" in html
