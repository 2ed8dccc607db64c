"""Database triggers that refuse any UPDATE or DELETE of an audit event."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
]
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();""",
    # TRUNCATE bypasses row triggers; refuse it too.
    """CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse();""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent;",
    "DROP FUNCTION IF EXISTS core_auditevent_refuse();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
