"""The audit trail is append-only and tamper-evident."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accord.core.audit import verify_chain
from accord.core.models import AuditEvent, AuditTrailIsAppendOnly
from accord.enrolments.process import State
from tests.world import World


def test_every_step_appends_a_chained_event(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    # The enrolment's own stream (the built-in data's events are in the scheme's).
    events = list(AuditEvent.objects.filter(context=enrolment.audit_context).order_by("id"))
    assert len(events) >= 6
    for before, after in pairwise(events):
        assert after.previous_hash == before.hash
    assert list(verify_chain()) == []
    call_command("verify_audit")


def test_the_model_refuses_to_change_or_delete_an_event(world: World) -> None:
    world.enrolment(State.PROPOSED)
    event = AuditEvent.objects.first()
    event.note = "rewritten"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().update(note="x")


def test_the_database_refuses_to_change_or_delete_an_event_on_every_engine(world: World) -> None:
    world.enrolment(State.PROPOSED)
    table = AuditEvent._meta.db_table
    statements = [f"UPDATE {table} SET note = 'x'", f"DELETE FROM {table}"]
    for sql in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.filter(note="x").count() == 0
    assert AuditEvent.objects.exists()


def test_tampering_behind_the_database_triggers_is_detected(world: World) -> None:
    world.enrolment(State.ENDORSED)
    table = AuditEvent._meta.db_table
    target = AuditEvent.objects.order_by("id")[1]
    # Someone with database access drops the triggers and edits a row.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
        cursor.execute(f"UPDATE {table} SET note = 'edited' WHERE id = %s", [target.id])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    breaks = list(verify_chain())
    assert [b.event_id for b in breaks] == [target.id]
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit")
