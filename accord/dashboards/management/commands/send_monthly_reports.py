"""Send the monthly report to each subscriber who has not had this month's: run it daily, like
send_reminders (the first run of a month sends; the others find it sent)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.dashboards.report import send_monthly_reports


class Command(BaseCommand):
    help = (
        "E-mail the dashboard's key figures to each person who turned on the monthly report and "
        "may still see a dashboard, once per calendar month."
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
        run = send_monthly_reports(today)
        self.stdout.write(
            f"Sent {run.sent} monthly report(s); {run.not_allowed} subscriber(s) may no longer "
            "see a dashboard and were sent none."
        )
