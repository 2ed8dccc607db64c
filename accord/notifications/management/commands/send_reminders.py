"""Send the reminders that are due, then the e-mail digests: run it daily (it never sends the
same reminder twice, nor an e-mail in two digests)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.accounts.emails import send_digests
from accord.notifications.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail each person one digest of the reminders due and not yet sent, then the daily "
        "(and, on the weekly day, weekly) digests of the e-mails people chose to bundle."
    )

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
        # After the reminders, so that reminders held for today's digest go out in it.
        digests = send_digests(today)
        self.stdout.write(f"Sent {digests.people} digest(s) bundling {digests.emails} e-mail(s).")
