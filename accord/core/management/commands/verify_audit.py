"""Check that the audit trail's hash chain is whole."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accord.core.audit import verify_chain
from accord.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero if any event was tampered with."

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = list(verify_chain())
        for item in breaks:
            self.stderr.write(f"Event {item.event_id}: {item.reason}")
        if breaks:
            raise CommandError(f"The audit trail is broken in {len(breaks)} place(s).")
        self.stdout.write(f"The audit trail is whole ({AuditEvent.objects.count()} events).")
