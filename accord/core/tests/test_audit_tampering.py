"""Someone who can write to the database cannot rewrite, trim or empty the audit trail unseen."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from accord.core.audit import verify_chain
from accord.core.models import AuditEvent
from accord.enrolments.process import State
from tests.world import World

TABLE = AuditEvent._meta.db_table


def _behind_the_triggers(sql: str, params: list[object] | None = None) -> None:
    """Run `sql` as someone who can switch the append-only triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            cursor.execute(sql, params or [])
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(sql, params or [])
            for _, definition in triggers:
                cursor.execute(definition)


def _publish_checkpoint() -> str:
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def _verify(*args: str) -> None:
    call_command("verify_audit", *args, stdout=StringIO(), stderr=StringIO())


def test_a_whole_trail_passes_against_its_published_checkpoint(world: World) -> None:
    world.enrolment(State.ENDORSED)
    checkpoint = _publish_checkpoint()
    world.journey().take(
        world.enrolment(State.PROPOSED, world.other_employer, secretary="other_secretary"),
        "endorse",
        "other_secretary",
    )
    _verify("--checkpoint", checkpoint)


def test_deleting_the_newest_events_is_detected_against_a_published_checkpoint(
    world: World,
) -> None:
    world.enrolment(State.NEM_CLEARED)
    checkpoint = _publish_checkpoint()
    newest = AuditEvent.objects.order_by("-id")[0]
    _behind_the_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [newest.id])
    with pytest.raises(CommandError, match="checkpoint"):
        _verify("--checkpoint", checkpoint)


def test_deleting_every_event_is_detected_against_a_published_checkpoint(world: World) -> None:
    world.enrolment(State.ENDORSED)
    checkpoint = _publish_checkpoint()
    _behind_the_triggers(f"DELETE FROM {TABLE}")
    with pytest.raises(CommandError, match="checkpoint"):
        _verify("--checkpoint", checkpoint)


def test_deleting_the_newest_events_is_detected_from_the_checkpoints_kept_outside_the_database(
    world: World, tmp_path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints"
    world.enrolment(State.ENDORSED)
    _publish_checkpoint()
    assert settings.ACCORD_AUDIT_CHECKPOINT_FILE.read_text().count("\n") == 1
    newest = AuditEvent.objects.order_by("-id")[0]
    _behind_the_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [newest.id])
    with pytest.raises(CommandError, match="checkpoint"):
        _verify()


def test_a_checkpoint_that_was_not_signed_with_the_key_is_refused(world: World) -> None:
    world.enrolment(State.ENDORSED)
    with override_settings(ACCORD_AUDIT_KEY="a key the attacker made up"):
        forged = _publish_checkpoint()
    with pytest.raises(CommandError, match="signature"):
        _verify("--checkpoint", forged)


def test_rewriting_a_row_and_resealing_the_chain_without_the_key_is_detected(
    world: World,
) -> None:
    enrolment = world.enrolment(State.AGREED)
    stream = list(AuditEvent.objects.filter(context=enrolment.audit_context).order_by("id"))
    edited = stream[1]
    # The attacker rewrites a row and recomputes every seal after it, but has to guess the key.
    with override_settings(ACCORD_AUDIT_KEY="a key the attacker made up"):
        previous = stream[0].hash
        for event in stream[1:]:
            if event.id == edited.id:
                event.summary = "Nothing happened"
            event.previous_hash = previous
            event.hash = event.compute_hash()
            previous = event.hash
            _behind_the_triggers(
                f"UPDATE {TABLE} SET summary = %s, previous_hash = %s, hash = %s WHERE id = %s",
                [event.summary, event.previous_hash, event.hash, event.id],
            )
    assert {b.event_id for b in verify_chain()} >= {e.id for e in stream[1:]}
    with pytest.raises(CommandError, match="broken"):
        _verify()


@pytest.mark.parametrize(
    "assignment",
    [
        "actor_id = NULL",
        "summary = 'Somebody else did it'",
        'changes = \'{"state": ["proposed", "declined"]}\'',
        "note = 'edited'",
        "action = 'enrolment.decline'",
        "internal = NOT internal",
        "target_id = '999'",
        "context = 'enrolment:999'",
        "created_at = '2020-01-01 00:00:00+00:00'",
    ],
)
def test_editing_any_field_of_an_event_is_detected(world: World, assignment: str) -> None:
    world.enrolment(State.ENDORSED)
    target = AuditEvent.objects.filter(actor__isnull=False).order_by("id")[1]
    _behind_the_triggers(f"UPDATE {TABLE} SET {assignment} WHERE id = %s", [target.id])
    assert target.id in {b.event_id for b in verify_chain()}
