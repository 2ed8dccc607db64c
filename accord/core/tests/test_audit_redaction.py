"""Redacting a person's name from the audit trail keeps the trail verifiable; an edit passed off
as a redaction, or any edit after one, is still detected; the database allows only a
redaction's own change."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q

from accord.accounts.models import User
from accord.core import audit
from accord.core.audit import verify_chain
from accord.core.models import AuditEvent

from .test_audit_tampering import TABLE, _behind_the_triggers

NAME = "Alice Example"
EMAIL = "alice@example.org"


@pytest.fixture
def named(db: None) -> tuple[AuditEvent, AuditEvent, AuditEvent]:
    """Three events about Alice's account: one naming her in each part, one naming nobody;
    then her name and address are redacted."""
    officer = User.objects.create_user("o@example.org", email="o@example.org", full_name="Olu")
    alice = User.objects.create_user(EMAIL, email=EMAIL, full_name=NAME)
    with transaction.atomic():
        first = audit.log_action(
            alice,
            "person.create",
            actor=officer,
            summary=f"Olu added {NAME} ({EMAIL})",
            changes={"full_name": [None, NAME], "email": [None, EMAIL.upper()]},
            note=f"{NAME.lower()} asked to join",
        )
        plain = audit.log_action(
            alice, "person.deactivate", actor=officer, summary="Olu deactivated someone"
        )
        audit.redact(
            {NAME: "Erased person 2", EMAIL: "erased-2@invalid"},
            actor=officer,
            target=alice,
            context=audit.context_of(alice),
            summary="Audit events naming Erased person 2 redacted",
        )
    redaction = AuditEvent.objects.get(action=audit.REDACTION_ACTION)
    return AuditEvent.objects.get(pk=first.pk), AuditEvent.objects.get(pk=plain.pk), redaction


def _verify() -> None:
    call_command("verify_audit", stdout=StringIO(), stderr=StringIO())


def test_a_redaction_replaces_the_name_in_every_part_and_the_trail_stays_whole(named) -> None:  # type: ignore[no-untyped-def]
    redacted, plain, redaction = named
    assert redacted.summary == "Olu added Erased person 2 (erased-2@invalid)"
    assert redacted.changes == {
        "full_name": [None, "Erased person 2"],
        "email": [None, "erased-2@invalid"],
    }
    assert redacted.note == "Erased person 2 asked to join"
    assert redacted.redacted_at is not None and plain.redacted_at is None
    assert list(redaction.changes["redacted_events"]) == [str(redacted.pk)]
    assert NAME not in str(redaction.changes) and EMAIL not in redaction.summary
    assert list(verify_chain()) == []
    _verify()


def test_a_sealed_column_edited_after_a_redaction_is_detected(named) -> None:  # type: ignore[no-untyped-def]
    redacted, _, _ = named
    _behind_the_triggers(
        f"UPDATE {TABLE} SET action = 'person.reactivate' WHERE id = %s", [redacted.pk]
    )
    assert redacted.pk in {b.event_id for b in verify_chain()}
    with pytest.raises(CommandError, match="broken"):
        _verify()


def test_an_edit_of_a_redacted_events_content_is_detected(named) -> None:  # type: ignore[no-untyped-def]
    redacted, _, _ = named
    _behind_the_triggers(
        f"UPDATE {TABLE} SET summary = 'Olu added nobody' WHERE id = %s", [redacted.pk]
    )
    assert [(b.event_id, b.reason) for b in verify_chain()] == [
        (redacted.pk, "its contents do not match its redaction")
    ]
    with pytest.raises(CommandError, match="broken"):
        _verify()


def test_an_edit_of_an_unredacted_events_content_is_detected(named) -> None:  # type: ignore[no-untyped-def]
    _, plain, _ = named
    _behind_the_triggers(f"UPDATE {TABLE} SET note = 'it was nothing' WHERE id = %s", [plain.pk])
    assert [b.event_id for b in verify_chain()] == [plain.pk]
    with pytest.raises(CommandError, match="broken"):
        _verify()


def test_an_edit_passed_off_as_a_redaction_is_detected(named) -> None:  # type: ignore[no-untyped-def]
    _, plain, _ = named
    # The triggers let a redaction's change through: no need to lift them.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET summary = 'Olu did nothing', content_salt = '',"
            " redacted_at = created_at WHERE id = %s",
            [plain.pk],
        )
    assert [(b.event_id, b.reason) for b in verify_chain()] == [
        (plain.pk, "it is marked redacted, but no redaction lists it")
    ]
    with pytest.raises(CommandError, match="broken"):
        _verify()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET summary = 'edited' WHERE id = %s",
        "UPDATE {table} SET action = 'edited', redacted_at = created_at WHERE id = %s",
        "UPDATE {table} SET content_digest = 'edited', redacted_at = created_at WHERE id = %s",
        "UPDATE {table} SET redacted_at = NULL WHERE id = %s",
        "DELETE FROM {table} WHERE id = %s",
    ],
)
def test_the_database_refuses_anything_but_a_redaction(named, statement: str) -> None:  # type: ignore[no-untyped-def]
    redacted, plain, _ = named
    target = redacted if "NULL" in statement else plain
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=TABLE), [target.pk])


def test_the_name_only_within_the_address_anywhere_and_whole_notes_by_id(db: None) -> None:
    officer = User.objects.create_user("o@example.org", email="o@example.org", full_name="Olu")
    alice = User.objects.create_user(EMAIL, email=EMAIL, full_name=NAME)
    namesake = User.objects.create_user("a2@example.net", email="a2@example.net", full_name=NAME)
    with transaction.atomic():
        hers = audit.log_action(alice, "person.create", actor=officer, summary=f"Olu added {NAME}")
        other = audit.log_action(
            namesake, "person.create", actor=officer, summary=f"Olu added {NAME}"
        )
        mailed = audit.log_action(
            officer, "mail.sent", actor=officer, summary=f"Mail to {NAME} <{EMAIL}>"
        )
        noted = audit.log_action(
            officer, "enrolment.add_note", actor=officer, summary="Olu noted", note="Secret words"
        )
        audit.redact(
            {NAME: "Erased person 2", EMAIL: "erased-2@invalid"},
            actor=officer,
            target=alice,
            context=audit.context_of(alice),
            summary="Redacted",
            within=Q(target_type="accounts.user", target_id=str(alice.pk)),
            everywhere=[EMAIL],
            notes={noted.pk: ""},
        )
    summaries = dict(AuditEvent.objects.values_list("id", "summary"))
    assert summaries[hers.pk] == "Olu added Erased person 2"
    assert summaries[other.pk] == f"Olu added {NAME}"
    assert summaries[mailed.pk] == "Mail to Erased person 2 <erased-2@invalid>"
    assert AuditEvent.objects.get(pk=noted.pk).note == ""
    redaction = AuditEvent.objects.get(action=audit.REDACTION_ACTION)
    assert sorted(map(int, redaction.changes["redacted_events"])) == [
        hers.pk,
        mailed.pk,
        noted.pk,
    ]
    assert list(verify_chain()) == []
    # The blanked note is checked against its redaction like any other redacted content.
    _behind_the_triggers(f"UPDATE {TABLE} SET note = 'Secret words' WHERE id = %s", [noted.pk])
    assert [b.event_id for b in verify_chain()] == [noted.pk]
