"""Import a joint action plan from a document laid out like the 2008 Government Skills plan."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.accounts.models import User
from accord.plans import services


def _correction(value: str) -> services.Correction:
    match = re.fullmatch(r"(\d+):([^=]+)=(.*)", value)
    if match is None:
        raise ValueError(value)
    return services.Correction(int(match[1]), match[2].strip(), match[3])


class Command(BaseCommand):
    help = (
        "Read a plan document, report every problem and repair by line and column, and import "
        "it when there are no problems left. Exits non-zero on problems, and on repairs unless "
        "--accept-warnings is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as", dest="email", required=True, help="The e-mail address of the user importing it."
        )
        parser.add_argument(
            "--correct",
            action="append",
            default=[],
            type=_correction,
            metavar="LINE:COLUMN=VALUE",
            help='Correct one cell, e.g. --correct "31:Action Number=2".',
        )
        parser.add_argument(
            "--party",
            action="append",
            dest="parties",
            help="A party of the plan (repeat); default: the workplan's owners.",
        )
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="Import even though the reader repaired something.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report only.")

    def handle(
        self,
        *args: Any,
        file: Path,
        email: str,
        correct: list[services.Correction],
        parties: list[str] | None,
        accept_warnings: bool,
        dry_run: bool,
        **options: Any,
    ) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        user = User.objects.filter(email=email.lower()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {email}")
        text = file.read_text(encoding="utf-8-sig")
        try:
            parsed = services.read_with_corrections(text, correct, parties)
        except services.PlanImportError as error:
            raise CommandError(error.message) from error
        for repair in parsed.repairs:
            self.stdout.write(f"warning: {repair}")
        for problem in parsed.problems:
            self.stderr.write(f"problem: {problem}")
        self.stdout.write(
            f"“{parsed.title}”: {len(parsed.themes)} themes, "
            f"{sum(len(t.commitments) for t in parsed.themes)} commitments, "
            f"{len(parsed.actions)} actions; {len(parsed.problems)} problem(s), "
            f"{len(parsed.repairs)} repair(s)."
        )
        if parsed.problems:
            raise CommandError("Not imported: correct the problems (--correct) and try again.")
        if parsed.repairs and not accept_warnings:
            raise CommandError("Not imported: check the repairs, then add --accept-warnings.")
        if dry_run:
            return
        plan = services.create_plan(
            text, actor=user, source_name=file.name, corrections=correct, parties=parties
        )
        self.stdout.write(f"Imported as plan {plan.pk}.")
