"""The outbox's delivery rules: one claim per message, retries with growing waits, giving up."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accord.core import outbox
from accord.core.outbox import OutboxMessage, OutboxStatus
from tests.mail_backends import RefusingBackend

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def refused(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    settings.ACCORD_OUTBOX_RETRY_SECONDS = 60
    settings.ACCORD_OUTBOX_MAX_ATTEMPTS = 4
    monkeypatch.setattr(RefusingBackend, "refused", {})
    return RefusingBackend.refused


def _queue(to: str = "someone@example.org") -> OutboxMessage:
    with transaction.atomic():
        return outbox.queue(to=to, subject="Hello", body="Body")


def test_a_queued_message_is_sent_once_with_its_message_id(db: None) -> None:
    message = _queue()
    assert outbox.deliver(message.pk) == OutboxStatus.SENT
    # A second task for the same message (a duplicate, or one recovered) finds nothing to do.
    assert outbox.deliver(message.pk) == "skipped"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.sent_at is not None


def test_a_message_rolled_back_with_its_change_is_never_sent(db: None) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue(to="someone@example.org", subject="Hello", body="Body")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


def test_a_failing_message_is_retried_after_1_2_4_minutes_then_given_up(db: None, refused) -> None:  # type: ignore[no-untyped-def]
    refused["someone@example.org"] = 421
    with time_machine.travel(START, tick=False) as clock:
        message = _queue()
        waits = []
        for _ in range(3):
            assert outbox.deliver(message.pk) == OutboxStatus.PENDING
            message.refresh_from_db()
            waits.append(message.next_attempt_at - timezone.now())
            # Not due before its time: a task run early does nothing.
            assert outbox.deliver(message.pk) == "skipped"
            clock.move_to(message.next_attempt_at)
        assert waits == [datetime.timedelta(minutes=m) for m in (1, 2, 4)]
        assert outbox.deliver(message.pk) == OutboxStatus.FAILED
    message.refresh_from_db()
    assert message.attempts == 4 and "421" in message.last_error
    assert mail.outbox == []


def test_an_address_refused_for_good_is_not_retried(db: None, refused) -> None:  # type: ignore[no-untyped-def]
    refused["nobody@example.org"] = 550
    message = _queue("nobody@example.org")
    assert outbox.deliver(message.pk) == OutboxStatus.FAILED
    message.refresh_from_db()
    assert message.attempts == 1


def test_retrying_a_given_up_message_sends_it(db: None, refused) -> None:  # type: ignore[no-untyped-def]
    refused["someone@example.org"] = 550
    message = _queue()
    outbox.deliver(message.pk)
    refused.clear()
    with transaction.atomic():
        outbox.retry(message)
    assert outbox.deliver(message.pk) == OutboxStatus.SENT
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]


def test_a_claim_held_by_a_live_worker_is_left_alone_until_its_lease_runs_out(
    db: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_OUTBOX_LEASE_SECONDS = 300
    with time_machine.travel(START, tick=False) as clock:
        message = _queue()
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=1
        )
        clock.shift(datetime.timedelta(seconds=299))
        assert outbox.deliver(message.pk) == "skipped"
        assert outbox.recover() == 0
        clock.shift(datetime.timedelta(seconds=2))
        assert outbox.recover() == 1
        assert outbox.deliver(message.pk) == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id


def test_a_message_whose_task_was_lost_is_handed_on_when_a_worker_starts(
    db: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_OUTBOX_LEASE_SECONDS = 300
    with time_machine.travel(START, tick=False) as clock:
        lost = _queue()  # its on-commit task never ran: the test's transaction never commits
        clock.shift(datetime.timedelta(seconds=60))
        fresh = _queue()
        assert outbox.recover() == 0
        clock.shift(datetime.timedelta(seconds=241))
        assert outbox.recover() == 1
        assert outbox.deliver(lost.pk) == OutboxStatus.SENT
        assert outbox.deliver(fresh.pk) == OutboxStatus.SENT
