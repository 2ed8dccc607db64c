"""Chain audit events per stream under a keyed seal, and refuse DELETE on SQLite as well.

SQLite rebuilds a table for some schema changes and drops its triggers with it, so a later
migration that alters this table must create them again, as this one does.

Existing events are placed in their streams (their context) in the order they were written and
sealed again under ACCORD_AUDIT_KEY; the append-only triggers are lifted for that one rewrite.
"""

from django.db import migrations, models

from accord.core.models import AuditEvent, AuditStreamHead

SQLITE_NO_DELETE = """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"""
SQLITE_NO_UPDATE = """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"""


def reseal_in_streams(apps, schema_editor):
    # The current model, not the historical one: the seal is its canonical payload.
    if not AuditEvent.objects.exists():
        return
    vendor = schema_editor.connection.vendor
    table = AuditEvent._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
        heads: dict[str, tuple[int, str]] = {}
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            sequence, previous = heads.get(event.context, (0, "0" * 64))
            event.stream, event.sequence, event.previous_hash = event.context, sequence + 1, previous
            event.hash = event.compute_hash()
            cursor.execute(
                f"UPDATE {table} SET stream = %s, sequence = %s, previous_hash = %s, hash = %s"
                " WHERE id = %s",
                [event.stream, event.sequence, event.previous_hash, event.hash, event.id],
            )
            heads[event.stream] = (event.sequence, event.hash)
        if vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            cursor.execute(SQLITE_NO_UPDATE)
    AuditStreamHead.objects.bulk_create(
        [AuditStreamHead(stream=s, sequence=q, hash=h) for s, (q, h) in heads.items()],
        batch_size=1000,
    )


def refuse_changes_on_sqlite(apps, schema_editor):
    # SQLite rebuilds a table to add a constraint, which drops its triggers: (re)create both.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
        schema_editor.execute(SQLITE_NO_UPDATE)
        schema_editor.execute(SQLITE_NO_DELETE)


def allow_delete_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [
        migrations.CreateModel(
            name="AuditStreamHead",
            fields=[
                ("stream", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="stream",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(reseal_in_streams, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("stream", "sequence"), name="audit_stream_sequence"
            ),
        ),
        migrations.RunPython(refuse_changes_on_sqlite, allow_delete_on_sqlite),
    ]
