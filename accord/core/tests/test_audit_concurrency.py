"""Audited writes to different records run side by side; writes to one record never fork its chain.

The threaded tests need real concurrent connections, so they run against PostgreSQL and are
skipped on SQLite (see accord/enrolments/tests/test_concurrency.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction

from accord.accounts.models import User
from accord.core import audit
from accord.core.audit import verify_chain
from accord.core.models import AuditEvent
from tests.concurrency import in_threads


def _log(target: User, stream: str, n: int = 0) -> AuditEvent:
    return audit.log_action(
        target, "user.updated", actor=None, summary=f"change {n}", context=stream
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_writers_to_different_streams_do_not_wait_on_each_other() -> None:
    target = User.objects.create_user("t@example.org", email="t@example.org", full_name="T")
    first_holds_its_lock = threading.Event()
    second_done = threading.Event()

    def first() -> bool:
        with transaction.atomic():
            _log(target, "enrolment:1")
            first_holds_its_lock.set()
            # Still inside the transaction: the second writer must finish meanwhile.
            return second_done.wait(timeout=20)

    def second() -> str:
        assert first_holds_its_lock.wait(timeout=20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
            _log(target, "enrolment:2")
        second_done.set()
        return "done"

    results = in_threads(first, second, together=False)
    assert results == [True, "done"], results
    assert list(verify_chain()) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_a_second_writer_to_the_same_stream_waits_for_the_first() -> None:
    target = User.objects.create_user("t@example.org", email="t@example.org", full_name="T")
    with transaction.atomic():
        _log(target, "enrolment:1")
    first_holds_its_lock = threading.Event()
    second_finished = threading.Event()

    def first() -> bool:
        with transaction.atomic():
            _log(target, "enrolment:1")
            first_holds_its_lock.set()
            # The second writer cannot get past the head of the stream until this commits.
            return not second_finished.wait(timeout=2)

    def second() -> int:
        assert first_holds_its_lock.wait(timeout=20)
        with transaction.atomic():
            event = _log(target, "enrolment:1")
        second_finished.set()
        return event.sequence

    results = in_threads(first, second, together=False)
    assert results == [True, 3], results
    assert list(verify_chain()) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_many_writers_to_one_stream_at_once_never_fork_it() -> None:
    target = User.objects.create_user("t@example.org", email="t@example.org", full_name="T")
    writers, each = 6, 5
    barrier = threading.Barrier(writers)

    def writer(n: int) -> Callable[[], int]:
        def write() -> int:
            barrier.wait()
            for i in range(each):
                with transaction.atomic():
                    _log(target, "plan:7", n * 100 + i)
            return each

        return write

    results = in_threads(*(writer(n) for n in range(writers)))
    assert results == [each] * writers, results
    sequences = list(
        AuditEvent.objects.filter(stream="plan:7").order_by("id").values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, writers * each + 1))
    assert list(verify_chain()) == []


def test_the_database_refuses_two_events_in_one_place_of_a_stream(db: None) -> None:
    target = User.objects.create_user("t@example.org", email="t@example.org", full_name="T")
    with transaction.atomic():
        event = _log(target, "enrolment:1")
    twin = AuditEvent(
        created_at=event.created_at,
        action="user.updated",
        summary="a fork",
        target_type=event.target_type,
        target_id=event.target_id,
        context=event.context,
        stream=event.stream,
        sequence=event.sequence,
        previous_hash=event.previous_hash,
        hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
