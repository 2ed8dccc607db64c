"""Apply the retention rules (accord/membership/retention.py): run it daily. A second run the
same day does nothing; `--dry-run` says what would go and changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.membership.retention import RULES, Periods, apply_retention


class Command(BaseCommand):
    help = (
        "Blank closed enrolments' internal notes, erase people deactivated long ago and delete "
        "withdrawn members' uploaded files, each after its retention period (settings "
        "ACCORD_RETENTION_*)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would go; change nothing."
        )
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args: Any, dry_run: bool = False, date: str | None = None, **_: Any) -> None:
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from exc
        periods = Periods.from_settings()
        self.stdout.write(
            f"Retention periods: closed enrolments' notes {periods.closed_notes_years} year(s), "
            f"deactivated people {periods.deactivated_months} month(s), withdrawn members' "
            f"files {periods.withdrawn_files_months} month(s) (0: off)."
        )
        removals = apply_retention(today=today, dry_run=dry_run, periods=periods)
        for removal in removals:
            self.stdout.write(f"{removal.rule}: {removal.record}: {removal.what}")
        counts = {rule: sum(1 for r in removals if r.rule == rule) for rule in RULES}
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb}: "
            + ", ".join(f"{rule} {count}" for rule, count in counts.items())
            + (" (dry run: nothing changed)." if dry_run else ".")
        )
