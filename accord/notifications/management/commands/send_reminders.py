"""Send the reminders that are due: run it daily (it never sends the same reminder twice)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.notifications.reminders import send_reminders


class Command(BaseCommand):
    help = "E-mail each person one digest of the reminders due and not yet sent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args: Any, date: str | None = None, **options: Any) -> None:
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from exc
        summary = send_reminders(today)
        self.stdout.write(f"Sent {summary.reminders} reminder(s) to {summary.people} person(s).")
