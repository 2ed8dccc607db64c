"""Take a signed checkpoint of the audit trail, keep it outside the database and print it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accord.core.audit import checkpoint_file, take_checkpoint, write_checkpoint


class Command(BaseCommand):
    help = (
        "Append a signed checkpoint of the audit trail (event count and a digest of every "
        "stream's newest event) to ACCORD_AUDIT_CHECKPOINT_FILE and print it for publication. "
        "Run it periodically, e.g. hourly from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = take_checkpoint()
        write_checkpoint(checkpoint)
        self.stderr.write(f"Appended to {checkpoint_file()}: {checkpoint.label}. Publish:")
        self.stdout.write(str(checkpoint))
