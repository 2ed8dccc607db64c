"""Fill the register's rows for a database that had members before the table existed."""

from django.db import migrations

from accord.register import entries


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    entries.rebuild(apps=apps, using=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0001_register_table"),
        ("membership", "0004_policy_checks"),
        ("organisations", "0002_areas_retire_and_merge_employer_overrides"),
        ("schemes", "0002_materials_files_logo_and_version_reason"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
