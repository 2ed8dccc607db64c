"""Seal audit events' content through a salted digest, so that erasure can redact it.

Adds the content's salt and digest and the time of a redaction, gives every existing event a
salt and digest, and seals every chain again under ACCORD_AUDIT_KEY (the seal now covers the
digest instead of the content itself). Checkpoints taken before this migration no longer match:
take a new one after it.

The triggers change from refusing every UPDATE to refusing every UPDATE but a redaction's: one
that leaves every sealed column as it was, changes only the content, the salt and
`redacted_at`, and sets `redacted_at`. DELETE stays refused. SQLite rebuilds the table to add
the columns, which drops its triggers, so they are created again here.
"""

import secrets

from django.db import migrations, models

from accord.core.models import AuditEvent, AuditStreamHead

TABLE = "core_auditevent"
# Every column the seal covers, directly or (content_digest) for the content.
SEALED = (
    "id",
    "created_at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "context",
    "internal",
    "stream",
    "sequence",
    "previous_hash",
    "hash",
    "content_digest",
)
_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in SEALED)
_DISTINCT = "({}) IS DISTINCT FROM ({})".format(
    ", ".join(f"NEW.{c}" for c in SEALED), ", ".join(f"OLD.{c}" for c in SEALED)
)

SQLITE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
    f"""CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON {TABLE}
        WHEN {_CHANGED} OR NEW.redacted_at IS NULL
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    f"""CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    f"""CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_NO_DELETE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
    f"""CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND NEW.redacted_at IS NOT NULL AND NOT {_DISTINCT} THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'audit events are append-only';
        END; $$ LANGUAGE plpgsql;""",
]
POSTGRESQL_REVERSE = [
    """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def digest_and_reseal(apps, schema_editor):
    # The current model, not the historical one: the seal is its canonical payload.
    if not AuditEvent.objects.exists():
        return
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
        heads: dict[str, tuple[int, str]] = {}
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            _, previous = heads.get(event.stream, (0, "0" * 64))
            event.content_salt = secrets.token_hex(16)
            event.content_digest = event.compute_content_digest()
            event.previous_hash = previous
            event.hash = event.compute_hash()
            cursor.execute(
                f"UPDATE {TABLE} SET content_salt = %s, content_digest = %s, previous_hash = %s,"
                " hash = %s WHERE id = %s",
                [
                    event.content_salt,
                    event.content_digest,
                    event.previous_hash,
                    event.hash,
                    event.id,
                ],
            )
            heads[event.stream] = (event.sequence, event.hash)
        if vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
    for stream, (sequence, seal) in heads.items():
        AuditStreamHead.objects.filter(stream=stream).update(sequence=sequence, hash=seal)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_outbox_html_part")]

    operations = [
        # Undone last: removing the columns rebuilds the SQLite table, which drops its triggers.
        migrations.RunPython(
            migrations.RunPython.noop, _run({"sqlite": SQLITE_REVERSE + SQLITE_NO_DELETE})
        ),
        migrations.AddField(
            model_name="auditevent",
            name="content_salt",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="content_digest",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="redacted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(digest_and_reseal, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
