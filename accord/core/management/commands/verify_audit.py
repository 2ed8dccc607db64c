"""Check that the audit trail's chains, seals and checkpoints hold."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.core.audit import Checkpoint, newest_written_checkpoint, verify_chain
from accord.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Verify the audit trail: every stream's chain and seals, the newest checkpoint in "
        "ACCORD_AUDIT_CHECKPOINT_FILE and any published checkpoint given. Exits non-zero if any "
        "event was changed, removed or added out of turn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="TEXT",
            help="A checkpoint published by audit_checkpoint; may be given more than once.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        texts = list(options["checkpoint"])
        written = newest_written_checkpoint()
        if written:
            texts.append(written)
        try:
            checkpoints = [Checkpoint.parse(text) for text in texts]
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        breaks = list(verify_chain(checkpoints))
        for item in breaks:
            where = f"Event {item.event_id}: " if item.event_id is not None else ""
            self.stderr.write(f"{where}{item.reason}")
        if breaks:
            first = breaks[0]
            raise CommandError(
                f"The audit trail is broken in {len(breaks)} place(s); the first: "
                + (f"event {first.event_id} " if first.event_id is not None else "")
                + first.reason
            )
        self.stdout.write(
            f"The audit trail is whole ({AuditEvent.objects.count()} events, "
            f"{len(checkpoints)} checkpoint(s) checked)."
        )
